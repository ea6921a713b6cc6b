package io.autoweave.benchmarks.probe;

import java.util.Hashtable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongUnaryOperator;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventListener;

/**
 * A well-behaved listener that records, per event, {@code System.nanoTime()} on arrival minus the event's
 * {@code monotonicNanos} (taken by the reporting source just before {@code DeviceReportSink.report}): the event
 * path's latency through the pipeline and the listener dispatcher. The harness reads it through a
 * {@link LongUnaryOperator} with {@code bench=latency}: {@code -1} the count, {@code -2} reset, {@code i >= 0} the
 * i-th latency in ns.
 */
public final class LatencyListener implements BundleActivator, UsbEventListener, LongUnaryOperator {
    private static final int CAPACITY = 1 << 21;
    private final long[] latencies = new long[CAPACITY];
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public void start(BundleContext context) {
        context.registerService(UsbEventListener.class, this, null);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("bench", "latency");
        context.registerService(LongUnaryOperator.class, this, props);
    }

    @Override
    public void onEvent(UsbEvent event) {
        long latency = System.nanoTime() - event.monotonicNanos();
        int i = count.getAndIncrement();
        if (i < CAPACITY) {
            latencies[i] = latency;
        }
    }

    @Override
    public long applyAsLong(long operand) {
        if (operand == -1) {
            return Math.min(count.get(), CAPACITY);
        }
        if (operand == -2) {
            count.set(0);
            return 0;
        }
        return latencies[(int) operand];
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the services
    }
}
