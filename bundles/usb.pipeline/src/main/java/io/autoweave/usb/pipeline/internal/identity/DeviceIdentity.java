package io.autoweave.usb.pipeline.internal.identity;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import io.autoweave.api.device.UsbDevice;

/**
 * The part of a {@link UsbDevice} that says <em>which</em> device it is, never <em>where</em> it is plugged, and
 * nothing a source may fail to know at its first report.
 *
 * <p>Only the device descriptor (which the kernel reads before it announces a device, and repeats in every uevent
 * as {@code PRODUCT} and {@code TYPE}) and the serial string (read by the kernel at enumeration, before the
 * announcement, and exposed in sysfs) are hashed. The manufacturer and product strings and the interface classes
 * are left out: they add nothing that tells two devices apart once vendor, product, release and serial are known,
 * and reading them races with the device (libusb may not be allowed to open it; the interfaces of the active
 * configuration appear only after the kernel has set one). v1 hashed them, and a device flapping on a loaded
 * machine got one signature per partial read.
 *
 * <p>{@link #canonicalBytes()} is the exact input of the signature hash; the module README documents the encoding
 * byte by byte. Changing it changes every signature, so it carries a version tag.
 */
record DeviceIdentity(
        int vendorId,
        int productId,
        int bcdDevice,
        int deviceClass,
        int deviceSubclass,
        int deviceProtocol,
        String serial) {

    /** Leads the encoding so a v2 value can never collide with another version's input. */
    static final String ENCODING_TAG = "autoweave-usb-identity/v2";

    static DeviceIdentity of(UsbDevice device) {
        return new DeviceIdentity(device.vendorId(), device.productId(), device.bcdDevice(), device.deviceClass(),
                device.deviceSubclass(), device.deviceProtocol(), device.serial());
    }

    /**
     * Length-prefixed, big-endian encoding: no two different identities share bytes, and {@code null} differs
     * from the empty string (no serial descriptor versus an empty one).
     */
    byte[] canonicalBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        string(out, ENCODING_TAG);
        int32(out, vendorId);
        int32(out, productId);
        int32(out, bcdDevice);
        int32(out, deviceClass);
        int32(out, deviceSubclass);
        int32(out, deviceProtocol);
        string(out, serial);
        return out.toByteArray();
    }

    private static void string(ByteArrayOutputStream out, String value) {
        if (value == null) {
            out.write(0);
            return;
        }
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        out.write(1);
        int32(out, utf8.length);
        out.write(utf8, 0, utf8.length);
    }

    private static void int32(ByteArrayOutputStream out, int value) {
        out.write(value >>> 24);
        out.write(value >>> 16);
        out.write(value >>> 8);
        out.write(value);
    }
}
