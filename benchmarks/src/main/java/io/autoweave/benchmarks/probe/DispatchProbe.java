package io.autoweave.benchmarks.probe;

import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Set;
import java.util.function.LongUnaryOperator;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventListener;
import io.autoweave.api.security.UsbPermission;

/**
 * Probe bundle for the dispatch scenario: delivers events to every {@link UsbEventListener} of the benchmark plugins,
 * each delivery guarded by the check a plugin dispatcher makes, {@code UsbPermission.canMonitor(bundle::hasPermission,
 * device)}. Registers a {@link LongUnaryOperator} with {@code bench=dispatch}: {@code applyAsLong(n)} dispatches n
 * events and returns the number of deliveries (a denied check delivers nothing).
 */
public final class DispatchProbe implements BundleActivator, LongUnaryOperator {
    private BundleContext context;

    @Override
    public void start(BundleContext context) {
        this.context = context;
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("bench", "dispatch");
        context.registerService(LongUnaryOperator.class, this, props);
    }

    @Override
    public long applyAsLong(long events) {
        List<Bundle> owners = new ArrayList<>();
        List<UsbEventListener> listeners = new ArrayList<>();
        try {
            for (ServiceReference<UsbEventListener> ref : context.getServiceReferences(UsbEventListener.class,
                    "(bench.plugin=*)")) {
                owners.add(ref.getBundle());
                listeners.add(context.getService(ref));
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        UsbDevice keyboard = new UsbDevice(0x046d, 0xc31c, "KBD-1", "Logitech", "Keyboard", 0, 0, 0, List.of(3, 3),
                0x6400, 1, 3, "1-2", null);
        long deliveries = 0;
        for (long i = 0; i < events; i++) {
            UsbEvent event = new UsbEvent("dispatch-" + i, "bench", (i & 1) == 0 ? UsbAction.ATTACH : UsbAction.DETACH,
                    System.currentTimeMillis(), System.nanoTime(), keyboard, Set.of("simulated"), 0);
            for (int p = 0; p < listeners.size(); p++) {
                if (UsbPermission.canMonitor(owners.get(p)::hasPermission, event.device())) {
                    listeners.get(p).onEvent(event);
                    deliveries++;
                }
            }
        }
        return deliveries;
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the service
    }
}
