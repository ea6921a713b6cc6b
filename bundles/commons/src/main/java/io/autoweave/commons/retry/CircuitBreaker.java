package io.autoweave.commons.retry;

/**
 * Stops hammering a peer (Redis, a webhook endpoint) that keeps failing. CLOSED: every attempt allowed. After {@code failureThreshold}
 * consecutive failures it turns OPEN for {@code openMillis}: no attempts. Then HALF_OPEN: one trial attempt; success
 * closes it, failure opens it again. Not thread-safe: owned by one worker thread (state is published through
 * a volatile for health reads).
 */
public final class CircuitBreaker {
    public enum State { CLOSED, OPEN, HALF_OPEN }

    private final int failureThreshold;
    private final long openMillis;
    private int consecutiveFailures;
    private long openUntil;
    private volatile State state = State.CLOSED;

    public CircuitBreaker(int failureThreshold, long openMillis) {
        if (failureThreshold < 1) {
            throw new IllegalArgumentException("failureThreshold must be >= 1: " + failureThreshold);
        }
        this.failureThreshold = failureThreshold;
        this.openMillis = openMillis;
    }

    /** Milliseconds to wait before the next attempt is allowed; 0 when allowed now (moving OPEN to HALF_OPEN). */
    public long millisUntilAllowed(long now) {
        if (state == State.OPEN) {
            if (now < openUntil) {
                return openUntil - now;
            }
            state = State.HALF_OPEN;
        }
        return 0;
    }

    public void onSuccess() {
        consecutiveFailures = 0;
        state = State.CLOSED;
    }

    public void onFailure(long now) {
        consecutiveFailures++;
        if (state == State.HALF_OPEN || consecutiveFailures >= failureThreshold) {
            state = State.OPEN;
            openUntil = now + openMillis;
        }
    }

    public State state() {
        return state;
    }
}
