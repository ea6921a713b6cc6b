package io.autoweave.usb.pipeline.internal.merge;

import java.util.Objects;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;

/**
 * What one detection source saw: raw input to the pipeline, before merging.
 *
 * @param source the source name ({@code libusb}, {@code udev}, {@code sysfs}, {@code simulated})
 * @param action attach or detach
 * @param device the device as this source knows it; its signature is recomputed by the pipeline
 */
public record SourceReport(String source, UsbAction action, UsbDevice device) {

    public SourceReport {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(device, "device");
    }
}
