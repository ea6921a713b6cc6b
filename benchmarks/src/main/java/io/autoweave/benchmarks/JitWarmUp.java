package io.autoweave.benchmarks;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A warm-up that lasts until the JIT has settled, instead of a fixed time: after {@code min}, it ends at the first
 * {@link #WINDOW_NANOS} window in which the compiler threads together spent less than {@link #SETTLED_SHARE} of
 * the window compiling (HotSpot's total compilation time), or at {@code max}. A fixed 5 s left C2 at 17-26 % of the
 * CPU in scenario 1's measured window (issue 15). {@link #stats()} gives the compile count and time, printed before
 * and after the measured window to show that it was quiet.
 */
final class JitWarmUp {
    static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(2);
    static final double SETTLED_SHARE = 0.02;

    private final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    private final long start = System.nanoTime();
    private final long minEnd;
    private final long maxEnd;
    private long windowStart = start;
    private long windowCompileMs;
    private boolean settled;

    JitWarmUp(long minNanos, long maxNanos) {
        this.minEnd = start + minNanos;
        this.maxEnd = start + maxNanos;
        this.windowCompileMs = compileMillis();
    }

    /** Whether to keep warming up; call it in the warm-up loop. */
    boolean running() {
        long now = System.nanoTime();
        if (now - maxEnd >= 0) {
            return false;
        }
        if (now - windowStart >= WINDOW_NANOS) {
            long compiled = compileMillis();
            double share = (compiled - windowCompileMs) / ((now - windowStart) / 1e6);
            windowStart = now;
            windowCompileMs = compiled;
            if (share < SETTLED_SHARE && now - minEnd >= 0) {
                settled = true;
                return false;
            }
        }
        return true;
    }

    /** "settled after N s" or "not settled after N s (max)". */
    String outcome() {
        long s = (System.nanoTime() - start) / 1_000_000_000L;
        return (settled ? "settled_after_" : "not_settled_at_max_") + s + "_s";
    }

    private long compileMillis() {
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    /**
     * {@code compiled=N,failed=F,invalidated=I,compile_time_s=T} of this JVM (jstat -compiler), or the total compile
     * time alone when jstat cannot run.
     */
    static String stats() {
        Path jstat = Path.of(System.getProperty("java.home"), "bin", "jstat");
        try {
            Process p = new ProcessBuilder(jstat.toString(), "-compiler", Long.toString(ProcessHandle.current().pid()))
                    .redirectErrorStream(true).start();
            List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
            if (p.waitFor(30, TimeUnit.SECONDS) && lines.size() >= 2) {
                String[] v = lines.get(1).trim().split("\\s+");
                return "compiled=" + v[0] + ",failed=" + v[1] + ",invalidated=" + v[2] + ",compile_time_s=" + v[3];
            }
        } catch (Exception e) {
            // fall through: the MXBean figure alone
        }
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return "compile_time_ms=" + (jit == null ? -1 : jit.getTotalCompilationTime());
    }
}
