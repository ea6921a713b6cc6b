package io.autoweave.usb.pipeline.internal.identity;

import java.util.Objects;

import io.autoweave.api.device.UsbDevice;

/**
 * Names one connected device: its signature plus where it is plugged. The port is part of the key because
 * identical serial-less devices share a signature; two of them on different ports are still two devices.
 *
 * @param signature the device signature, never null
 * @param portPath the port chain, or null when the source did not know it
 */
public record DeviceKey(String signature, String portPath) {

    public DeviceKey {
        Objects.requireNonNull(signature, "signature");
    }

    public static DeviceKey of(UsbDevice device) {
        return new DeviceKey(device.signature(), device.portPath());
    }

    @Override
    public String toString() {
        return signature.substring(0, Math.min(12, signature.length())) + "@" + (portPath == null ? "?" : portPath);
    }
}
