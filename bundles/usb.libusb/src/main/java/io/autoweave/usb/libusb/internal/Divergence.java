package io.autoweave.usb.libusb.internal;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Tells when libusb's view of what is connected has disagreed with the kernel's for longer than a bound.
 *
 * <p>Each difference (a device on a port that one side has and the other lacks) is timed from the first check that
 * saw it; a difference that goes away is forgotten. libusb trails the kernel by a few hundred milliseconds, so
 * short-lived differences are normal; one that outlives {@code boundNanos} means libusb missed an event and will
 * not find out by itself (a lost netlink message leaves a stale device in libusb's list, and a device arriving
 * later at the same bus address is then ignored). Not thread-safe: one checker thread calls it.
 */
final class Divergence {

    private final long boundNanos;
    private final Map<String, Long> since = new HashMap<>();

    Divergence(long boundNanos) {
        if (boundNanos <= 0) {
            throw new IllegalArgumentException("divergence bound must be > 0 ns: " + boundNanos);
        }
        this.boundNanos = boundNanos;
    }

    /**
     * Compares the two views at {@code now}.
     *
     * @param libusb port path to {@code vvvv:pppp} as libusb reported them (attached, not yet detached)
     * @param kernel the same from sysfs
     * @return a sentence describing the oldest difference when it has lasted at least the bound, else null
     */
    String check(Map<String, String> libusb, Map<String, String> kernel, long now) {
        Set<String> differences = new HashSet<>();
        for (Map.Entry<String, String> e : kernel.entrySet()) {
            if (!e.getValue().equals(libusb.get(e.getKey()))) {
                differences.add("missing " + e.getValue() + " on " + e.getKey());
            }
        }
        for (Map.Entry<String, String> e : libusb.entrySet()) {
            if (!e.getValue().equals(kernel.get(e.getKey()))) {
                differences.add("stale " + e.getValue() + " on " + e.getKey());
            }
        }
        since.keySet().retainAll(differences);
        String oldest = null;
        long oldestSince = now;
        for (String d : differences) {
            long first = since.computeIfAbsent(d, k -> now);
            if (first - oldestSince <= 0 && now - first >= boundNanos) {
                oldest = d;
                oldestSince = first;
            }
        }
        return oldest == null ? null : oldest + " (for " + (now - oldestSince) / 1_000_000 + " ms)";
    }

    /** Forgets every difference (after a re-initialisation, the views are compared afresh). */
    void reset() {
        since.clear();
    }

    /** How many differences are being timed now. */
    int differences() {
        return since.size();
    }
}
