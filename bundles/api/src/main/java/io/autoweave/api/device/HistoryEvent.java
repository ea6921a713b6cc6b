package io.autoweave.api.device;

import java.util.Objects;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One event as the {@link EventHistory} keeps it.
 *
 * @param sequence the event's position in the history: 1 for the first event the runtime ever journaled, then one
 *        more for each event, in delivery order, across restarts. Totally ordered, unlike event ids (a debounced
 *        event is delivered after events with later ids).
 * @param event the event
 */
@ProviderType
public record HistoryEvent(long sequence, UsbEvent event) {

    public HistoryEvent {
        if (sequence < 1) {
            throw new IllegalArgumentException("sequence must be >= 1: " + sequence);
        }
        Objects.requireNonNull(event, "event");
    }
}
