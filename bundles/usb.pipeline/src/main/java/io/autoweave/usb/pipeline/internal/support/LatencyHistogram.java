package io.autoweave.usb.pipeline.internal.support;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A fixed-bucket latency histogram in seconds, lock-free, for {@code /metrics}: cheap enough to record every event.
 * Buckets are cumulative when read ({@link #cumulative()}), as Prometheus wants them.
 */
public final class LatencyHistogram {

    /** Upper bounds in seconds: 0.5 ms to 10 s. */
    public static final double[] BOUNDS = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };

    private final AtomicLongArray counts = new AtomicLongArray(BOUNDS.length);
    private final LongAdder count = new LongAdder();
    private final LongAdder sumNanos = new LongAdder();

    public void record(long nanos) {
        long n = Math.max(0, nanos);
        double seconds = n / 1e9;
        for (int i = 0; i < BOUNDS.length; i++) {
            if (seconds <= BOUNDS[i]) {
                counts.incrementAndGet(i);
                break;
            }
        }
        count.increment();
        sumNanos.add(n);
    }

    /** Observations at or below each bound, in bound order. */
    public long[] cumulative() {
        long[] out = new long[BOUNDS.length];
        long running = 0;
        for (int i = 0; i < BOUNDS.length; i++) {
            running += counts.get(i);
            out[i] = running;
        }
        return out;
    }

    public long count() {
        return count.sum();
    }

    public double sumSeconds() {
        return sumNanos.sum() / 1e9;
    }
}
