package io.autoweave.benchmarks.probe;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventListener;

/**
 * The latency listener of scenario 9, run isolated (in a plugin host, its own JVM): per event,
 * {@code System.nanoTime()} on arrival minus the event's {@code monotonicNanos} (both CLOCK_MONOTONIC, one clock for
 * every process of the machine), so the figure is the whole path: pipeline, dispatch, the channel to the host and the
 * host's delivery. It cannot reach the harness except by its console: every 100 events it prints one line
 * {@code BENCH-LAT FIRST_INDEX us us ...} (microseconds), which the runtime forwards to its log.
 */
public final class IsolatedLatencyProbe implements BundleActivator, UsbEventListener {
    static final int LINE = 100;
    private final long[] micros = new long[LINE];
    private int n;
    private long index;

    @Override
    public void start(BundleContext context) {
        context.registerService(UsbEventListener.class, this, null);
    }

    @Override
    public synchronized void onEvent(UsbEvent event) {
        micros[n++] = (System.nanoTime() - event.monotonicNanos()) / 1000;
        if (n == LINE) {
            StringBuilder s = new StringBuilder("BENCH-LAT ").append(index);
            for (long m : micros) {
                s.append(' ').append(m);
            }
            System.out.println(s);
            index += LINE;
            n = 0;
        }
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the service
    }
}
