package io.autoweave.auth.internal;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Slows down guessing: each key (a client address, a user name) may fail authentication {@code perMinute} times per
 * sliding minute; beyond that its wrong credentials get 429 until the window has room again. It is consulted only
 * after credentials were found wrong, so successful requests are never limited.
 */
final class FailureLimiter {
    private static final long WINDOW_NANOS = 60_000_000_000L;
    private static final int MAX_TRACKED = 10_000;

    private final int perMinute;
    private final LongSupplier nanoClock;
    private final Map<String, long[]> failures = new ConcurrentHashMap<>();

    FailureLimiter(int perMinute, LongSupplier nanoClock) {
        this.perMinute = perMinute;
        this.nanoClock = nanoClock;
    }

    int perMinute() {
        return perMinute;
    }

    /** Seconds the client must wait, or 0 when it may try. */
    long retryAfterSeconds(String client) {
        long[] ring = failures.get(client);
        if (ring == null) {
            return 0;
        }
        synchronized (ring) {
            long oldest = ring[(int) (ring[perMinute] % perMinute)];
            long now = nanoClock.getAsLong();
            if (ring[perMinute] < perMinute || now - oldest >= WINDOW_NANOS) {
                return 0;
            }
            return Math.max(1, (WINDOW_NANOS - (now - oldest)) / 1_000_000_000L);
        }
    }

    void recordFailure(String client) {
        if (failures.size() > MAX_TRACKED) {
            prune();
        }
        long[] ring = failures.computeIfAbsent(client, c -> new long[perMinute + 1]);
        synchronized (ring) {
            ring[(int) (ring[perMinute] % perMinute)] = nanoClock.getAsLong();
            ring[perMinute]++;
        }
    }

    private void prune() {
        long now = nanoClock.getAsLong();
        for (Iterator<long[]> it = failures.values().iterator(); it.hasNext();) {
            long[] ring = it.next();
            synchronized (ring) {
                long newest = ring[(int) ((ring[perMinute] - 1 + perMinute) % perMinute)];
                if (now - newest > WINDOW_NANOS) {
                    it.remove();
                }
            }
        }
    }
}
