package io.autoweave.benchmarks.probe;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventListener;

/**
 * The hostile plugin of the isolation scenario: one busy-looping thread per available processor, started from its
 * activator (so they land in its own thread group), until the bundle stops; it also registers a listener that does
 * nothing, so it has a worker in the dispatcher like any plugin.
 */
public final class CpuBurner implements BundleActivator, UsbEventListener, Runnable {
    private volatile boolean running = true;
    private volatile long spun;

    @Override
    public void start(BundleContext context) {
        for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
            Thread t = new Thread(this, "bench-burner-" + i);
            t.setDaemon(true);
            t.start();
        }
        context.registerService(UsbEventListener.class, this, null);
    }

    @Override
    public void run() {
        long x = 0;
        while (running) {
            for (int i = 0; i < 1_000_000; i++) {
                x += i ^ (x >>> 3);
            }
            spun = x;
        }
    }

    @Override
    public void onEvent(UsbEvent event) {
        // nothing: the harm is done elsewhere
    }

    @Override
    public void stop(BundleContext context) {
        running = false;
    }
}
