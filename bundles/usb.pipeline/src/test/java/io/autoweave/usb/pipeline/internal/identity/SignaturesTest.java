package io.autoweave.usb.pipeline.internal.identity;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Test;

import io.autoweave.api.device.UsbDevice;

public class SignaturesTest {

    private static UsbDevice device(String serial, String manufacturer, String product, List<Integer> interfaces,
            int bus, int address, String port) {
        return new UsbDevice(0x046d, 0xc52b, serial, manufacturer, product, 0, 0, 0, interfaces, 0x1211, bus, address,
                port, null);
    }

    @Test
    public void signatureIsSixtyFourLowerCaseHexDigits() {
        String sig = Signatures.of(device("ABC", "Logitech", "Receiver", List.of(3), 1, 2, "1-2"));
        assertTrue(sig.matches("[0-9a-f]{64}"));
    }

    @Test
    public void goldenValueNeverChangesWithoutAnEncodingVersionBump() {
        // computed independently (Python hashlib) from the v2 encoding documented in README.md; a change here breaks every stored signature
        UsbDevice d = device("ABC123", "Logitech", "USB Receiver", List.of(3, 3, 3), 1, 7, "1-2");
        assertEquals("54ad02c26ac5dac9108abe35d62b3eab99e9395ba334d21808df66dee4f694c2", Signatures.of(d));
    }

    @Test
    public void signatureStaysTheSameWhenTheDeviceMovesToAnotherPortBusOrAddress() {
        UsbDevice here = device("ABC", "Logitech", "Receiver", List.of(3), 1, 2, "1-2");
        UsbDevice there = device("ABC", "Logitech", "Receiver", List.of(3), 3, 9, "3-1.4");
        UsbDevice unknownPort = device("ABC", "Logitech", "Receiver", List.of(3), -1, -1, null);
        assertEquals(Signatures.of(here), Signatures.of(there));
        assertEquals(Signatures.of(here), Signatures.of(unknownPort));
    }

    @Test
    public void signatureChangesWhenTheSerialChanges() {
        assertNotEquals(Signatures.of(device("ABC", "L", "R", List.of(3), 1, 2, "1")),
                Signatures.of(device("ABD", "L", "R", List.of(3), 1, 2, "1")));
    }

    @Test
    public void nullAndEmptyStringGiveDifferentSignatures() {
        assertNotEquals(Signatures.of(device(null, "L", "R", List.of(), 1, 2, "1")),
                Signatures.of(device("", "L", "R", List.of(), 1, 2, "1")));
    }

    @Test
    public void lengthPrefixMakesTheSerialsBytesUnambiguous() {
        // without the length prefix a serial could absorb bytes of a following field
        assertNotEquals(Signatures.of(device("AB", null, null, List.of(), 1, 2, "1")),
                Signatures.of(device("AB\0", null, null, List.of(), 1, 2, "1")));
    }

    @Test
    public void everyDescriptorFieldAndTheSerialCount() {
        UsbDevice base = device("S", "M", "P", List.of(3, 8), 1, 2, "1");
        assertNotEquals(Signatures.of(base), Signatures.of(new UsbDevice(0x046d, 0xc52b, "S", "M", "P", 0, 0, 0,
                List.of(3, 8), 0x1212, 1, 2, "1", null)));
        assertNotEquals(Signatures.of(base), Signatures.of(new UsbDevice(0x046d, 0xc52b, "S", "M", "P", 9, 0, 0,
                List.of(3, 8), 0x1211, 1, 2, "1", null)));
        assertNotEquals(Signatures.of(base), Signatures.of(new UsbDevice(0x046d, 0xc52b, "S", "M", "P", 0, 1, 0,
                List.of(3, 8), 0x1211, 1, 2, "1", null)));
        assertNotEquals(Signatures.of(base), Signatures.of(new UsbDevice(0x046d, 0xc52b, "S", "M", "P", 0, 0, 1,
                List.of(3, 8), 0x1211, 1, 2, "1", null)));
        assertNotEquals(Signatures.of(base), Signatures.of(new UsbDevice(0x046e, 0xc52b, "S", "M", "P", 0, 0, 0,
                List.of(3, 8), 0x1211, 1, 2, "1", null)));
        assertNotEquals(Signatures.of(base), Signatures.of(new UsbDevice(0x046d, 0xc52c, "S", "M", "P", 0, 0, 0,
                List.of(3, 8), 0x1211, 1, 2, "1", null)));
    }

    @Test
    public void stringsAndInterfacesASourceMayFailToReadDoNotChangeTheSignature() {
        // libusb without permission to open the device: no manufacturer/product; udev before the configuration is
        // set: no interfaces. Same physical device, so the same signature.
        UsbDevice full = device("S", "Logitech", "USB Receiver", List.of(3, 3, 3), 1, 2, "1-2");
        assertEquals(Signatures.of(full), Signatures.of(device("S", null, null, List.of(), 1, 2, "1-2")));
        assertEquals(Signatures.of(full), Signatures.of(device("S", "Logitech", null, List.of(3), 1, 2, "1-2")));
    }

    @Test
    public void identicalSerialLessDevicesShareOneSignature() {
        assertEquals(Signatures.of(device(null, "M", "P", List.of(3), 1, 2, "1-1")),
                Signatures.of(device(null, "M", "P", List.of(3), 1, 3, "1-2")));
    }

    @Test
    public void signIgnoresASignatureTheSourceSupplied() {
        UsbDevice forged = device("S", "M", "P", List.of(), 1, 2, "1").withSignature("00".repeat(32));
        assertEquals(Signatures.of(forged), Signatures.sign(forged).signature());
    }

    @Test
    public void isSignatureAcceptsOnlySixtyFourHexDigits() {
        assertTrue(Signatures.isSignature("AB".repeat(32)));
        assertFalse(Signatures.isSignature("ab".repeat(31)));
        assertFalse(Signatures.isSignature("zz".repeat(32)));
        assertFalse(Signatures.isSignature(null));
    }
}
