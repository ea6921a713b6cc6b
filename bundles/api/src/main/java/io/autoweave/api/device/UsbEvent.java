package io.autoweave.api.device;

import java.util.Objects;
import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One physical action: a device attached or detached. Exactly one event is produced per action, however many
 * sources saw it.
 *
 * @param eventId unique id, stable across redelivery; consumers de-duplicate by it
 * @param instanceId id of the runtime instance that saw the action
 * @param action attach or detach
 * @param timestampMillis wall-clock time of the action, epoch milliseconds
 * @param monotonicNanos {@link System#nanoTime()} when the first source reported it (latency measurement only)
 * @param device the device
 * @param sources the detection sources that reported this action (for example {@code libusb}, {@code udev}), in
 *        the order given (the pipeline gives the first reporter first); iteration follows that order everywhere
 * @param flapCount how many further attach/detach pairs debouncing collapsed into this event (0 when none)
 */
@ProviderType
public record UsbEvent(
        String eventId,
        String instanceId,
        UsbAction action,
        long timestampMillis,
        long monotonicNanos,
        UsbDevice device,
        Set<String> sources,
        int flapCount) {

    public UsbEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(device, "device");
        sources = sources == null ? Sources.of(Set.of()) : Sources.of(sources);
        if (flapCount < 0) {
            throw new IllegalArgumentException("flapCount must be >= 0: " + flapCount);
        }
    }
}
