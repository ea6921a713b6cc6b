package io.autoweave.usb.pipeline.internal;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;

/**
 * Folds reports of one physical action from several sources into one event.
 *
 * <p>Leading edge: the first report becomes an event at once, with no waiting. A later report within the window
 * that matches an open action only adds its source: it is announced through the update callback and counted,
 * never emitted as a second event. A report matches an open action when the action is the same, the reporting
 * source has not yet reported that action (a source reports each action once, so a repeat from the same source is
 * a new physical action, such as a flap), and either both know the port path and it is equal, or one of them lacks
 * the port and the signatures are equal.
 *
 * <p>The emitted identity is the first report's: sources race, and holding the event back to wait for a richer
 * one would cost every consumer latency. Richer later reports reach the registry through the update callback,
 * which fills fields the first report left null.
 *
 * <p>Open actions are indexed by port and by signature, and expire oldest first, so a report costs the same
 * whatever the event rate (a linear scan of every open action made the pipeline quadratic under bursts).
 *
 * <p>Not thread-safe: the {@link Pipeline} serializes calls.
 */
final class Merger {

    /**
     * One later report folded into an already emitted event.
     *
     * @param eventId the id of the event emitted for the first report
     * @param key the emitted event's device key
     * @param action the merged action
     * @param source the source that just reported
     * @param sources every source that reported this action so far, first first
     * @param reported the device as the late source saw it (may carry fields the first report lacked)
     */
    record MergeUpdate(String eventId, DeviceKey key, UsbAction action, String source, Set<String> sources,
            UsbDevice reported) {
    }

    private static final class OpenAction {
        final UsbEvent event;
        final Set<String> sources = new LinkedHashSet<>();
        final long deadlineNanos;
        final long order;

        OpenAction(UsbEvent event, long deadlineNanos, long order) {
            this.event = event;
            this.deadlineNanos = deadlineNanos;
            this.order = order;
            sources.addAll(event.sources());
        }

        boolean matches(SourceReport report, String signature) {
            if (event.action() != report.action() || sources.contains(report.source())) {
                return false;
            }
            String port = report.device().portPath();
            String openPort = event.device().portPath();
            if (port != null && openPort != null) {
                return port.equals(openPort);
            }
            return signature.equals(event.device().signature());
        }
    }

    private volatile long windowNanos;
    private final LongSupplier nanoClock;
    private final LongSupplier wallMillis;
    private final Supplier<String> eventIds;
    private final String instanceId;
    private final Consumer<UsbEvent> downstream;
    private final Consumer<MergeUpdate> updates;
    /** Oldest first (= earliest deadline first), so a late source joins the earliest action it has not reported yet. */
    private final ArrayDeque<OpenAction> open = new ArrayDeque<>();
    /** Open actions that know their port, by port, oldest first. */
    private final Map<String, ArrayDeque<OpenAction>> byPort = new HashMap<>();
    /** Every open action, by signature, oldest first. */
    private final Map<String, ArrayDeque<OpenAction>> bySignature = new HashMap<>();
    private long opened;

    final LongAdder emitted = new LongAdder();
    final LongAdder merged = new LongAdder();

    /** A new merge window for actions opened from now on (a configuration change). */
    void window(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("merge window must be >= 0 ns: " + nanos);
        }
        this.windowNanos = nanos;
    }

    Merger(long windowNanos, LongSupplier nanoClock, LongSupplier wallMillis, Supplier<String> eventIds,
            String instanceId, Consumer<UsbEvent> downstream, Consumer<MergeUpdate> updates) {
        if (windowNanos < 0) {
            throw new IllegalArgumentException("merge window must be >= 0 ns: " + windowNanos);
        }
        this.windowNanos = windowNanos;
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.wallMillis = Objects.requireNonNull(wallMillis, "wallMillis");
        this.eventIds = Objects.requireNonNull(eventIds, "eventIds");
        this.instanceId = instanceId;
        this.downstream = Objects.requireNonNull(downstream, "downstream");
        this.updates = updates == null ? u -> { } : updates;
    }

    /**
     * Takes one report: emits a new event downstream, or folds it into an open one.
     *
     * @return true when a new event was emitted
     */
    boolean offer(SourceReport report) {
        long now = nanoClock.getAsLong();
        expire(now);
        UsbDevice device = Signatures.sign(report.device());
        OpenAction action = earliestMatch(report, device.signature());
        if (action != null) {
            action.sources.add(report.source());
            merged.increment();
            updates.accept(new MergeUpdate(action.event.eventId(), DeviceKey.of(action.event.device()),
                    report.action(), report.source(), Collections.unmodifiableSet(new LinkedHashSet<>(action.sources)),
                    device));
            return false;
        }
        UsbEvent event = new UsbEvent(eventIds.get(), instanceId, report.action(), wallMillis.getAsLong(), now, device,
                Set.of(report.source()), 0);
        if (windowNanos > 0) {
            OpenAction a = new OpenAction(event, now + windowNanos, opened++);
            open.addLast(a);
            if (device.portPath() != null) {
                byPort.computeIfAbsent(device.portPath(), k -> new ArrayDeque<>(2)).addLast(a);
            }
            bySignature.computeIfAbsent(device.signature(), k -> new ArrayDeque<>(2)).addLast(a);
        }
        emitted.increment();
        downstream.accept(event);
        return true;
    }

    /** How many actions are still open for late sources (for tests and metrics). */
    int openActions() {
        expire(nanoClock.getAsLong());
        return open.size();
    }

    /**
     * The oldest open action {@code report} may join: with a port, those on the same port plus those that lack a
     * port and share the signature; without one, those sharing the signature.
     */
    private OpenAction earliestMatch(SourceReport report, String signature) {
        OpenAction best = null;
        String port = report.device().portPath();
        if (port != null) {
            best = first(byPort.get(port), report, signature, null);
        }
        return first(bySignature.get(signature), report, signature, best);
    }

    private static OpenAction first(ArrayDeque<OpenAction> candidates, SourceReport report, String signature,
            OpenAction best) {
        if (candidates == null) {
            return best;
        }
        for (OpenAction a : candidates) {
            if (best != null && a.order >= best.order) {
                break;
            }
            if (a.matches(report, signature)) {
                return a;
            }
        }
        return best;
    }

    private void expire(long now) {
        while (!open.isEmpty() && now - open.peekFirst().deadlineNanos >= 0) {
            OpenAction a = open.pollFirst();
            String port = a.event.device().portPath();
            if (port != null) {
                unindex(byPort, port, a);
            }
            unindex(bySignature, a.event.device().signature(), a);
        }
    }

    /** Removes {@code a}, the oldest open action, from the head of its list under {@code key}. */
    private static void unindex(Map<String, ArrayDeque<OpenAction>> index, String key, OpenAction a) {
        ArrayDeque<OpenAction> list = index.get(key);
        if (list != null) {
            list.remove(a); // the head: actions expire in the order they opened
            if (list.isEmpty()) {
                index.remove(key);
            }
        }
    }
}
