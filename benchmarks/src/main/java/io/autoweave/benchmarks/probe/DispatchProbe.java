package io.autoweave.benchmarks.probe;

import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Set;
import java.util.function.LongUnaryOperator;
import java.util.function.Predicate;

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
import io.autoweave.commons.permission.DecisionCache;
import io.autoweave.commons.permission.GenerationTracker;

/**
 * Probe bundle for the dispatch scenario: delivers events to every {@link UsbEventListener} of the benchmark plugins,
 * each delivery guarded by the check the runtime's listener dispatcher makes: {@code bundle.hasPermission(
 * UsbPermission.forDevice(device, "monitor"))}, its answer remembered per (bundle, device kind) in a
 * {@link DecisionCache} while the runtime's permission generation stays (in plain Felix there is no generation
 * service, so every delivery asks the framework, which answers true without security). Registers a {@link LongUnaryOperator} with {@code bench=dispatch}: {@code applyAsLong(n)} dispatches n
 * events and returns the number of deliveries (a denied check delivers nothing); {@code applyAsLong(-1)} returns the
 * number of answers the decision cache holds.
 */
public final class DispatchProbe implements BundleActivator, LongUnaryOperator {
    private BundleContext context;
    private GenerationTracker generation;
    private DecisionCache<UsbPermission> decisions;

    @Override
    public void start(BundleContext context) {
        this.context = context;
        this.generation = new GenerationTracker(context);
        this.decisions = new DecisionCache<>(generation, 4096);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("bench", "dispatch");
        context.registerService(LongUnaryOperator.class, this, props);
        // the same loop without any check, in the same JVM: what the check costs, apart from everything else
        Hashtable<String, Object> unchecked = new Hashtable<>();
        unchecked.put("bench", "dispatch-unchecked");
        context.registerService(LongUnaryOperator.class, (LongUnaryOperator) n -> dispatch(n, false), unchecked);
    }

    @Override
    public long applyAsLong(long events) {
        if (events < 0) {
            return decisions.size(); // how many answers the cache holds (the harness reports it)
        }
        return dispatch(events, true);
    }

    private long dispatch(long events, boolean checked) {
        List<Bundle> owners = new ArrayList<>();
        List<Predicate<UsbPermission>> checks = new ArrayList<>();
        List<DecisionCache<UsbPermission>.Decider> deciders = new ArrayList<>();
        List<UsbEventListener> listeners = new ArrayList<>();
        try {
            for (ServiceReference<UsbEventListener> ref : context.getServiceReferences(UsbEventListener.class,
                    "(bench.plugin=*)")) {
                owners.add(ref.getBundle());
                checks.add(ref.getBundle()::hasPermission);
                deciders.add(decisions.decider(ref.getBundle().getBundleId()));
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
            // once per event, as the runtime's dispatcher does: the generation and the target
            long generation = decisions.generation();
            UsbPermission target = decisions.canonical(UsbPermission.forDevice(event.device(), "monitor"));
            for (int p = 0; p < listeners.size(); p++) {
                if (!checked || deciders.get(p).decide(generation, target, checks.get(p))) {
                    listeners.get(p).onEvent(event);
                    deliveries++;
                }
            }
        }
        return deliveries;
    }

    @Override
    public void stop(BundleContext context) {
        generation.close(); // the framework unregisters the service
    }
}
