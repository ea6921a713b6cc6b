package io.autoweave.usb.pipeline.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
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

        OpenAction(UsbEvent event, long deadlineNanos) {
            this.event = event;
            this.deadlineNanos = deadlineNanos;
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

    private final long windowNanos;
    private final LongSupplier nanoClock;
    private final LongSupplier wallMillis;
    private final Supplier<String> eventIds;
    private final String instanceId;
    private final Consumer<UsbEvent> downstream;
    private final Consumer<MergeUpdate> updates;
    /** Oldest first, so a late source joins the earliest action it has not reported yet. */
    private final List<OpenAction> open = new ArrayList<>();

    final LongAdder emitted = new LongAdder();
    final LongAdder merged = new LongAdder();

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
        for (OpenAction action : open) {
            if (action.matches(report, device.signature())) {
                action.sources.add(report.source());
                merged.increment();
                updates.accept(new MergeUpdate(action.event.eventId(), DeviceKey.of(action.event.device()),
                        report.action(), report.source(), Collections.unmodifiableSet(new LinkedHashSet<>(action.sources)),
                        device));
                return false;
            }
        }
        UsbEvent event = new UsbEvent(eventIds.get(), instanceId, report.action(), wallMillis.getAsLong(), now, device,
                Set.of(report.source()), 0);
        if (windowNanos > 0) {
            open.add(new OpenAction(event, now + windowNanos));
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

    private void expire(long now) {
        for (Iterator<OpenAction> it = open.iterator(); it.hasNext(); ) {
            if (now - it.next().deadlineNanos >= 0) {
                it.remove();
            }
        }
    }
}
