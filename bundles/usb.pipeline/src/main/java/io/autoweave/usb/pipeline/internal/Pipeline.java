package io.autoweave.usb.pipeline.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.usb.pipeline.internal.support.TaskScheduler;
import io.autoweave.usb.pipeline.internal.support.LatencyHistogram;
import io.autoweave.usb.pipeline.internal.rules.RuleTarget;
import io.autoweave.usb.pipeline.internal.rules.RuleSet;
import io.autoweave.usb.pipeline.internal.registry.DeviceRegistry;
import io.autoweave.usb.pipeline.internal.merge.SourceReport;
import io.autoweave.usb.pipeline.internal.merge.Merger;
import io.autoweave.usb.pipeline.internal.merge.Debouncer;
import io.autoweave.usb.pipeline.internal.identity.Signatures;
import io.autoweave.usb.pipeline.internal.identity.DeviceKey;

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
 *
 * <p><b>Late sources.</b> A {@link Merger.MergeUpdate} reaches update listeners only after its event reached the
 * event listeners (an event the debouncer still holds keeps its updates until it passes), and never for an event
 * that was collapsed or blocked: update listeners never see an event id the event listeners did not see first.
 *
 * <p><b>Reconciliation across process lifetimes.</b> {@link #restore} seeds the devices the previous lifetime left
 * connected. A source reporting one of them again confirms it (no event); one that is absent from the first full
 * snapshot after the restore, or that no source confirmed within the grace period, gets a detach marked as
 * reconciled (source {@value #RECONCILE_SOURCE}, and a {@link Reconciled} record to reconcile listeners before the
 * event listeners see it); a device that was not restored attaches as usual.
 *
 * <p><b>Size.</b> Why one class of over 500 lines: the stages live in their own classes; what stays here is what must
 * happen under the one lock in one order (attribution, rules, registry, late updates, reconciliation), which is what
 * makes the listeners' order hold.
 */
public final class Pipeline implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

    /** The source named by a detach that reconciliation made: no live source saw it. */
    static final String RECONCILE_SOURCE = "reconcile";
    /** Event ids remembered as delivered, so a late source's update finds its event (bounded). */
    private static final int DECIDED_MEMORY = 4096;

    /**
     * One device the previous process lifetime left connected, as the durable event log tells it.
     *
     * @param device the device as its attach event carried it (its signature is recomputed)
     * @param target the decision its attach got
     * @param sources the sources that reported its attach
     * @param attachEventId the id of its attach event
     * @param sinceMillis when it attached (wall clock)
     * @param lastSeenMillis when the previous lifetime last knew it connected (its last record, or the clean stop)
     */
    record Restored(UsbDevice device, RuleTarget target, Set<String> sources, String attachEventId, long sinceMillis,
            long lastSeenMillis) {

        Restored {
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(attachEventId, "attachEventId");
            sources = sources == null ? Set.of() : Set.copyOf(sources);
        }
    }

    /**
     * A detach made by reconciliation, handed to reconcile listeners just before the event listeners get the
     * event (same lock, same order).
     *
     * @param eventId the detach event's id
     * @param key the device
     * @param attachEventId the id of the attach it closes (from the previous lifetime)
     * @param lastSeenMillis when the device was last known connected
     * @param reason why: {@code absent from SOURCE snapshot} or {@code not reported within N ms}
     */
    record Reconciled(String eventId, DeviceKey key, String attachEventId, long lastSeenMillis, String reason) {
    }

    private final LongSupplier nanoClock;
    private final LongSupplier wallMillis;
    private final Supplier<String> eventIds;
    private final String instanceId;
    private final TaskScheduler lockedScheduler;
    /** Restored devices no source has confirmed yet. */
    private final Map<DeviceKey, Unconfirmed> unconfirmed = new LinkedHashMap<>();
    /** Updates of events the debouncer still holds, by event id. */
    private final Map<String, List<Merger.MergeUpdate>> pendingUpdates = new HashMap<>();
    /** Ids of events the listeners got (insertion order, bounded). */
    private final LinkedHashMap<String, Boolean> decidedIds = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > DECIDED_MEMORY;
        }
    };
    private final CopyOnWriteArrayList<Consumer<Reconciled>> reconcileListeners = new CopyOnWriteArrayList<>();
    private TaskScheduler.Cancellable graceTimer;

    private record Unconfirmed(Restored info, UsbDevice device, Merger.Action action) {
    }

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
    final LongAdder updatesDropped = new LongAdder();
    final LongAdder reconcileConfirmed = new LongAdder();
    final LongAdder reconcileDetached = new LongAdder();

    Pipeline(PipelineSettings settings, LongSupplier nanoClock, LongSupplier wallMillis, TaskScheduler scheduler,
            Supplier<String> eventIds) {
        Objects.requireNonNull(scheduler, "scheduler");
        this.rules = settings.rules();
        this.nanoClock = nanoClock;
        this.wallMillis = wallMillis;
        this.eventIds = eventIds;
        this.instanceId = settings.instanceId();
        this.merger = new Merger(settings.mergeWindowNanos(), nanoClock, wallMillis, eventIds, settings.instanceId(),
                this::attribute, this::merged);
        this.merger.onConfirmed(this::confirmedByReport);
        this.lockedScheduler = (task, delay) -> scheduler.schedule(() -> locked(task), delay);
        this.debouncer = new Debouncer(settings.debounceWindowNanos(), lockedScheduler, this::decide,
                registry::recordFlaps);
        this.debouncer.onDiscarded(this::discarded);
    }

    /**
     * Seeds the connected set the previous process lifetime left (folded from the durable event log), before any
     * source reports. Each device is registered with its decision and sources and no event is emitted; a source
     * reporting it again confirms it silently. Devices no source confirms are detached, marked as reconciled, at
     * the first full snapshot that lacks them or when {@code graceNanos} have passed, whichever comes first.
     * Devices already connected in this lifetime are left alone.
     *
     * @return how many devices were restored
     */
    int restore(Collection<Restored> devices, long graceNanos) {
        if (graceNanos <= 0) {
            throw new IllegalArgumentException("reconciliation grace must be > 0 ns: " + graceNanos);
        }
        int[] restored = { 0 };
        locked(() -> {
            for (Restored r : devices) {
                UsbDevice device = Signatures.sign(r.device());
                DeviceKey key = DeviceKey.of(device);
                if (registry.find(key).isPresent() || unconfirmed.containsKey(key)) {
                    continue;
                }
                UsbEvent attach = new UsbEvent(r.attachEventId(), instanceId, UsbAction.ATTACH, r.sinceMillis(),
                        nanoClock.getAsLong(), device, r.sources().isEmpty() ? Set.of(RECONCILE_SOURCE) : r.sources(),
                        0);
                registry.apply(attach, r.target());
                if (device.portPath() != null) {
                    occupants.put(device.portPath(), device);
                }
                debouncer.seed(key, UsbAction.ATTACH);
                remember(r.attachEventId());
                unconfirmed.put(key, new Unconfirmed(r, device, merger.restore(attach)));
                restored[0]++;
            }
            if (!unconfirmed.isEmpty()) {
                if (graceTimer != null) {
                    graceTimer.cancel();
                }
                long ms = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(graceNanos);
                graceTimer = lockedScheduler.schedule(() -> reconcileAll("not reported within " + ms + " ms"),
                        graceNanos);
            }
        });
        return restored[0];
    }

    /** Restored devices no source has reported yet. */
    int unconfirmedCount() {
        int[] n = { 0 };
        locked(() -> n[0] = unconfirmed.size());
        return n[0];
    }

    /** Told of every detach reconciliation makes, just before the event listeners get it. */
    void addReconcileListener(Consumer<Reconciled> listener) {
        reconcileListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    private void confirmedByReport(Merger.Action action) {
        if (unconfirmed.remove(DeviceKey.of(action.event.device())) != null) {
            reconcileConfirmed.increment();
        }
    }

    private void reconcileAll(String reason) {
        graceTimer = null;
        for (Unconfirmed u : List.copyOf(unconfirmed.values())) {
            reconcile(u, reason);
        }
    }

    private void reconcile(Unconfirmed u, String reason) {
        DeviceKey key = DeviceKey.of(u.device());
        if (unconfirmed.remove(key) == null) {
            return;
        }
        merger.forget(u.action());
        if (u.device().portPath() != null && u.device().equals(occupants.get(u.device().portPath()))) {
            occupants.remove(u.device().portPath());
        }
        UsbEvent detach = new UsbEvent(eventIds.get(), instanceId, UsbAction.DETACH, wallMillis.getAsLong(),
                nanoClock.getAsLong(), u.device(), Set.of(RECONCILE_SOURCE), 0);
        reconcileDetached.increment();
        Reconciled mark = new Reconciled(detach.eventId(), key, u.info().attachEventId(), u.info().lastSeenMillis(),
                reason);
        LOG.info("USB reconciliation: {} detached as {} ({}; last seen at {})", key, detach.eventId(), reason,
                u.info().lastSeenMillis());
        for (Consumer<Reconciled> listener : reconcileListeners) {
            try {
                listener.accept(mark);
            } catch (RuntimeException e) {
                listenerFailures.increment();
            }
        }
        debouncer.accept(detach);
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
            // a full scan is the first moment restored devices can be told present or gone
            for (Unconfirmed u : List.copyOf(unconfirmed.values())) {
                if (scanned.stream().anyMatch(d -> d.signature().equals(u.device().signature())
                        && Objects.equals(d.portPath(), u.device().portPath()))) {
                    unconfirmed.remove(DeviceKey.of(u.device()));
                    reconcileConfirmed.increment();
                } else {
                    reconcile(u, "absent from " + source + " snapshot");
                    repaired[0]++;
                }
            }
            if (unconfirmed.isEmpty() && graceTimer != null) {
                graceTimer.cancel();
                graceTimer = null;
            }
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
        m.put("merge.late", merger.lateMerges.sum());
        m.put("merge.lag_max_ms", java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(merger.maxLagNanos.get()));
        m.put("merge.lag_sum_ms", Math.round(merger.lag.sumSeconds() * 1000));
        m.put("merge.repeats", merger.repeats.sum());
        m.put("merge.updates_dropped", updatesDropped.sum());
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
        m.put("reconcile.confirmed", reconcileConfirmed.sum());
        m.put("reconcile.detached", reconcileDetached.sum());
        m.put("registry.connected", (long) registry.size());
        return m;
    }

    /** Time from an event's first report to each later source's report (for {@code /metrics}). */
    LatencyHistogram mergeLag() {
        return merger.lag;
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
        pendingUpdates.put(event.eventId(), new ArrayList<>(1));
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
        if (event.action() == UsbAction.DETACH) {
            Unconfirmed u = unconfirmed.remove(DeviceKey.of(event.device()));
            if (u != null) {
                merger.forget(u.action()); // a live source reported it gone: nothing left to reconcile
            }
        }
        registry.apply(event, target);
        List<Merger.MergeUpdate> held = pendingUpdates.remove(event.eventId());
        if (target == RuleTarget.BLOCK) {
            blocked.increment();
            if (held != null) {
                updatesDropped.add(held.size());
            }
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
        remember(event.eventId());
        if (held != null) {
            held.forEach(this::publish);
        }
    }

    private void remember(String eventId) {
        decidedIds.put(eventId, Boolean.TRUE);
    }

    /** The debouncer will never pass {@code event}: its late sources' updates have no event to join. */
    private void discarded(UsbEvent event) {
        List<Merger.MergeUpdate> held = pendingUpdates.remove(event.eventId());
        if (held != null) {
            updatesDropped.add(held.size());
        }
    }

    private void merged(Merger.MergeUpdate update) {
        List<Merger.MergeUpdate> held = pendingUpdates.get(update.eventId());
        if (held != null) {
            held.add(update); // its event is still held back by the debouncer
        } else if (decidedIds.containsKey(update.eventId())) {
            publish(update);
        } else {
            updatesDropped.increment(); // its event was collapsed, blocked, or is too old to be remembered
        }
    }

    private void publish(Merger.MergeUpdate update) {
        if (update.late()) {
            // a source trailing by more than the merge window is news (a loaded or lagging source); one line each
            LOG.info("USB late merge: {} joined event {} ({} {}) after {} ms; sources {}", update.source(),
                    update.eventId(), update.action().wireName(), update.key(), update.lagNanos() / 1_000_000,
                    update.sources());
        }
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
