package io.autoweave.usb.pipeline.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import io.autoweave.api.device.UsbDevice;

/**
 * The part of a {@link UsbDevice} that says <em>what</em> the device is, never <em>where</em> it is plugged.
 *
 * <p>{@link #canonicalBytes()} is the exact input of the signature hash; the module README documents the
 * encoding byte by byte. Changing it changes every signature, so it carries a version tag.
 */
record DeviceIdentity(
        int vendorId,
        int productId,
        String serial,
        String manufacturer,
        String product,
        int deviceClass,
        int deviceSubclass,
        int deviceProtocol,
        List<Integer> interfaceClasses,
        int bcdDevice) {

    /** Leads the encoding so a future v2 can never collide with v1 input. */
    static final String ENCODING_TAG = "autoweave-usb-identity/v1";

    DeviceIdentity {
        interfaceClasses = interfaceClasses == null ? List.of() : List.copyOf(interfaceClasses);
    }

    static DeviceIdentity of(UsbDevice device) {
        return new DeviceIdentity(device.vendorId(), device.productId(), device.serial(), device.manufacturer(),
                device.product(), device.deviceClass(), device.deviceSubclass(), device.deviceProtocol(),
                device.interfaceClasses(), device.bcdDevice());
    }

    /**
     * Length-prefixed, big-endian encoding: no two different identities share bytes, and {@code null} differs
     * from the empty string (absent descriptor string versus an empty one).
     */
    byte[] canonicalBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        string(out, ENCODING_TAG);
        int32(out, vendorId);
        int32(out, productId);
        string(out, serial);
        string(out, manufacturer);
        string(out, product);
        int32(out, deviceClass);
        int32(out, deviceSubclass);
        int32(out, deviceProtocol);
        int32(out, interfaceClasses.size());
        for (Integer c : interfaceClasses) {
            int32(out, c == null ? -1 : c);
        }
        int32(out, bcdDevice);
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
