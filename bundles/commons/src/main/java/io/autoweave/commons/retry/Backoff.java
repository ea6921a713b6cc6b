package io.autoweave.commons.retry;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential back-off: attempt n waits {@code min(max, base * 2^n)}. The public constructor adds "equal jitter"
 * (attempt n waits between half and all of that nominal delay), so a fleet of runtimes that lost the same peer does
 * not retry in lock-step yet never retries faster than half the nominal delay; {@link #withoutJitter} gives the
 * nominal delays themselves, for a retry of something local (a disk, a child process, a library context) where
 * there is no fleet to spread and an operator reads the exact delay in the health detail.
 * <p>
 * A retrying loop keeps its attempt count in a {@link Sequence}; this class holds no state and may be shared.
 */
public final class Backoff {
    private final long baseMillis;
    private final long maxMillis;
    private final boolean jitter;

    public Backoff(long baseMillis, long maxMillis) {
        this(baseMillis, maxMillis, true);
    }

    private Backoff(long baseMillis, long maxMillis, boolean jitter) {
        if (baseMillis < 1 || maxMillis < baseMillis) {
            throw new IllegalArgumentException("need 1 <= baseMillis <= maxMillis, got " + baseMillis + " and "
                    + maxMillis);
        }
        this.baseMillis = baseMillis;
        this.maxMillis = maxMillis;
        this.jitter = jitter;
    }

    /** Back-off with the nominal delays {@code base, 2 base, 4 base, ...} capped at {@code max}, no jitter. */
    public static Backoff withoutJitter(long baseMillis, long maxMillis) {
        return new Backoff(baseMillis, maxMillis, false);
    }

    /** The first delay. */
    public long baseMillis() {
        return baseMillis;
    }

    /** The cap of every delay. */
    public long maxMillis() {
        return maxMillis;
    }

    /** The delay before retry number {@code attempt} (0 = the first retry). */
    public long delayMillis(int attempt) {
        long nominal = attempt >= 30 ? maxMillis : Math.min(maxMillis, baseMillis << Math.max(0, attempt));
        if (!jitter) {
            return nominal;
        }
        long half = nominal / 2;
        return half + ThreadLocalRandom.current().nextLong(nominal - half + 1);
    }

    /** A new sequence of delays over this back-off, starting at the first. */
    public Sequence sequence() {
        return new Sequence(this);
    }

    /**
     * The delays of one retrying loop: each {@link #next()} is the following attempt's delay, {@link #reset()} (after
     * a success) starts over. Not thread-safe: one per loop.
     */
    public static final class Sequence {
        private final Backoff backoff;
        private int attempt;

        Sequence(Backoff backoff) {
            this.backoff = backoff;
        }

        /** The delay before the next retry; each call moves one attempt on. */
        public long next() {
            long delay = backoff.delayMillis(attempt);
            if (attempt < 30) {
                attempt++;
            }
            return delay;
        }

        /** Starts over at the first delay (the peer answered, or a run counted as healthy). */
        public void reset() {
            attempt = 0;
        }

        /** Retries since the last reset, capped at 30. */
        public int attempts() {
            return attempt;
        }

        /** The back-off this sequence walks. */
        public Backoff backoff() {
            return backoff;
        }
    }
}
