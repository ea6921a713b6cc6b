package io.autoweave.api.source;

import java.util.Objects;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;

/**
 * One raw observation by one source. The pipeline turns reports into events: several sources reporting the same
 * physical action become one event. The device's signature may be left null: the pipeline computes it.
 *
 * @param source source name, e.g. {@code libusb}, {@code udev}, {@code sysfs}, {@code simulated}
 * @param action attach or detach
 * @param device what the source knows of the device (fields it cannot know are null / -1)
 * @param timestampMillis wall-clock time of the observation
 * @param monotonicNanos {@link System#nanoTime()} of the observation
 */
public record DeviceReport(String source, UsbAction action, UsbDevice device, long timestampMillis, long monotonicNanos) {
    public DeviceReport {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(device, "device");
    }

    /** A report observed now. */
    public static DeviceReport now(String source, UsbAction action, UsbDevice device) {
        return new DeviceReport(source, action, device, System.currentTimeMillis(), System.nanoTime());
    }
}
