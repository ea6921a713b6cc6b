package io.autoweave.usb.pipeline.internal;

import java.util.List;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.usb.pipeline.internal.merge.SourceReport;
import io.autoweave.usb.pipeline.internal.identity.Signatures;

/** Test fixtures. */
public final class Devices {

    private Devices() {
    }

    /** A Logitech receiver with serial, signed. */
    public static UsbDevice receiver(String port) {
        return Signatures.sign(new UsbDevice(0x046d, 0xc52b, "ABC123", "Logitech", "USB Receiver", 0, 0, 0,
                List.of(3, 3, 3), 0x1211, 1, 7, port, null));
    }

    /** A mass storage stick, signed. */
    public static UsbDevice stick(String serial, String port) {
        return Signatures.sign(new UsbDevice(0x0781, 0x5567, serial, "SanDisk", "Cruzer Blade", 0, 0, 0,
                List.of(8), 0x0100, 2, 3, port, null));
    }

    public static UsbDevice withSerial(UsbDevice d, String serial) {
        return Signatures.sign(new UsbDevice(d.vendorId(), d.productId(), serial, d.manufacturer(), d.product(),
                d.deviceClass(), d.deviceSubclass(), d.deviceProtocol(), d.interfaceClasses(), d.bcdDevice(),
                d.busNumber(), d.deviceAddress(), d.portPath(), null));
    }

    public static UsbDevice withoutStrings(UsbDevice d) {
        return Signatures.sign(new UsbDevice(d.vendorId(), d.productId(), null, null, null,
                d.deviceClass(), d.deviceSubclass(), d.deviceProtocol(), d.interfaceClasses(), d.bcdDevice(),
                d.busNumber(), d.deviceAddress(), d.portPath(), null));
    }

    public static UsbDevice at(UsbDevice d, String port, int bus, int address) {
        return new UsbDevice(d.vendorId(), d.productId(), d.serial(), d.manufacturer(), d.product(),
                d.deviceClass(), d.deviceSubclass(), d.deviceProtocol(), d.interfaceClasses(), d.bcdDevice(),
                bus, address, port, d.signature());
    }

    public static SourceReport attach(String source, UsbDevice d) {
        return new SourceReport(source, UsbAction.ATTACH, d);
    }

    public static SourceReport detach(String source, UsbDevice d) {
        return new SourceReport(source, UsbAction.DETACH, d);
    }
}
