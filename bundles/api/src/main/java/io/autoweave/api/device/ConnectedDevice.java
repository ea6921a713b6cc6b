package io.autoweave.api.device;

import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One device the runtime currently believes connected.
 *
 * @param device the device; fields the first reporting source lacked are filled from later sources, the
 *        signature stays the one of the attach event
 * @param sinceMillis wall-clock time of the attach, epoch milliseconds
 * @param attachEventId id of the attach event
 * @param sources every source that reported the attach, the first reporter first
 * @param allowed whether the device rules allow it (blocked devices are listed, their events are not delivered)
 * @param flapCount attach/detach pairs collapsed by debouncing while connected
 */
@ProviderType
public record ConnectedDevice(UsbDevice device, long sinceMillis, String attachEventId, Set<String> sources,
        boolean allowed, int flapCount) {

    public ConnectedDevice {
        sources = sources == null ? Set.of()
                : java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(sources));
    }
}
