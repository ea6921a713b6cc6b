package io.autoweave.usb.pipeline.internal.merge;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.autoweave.api.device.Sources;
import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.usb.pipeline.internal.support.LatencyHistogram;
import io.autoweave.usb.pipeline.internal.identity.Signatures;
import io.autoweave.usb.pipeline.internal.identity.DeviceKey;

/**
 * Folds reports of one physical action from several sources into one event.
 *
 * <p>Leading edge: the first report becomes an event at once, with no waiting. A later report of the same action
 * only adds its source: it is announced through the update callback and counted, never emitted as a second event.
 *
 * <p><b>Which action a report belongs to.</b> Every source sees the actions on one port in the order they happened
 * and reports each once. So the actions of a port are kept in order (a short history per port, or per signature
 * when a source does not know the port), each with the sources that reported it, and a report of source S joins
 * the earliest action of its kind that S has not reported and that lies after the last action S did report on that
 * port; but an action with the report's bus address (one enumeration of the device, when both carry one) is taken
 * first, wherever it lies in that order. The merge window only says when a join counts as <em>late</em>; it no longer decides whether a report
 * joins: on a loaded machine udev's report of a burst trails libusb's by seconds, and a window-bounded merge made
 * it a second attach that the debouncer then hid as a duplicate. The port's <em>last</em> action stays joinable
 * for as long as it is the last (a device still attached is still that attach); older actions stay joinable for
 * {@code horizon} after their first report, so a source that was blind for longer than that starts afresh instead
 * of being folded into history.
 *
 * <p>A report repeating the port's last action that its source already reported (a source re-enumerating after a
 * restart) is absorbed and counted ({@code repeats}): the device's state did not change.
 *
 * <p>The emitted identity is the first report's: with identity v2 every source computes the same signature from
 * its first report, and richer later reports reach the registry through the update callback.
 *
 * <p>Not thread-safe: the {@code Pipeline} serializes calls.
 *
 * <p><b>Size.</b> Why one class of over 400 lines: one algorithm (the ordering rules above) over one per-port
 * history; its parts are correct only together, and MergerTest and DetectionTruthTest test it as one.
 */
public final class Merger {

    /**
     * One later report folded into an already emitted event.
     *
     * @param eventId the id of the event emitted for the first report
     * @param key the emitted event's device key
     * @param action the merged action
     * @param source the source that just reported
     * @param sources every source that reported this action so far, first first
     * @param reported the device as the late source saw it (may carry fields the first report lacked)
     * @param lagNanos time from the event's first report to this one
     * @param late whether this report came after the merge window had closed
     */
    public record MergeUpdate(String eventId, DeviceKey key, UsbAction action, String source, Set<String> sources,
            UsbDevice reported, long lagNanos, boolean late) {
    }

    /** One physical action on one port, as the sources reported it. */
    public static final class Action {
        public final UsbEvent event;
        /** Every source that reported this action so far, first first (a shared {@link Sources} set). */
        Set<String> sources = Sources.of(Set.of());
        final long firstNanos;
        final long windowEndNanos;
        final long horizonEndNanos;
        final long order;
        final String track;
        /** Restored from the previous process lifetime: the sources of that lifetime, none of this one yet. */
        final boolean restored;

        Action(UsbEvent event, String track, long firstNanos, long windowNanos, long horizonNanos, long order,
                boolean restored) {
            this.event = event;
            this.track = track;
            this.firstNanos = firstNanos;
            this.windowEndNanos = firstNanos + windowNanos;
            this.horizonEndNanos = firstNanos + horizonNanos;
            this.order = order;
            this.restored = restored;
            if (!restored) {
                sources = event.sources();
            }
        }
    }

    /** A report joined by order to an action of another enumeration: which one it really saw. */
    private record Ahead(UsbAction action, int bus, int address, String signature, String source, long atNanos) {
    }

    /** The actions of one port (or of one signature without a port), oldest first, and where each source is. */
    private static final class Track {
        final ArrayDeque<Action> actions = new ArrayDeque<>(4);
        final Map<String, Long> cursor = new HashMap<>(4);
        /** Reports that ran ahead of another source (at most {@link #HISTORY}, oldest first out). */
        final ArrayDeque<Ahead> ahead = new ArrayDeque<>(2);

        Action last() {
            return actions.peekLast();
        }

        void ahead(UsbAction action, UsbDevice d, String source, long now) {
            ahead.addLast(new Ahead(action, d.busNumber(), d.deviceAddress(), d.signature(), source, now));
            while (ahead.size() > HISTORY) {
                ahead.pollFirst();
            }
        }

        /** The sources that reported this enumeration's {@code action} ahead of time (removed); none older than. */
        Set<String> takeAhead(UsbAction action, UsbDevice d, long notBeforeNanos) {
            if (ahead.isEmpty() || d.deviceAddress() <= 0) {
                return Set.of();
            }
            Set<String> out = new LinkedHashSet<>(2);
            ahead.removeIf(a -> {
                if (a.atNanos() - notBeforeNanos < 0) {
                    return true;
                }
                if (a.action() == action && a.bus() == d.busNumber() && a.address() == d.deviceAddress()
                        && a.signature().equals(d.signature())) {
                    out.add(a.source());
                    return true;
                }
                return false;
            });
            return out;
        }
    }

    /** Actions kept per track for late sources; more would only matter to a source many actions behind. */
    static final int HISTORY = 8;
    private static final String NO_PORT = "#";

    private volatile long windowNanos;
    private volatile long horizonNanos;
    private final LongSupplier nanoClock;
    private final LongSupplier wallMillis;
    private final Supplier<String> eventIds;
    private final String instanceId;
    private final Consumer<UsbEvent> downstream;
    private final Consumer<MergeUpdate> updates;
    private volatile Consumer<Action> confirmations = a -> { };
    private final Map<String, Track> tracks = new HashMap<>();
    /** Port tracks by the signatures of their actions, so a report without a port finds them. */
    private final Map<String, Set<String>> portsBySignature = new HashMap<>();
    /**
     * Sources that reported within ten horizons: once its window has closed, an action all of them reported expects
     * no late report.
     */
    private final Map<String, Long> liveSources = new HashMap<>(8);
    private long opened;
    private long nextSweepNanos;

    public final LongAdder emitted = new LongAdder();
    public final LongAdder merged = new LongAdder();
    public final LongAdder lateMerges = new LongAdder();
    public final LongAdder repeats = new LongAdder();
    final LongAdder confirmed = new LongAdder();
    public final LatencyHistogram lag = new LatencyHistogram();
    public final AtomicLong maxLagNanos = new AtomicLong();

    /** A new merge window for actions opened from now on (a configuration change). */
    public void window(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("merge window must be >= 0 ns: " + nanos);
        }
        this.windowNanos = nanos;
        this.horizonNanos = horizonFor(nanos);
    }

    /** Ten windows, at least 15 s: longer than any lag seen between live sources, shorter than a blind spell. */
    static long horizonFor(long windowNanos) {
        return Math.max(windowNanos * 10, 15_000_000_000L);
    }

    public Merger(long windowNanos, LongSupplier nanoClock, LongSupplier wallMillis, Supplier<String> eventIds,
            String instanceId, Consumer<UsbEvent> downstream, Consumer<MergeUpdate> updates) {
        if (windowNanos < 0) {
            throw new IllegalArgumentException("merge window must be >= 0 ns: " + windowNanos);
        }
        this.windowNanos = windowNanos;
        this.horizonNanos = horizonFor(windowNanos);
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.wallMillis = Objects.requireNonNull(wallMillis, "wallMillis");
        this.eventIds = Objects.requireNonNull(eventIds, "eventIds");
        this.instanceId = instanceId;
        this.downstream = Objects.requireNonNull(downstream, "downstream");
        this.updates = updates == null ? u -> { } : updates;
    }

    /** Told when a source reports a restored action again (the device is still there). */
    public void onConfirmed(Consumer<Action> listener) {
        this.confirmations = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Takes one report: emits a new event downstream, or folds it into the action it belongs to.
     *
     * @return true when a new event was emitted
     */
    public boolean offer(SourceReport report) {
        long now = nanoClock.getAsLong();
        liveSources.put(report.source(), now);
        expire(now);
        UsbDevice device = Signatures.sign(report.device());
        if (windowNanos == 0) {
            emit(report, device, now);
            return true;
        }
        Action action = earliestMatch(report, device, now);
        if (action != null) {
            join(action, report, device, now);
            return false;
        }
        Track own = tracks.get(trackKey(device));
        Action last = own == null ? null : own.last();
        if (last != null && last.event.action() == report.action() && last.sources.contains(report.source())) {
            repeats.increment(); // a source telling again what it told before: no change
            return false;
        }
        Set<String> sawItFirst = own == null ? Set.of() : own.takeAhead(report.action(), device, now - horizonNanos);
        UsbEvent event = emit(report, device, now, sawItFirst);
        Action created = new Action(event, trackKey(device), now, windowNanos, horizonNanos, opened++, false);
        record(created, report.source());
        for (String s : sawItFirst) {
            own.cursor.merge(s, created.order, Math::max);
        }
        return true;
    }

    /**
     * Seeds an attach from the previous process lifetime, so the first report of that device by a source in this
     * lifetime joins it (no event) and a report of its detach is a new action.
     */
    public Action restore(UsbEvent attach) {
        long now = nanoClock.getAsLong();
        Action a = new Action(attach, trackKey(attach.device()), now, 0, horizonNanos, opened++, true);
        record(a, null);
        return a;
    }

    private UsbEvent emit(SourceReport report, UsbDevice device, long now) {
        return emit(report, device, now, Set.of());
    }

    /** Emits the event of a new action; {@code sawItFirst}: sources that reported this enumeration earlier. */
    private UsbEvent emit(SourceReport report, UsbDevice device, long now, Set<String> sawItFirst) {
        Set<String> sources = Sources.union(sawItFirst, Set.of(report.source()));
        UsbEvent event = new UsbEvent(eventIds.get(), instanceId, report.action(), wallMillis.getAsLong(), now, device,
                sources, 0);
        emitted.increment();
        downstream.accept(event);
        return event;
    }

    private void join(Action action, SourceReport report, UsbDevice device, long now) {
        Track track = tracks.get(action.track);
        if (track != null) {
            track.cursor.merge(report.source(), action.order, Math::max);
            if (differentEnumeration(device, action.event.device())) {
                // joined by order only: this source ran ahead of another one's cycles; when that source reports
                // the enumeration this report was about, its new event lists this source too
                track.ahead(report.action(), device, report.source(), now);
            }
        }
        boolean wasRestored = action.restored && action.sources.isEmpty();
        action.sources = Sources.union(action.sources, Set.of(report.source()));
        if (track != null) {
            prune(track, now);
        }
        if (action.restored) {
            confirmed.increment();
            if (wasRestored) {
                confirmations.accept(action);
            }
            return; // the event belongs to an earlier lifetime; its sources were recorded then
        }
        long lagNanos = now - action.firstNanos;
        boolean late = now - action.windowEndNanos >= 0;
        merged.increment();
        if (late) {
            lateMerges.increment();
        }
        lag.record(lagNanos);
        maxLagNanos.accumulateAndGet(lagNanos, Math::max);
        updates.accept(new MergeUpdate(action.event.eventId(), DeviceKey.of(action.event.device()), report.action(),
                report.source(), action.sources, device, lagNanos,
                late));
    }

    private void record(Action a, String source) {
        Track track = tracks.computeIfAbsent(a.track, k -> new Track());
        track.actions.addLast(a);
        while (track.actions.size() > HISTORY) {
            track.actions.pollFirst();
        }
        if (source != null) {
            track.cursor.put(source, a.order);
        }
        if (!a.track.startsWith(NO_PORT)) {
            portsBySignature.computeIfAbsent(a.event.device().signature(), k -> new LinkedHashSet<>(2)).add(a.track);
        }
        prune(track, nanoClock.getAsLong());
    }

    /**
     * Drops the actions of {@code track} no late report can still join: those past their merge window that every
     * live source (one that reported within ten horizons) has reported, and those past their horizon, except the
     * port's last attach while some live source has not reported it (a device still attached is still that attach,
     * however late a source is). A restored action waits for its confirmation. So once every source has reported an
     * action it is gone a window later: memory follows the late reports still expected, not what is connected or the
     * event rate. (The first report of a source that never reported before cannot be expected: if it trails by more
     * than the window, an action already complete without it may be gone, and it makes a new event that the
     * debouncer drops as a duplicate.)
     */
    private void prune(Track track, long now) {
        Action last = track.last();
        Set<String> live = live(now);
        track.actions.removeIf(x -> {
            if (x.restored && x.sources.isEmpty()) {
                return false; // unconfirmed: the pipeline's reconciliation decides
            }
            if (now - x.windowEndNanos >= 0 && x.sources.containsAll(live)) {
                return true;
            }
            return now - x.horizonEndNanos >= 0 && !(x == last && x.event.action() == UsbAction.ATTACH);
        });
    }

    private Set<String> live(long now) {
        liveSources.values().removeIf(t -> now - t - 10 * horizonNanos >= 0);
        return liveSources.keySet();
    }

    /** How many actions are still kept for late sources (for tests and metrics). */
    int openActions() {
        nextSweepNanos = nanoClock.getAsLong();
        expire(nanoClock.getAsLong());
        int n = 0;
        for (Track t : tracks.values()) {
            n += t.actions.size();
        }
        return n;
    }

    private static String trackKey(UsbDevice device) {
        return device.portPath() != null ? device.portPath() : NO_PORT + device.signature();
    }

    /**
     * The earliest action {@code report} may join: on its port (plus actions without a port sharing its
     * signature), or without a port, those sharing its signature wherever they are.
     */
    private Action earliestMatch(SourceReport report, UsbDevice device, long now) {
        List<String> keys = new ArrayList<>(2);
        String signature = device.signature();
        if (device.portPath() != null) {
            keys.add(device.portPath());
            keys.add(NO_PORT + signature);
        } else {
            keys.add(NO_PORT + signature);
            Set<String> ports = portsBySignature.get(signature);
            if (ports != null) {
                ports.removeIf(k -> !tracks.containsKey(k)); // tracks removed since (a port's other devices)
                keys.addAll(ports);
            }
        }
        // first the action of this very enumeration (same bus address, same device), wherever it lies in the port's
        // order: a source that skipped cycles of a flapping device still joins the action it saw. Restored actions
        // (an earlier lifetime) are confirmed by the order rule below, which knows about swaps.
        for (String key : keys) {
            Track track = tracks.get(key);
            if (track == null) {
                continue;
            }
            for (Action a : track.actions) {
                if (a.event.action() == report.action() && !a.sources.contains(report.source())
                        && exactEnumeration(device, a.event.device()) && signature.equals(a.event.device().signature())
                        && !a.restored && (a == track.last() || now - a.horizonEndNanos < 0)) {
                    return a;
                }
            }
        }
        // else by order: the earliest action of its kind the source has not reported, after the last it did report
        Action best = null;
        for (String key : keys) {
            Track track = tracks.get(key);
            if (track == null) {
                continue;
            }
            long after = track.cursor.getOrDefault(report.source(), -1L);
            Action last = track.last();
            for (Action a : track.actions) {
                if (best != null && a.order >= best.order) {
                    break;
                }
                if (a.order <= after || a.event.action() != report.action() || a.sources.contains(report.source())) {
                    continue;
                }
                if (!signature.equals(a.event.device().signature()) && (a.restored || device.portPath() == null
                        || a.event.device().portPath() == null)) {
                    // without a port on both sides, only the signature ties a report to an action; and a device
                    // restored from the previous lifetime may have been swapped for another while nothing ran
                    continue;
                }
                if (a == last || now - a.horizonEndNanos < 0) {
                    best = a;
                    break;
                }
            }
        }
        return best;
    }

    /** Both reports carry the bus address, and they differ: two enumerations. */
    static boolean differentEnumeration(UsbDevice a, UsbDevice b) {
        return a.deviceAddress() > 0 && b.deviceAddress() > 0
                && (a.busNumber() != b.busNumber() || a.deviceAddress() != b.deviceAddress());
    }

    /** Both reports carry the bus address, and it is the same: one enumeration of the device. */
    static boolean exactEnumeration(UsbDevice a, UsbDevice b) {
        return a.deviceAddress() > 0 && b.deviceAddress() > 0 && a.busNumber() == b.busNumber()
                && a.deviceAddress() == b.deviceAddress();
    }

    /** Every merge window, prunes every track and drops the empty ones. */
    private void expire(long now) {
        if (now - nextSweepNanos < 0) {
            return;
        }
        nextSweepNanos = now + Math.max(windowNanos, 100_000_000L);
        for (Iterator<Map.Entry<String, Track>> it = tracks.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, Track> e = it.next();
            prune(e.getValue(), now);
            if (e.getValue().actions.isEmpty()) {
                it.remove();
            }
        }
        portsBySignature.values().forEach(ports -> ports.removeIf(k -> !tracks.containsKey(k)));
        portsBySignature.values().removeIf(Set::isEmpty);
    }

    /** Drops a restored action that was reconciled away (its device is gone), so it is no longer joinable. */
    public void forget(Action a) {
        Track track = tracks.get(a.track);
        if (track != null) {
            track.actions.remove(a);
            if (track.actions.isEmpty()) {
                tracks.remove(a.track);
            }
        }
    }
}
