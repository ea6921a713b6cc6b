package io.autoweave.usb.pipeline.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import io.autoweave.api.device.UsbEvent;

/**
 * A bounded queue between the pipeline and one slow sink (Redis, a webhook), with batching, optional rate limiting
 * and no silent loss.
 *
 * <p>The pipeline never blocks on a sink: {@link #offer(UsbEvent)} returns at once. Producers that can afford to
 * wait use {@link #offer(UsbEvent, long, TimeUnit)}, which waits for room first (back-pressure). When the queue is
 * full it makes room, in this order:
 * <ol>
 * <li><b>coalesce</b>: an attach and a detach of the same device that the sink has not read yet collapse into the
 * later event, whose flap count grows by the earlier's plus one. The sink sees the device's final state and how
 * often it flapped; counted in {@link #coalesced}.</li>
 * <li><b>shed</b>: the oldest event is dropped, counted in {@link #shed}, and a {@link SinkItem.Shed} marker takes
 * its place at the head of the queue, so the sink's stream shows that (and how much) was lost. Consecutive sheds
 * grow the same marker, so markers never fill the queue.</li>
 * </ol>
 * Capacity counts events; the one marker that can exist does not.
 */
final class SinkQueue implements Consumer<UsbEvent> {

    /** What {@link #offer(UsbEvent)} had to do. */
    enum Offer { ACCEPTED, COALESCED, SHED }

    private final String name;
    private final int capacity;
    private final RateLimiter limiter;
    private final LinkedList<SinkItem> items = new LinkedList<>();
    /** Queued deliveries per device, so a full queue finds coalescing candidates without scanning itself. */
    private final Map<DeviceKey, Integer> queuedPerDevice = new HashMap<>();
    /** Devices with two or more queued deliveries: only then can {@link #coalesceAnyPair} find a pair. */
    private int repeatedDevices;
    private int events;
    /** {@link #coalesced} when the last marker was read, so a marker tells the coalesces since the previous one. */
    private long coalescedAtLastMarker;

    final LongAdder accepted = new LongAdder();
    final LongAdder coalesced = new LongAdder();
    final LongAdder shed = new LongAdder();
    final LongAdder delivered = new LongAdder();

    /**
     * @param name the sink's name, for metrics
     * @param capacity how many events may wait
     * @param limiter limits how fast batches drain, or null for no limit
     */
    SinkQueue(String name, int capacity, RateLimiter limiter) {
        if (capacity < 2) {
            throw new IllegalArgumentException("sink queue capacity must be >= 2: " + capacity);
        }
        this.name = name;
        this.capacity = capacity;
        this.limiter = limiter;
    }

    String name() {
        return name;
    }

    @Override
    public void accept(UsbEvent event) {
        offer(event);
    }

    /** Queues {@code event} without waiting, coalescing or shedding when full. */
    synchronized Offer offer(UsbEvent event) {
        accepted.increment();
        Offer result = Offer.ACCEPTED;
        if (events >= capacity) {
            if (coalesceWith(event)) {
                notifyAll();
                return Offer.COALESCED;
            }
            result = coalesceAnyPair() ? Offer.COALESCED : shedOldest();
        }
        items.addLast(new SinkItem.Delivery(event));
        events++;
        countIn(event);
        notifyAll();
        return result;
    }

    /** Waits up to {@code timeout} for room, then offers as {@link #offer(UsbEvent)} does. */
    synchronized Offer offer(UsbEvent event, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        long left;
        while (events >= capacity && (left = deadline - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return offer(event);
    }

    /**
     * Takes up to {@code max} items from the head, as many as the rate limit allows now; markers cost no token.
     * Returns an empty list when nothing is queued or the limit is exhausted.
     */
    synchronized List<SinkItem> pollBatch(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("batch size must be >= 1: " + max);
        }
        List<SinkItem> batch = new ArrayList<>();
        if (!items.isEmpty() && items.getFirst() instanceof SinkItem.Shed marker) {
            items.removeFirst();
            long total = coalesced.sum();
            batch.add(marker.withCoalesced(total - coalescedAtLastMarker));
            coalescedAtLastMarker = total;
        }
        int wanted = Math.min(max - batch.size(), events);
        int granted = limiter == null ? wanted : limiter.tryAcquire(wanted);
        for (int i = 0; i < granted; i++) {
            SinkItem item = items.removeFirst();
            batch.add(item);
            events--;
            countOut(((SinkItem.Delivery) item).event());
            delivered.increment();
        }
        if (!batch.isEmpty()) {
            notifyAll();
        }
        return batch;
    }

    /** Waits up to {@code timeout} until something is queued; true when there is. */
    synchronized boolean awaitItems(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        long left;
        while (items.isEmpty() && (left = deadline - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return !items.isEmpty();
    }

    /** Nanoseconds until the rate limit lets the next event out (0 when it may go now or there is no limit). */
    long nanosUntilNextPermit() {
        return limiter == null ? 0 : limiter.nanosUntilAvailable();
    }

    /** True when neither an event nor a marker waits. */
    synchronized boolean isEmpty() {
        return items.isEmpty();
    }

    /** Events waiting (markers excluded). */
    synchronized int size() {
        return events;
    }

    /** True when the next offer will have to coalesce or shed: the sink should drain bigger batches. */
    synchronized boolean saturated() {
        return events >= capacity;
    }

    /** A copy of the queue, head first (for tests and diagnostics). */
    synchronized List<SinkItem> snapshot() {
        return new ArrayList<>(items);
    }

    /** Collapses {@code event} into the newest queued event of its device, when that one is the opposite action. */
    private boolean coalesceWith(UsbEvent event) {
        DeviceKey key = DeviceKey.of(event.device());
        if (!queuedPerDevice.containsKey(key)) {
            return false;
        }
        for (ListIterator<SinkItem> it = items.listIterator(items.size()); it.hasPrevious(); ) {
            if (it.previous() instanceof SinkItem.Delivery d && DeviceKey.of(d.event().device()).equals(key)) {
                if (d.event().action() == event.action()) {
                    return false;
                }
                it.remove();
                items.addLast(new SinkItem.Delivery(collapse(d.event(), event))); // same device: counts unchanged
                coalesced.increment();
                return true;
            }
        }
        return false;
    }

    /** Finds the oldest queued opposite-action pair of one device and collapses it into the later event. */
    private boolean coalesceAnyPair() {
        if (repeatedDevices == 0) {
            return false;
        }
        Map<DeviceKey, SinkItem.Delivery> lastOfDevice = new HashMap<>();
        for (ListIterator<SinkItem> it = items.listIterator(); it.hasNext(); ) {
            if (!(it.next() instanceof SinkItem.Delivery later)) {
                continue;
            }
            DeviceKey key = DeviceKey.of(later.event().device());
            SinkItem.Delivery earlier = lastOfDevice.put(key, later);
            if (earlier != null && earlier.event().action() != later.event().action()) {
                it.set(new SinkItem.Delivery(collapse(earlier.event(), later.event())));
                items.remove(earlier);
                events--;
                countOut(earlier.event());
                coalesced.increment();
                return true;
            }
        }
        return false;
    }

    private Offer shedOldest() {
        SinkItem.Shed marker = null;
        for (Iterator<SinkItem> it = items.iterator(); it.hasNext(); ) {
            SinkItem item = it.next();
            if (item instanceof SinkItem.Shed s) {
                marker = s;
                it.remove();
            } else if (item instanceof SinkItem.Delivery d) {
                it.remove();
                events--;
                countOut(d.event());
                marker = marker == null ? SinkItem.Shed.of(d.event()) : marker.plus(d.event());
                break;
            }
        }
        items.addFirst(marker);
        shed.increment();
        return Offer.SHED;
    }

    private void countIn(UsbEvent event) {
        if (queuedPerDevice.merge(DeviceKey.of(event.device()), 1, Integer::sum) == 2) {
            repeatedDevices++;
        }
    }

    private void countOut(UsbEvent event) {
        DeviceKey key = DeviceKey.of(event.device());
        int left = queuedPerDevice.merge(key, -1, Integer::sum);
        if (left == 0) {
            queuedPerDevice.remove(key);
        } else if (left == 1) {
            repeatedDevices--;
        }
    }

    private static UsbEvent collapse(UsbEvent earlier, UsbEvent later) {
        return new UsbEvent(later.eventId(), later.instanceId(), later.action(), later.timestampMillis(),
                later.monotonicNanos(), later.device(), later.sources(),
                later.flapCount() + earlier.flapCount() + 1);
    }
}
