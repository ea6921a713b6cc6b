package io.autoweave.usb.linux.internal;

/**
 * Exponential back-off between restarts: {@code initial}, doubled after each further failure, capped at
 * {@code max}. A run that lasted at least {@code max} counts as healthy and starts the sequence over, so a
 * monitor that crashes once a day restarts quickly while one that crashes at once backs off to the cap.
 */
final class Backoff {

    private final long initialMillis;
    private final long maxMillis;
    private long nextMillis;

    Backoff(long initialMillis, long maxMillis) {
        if (initialMillis <= 0 || maxMillis < initialMillis) {
            throw new IllegalArgumentException("back-off needs 0 < initial <= max, got initial " + initialMillis
                    + " ms, max " + maxMillis + " ms");
        }
        this.initialMillis = initialMillis;
        this.maxMillis = maxMillis;
        this.nextMillis = initialMillis;
    }

    long maxMillis() {
        return maxMillis;
    }

    /** The delay before the next start, given how long the last run lasted. */
    long next(long lastRunMillis) {
        if (lastRunMillis >= maxMillis) {
            nextMillis = initialMillis;
        }
        long delay = nextMillis;
        nextMillis = Math.min(maxMillis, nextMillis * 2);
        return delay;
    }
}
