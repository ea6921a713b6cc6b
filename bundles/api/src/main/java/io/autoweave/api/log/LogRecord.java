package io.autoweave.api.log;

import java.util.Objects;

import org.osgi.annotation.versioning.ProviderType;

import io.autoweave.api.device.UsbEvent;

/**
 * One entry of the {@link EventLog}.
 *
 * <ul>
 * <li>{@link Kind#EVENT}: a decided attach or detach; {@link #event()} is the event as it was decided.
 * {@link #reconciledLastSeenMillis()} is above 0 when the event was not seen happening but deduced at start or after a
 * source fault (a device gone while nobody watched): it then holds the last time the device was known to be there.</li>
 * <li>{@link Kind#UPDATE}: late information about the event at {@link #updates()}: another source reported the same
 * action after it was logged. {@link #event()} carries the same event id and action with the complete source list and
 * the device fields the late source added (never overwriting a value; the signature stays the event's).</li>
 * <li>{@link Kind#LOSS}: events that never reached the log (its memory buffer overflowed while the disk could not be
 * written); {@link #loss()} says how many and which.</li>
 * </ul>
 *
 * @param seq position in the log: 1 for the first record ever, then one more per record, never reused, never skipped
 * @param appendMillis when the record was committed, epoch milliseconds
 * @param kind what the record is
 * @param event the event (EVENT, UPDATE), or null (LOSS)
 * @param updates for UPDATE the seq of the event it updates (0 when that event left the log's memory), else 0
 * @param reconciledLastSeenMillis for a reconciled EVENT the last time the device was known to be there, else 0
 * @param loss for LOSS the lost events, else null
 */
@ProviderType
public record LogRecord(long seq, long appendMillis, Kind kind, UsbEvent event, long updates,
        long reconciledLastSeenMillis, Loss loss) {

    /** What a record is. */
    public enum Kind {
        EVENT, UPDATE, LOSS;

        /** Lower-case name as written in JSON ({@code event}, {@code update}, {@code loss}). */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * Events that were dropped before the log could take them.
     *
     * @param count how many consecutive events were dropped (at least 1)
     * @param firstEventId id of the first
     * @param lastEventId id of the last
     * @param firstTimestampMillis time of the first, epoch milliseconds
     * @param lastTimestampMillis time of the last, epoch milliseconds
     * @param reason why, for operators
     */
    public record Loss(long count, String firstEventId, String lastEventId, long firstTimestampMillis,
            long lastTimestampMillis, String reason) {
        public Loss {
            if (count < 1) {
                throw new IllegalArgumentException("a loss stands for at least one event: " + count);
            }
            Objects.requireNonNull(firstEventId, "firstEventId");
            Objects.requireNonNull(lastEventId, "lastEventId");
            reason = reason == null ? "" : reason;
        }
    }

    public LogRecord {
        if (seq < 1) {
            throw new IllegalArgumentException("seq must be >= 1: " + seq);
        }
        Objects.requireNonNull(kind, "kind");
        switch (kind) {
            case EVENT -> {
                Objects.requireNonNull(event, "an EVENT record needs its event");
                if (updates != 0 || loss != null) {
                    throw new IllegalArgumentException("an EVENT record has no updates or loss");
                }
            }
            case UPDATE -> {
                Objects.requireNonNull(event, "an UPDATE record needs the updated event");
                if (updates < 0 || updates >= seq) {
                    throw new IllegalArgumentException("an UPDATE record names an earlier seq (or 0): " + updates);
                }
                if (loss != null || reconciledLastSeenMillis != 0) {
                    throw new IllegalArgumentException("an UPDATE record has no loss or reconciliation");
                }
            }
            case LOSS -> {
                Objects.requireNonNull(loss, "a LOSS record needs its loss");
                if (event != null || updates != 0 || reconciledLastSeenMillis != 0) {
                    throw new IllegalArgumentException("a LOSS record has no event");
                }
            }
        }
    }

    /** Whether this is an event deduced by reconciliation rather than seen happening. */
    public boolean reconciled() {
        return reconciledLastSeenMillis > 0;
    }
}
