package io.autoweave.redis.internal;

/**
 * One journaled record as read back from the outbox.
 *
 * @param seq position in the journal, strictly increasing, starting at 1
 * @param appendMillis wall-clock time of the append (for the oldest-unacknowledged-age metric)
 * @param payload the bytes given to {@link Outbox#append}
 */
record OutboxRecord(long seq, long appendMillis, byte[] payload) {
}
