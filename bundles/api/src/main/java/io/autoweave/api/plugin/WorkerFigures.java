package io.autoweave.api.plugin;

import java.util.List;

/**
 * A snapshot of one bundle's worker: what it ran, what waits, what is running now.
 *
 * @param bundleId the bundle whose code the worker calls
 * @param owner readable name ({@code symbolic-name-bundleId})
 * @param threadIds ids of the worker's live threads: the current one first, then abandoned ones still alive
 * @param queueDepth events waiting now
 * @param queueCapacity the queue's bound
 * @param calls calls that returned (normally or by exception) since the worker was created
 * @param failures calls that threw
 * @param dropped events dropped because the queue was full
 * @param shed events dropped by {@link PluginWorkers#shed}
 * @param callsOnThread calls made by the current thread (for recycling after N operations)
 * @param recycled how many times the thread was replaced
 * @param abandoned how many threads were abandoned in a call
 * @param abandonedAlive abandoned threads still alive (stuck in the plugin's code)
 * @param runningCallNanos how long the call in progress has run, 0 when idle
 * @param p50CallNanos median duration of the last calls (up to 256), 0 before the first
 * @param p99CallNanos 99th percentile of the last calls (up to 256), 0 before the first
 * @param maxCallNanos longest of the last calls (up to 256)
 */
public record WorkerFigures(long bundleId, String owner, List<Long> threadIds, int queueDepth, int queueCapacity,
        long calls, long failures, long dropped, long shed, long callsOnThread, long recycled, long abandoned,
        int abandonedAlive, long runningCallNanos, long p50CallNanos, long p99CallNanos, long maxCallNanos) {

    public WorkerFigures {
        threadIds = List.copyOf(threadIds);
    }
}
