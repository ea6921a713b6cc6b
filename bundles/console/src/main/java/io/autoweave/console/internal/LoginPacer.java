package io.autoweave.console.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Paces password guessing per client address without ever refusing correct credentials: an address may fail
 * {@code perMinute} times in a sliding minute; beyond that each further attempt is checked only at its turn, one per
 * {@code 60 s / perMinute}, so a guesser gets at most {@code perMinute} answers a minute while the administrator, who
 * types the right password, is merely kept waiting.
 */
final class LoginPacer {
    private static final long MINUTE = 60_000_000_000L;
    private static final int MAX_TRACKED = 10_000;

    private final int perMinute;
    private final LongSupplier nanos;
    private final Map<String, Address> addresses = new ConcurrentHashMap<>();

    private static final class Address {
        final Deque<Long> failures = new ArrayDeque<>();
        long nextTurn;
        int waiting;
    }

    LoginPacer(int perMinute, LongSupplier nanos) {
        if (perMinute < 1) {
            throw new IllegalArgumentException("auth.failures.per.minute must be >= 1, not " + perMinute);
        }
        this.perMinute = perMinute;
        this.nanos = nanos;
    }

    /**
     * Takes a turn for one attempt from {@code client}: the nanoseconds to wait before checking its credentials (0
     * when it has failed fewer than the allowed times this minute), or -1 when more attempts than a minute's worth
     * are already waiting (the caller drops the connection: nothing was checked, so nothing was refused).
     */
    long turn(String client) {
        Address a = addresses.get(client);
        if (a == null) {
            return 0;
        }
        synchronized (a) {
            long now = nanos.getAsLong();
            expire(a, now);
            if (a.failures.size() < perMinute) {
                return 0;
            }
            if (a.waiting >= perMinute) {
                return -1;
            }
            long turn = Math.max(now, a.nextTurn);
            a.nextTurn = turn + MINUTE / perMinute;
            a.waiting++;
            return turn - now;
        }
    }

    /** The attempt that took a non-zero turn has been answered. */
    void done(String client) {
        Address a = addresses.get(client);
        if (a != null) {
            synchronized (a) {
                a.waiting = Math.max(0, a.waiting - 1);
            }
        }
    }

    void failed(String client) {
        if (addresses.size() > MAX_TRACKED) {
            prune();
        }
        Address a = addresses.computeIfAbsent(client, c -> new Address());
        synchronized (a) {
            long now = nanos.getAsLong();
            expire(a, now);
            a.failures.addLast(now);
        }
    }

    private static void expire(Address a, long now) {
        while (!a.failures.isEmpty() && now - a.failures.peekFirst() >= MINUTE) {
            a.failures.removeFirst();
        }
    }

    private void prune() {
        long now = nanos.getAsLong();
        for (Iterator<Address> it = addresses.values().iterator(); it.hasNext();) {
            Address a = it.next();
            synchronized (a) {
                expire(a, now);
                if (a.failures.isEmpty() && a.waiting == 0) {
                    it.remove();
                }
            }
        }
    }
}
