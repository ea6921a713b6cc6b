package io.autoweave.redis.internal;

/**
 * Counters of one consumer-group bridge since it started.
 *
 * @param state STARTING, IDLE (no consumer registered: nothing is read), RUNNING, RETRYING (Redis failed) or STOPPED
 * @param processed entries every consumer accepted (acknowledged)
 * @param failed dispatches a consumer refused (left pending for redelivery)
 * @param claimed entries taken over from idle pending lists (XAUTOCLAIM), this consumer's own included
 * @param deadLettered entries moved to the dead-letter stream
 * @param lastError last Redis or consumer failure, or null
 */
record BridgeStats(String state, long processed, long failed, long claimed, long deadLettered, String lastError) {
}
