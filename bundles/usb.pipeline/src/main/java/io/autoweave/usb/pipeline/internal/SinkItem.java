package io.autoweave.usb.pipeline.internal;

import io.autoweave.api.device.UsbEvent;

/** What a sink reads from its {@link SinkQueue}: an event, or a marker saying events were shed at that point. */
sealed interface SinkItem permits SinkItem.Delivery, SinkItem.Shed {

    /** An event to deliver. */
    record Delivery(UsbEvent event) implements SinkItem {
    }

    /**
     * Events were dropped here because the sink fell behind; the stream shows the gap instead of hiding it.
     *
     * @param count how many events were shed at this point
     * @param firstEventId id of the first shed event
     * @param lastEventId id of the last shed event
     * @param firstMillis time of the first shed event
     * @param lastMillis time of the last shed event
     * @param coalescedBefore events coalesced in the queue since the previous marker was read (set when read)
     */
    record Shed(long count, String firstEventId, String lastEventId, long firstMillis, long lastMillis,
            long coalescedBefore) implements SinkItem {

        static Shed of(UsbEvent event) {
            return new Shed(1, event.eventId(), event.eventId(), event.timestampMillis(), event.timestampMillis(), 0);
        }

        Shed plus(UsbEvent event) {
            return new Shed(count + 1, firstEventId, event.eventId(), firstMillis, event.timestampMillis(),
                    coalescedBefore);
        }

        Shed withCoalesced(long coalesced) {
            return new Shed(count, firstEventId, lastEventId, firstMillis, lastMillis, coalesced);
        }
    }
}
