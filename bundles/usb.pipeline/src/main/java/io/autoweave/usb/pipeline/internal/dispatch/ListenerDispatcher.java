package io.autoweave.usb.pipeline.internal.dispatch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

import org.osgi.framework.Bundle;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventListener;
import io.autoweave.api.plugin.PluginWorkers;
import io.autoweave.api.plugin.WorkerFigures;
import io.autoweave.api.security.UsbPermission;
import io.autoweave.commons.permission.DecisionCache;
import io.autoweave.commons.permission.GenerationTracker;

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
 * <p>It measures and obeys, it does not decide ({@link PluginWorkers}): the resource enforcer reads the figures
 * (queue depth, call durations, the call in progress, the worker's thread ids for CPU and allocation accounting)
 * and asks for shedding, interrupts and recycling. A worker's thread can be replaced while it is stuck in a call
 * (abandoned: it is never fed again and is reported while it lives) or after a call (graceful, order kept).
 *
 * <p>Worker threads are created lazily, on the thread that delivers the first event (a pipeline thread), in the
 * thread group the dispatcher was created in: never on a plugin's thread, so they never land in, or count
 * against, a plugin's own thread group.
 *
 * <p>Whether a bundle may see a device ({@code mayMonitor}, the owner's {@code UsbPermission}) is asked once per
 * bundle and device kind ({@link UsbPermission#forDevice}: vendor, product, classes) and remembered in a
 * {@link DecisionCache} while the runtime's permission generation stays: a framework permission check per delivery
 * cost more than the delivery itself. Any change that can alter the answer (policy, bundle update or uninstall,
 * block, unblock, lockdown) moves the generation, so the very next event is checked again.
 *
 * <p><b>Size.</b> Why one class of over 500 lines: the workers, their queues and the replacement of a stuck worker
 * share one lock and one set of per-bundle records; the order guarantee (a bundle's listeners in event order, also
 * across a graceful replacement) depends on them together.
 */
public final class ListenerDispatcher implements Consumer<UsbEvent>, PluginWorkers, AutoCloseable {

    public static final int QUEUE_CAPACITY = 1024;
    /** Recent call durations kept per worker for the percentiles. */
    static final int RECENT_CALLS = 256;
    private static final long IDLE_POLL_MILLIS = 100;

    private static final Logger LOG = LoggerFactory.getLogger(ListenerDispatcher.class);

    /** One listener service; {@code key} is what the caller removes it by (its service reference). */
    private record Registration(Object key, long bundleId, String owner, UsbEventListener listener, Filter filter,
            Predicate<DeviceTarget> mayMonitor, Worker worker) {
    }

    /**
     * What a monitor decision depends on: the device's {@code UsbPermission} (equality), with the device itself for
     * the check when the answer is not known yet. The cache hands back the first target of a kind it saw
     * ({@link DecisionCache#canonical}), so a check may see an earlier device of the same kind: by the contract of
     * {@code add}, it answers the same.
     */
    private static final class DeviceTarget {
        final UsbPermission permission;
        final UsbDevice device;

        DeviceTarget(UsbDevice device) {
            this.permission = UsbPermission.forDevice(device, "monitor");
            this.device = device;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof DeviceTarget && ((DeviceTarget) o).permission.equals(permission);
        }

        @Override
        public int hashCode() {
            return permission.hashCode();
        }
    }

    /** Device kinds remembered per bundle before its answers are collected again. */
    static final int DECISIONS_PER_BUNDLE = 4096;

    private record Delivery(Registration registration, UsbEvent event) {
    }

    /** The queue, counters and current thread of one listener bundle. */
    private final class Worker {
        final long bundleId;
        final String owner;
        final LinkedBlockingDeque<Delivery> queue = new LinkedBlockingDeque<>(capacity);
        final LongAdder dropped = new LongAdder();
        final LongAdder shed = new LongAdder();
        final LongAdder calls = new LongAdder();
        final LongAdder failures = new LongAdder();
        final Set<Loop> abandoned = ConcurrentHashMap.newKeySet();
        final long[] recent = new long[RECENT_CALLS];
        long recentCount;
        volatile Loop current;
        volatile boolean closing;
        volatile long shedUntilNanos;
        long recycled;
        long abandonedTotal;
        int generation;
        int listeners;

        /** The bundle's remembered {@code UsbPermission} answers. */
        final DecisionCache<DeviceTarget>.Decider decider;

        Worker(long bundleId, String owner) {
            this.bundleId = bundleId;
            this.owner = owner;
            this.decider = decisions.decider(bundleId);
        }

        void offer(Delivery d) {
            if (closing) {
                return;
            }
            if (shedUntilNanos != 0 && System.nanoTime() - shedUntilNanos < 0) {
                shed.increment();
                return;
            }
            if (!queue.offer(d)) {
                drop();
                return;
            }
            if (current == null) {
                synchronized (this) {
                    if (current == null && !closing) {
                        startLoop();
                    }
                }
            }
        }

        /** Starts a new thread that takes over the queue; the caller holds the lock. */
        private void startLoop() {
            Loop l = new Loop(this);
            String name = "autoweave-usb-listener-" + owner + (generation == 0 ? "" : "#" + generation);
            generation++;
            Thread t = new Thread(threadGroup, l, name);
            t.setDaemon(true);
            l.thread = t;
            current = l;
            t.start();
        }

        synchronized void replace(Loop old, boolean abandon) {
            if (current != old || closing) {
                return;
            }
            if (abandon) {
                abandoned.add(old);
                abandonedTotal++;
            }
            recycled++;
            startLoop();
        }

        void recordCall(long nanos, boolean failed) {
            calls.increment();
            if (failed) {
                failures.increment();
            }
            synchronized (recent) {
                recent[(int) (recentCount++ % RECENT_CALLS)] = nanos;
            }
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

        boolean alive() {
            Loop l = current;
            return (l != null && l.thread.isAlive()) || abandoned.stream().anyMatch(a -> a.thread.isAlive());
        }

        WorkerFigures figures() {
            Loop l = current;
            List<Long> ids = new ArrayList<>();
            long running = 0;
            long onThread = 0;
            if (l != null && l.thread.isAlive()) {
                ids.add(l.thread.getId());
                long start = l.callStart;
                running = start == 0 ? 0 : Math.max(1, System.nanoTime() - start);
                onThread = l.calls;
            }
            abandoned.removeIf(a -> !a.thread.isAlive());
            int stuck = 0;
            for (Loop a : abandoned) {
                ids.add(a.thread.getId());
                stuck++;
            }
            long[] sorted;
            synchronized (recent) {
                sorted = Arrays.copyOf(recent, (int) Math.min(recentCount, RECENT_CALLS));
            }
            Arrays.sort(sorted);
            long recycledNow;
            long abandonedNow;
            synchronized (this) {
                recycledNow = recycled;
                abandonedNow = abandonedTotal;
            }
            return new WorkerFigures(bundleId, owner, ids, queue.size(), capacity, calls.sum(), failures.sum(),
                    dropped.sum(), shed.sum(), onThread, recycledNow, abandonedNow, stuck, running, percentile(sorted, 50),
                    percentile(sorted, 99), sorted.length == 0 ? 0 : sorted[sorted.length - 1]);
        }
    }

    /** One thread of a worker: takes deliveries while it is the worker's current thread. */
    private final class Loop implements Runnable {
        final Worker worker;
        Thread thread;
        volatile long callStart;
        volatile boolean retire;
        volatile long calls;

        Loop(Worker worker) {
            this.worker = worker;
        }

        @Override
        public void run() {
            try {
                while (worker.current == this) {
                    if (retire) {
                        worker.replace(this, false);
                        return;
                    }
                    Delivery d;
                    try {
                        d = worker.queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        continue; // an interrupt meant for a call that had just returned
                    }
                    if (d == null) {
                        if (worker.closing) {
                            return;
                        }
                        continue;
                    }
                    if (worker.current != this) { // replaced while waiting: the new thread delivers it
                        if (!worker.queue.offerFirst(d)) {
                            worker.drop();
                        }
                        return;
                    }
                    deliver(this, d);
                    Thread.interrupted(); // an interrupt that came too late for the call must not hit the next one
                }
            } finally {
                worker.abandoned.remove(this);
            }
        }
    }

    private final int capacity;
    private final ThreadGroup threadGroup;
    private final Map<Object, Registration> registrations = new ConcurrentHashMap<>();
    private final Map<Long, Worker> workers = new HashMap<>();
    /** Workers whose bundle left while one of their threads was still in a call. */
    private final Set<Worker> leaving = ConcurrentHashMap.newKeySet();
    /** Shed periods asked for bundles with no worker yet (a plugin throttled before it registered a listener). */
    private final Map<Long, Long> pendingShed = new HashMap<>();

    final LongAdder delivered = new LongAdder();
    public final LongAdder droppedTotal = new LongAdder();
    final LongAdder failures = new LongAdder();
    final LongAdder rejectedFilters = new LongAdder();
    /** Deliveries withheld because the listener's bundle lacks {@code UsbPermission} "monitor" for the device. */
    final LongAdder withheld = new LongAdder();

    private final DecisionCache<DeviceTarget> decisions;
    /** The tracker of the permission generation this dispatcher opened itself, closed with it; or null. */
    private final GenerationTracker ownTracker;

    /**
     * A dispatcher that reads the runtime's permission generation itself (the {@code PermissionGeneration} service,
     * through the context of the bundle this class belongs to); outside a framework it caches nothing.
     */
    public ListenerDispatcher(int capacity) {
        this(capacity, ownTracker(), null);
    }

    /** @param generation the permission generation; {@link DecisionCache#UNKNOWN} to ask at every delivery */
    public ListenerDispatcher(int capacity, LongSupplier generation) {
        this(capacity, null, generation);
    }

    private ListenerDispatcher(int capacity, GenerationTracker tracker, LongSupplier generation) {
        if (capacity < 1) {
            throw new IllegalArgumentException("listener queue capacity must be >= 1: " + capacity);
        }
        this.capacity = capacity;
        this.threadGroup = Thread.currentThread().getThreadGroup();
        this.ownTracker = tracker;
        LongSupplier g = tracker != null ? tracker : generation != null ? generation : () -> DecisionCache.UNKNOWN;
        this.decisions = new DecisionCache<>(g, DECISIONS_PER_BUNDLE);
    }

    private static GenerationTracker ownTracker() {
        Bundle b = FrameworkUtil.getBundle(ListenerDispatcher.class);
        return b == null || b.getBundleContext() == null ? null : new GenerationTracker(b.getBundleContext());
    }

    /**
     * Adds (or replaces, for the same key) a listener of bundle {@code bundleId}.
     *
     * @param owner a readable name of the bundle, used for its thread and in logs
     * @param filter the listener's {@link UsbEventListener#FILTER} property, or null
     * @return false when the filter does not parse; the listener then receives nothing
     */
    public synchronized boolean add(Object key, long bundleId, String owner, UsbEventListener listener, String filter) {
        return add(key, bundleId, owner, listener, filter, device -> true);
    }

    /**
     * As {@link #add(Object, long, String, UsbEventListener, String)}, delivering only events of devices for which
     * {@code mayMonitor} holds (the owner's {@code UsbPermission}). {@code mayMonitor} must answer alike for devices
     * with an equal {@link UsbPermission#forDevice} (vendor, product, classes): its answers are remembered per bundle
     * until the permission generation moves.
     */
    public synchronized boolean add(Object key, long bundleId, String owner, UsbEventListener listener, String filter,
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
        Worker worker = workers.computeIfAbsent(bundleId, id -> new Worker(id, owner));
        Long shedUntil = pendingShed.remove(bundleId);
        if (shedUntil != null && System.nanoTime() - shedUntil < 0) {
            worker.shedUntilNanos = shedUntil;
        }
        worker.listeners++;
        registrations.put(key, new Registration(key, bundleId, owner, listener, parsed,
                target -> mayMonitor.test(target.device), worker));
        return true;
    }

    /** Removes a listener; the bundle's worker ends with its last listener (never waiting for a stuck call). */
    public synchronized void remove(Object key) {
        Registration r = registrations.remove(key);
        if (r == null) {
            return;
        }
        Worker w = r.worker();
        if (--w.listeners == 0) {
            workers.remove(r.bundleId());
            decisions.forget(r.bundleId());
            w.closing = true; // queued events for removed listeners are skipped by deliver()
            w.abandoned.removeIf(a -> !a.thread.isAlive());
            if (w.alive()) {
                leaving.add(w);
            }
        }
    }

    /** Enqueues {@code event} for every listener whose filter matches; never blocks. */
    @Override
    public void accept(UsbEvent event) {
        Map<String, Object> properties = null;
        DeviceTarget target = null;
        long generation = 0;
        for (Registration r : registrations.values()) {
            if (r.filter() != null) {
                if (properties == null) {
                    properties = EventProperties.of(event);
                }
                if (!r.filter().matches(properties)) {
                    continue;
                }
            }
            if (target == null) { // once per event, for every bundle it goes to
                generation = decisions.generation();
                target = decisions.canonical(new DeviceTarget(event.device()));
            }
            if (!r.worker().decider.decide(generation, target, r.mayMonitor())) {
                withheld.increment();
                continue;
            }
            r.worker().offer(new Delivery(r, event));
        }
    }

    private void deliver(Loop loop, Delivery d) {
        Registration r = d.registration();
        if (registrations.get(r.key()) != r) {
            return; // unregistered while the event waited
        }
        long start = System.nanoTime();
        loop.callStart = start == 0 ? 1 : start;
        boolean failed = false;
        try {
            r.listener().onEvent(d.event());
            delivered.increment();
        } catch (Throwable e) { // an Error too (a hog's OutOfMemoryError): the worker must live on
            failed = true;
            failures.increment();
            LOG.warn("USB listener {} of {} failed on event {}: {}", r.listener().getClass().getName(), r.owner(),
                    d.event().eventId(), e.toString());
        } finally {
            loop.callStart = 0;
            loop.calls++;
            r.worker().recordCall(System.nanoTime() - start, failed);
        }
    }

    // --- PluginWorkers

    @Override
    public List<WorkerFigures> figures() {
        List<Worker> all;
        synchronized (this) {
            all = new ArrayList<>(workers.values());
        }
        leaving.removeIf(w -> !w.alive());
        all.addAll(leaving);
        return all.stream().map(Worker::figures).toList();
    }

    @Override
    public int shed(long bundleId, long millis) {
        long now = System.nanoTime();
        long until = now + TimeUnit.MILLISECONDS.toNanos(Math.max(0, millis));
        until = until == 0 ? 1 : until;
        Worker w;
        synchronized (this) {
            w = workers.get(bundleId);
            pendingShed.values().removeIf(u -> now - u >= 0);
            if (w == null) {
                pendingShed.put(bundleId, until); // applies to the worker it gets within the period
                return -1;
            }
        }
        w.shedUntilNanos = until;
        List<Delivery> gone = new ArrayList<>();
        w.queue.drainTo(gone);
        w.shed.add(gone.size());
        return gone.size();
    }

    @Override
    public boolean interrupt(long bundleId) {
        Worker w;
        synchronized (this) {
            w = workers.get(bundleId);
        }
        if (w == null) { // its bundle left while a call was running
            w = leaving.stream().filter(x -> x.bundleId == bundleId).findFirst().orElse(null);
        }
        Loop l = w == null ? null : w.current;
        if (l == null || l.callStart == 0) {
            return false;
        }
        l.thread.interrupt();
        return true;
    }

    @Override
    public boolean recycle(long bundleId, boolean abandon, String reason) {
        Worker w;
        synchronized (this) {
            w = workers.get(bundleId);
        }
        if (w == null) {
            return false;
        }
        Loop l = w.current;
        if (l == null) {
            return true; // no thread yet: the next event starts a fresh one
        }
        if (abandon) {
            LOG.warn("USB listener worker {} of {} abandoned and replaced: {}", l.thread.getName(), w.owner, reason);
            w.replace(l, true);
        } else {
            LOG.debug("USB listener worker {} of {} recycled: {}", l.thread.getName(), w.owner, reason);
            l.retire = true;
        }
        return true;
    }

    static long percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** Counters, by name. */
    public synchronized Map<String, Long> metrics() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("listeners.registered", (long) registrations.size());
        m.put("listeners.delivered", delivered.sum());
        m.put("listeners.dropped", droppedTotal.sum());
        m.put("listeners.failures", failures.sum());
        m.put("listeners.bad_filters", rejectedFilters.sum());
        m.put("listeners.withheld_by_permission", withheld.sum());
        m.put("listeners.permission_answers_cached", (long) decisions.size());
        return m;
    }

    /** Events dropped for the listeners of {@code bundleId} since its first listener came. */
    public synchronized long dropped(long bundleId) {
        Worker w = workers.get(bundleId);
        return w == null ? 0 : w.dropped.sum();
    }

    /**
     * Stops every worker: each delivers what is queued and ends; after {@code graceMillis} in total the threads
     * still running are interrupted and left.
     */
    void close(long graceMillis) {
        List<Worker> all;
        synchronized (this) {
            all = new ArrayList<>(workers.values());
            workers.clear();
        }
        all.addAll(leaving);
        leaving.clear();
        all.forEach(w -> w.closing = true);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
        for (Worker w : all) {
            Loop l = w.current;
            if (l == null) {
                continue;
            }
            try {
                l.thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (l.thread.isAlive()) {
                w.queue.clear();
                l.thread.interrupt();
            }
        }
        registrations.clear();
        if (ownTracker != null) {
            ownTracker.close();
        }
    }

    /** Drains the queues (up to 10 s: sinks such as the Redis outbox must get every event at shutdown). */
    @Override
    public void close() {
        close(10_000);
    }
}
