package io.autoweave.usb.pipeline.internal;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventListener;

/**
 * Delivers events to {@link UsbEventListener} whiteboard services off the detection thread.
 *
 * <p>Each bundle that registers listeners gets one worker thread with a bounded queue; all of that bundle's
 * listeners are called there, in event order. {@link #accept} only enqueues, so a slow or stuck listener fills its
 * own bundle's queue and delays nobody else; when the queue is full the event is dropped for that bundle and
 * counted (logged on the first drop and every 1000th). The optional {@link UsbEventListener#FILTER} property is
 * an LDAP filter over {@link EventProperties}; a listener whose filter does not parse receives nothing and is
 * logged.
 *
 * <p>Deliberately small: the plugin dispatch (per-plugin limits, permission checks) replaces it later.
 */
final class ListenerDispatcher implements Consumer<UsbEvent>, AutoCloseable {

    static final int QUEUE_CAPACITY = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(ListenerDispatcher.class);

    /** One listener service; {@code key} is what the caller removes it by (its service reference). */
    private record Registration(Object key, long bundleId, String owner, UsbEventListener listener, Filter filter,
            Predicate<UsbDevice> mayMonitor, Worker worker) {
    }

    /** The thread and queue of one listener bundle. */
    private final class Worker {
        final String owner;
        final ThreadPoolExecutor executor;
        final LongAdder dropped = new LongAdder();
        int listeners;

        Worker(String owner) {
            this.owner = owner;
            this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                    new ArrayBlockingQueue<>(capacity), r -> {
                        Thread t = new Thread(r, "autoweave-usb-listener-" + owner);
                        t.setDaemon(true);
                        return t;
                    }, (r, ex) -> {
                        if (!ex.isShutdown()) { // a worker being removed is not a slow listener
                            drop();
                        }
                    });
        }

        private void drop() {
            dropped.increment();
            droppedTotal.increment();
            long n = dropped.sum();
            if (n == 1 || n % 1000 == 0) {
                LOG.warn("USB listeners of {} are too slow: {} event(s) dropped so far (queue of {} full)",
                        owner, n, capacity);
            }
        }
    }

    private final int capacity;
    private final Map<Object, Registration> registrations = new ConcurrentHashMap<>();
    private final Map<Long, Worker> workers = new HashMap<>();

    final LongAdder delivered = new LongAdder();
    final LongAdder droppedTotal = new LongAdder();
    final LongAdder failures = new LongAdder();
    final LongAdder rejectedFilters = new LongAdder();
    /** Deliveries withheld because the listener's bundle lacks {@code UsbPermission} "monitor" for the device. */
    final LongAdder withheld = new LongAdder();

    ListenerDispatcher(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("listener queue capacity must be >= 1: " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * Adds (or replaces, for the same key) a listener of bundle {@code bundleId}.
     *
     * @param owner a readable name of the bundle, used for its thread and in logs
     * @param filter the listener's {@link UsbEventListener#FILTER} property, or null
     * @return false when the filter does not parse; the listener then receives nothing
     */
    synchronized boolean add(Object key, long bundleId, String owner, UsbEventListener listener, String filter) {
        return add(key, bundleId, owner, listener, filter, device -> true);
    }

    /**
     * As {@link #add(Object, long, String, UsbEventListener, String)}, delivering only events of devices for which
     * {@code mayMonitor} holds (the owner's {@code UsbPermission}).
     */
    synchronized boolean add(Object key, long bundleId, String owner, UsbEventListener listener, String filter,
            Predicate<UsbDevice> mayMonitor) {
        Objects.requireNonNull(listener, "listener");
        remove(key);
        Filter parsed = null;
        if (filter != null && !filter.isBlank()) {
            try {
                parsed = FrameworkUtil.createFilter(filter);
            } catch (InvalidSyntaxException e) {
                rejectedFilters.increment();
                LOG.warn("USB listener {} of {} receives nothing: its {} '{}' is not an LDAP filter: {}",
                        listener.getClass().getName(), owner, UsbEventListener.FILTER, filter, e.getMessage());
                return false;
            }
        }
        Worker worker = workers.computeIfAbsent(bundleId, id -> new Worker(owner));
        worker.listeners++;
        registrations.put(key, new Registration(key, bundleId, owner, listener, parsed, mayMonitor, worker));
        return true;
    }

    synchronized void remove(Object key) {
        Registration r = registrations.remove(key);
        if (r == null) {
            return;
        }
        Worker w = r.worker();
        if (--w.listeners == 0) {
            workers.remove(r.bundleId());
            w.executor.shutdown(); // queued events for removed listeners are skipped by deliver()
        }
    }

    /** Enqueues {@code event} for every listener whose filter matches; never blocks. */
    @Override
    public void accept(UsbEvent event) {
        Map<String, Object> properties = null;
        for (Registration r : registrations.values()) {
            if (r.filter() != null) {
                if (properties == null) {
                    properties = EventProperties.of(event);
                }
                if (!r.filter().matches(properties)) {
                    continue;
                }
            }
            if (!r.mayMonitor().test(event.device())) {
                withheld.increment();
                continue;
            }
            if (!r.worker().executor.isShutdown()) {
                r.worker().executor.execute(() -> deliver(r, event));
            }
        }
    }

    private void deliver(Registration r, UsbEvent event) {
        if (registrations.get(r.key()) != r) {
            return; // unregistered while the event waited
        }
        try {
            r.listener().onEvent(event);
            delivered.increment();
        } catch (RuntimeException e) {
            failures.increment();
            LOG.warn("USB listener {} of {} failed on event {}: {}", r.listener().getClass().getName(), r.owner(),
                    event.eventId(), e.toString());
        }
    }

    /** Counters, by name. */
    synchronized Map<String, Long> metrics() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("listeners.registered", (long) registrations.size());
        m.put("listeners.delivered", delivered.sum());
        m.put("listeners.dropped", droppedTotal.sum());
        m.put("listeners.failures", failures.sum());
        m.put("listeners.bad_filters", rejectedFilters.sum());
        m.put("listeners.withheld_by_permission", withheld.sum());
        return m;
    }

    /** Events dropped for the listeners of {@code bundleId} since its first listener came. */
    synchronized long dropped(long bundleId) {
        Worker w = workers.get(bundleId);
        return w == null ? 0 : w.dropped.sum();
    }

    /** Stops every worker, giving queued deliveries up to {@code graceMillis} in total. */
    void close(long graceMillis) {
        Map<Long, Worker> all;
        synchronized (this) {
            all = new HashMap<>(workers);
            workers.clear();
        }
        all.values().forEach(w -> w.executor.shutdown());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
        for (Worker w : all.values()) {
            try {
                if (!w.executor.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    w.executor.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                w.executor.shutdownNow();
            }
        }
        registrations.clear();
    }

    /** Drains the queues (up to 10 s: sinks such as the Redis outbox must get every event at shutdown). */
    @Override
    public void close() {
        close(10_000);
    }
}
