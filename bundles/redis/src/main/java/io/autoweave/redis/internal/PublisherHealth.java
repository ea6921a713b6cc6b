package io.autoweave.redis.internal;

import io.autoweave.commons.retry.CircuitBreaker;

/**
 * What an operator needs to judge the Redis sink at a glance.
 *
 * @param state STARTING, CONNECTED, RETRYING (last attempt failed), OPEN (breaker open), STOPPED, or JOURNAL_ONLY
 *        (no Redis configured: events stay in the outbox)
 * @param connected whether the last attempt to reach Redis succeeded
 * @param breaker circuit breaker state
 * @param lastError message of the last failure, or null
 * @param lastErrorMillis epoch millis of the last failure, 0 when none
 * @param outboxDepth events journaled but not yet acknowledged by Redis
 * @param oldestUndeliveredAgeMillis age of the oldest of those, 0 when none
 * @param delivered events acknowledged by Redis since start (redeliveries counted again; loss markers not)
 * @param roundTrips successful round trips since start
 * @param batchedRoundTrips those of them that carried more than one event
 * @param failures failed attempts since start
 * @param undecodable journal records that could not be decoded and were skipped
 * @param lossMarkers loss markers ({@code type=shed} entries) acknowledged by Redis since start
 * @param outbox the outbox view these figures came from
 */
record PublisherHealth(
        String state,
        boolean connected,
        CircuitBreaker.State breaker,
        String lastError,
        long lastErrorMillis,
        long outboxDepth,
        long oldestUndeliveredAgeMillis,
        long delivered,
        long roundTrips,
        long batchedRoundTrips,
        long failures,
        long undecodable,
        long lossMarkers,
        OutboxStats outbox) {

    /** Health of a sink with no Redis configured: everything stays journaled. */
    static PublisherHealth journalOnly(OutboxStats outbox, String reason) {
        return new PublisherHealth("JOURNAL_ONLY", false, CircuitBreaker.State.CLOSED, reason, 0, outbox.depth(),
                outbox.oldestUnackedAgeMillis(), 0, 0, 0, 0, 0, 0, outbox);
    }
}
