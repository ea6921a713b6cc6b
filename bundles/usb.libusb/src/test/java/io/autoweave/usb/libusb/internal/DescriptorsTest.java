package io.autoweave.usb.libusb.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.util.List;

import org.junit.Test;

public class DescriptorsTest {

    @Test
    public void portPathMatchesTheLinuxSysfsName() {
        assertEquals("3-1", Descriptors.portPath(3, new byte[] { 1, 0, 0 }, 1));
        assertEquals("1-2.4.1", Descriptors.portPath(1, new byte[] { 2, 4, 1 }, 3));
        assertEquals("usb2", Descriptors.portPath(2, new byte[8], 0));
    }

    @Test
    public void unsignedFieldsStayPositive() {
        assertEquals(0xc52b, Descriptors.u16((short) 0xc52b));
        assertEquals(0xff, Descriptors.u8((byte) 0xff));
        assertEquals(List.of(3, 255), Descriptors.interfaceClasses(new byte[] { 3, (byte) 0xff }));
    }

    @Test
    public void emptyStringDescriptorsBecomeNull() {
        assertNull(Descriptors.clean("  "));
        assertNull(Descriptors.clean(null));
        assertEquals("QEMU", Descriptors.clean("QEMU "));
    }
}
