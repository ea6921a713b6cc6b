package io.autoweave.redis.internal;

import io.autoweave.commons.retry.CircuitBreaker;

/**
 * What an operator needs to judge the Redis publisher at a glance.
 *
 * @param state STARTING, CONNECTED, RETRYING (last attempt failed), OPEN (breaker open), STOPPED, or LOG_ONLY (no Redis
 *        configured: events stay in the event log and flow once Redis is configured)
 * @param connected whether the last attempt to reach Redis succeeded
 * @param breaker circuit breaker state
 * @param lastError message of the last failure, or null
 * @param lastErrorMillis epoch millis of the last failure, 0 when none
 * @param behind event log records after the publisher's cursor (not yet in Redis)
 * @param cursor seq of the last record Redis acknowledged
 * @param delivered records added to the stream since start (loss markers not counted)
 * @param duplicatesSkipped records a retried round found in Redis already (not added twice)
 * @param roundTrips successful round trips since start
 * @param batchedRoundTrips those of them that carried more than one record
 * @param failures failed attempts since start
 * @param lossMarkers loss markers ({@code type=shed} entries) added since start
 */
record PublisherHealth(
        String state,
        boolean connected,
        CircuitBreaker.State breaker,
        String lastError,
        long lastErrorMillis,
        long behind,
        long cursor,
        long delivered,
        long duplicatesSkipped,
        long roundTrips,
        long batchedRoundTrips,
        long failures,
        long lossMarkers) {

    /** Health with no Redis configured: everything stays in the event log. */
    static PublisherHealth logOnly(long behind, long cursor, String reason) {
        return new PublisherHealth("LOG_ONLY", false, CircuitBreaker.State.CLOSED, reason, 0, behind, cursor, 0, 0, 0,
                0, 0, 0);
    }
}
