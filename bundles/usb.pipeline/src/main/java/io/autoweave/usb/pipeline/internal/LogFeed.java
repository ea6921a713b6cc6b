package io.autoweave.usb.pipeline.internal;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.log.EventLogAppender;
import io.autoweave.usb.pipeline.internal.registry.DeviceRegistry;
import io.autoweave.usb.pipeline.internal.merge.Merger;

/**
 * Hands the pipeline's decisions to the event log, its only output: every allowed event once, at once, and every late
 * source report of an event as an update of it.
 *
 * <p>The merger announces a late source ({@link Merger.MergeUpdate}) before or after the event reaches the log: a
 * debounced event is decided after its window, possibly after later sources joined it. So an update of an event already
 * logged is appended as an UPDATE record; one of an event not decided yet is folded into the event when it is decided
 * (its record then carries every source at once); one of an event that is never logged (debounced away, blocked) expires
 * after {@code holdNanos}. Called under the pipeline's lock, so decisions and updates keep their order.
 */
final class LogFeed {
    private static final int REMEMBERED = 4096;

    private final EventLogAppender log;
    private final LongSupplier nanoClock;
    private volatile long holdNanos;
    /** Events logged recently, by id, as logged (with every source so far). */
    private final Map<String, UsbEvent> logged = new LinkedHashMap<>(256, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, UsbEvent> eldest) {
            return size() > REMEMBERED;
        }
    };
    /** Late sources of events not decided yet, by event id. */
    private final Map<String, Early> early = new LinkedHashMap<>();

    /** Detaches reconciliation announced, by event id: when each device was last known there. */
    private final Map<String, Long> reconciling = new LinkedHashMap<>();

    final LongAdder appended = new LongAdder();
    final LongAdder reconciled = new LongAdder();
    final LongAdder updates = new LongAdder();
    final LongAdder folded = new LongAdder();
    final LongAdder expired = new LongAdder();

    private record Early(Set<String> sources, UsbDevice reported, long atNanos) {
    }

    LogFeed(EventLogAppender log, long holdNanos, LongSupplier nanoClock) {
        this.log = Objects.requireNonNull(log, "log");
        this.holdNanos = holdNanos;
        this.nanoClock = nanoClock;
    }

    void holdNanos(long nanos) {
        this.holdNanos = nanos;
    }

    /**
     * A detach that reconciliation is about to decide (told just before {@link #decided}, same lock): logged as
     * reconciled, with the time the device was last known there.
     */
    void reconciled(Pipeline.Reconciled mark) {
        reconciling.put(mark.eventId(), mark.lastSeenMillis());
    }

    /** A decided, allowed event. */
    void decided(UsbEvent event) {
        Early e = early.remove(event.eventId());
        if (e != null) {
            event = merge(event, e.sources(), e.reported());
            folded.increment();
        }
        Long lastSeen = reconciling.remove(event.eventId());
        if (lastSeen != null) {
            log.appendReconciled(event, Math.max(1, lastSeen));
            reconciled.increment();
        } else {
            log.append(event);
        }
        appended.increment();
        logged.put(event.eventId(), event);
        expire();
    }

    /** A later source joined the event {@code update.eventId()}. */
    void update(Merger.MergeUpdate update) {
        UsbEvent known = logged.get(update.eventId());
        if (known == null) {
            early.merge(update.eventId(), new Early(new LinkedHashSet<>(update.sources()), update.reported(),
                    nanoClock.getAsLong()), (a, b) -> {
                        Set<String> all = new LinkedHashSet<>(a.sources());
                        all.addAll(b.sources());
                        return new Early(all, DeviceRegistry.fill(a.reported(), b.reported()), a.atNanos());
                    });
            return;
        }
        UsbEvent merged = merge(known, update.sources(), update.reported());
        if (!merged.equals(known)) {
            log.appendUpdate(merged);
            updates.increment();
            logged.put(merged.eventId(), merged);
        }
    }

    private void expire() {
        if (early.isEmpty()) {
            return;
        }
        long now = nanoClock.getAsLong();
        early.values().removeIf(e -> {
            boolean old = now - e.atNanos() > holdNanos;
            if (old) {
                expired.increment();
            }
            return old;
        });
    }

    /** The event with every source and the fields the late source knew that the event lacked (never overwriting). */
    static UsbEvent merge(UsbEvent event, Set<String> sources, UsbDevice reported) {
        Set<String> all = new LinkedHashSet<>(event.sources());
        all.addAll(sources);
        UsbDevice device = reported == null ? event.device() : DeviceRegistry.fill(event.device(), reported);
        return new UsbEvent(event.eventId(), event.instanceId(), event.action(), event.timestampMillis(),
                event.monotonicNanos(), device, all, event.flapCount());
    }
}
