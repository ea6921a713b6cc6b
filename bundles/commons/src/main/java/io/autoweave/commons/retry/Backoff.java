package io.autoweave.commons.retry;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential back-off with "equal jitter": attempt n waits between half and all of
 * {@code min(max, base * 2^n)}, so a fleet of runtimes that lost the same peer does not retry in lock-step
 * yet never retries faster than half the nominal delay.
 */
public final class Backoff {
    private final long baseMillis;
    private final long maxMillis;

    public Backoff(long baseMillis, long maxMillis) {
        if (baseMillis < 1 || maxMillis < baseMillis) {
            throw new IllegalArgumentException("need 1 <= baseMillis <= maxMillis, got " + baseMillis + " and "
                    + maxMillis);
        }
        this.baseMillis = baseMillis;
        this.maxMillis = maxMillis;
    }

    public long delayMillis(int attempt) {
        long nominal = attempt >= 30 ? maxMillis : Math.min(maxMillis, baseMillis << attempt);
        long half = nominal / 2;
        return half + ThreadLocalRandom.current().nextLong(nominal - half + 1);
    }
}
