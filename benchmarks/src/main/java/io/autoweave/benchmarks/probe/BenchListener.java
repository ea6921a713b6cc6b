package io.autoweave.benchmarks.probe;

import java.util.concurrent.atomic.LongAdder;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventListener;

/**
 * The benchmark plugin: a {@link UsbEventListener} that counts what it receives and reads the device identity, as
 * a minimal real plugin would. An activator instead of DS keeps the plain-Felix baseline free of SCR.
 */
public final class BenchListener implements BundleActivator, UsbEventListener {
    private final LongAdder received = new LongAdder();
    private volatile int lastVendor;

    @Override
    public void start(BundleContext context) {
        java.util.Hashtable<String, Object> props = new java.util.Hashtable<>();
        props.put("bench.plugin", context.getBundle().getSymbolicName());
        context.registerService(UsbEventListener.class, this, props);
    }

    @Override
    public void onEvent(UsbEvent event) {
        lastVendor = event.device().vendorId();
        received.increment();
    }

    @Override
    public String toString() {
        return "BenchListener received=" + received.sum() + " lastVendor=" + lastVendor;
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the service
    }
}
