package io.autoweave.resources.internal;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import io.autoweave.api.plugin.SecurityLevel;

/**
 * The limits that apply to one plugin: its level's defaults, possibly overridden for it by symbolic name. The level
 * also selects the action on a breach.
 *
 * @param cpuShare cores' worth of CPU over the window
 * @param allocBytesPerSecond heap allocation rate over the window
 * @param maxThreads live threads the plugin started itself
 * @param callTimeoutMillis longest listener call before it is interrupted
 * @param maxQueue events waiting for its worker
 * @param overridden whether an override entry applies
 */
record Limits(SecurityLevel level, double cpuShare, long allocBytesPerSecond, int maxThreads, long callTimeoutMillis,
        int maxQueue, boolean overridden) {

    static final long MB = 1024L * 1024;

    /** The defaults of each level from the configuration. */
    static Map<SecurityLevel, Limits> defaults(ResourceConfig c) {
        Map<SecurityLevel, Limits> m = new HashMap<>();
        m.put(SecurityLevel.LOW, new Limits(SecurityLevel.LOW, c.low_cpu_share(), c.low_alloc_mb_per_s() * MB,
                c.low_max_threads(), c.low_call_timeout_millis(), c.low_max_queue(), false).validate("low"));
        m.put(SecurityLevel.MEDIUM, new Limits(SecurityLevel.MEDIUM, c.medium_cpu_share(),
                c.medium_alloc_mb_per_s() * MB, c.medium_max_threads(), c.medium_call_timeout_millis(),
                c.medium_max_queue(), false).validate("medium"));
        m.put(SecurityLevel.HIGH, new Limits(SecurityLevel.HIGH, c.high_cpu_share(), c.high_alloc_mb_per_s() * MB,
                c.high_max_threads(), c.high_call_timeout_millis(), c.high_max_queue(), false).validate("high"));
        return m;
    }

    Limits validate(String prefix) {
        require(cpuShare > 0 && cpuShare <= 1024, prefix, "cpu share", "more than 0 (1.0 = one core)", cpuShare);
        require(allocBytesPerSecond > 0, prefix, "allocation rate (MB/s)", "at least 1", allocBytesPerSecond / MB);
        require(maxThreads >= 0, prefix, "threads", "0 or more", maxThreads);
        require(callTimeoutMillis >= 10, prefix, "call time-out (ms)", "at least 10", callTimeoutMillis);
        require(maxQueue >= 1, prefix, "queue depth", "at least 1", maxQueue);
        return this;
    }

    private static void require(boolean ok, String prefix, String what, String rule, Object value) {
        if (!ok) {
            throw new IllegalArgumentException(prefix + ": " + what + " must be " + rule + ", not " + value);
        }
    }

    /**
     * Parses and checks the override entries: {@code BSN key=value,...}; keys level, cpu, alloc.mb, threads,
     * timeout.ms, queue. Values are applied per plugin by {@link #effective}.
     *
     * @return symbolic name → its key/value pairs
     */
    static Map<String, Map<String, String>> overrides(String[] entries, Map<SecurityLevel, Limits> defaults) {
        Map<String, Map<String, String>> out = new HashMap<>();
        for (String raw : entries == null ? new String[0] : entries) {
            if (raw == null || raw.isBlank()) {
                continue;
            }
            String entry = raw.trim();
            int sp = entry.indexOf(' ');
            if (sp < 0) {
                throw new IllegalArgumentException("override '" + entry + "' has no limits: write 'SYMBOLIC-NAME "
                        + "key=value,...' with keys level, cpu, alloc.mb, threads, timeout.ms, queue");
            }
            String bsn = entry.substring(0, sp);
            Map<String, String> kv = new HashMap<>();
            for (String pair : entry.substring(sp + 1).trim().split(",")) {
                int eq = pair.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException("override of " + bsn + ": '" + pair.trim()
                            + "' is not key=value (keys level, cpu, alloc.mb, threads, timeout.ms, queue)");
                }
                kv.put(pair.substring(0, eq).trim().toLowerCase(Locale.ROOT), pair.substring(eq + 1).trim());
            }
            if (out.containsKey(bsn)) {
                throw new IllegalArgumentException("two overrides for " + bsn + ": merge them into one entry");
            }
            for (SecurityLevel l : SecurityLevel.values()) {
                effective(l, kv, defaults, bsn); // fails now, naming the entry, rather than at the first sample
            }
            out.put(bsn, Map.copyOf(kv));
        }
        return out;
    }

    /** The limits of a plugin installed at {@code installed} with override pairs {@code kv} (null: none). */
    static Limits effective(SecurityLevel installed, Map<String, String> kv, Map<SecurityLevel, Limits> defaults,
            String bsn) {
        if (kv == null || kv.isEmpty()) {
            return defaults.get(installed);
        }
        String level = kv.get("level");
        SecurityLevel lvl = level == null ? installed : SecurityLevel.parse(level);
        Limits base = defaults.get(lvl);
        double cpu = base.cpuShare;
        long alloc = base.allocBytesPerSecond;
        int threads = base.maxThreads;
        long timeout = base.callTimeoutMillis;
        int queue = base.maxQueue;
        for (Map.Entry<String, String> e : kv.entrySet()) {
            try {
                switch (e.getKey()) {
                    case "level": break;
                    case "cpu": cpu = Double.parseDouble(e.getValue()); break;
                    case "alloc.mb": alloc = Long.parseLong(e.getValue()) * MB; break;
                    case "threads": threads = Integer.parseInt(e.getValue()); break;
                    case "timeout.ms": timeout = Long.parseLong(e.getValue()); break;
                    case "queue": queue = Integer.parseInt(e.getValue()); break;
                    default:
                        throw new IllegalArgumentException("override of " + bsn + ": unknown key '" + e.getKey()
                                + "'; use level, cpu, alloc.mb, threads, timeout.ms, queue");
                }
            } catch (NumberFormatException x) {
                throw new IllegalArgumentException("override of " + bsn + ": " + e.getKey() + "=" + e.getValue()
                        + " is not a number");
            }
        }
        return new Limits(lvl, cpu, alloc, threads, timeout, queue, true).validate("override of " + bsn);
    }
}
