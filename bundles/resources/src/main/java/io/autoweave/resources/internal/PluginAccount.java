package io.autoweave.resources.internal;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.autoweave.api.plugin.WorkerFigures;

/**
 * The running account of one bundle: CPU time and allocated bytes summed over its threads, kept as a series of
 * samples over the window, and the latest figures. Only the enforcer's sampling thread writes; Gogo reads the
 * volatile snapshot fields.
 *
 * <p>A thread's counters are read while it lives; when it ends, the value of its last sample stays in the total
 * (what it used after that sample is lost: at most one sampling period per ended thread).
 */
final class PluginAccount {
    final long bundleId;
    final String bsn;
    final String location;
    private final Map<Long, long[]> lastSeen = new HashMap<>();
    private final ArrayDeque<long[]> samples = new ArrayDeque<>();
    private long endedCpu;
    private long endedAlloc;

    volatile double cpuShare;
    volatile double allocPerSecond;
    volatile long cpuTotalNanos;
    volatile long allocTotalBytes;
    volatile int ownThreads;
    volatile int workerThreads;
    volatile boolean windowFull;
    volatile List<WorkerFigures> workers = List.of();
    final Map<String, Long> breaches = new ConcurrentHashMap<>();
    /** kind → nanoTime of the last recorded breach (one per window per kind). */
    final Map<String, Long> lastBreach = new HashMap<>();
    /** The call that was interrupted for its time-out: "threadId:callsBefore", and when. */
    String interruptedCall;
    long interruptedAt;

    PluginAccount(long bundleId, String bsn, String location) {
        this.bundleId = bundleId;
        this.bsn = bsn;
        this.location = location;
    }

    /**
     * Adds one sample.
     *
     * @param ids the threads attributed to the bundle now
     * @param cpu their CPU nanoseconds (-1: ended)
     * @param alloc their allocated bytes (-1: ended or not measurable)
     */
    void sample(long now, long[] ids, long[] cpu, long[] alloc, long windowNanos) {
        Map<Long, long[]> seen = new HashMap<>();
        long cpuSum = 0;
        long allocSum = 0;
        for (int i = 0; i < ids.length; i++) {
            if (cpu[i] < 0) {
                continue;
            }
            long a = Math.max(0, alloc[i]);
            seen.put(ids[i], new long[] { cpu[i], a });
            cpuSum += cpu[i];
            allocSum += a;
        }
        for (Map.Entry<Long, long[]> e : lastSeen.entrySet()) {
            if (!seen.containsKey(e.getKey())) {
                endedCpu += e.getValue()[0];
                endedAlloc += e.getValue()[1];
            }
        }
        lastSeen.clear();
        lastSeen.putAll(seen);
        long cpuTotal = endedCpu + cpuSum;
        long allocTotal = endedAlloc + allocSum;
        samples.addLast(new long[] { now, cpuTotal, allocTotal });
        while (samples.size() > 2 && now - samples.peekFirst()[0] > windowNanos) {
            samples.removeFirst();
        }
        long[] first = samples.peekFirst();
        long span = now - first[0];
        cpuTotalNanos = cpuTotal;
        allocTotalBytes = allocTotal;
        windowFull = span >= windowNanos / 2;
        cpuShare = span <= 0 ? 0 : (double) (cpuTotal - first[1]) / span;
        allocPerSecond = span <= 0 ? 0 : (allocTotal - first[2]) * 1e9 / span;
    }

    /** What the runtime's workers calling this plugin add up to (calls, the worst p99, queue, shed, dropped). */
    record WorkerTotals(long calls, long p99CallNanos, int queue, long shed, long dropped) {
    }

    WorkerTotals workerTotals() {
        long calls = 0;
        long p99 = 0;
        int queue = 0;
        long shed = 0;
        long dropped = 0;
        for (WorkerFigures f : workers) {
            calls += f.calls();
            p99 = Math.max(p99, f.p99CallNanos());
            queue += f.queueDepth();
            shed += f.shed();
            dropped += f.dropped();
        }
        return new WorkerTotals(calls, p99, queue, shed, dropped);
    }
}
