package io.autoweave.usb.pipeline.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;

/**
 * Wires the stages: source reports → {@link Merger} → detach attribution → {@link Debouncer} → {@link RuleSet}
 * → {@link DeviceRegistry} → listeners.
 *
 * <p>Every entry point (reports from source threads, debounce timers) runs under one lock, so the stages need no
 * locking of their own and listeners see events in one order. Listeners are called synchronously under that lock
 * and must be quick: a slow consumer belongs behind a {@link SinkQueue}, which never blocks.
 *
 * <p><b>Detach attribution.</b> A detach on a known port is attributed to the device last attached at that port,
 * and carries that device's identity: a port holds one device, and the detaching source may know less or more
 * than the attaching one (libusb cannot read strings from a device that is gone; udev can). Without this the
 * detach would get a different signature than the attach and never find its registry entry. A detach without a
 * port is attributed by signature when exactly one attached device has it.
 *
 * <p><b>Rules.</b> Allowed devices' events reach the listeners; blocked devices are recorded in the registry with
 * their target, and their events are counted but not delivered. A detach follows the decision its attach got, so
 * a rule change never shows listeners a detach without its attach.
 */
final class Pipeline implements AutoCloseable {

    private final ReentrantLock lock = new ReentrantLock();
    private volatile RuleSet rules;
    private final Merger merger;
    private final Debouncer debouncer;
    private final DeviceRegistry registry = new DeviceRegistry();
    /** Raw (pre-debounce) occupancy: the device last attached on each port, for detach attribution. */
    private final Map<String, UsbDevice> occupants = new HashMap<>();
    private final CopyOnWriteArrayList<Consumer<UsbEvent>> listeners = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<Consumer<Merger.MergeUpdate>> updateListeners = new CopyOnWriteArrayList<>();

    final LongAdder reports = new LongAdder();
    final LongAdder detachesAttributed = new LongAdder();
    final LongAdder blocked = new LongAdder();
    final LongAdder delivered = new LongAdder();
    final LongAdder listenerFailures = new LongAdder();
    final LongAdder snapshotRepairs = new LongAdder();

    Pipeline(PipelineSettings settings, LongSupplier nanoClock, LongSupplier wallMillis, TaskScheduler scheduler,
            Supplier<String> eventIds) {
        Objects.requireNonNull(scheduler, "scheduler");
        this.rules = settings.rules();
        this.merger = new Merger(settings.mergeWindowNanos(), nanoClock, wallMillis, eventIds, settings.instanceId(),
                this::attribute, this::merged);
        TaskScheduler locked = (task, delay) -> scheduler.schedule(() -> locked(task), delay);
        this.debouncer = new Debouncer(settings.debounceWindowNanos(), locked, this::decide, registry::recordFlaps);
    }

    /**
     * Applies a changed configuration in place, keeping what is connected, open merge and debounce windows and every
     * counter: new windows apply to actions from now on, the rules to decisions from now on (a device already
     * connected keeps the decision it got; its detach follows it).
     */
    void reconfigure(PipelineSettings settings) {
        locked(() -> {
            merger.window(settings.mergeWindowNanos());
            debouncer.window(settings.debounceWindowNanos());
            rules = settings.rules();
        });
    }

    /** How many devices are connected now. */
    int connectedCount() {
        return registry.size();
    }

    /** Takes one source report; anything it causes reaches the listeners before this returns. */
    void report(SourceReport report) {
        locked(() -> {
            reports.increment();
            merger.offer(report);
        });
    }

    /**
     * Repairs missed reports from a full scan by {@code source}: a connected device that this source reported
     * (its registry entry lists the source) but that the scan lacks gets a detach; a scanned device the registry
     * does not hold gets an attach. Both are ordinary reports of {@code source}, so they merge, debounce and pass
     * the rules like any other. A device matches an entry when both know the port and port, vendor and product
     * agree (a port holds one device; another device there is a swap), or when one lacks the port and the
     * signatures agree. Devices other sources reported are left alone: this source may simply not see them.
     *
     * @return how many reports were synthesized
     */
    int snapshot(String source, Collection<UsbDevice> present) {
        Objects.requireNonNull(source, "source");
        List<UsbDevice> scanned = new ArrayList<>();
        for (UsbDevice d : present) {
            if (d != null) {
                scanned.add(Signatures.sign(d));
            }
        }
        int[] repaired = { 0 };
        locked(() -> {
            List<DeviceRegistry.Entry> entries = registry.connected();
            for (DeviceRegistry.Entry entry : entries) {
                if (entry.sources().contains(source) && scanned.stream().noneMatch(d -> sameDevice(entry, d))) {
                    repaired[0]++;
                    merger.offer(new SourceReport(source, UsbAction.DETACH, entry.device()));
                }
            }
            for (UsbDevice d : scanned) {
                if (entries.stream().noneMatch(e -> sameDevice(e, d))) {
                    repaired[0]++;
                    merger.offer(new SourceReport(source, UsbAction.ATTACH, d));
                }
            }
            reports.add(repaired[0]);
            snapshotRepairs.add(repaired[0]);
        });
        return repaired[0];
    }

    private static boolean sameDevice(DeviceRegistry.Entry entry, UsbDevice scanned) {
        UsbDevice known = entry.device();
        if (known.portPath() != null && scanned.portPath() != null) {
            return known.portPath().equals(scanned.portPath()) && known.vendorId() == scanned.vendorId()
                    && known.productId() == scanned.productId();
        }
        return known.signature().equals(scanned.signature())
                || Signatures.of(entry.enriched()).equals(scanned.signature());
    }

    void addListener(Consumer<UsbEvent> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    void removeListener(Consumer<UsbEvent> listener) {
        listeners.remove(listener);
    }

    /** Told whenever a later source joins an already emitted event. */
    void addUpdateListener(Consumer<Merger.MergeUpdate> listener) {
        updateListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    DeviceRegistry registry() {
        return registry;
    }

    /** Counters of every stage, by name. */
    Map<String, Long> metrics() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("reports", reports.sum());
        m.put("merge.events", merger.emitted.sum());
        m.put("merge.sources_merged", merger.merged.sum());
        m.put("detach.attributed", detachesAttributed.sum());
        m.put("debounce.passed", debouncer.passed.sum());
        m.put("debounce.suppressed", debouncer.suppressed.sum());
        m.put("debounce.duplicates", debouncer.duplicates.sum());
        m.put("debounce.settled", debouncer.settledEmits.sum());
        m.put("debounce.flap_pairs", debouncer.flapPairs.sum());
        m.put("rules.blocked", blocked.sum());
        m.put("delivered", delivered.sum());
        m.put("listener.failures", listenerFailures.sum());
        m.put("snapshot.repaired", snapshotRepairs.sum());
        m.put("registry.connected", (long) registry.size());
        return m;
    }

    /** Settles every open debounce window now, so listeners hold final states. */
    @Override
    public void close() {
        locked(debouncer::settleAll);
    }

    private void locked(Runnable task) {
        lock.lock();
        try {
            task.run();
        } finally {
            lock.unlock();
        }
    }

    private void attribute(UsbEvent event) {
        UsbDevice device = event.device();
        String port = device.portPath();
        if (event.action() == UsbAction.ATTACH) {
            if (port != null) {
                occupants.put(port, device);
            }
            debouncer.accept(event);
            return;
        }
        UsbDevice occupant = port != null ? occupants.remove(port) : uniqueOccupant(device.signature());
        if (occupant != null && !occupant.equals(device)) {
            if (port == null) {
                occupants.remove(occupant.portPath());
            }
            if (!occupant.signature().equals(device.signature())) {
                detachesAttributed.increment();
            }
            event = new UsbEvent(event.eventId(), event.instanceId(), event.action(), event.timestampMillis(),
                    event.monotonicNanos(), occupant, event.sources(), event.flapCount());
        }
        debouncer.accept(event);
    }

    private UsbDevice uniqueOccupant(String signature) {
        UsbDevice found = null;
        for (UsbDevice d : occupants.values()) {
            if (d.signature().equals(signature)) {
                if (found != null) {
                    return null; // identical devices: cannot tell which one left
                }
                found = d;
            }
        }
        return found;
    }

    private void decide(UsbEvent event) {
        RuleTarget target = event.action() == UsbAction.DETACH
                ? registry.find(DeviceKey.of(event.device())).map(DeviceRegistry.Entry::target)
                        .orElseGet(() -> rules.decide(event.device()).target())
                : rules.decide(event.device()).target();
        registry.apply(event, target);
        if (target == RuleTarget.BLOCK) {
            blocked.increment();
            return;
        }
        for (Consumer<UsbEvent> listener : listeners) {
            try {
                listener.accept(event);
                delivered.increment();
            } catch (RuntimeException e) {
                // one failing listener must not starve the others; the counter makes it visible
                listenerFailures.increment();
            }
        }
    }

    private void merged(Merger.MergeUpdate update) {
        if (update.action() == UsbAction.ATTACH) {
            registry.enrich(update.key(), update.reported(), update.sources());
        }
        for (Consumer<Merger.MergeUpdate> listener : updateListeners) {
            try {
                listener.accept(update);
            } catch (RuntimeException e) {
                listenerFailures.increment();
            }
        }
    }
}
