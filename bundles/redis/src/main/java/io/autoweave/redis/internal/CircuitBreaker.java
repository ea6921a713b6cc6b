package io.autoweave.redis.internal;

/**
 * Stops hammering a Redis that keeps failing. CLOSED: every attempt allowed. After {@code failureThreshold}
 * consecutive failures it turns OPEN for {@code openMillis}: no attempts. Then HALF_OPEN: one trial attempt; success
 * closes it, failure opens it again. Not thread-safe: owned by the publisher thread (state is published through
 * a volatile for health reads).
 */
final class CircuitBreaker {
    enum State { CLOSED, OPEN, HALF_OPEN }

    private final int failureThreshold;
    private final long openMillis;
    private int consecutiveFailures;
    private long openUntil;
    private volatile State state = State.CLOSED;

    CircuitBreaker(int failureThreshold, long openMillis) {
        if (failureThreshold < 1) {
            throw new IllegalArgumentException("failureThreshold must be >= 1: " + failureThreshold);
        }
        this.failureThreshold = failureThreshold;
        this.openMillis = openMillis;
    }

    /** Milliseconds to wait before the next attempt is allowed; 0 when allowed now (moving OPEN to HALF_OPEN). */
    long millisUntilAllowed(long now) {
        if (state == State.OPEN) {
            if (now < openUntil) {
                return openUntil - now;
            }
            state = State.HALF_OPEN;
        }
        return 0;
    }

    void onSuccess() {
        consecutiveFailures = 0;
        state = State.CLOSED;
    }

    void onFailure(long now) {
        consecutiveFailures++;
        if (state == State.HALF_OPEN || consecutiveFailures >= failureThreshold) {
            state = State.OPEN;
            openUntil = now + openMillis;
        }
    }

    State state() {
        return state;
    }
}
