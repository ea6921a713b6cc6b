package io.autoweave.redis.internal;

/**
 * A point-in-time view of the outbox.
 *
 * @param depth records appended but not yet acknowledged
 * @param oldestUnackedAgeMillis age of the oldest unacknowledged record (0 when none), 10 ms resolution
 * @param usedBytes bytes the journal holds on disk, including reserved bytes of appends in flight
 * @param maxBytes the size bound
 * @param fullAlarm whether the last append was rejected for lack of space
 * @param rejectedAppends appends rejected because the outbox was full, since open
 * @param appendedRecords records made durable since open
 * @param fsyncs batch flushes (one fsync each) since open; {@code appendedRecords / fsyncs} is the batching factor
 * @param segments segment files on disk
 * @param ackedSeq the acknowledged-up-to cursor
 * @param lastSeq the last sequence number handed out
 * @param truncatedBytes bytes cut off torn or garbled tails when the outbox was opened
 */
record OutboxStats(
        long depth,
        long oldestUnackedAgeMillis,
        long usedBytes,
        long maxBytes,
        boolean fullAlarm,
        long rejectedAppends,
        long appendedRecords,
        long fsyncs,
        int segments,
        long ackedSeq,
        long lastSeq,
        long truncatedBytes) {
}
