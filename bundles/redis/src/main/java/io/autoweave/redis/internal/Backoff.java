package io.autoweave.redis.internal;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential back-off with "equal jitter": attempt n waits between half and all of
 * {@code min(max, base * 2^n)}, so a fleet of runtimes that lost the same Redis does not reconnect in lock-step
 * yet never retries faster than half the nominal delay.
 */
final class Backoff {
    private final long baseMillis;
    private final long maxMillis;

    Backoff(long baseMillis, long maxMillis) {
        if (baseMillis < 1 || maxMillis < baseMillis) {
            throw new IllegalArgumentException("need 1 <= baseMillis <= maxMillis, got " + baseMillis + " and "
                    + maxMillis);
        }
        this.baseMillis = baseMillis;
        this.maxMillis = maxMillis;
    }

    long delayMillis(int attempt) {
        long nominal = attempt >= 30 ? maxMillis : Math.min(maxMillis, baseMillis << attempt);
        long half = nominal / 2;
        return half + ThreadLocalRandom.current().nextLong(nominal - half + 1);
    }
}
