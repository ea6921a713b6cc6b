package io.autoweave.usb.pipeline.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventSink;

/**
 * Delivers events to {@link UsbEventSink} whiteboard services (core sinks such as the Redis stream): one
 * {@link SinkQueue} and one worker thread per sink name.
 *
 * <p>{@link #accept} only offers the event to every queue, which never blocks: the pipeline is never held up by a
 * sink. Each worker takes what its queue holds, up to the batch size (one event when the sink keeps up, a full batch
 * when events piled up during the previous delivery), turns a {@link SinkItem.Shed} marker at the head into a
 * {@link UsbEventSink.Loss}, and calls {@link UsbEventSink#deliver}; a failed batch is retried with exponential
 * back-off before anything newer, so order holds. Overload is handled by the queue (coalesce, then shed with a
 * marker), so for every sink {@code offered = acknowledged + shed + coalesced + queued + in flight}.
 *
 * <p>A queue belongs to a sink <em>name</em>, not to one service object: while no sink of that name is registered
 * (a sink component re-activated after a configuration change) the queue keeps its events and the next sink of that
 * name receives them. A second sink registering a name already in use waits as a stand-in and takes over when the
 * first leaves.
 *
 * <p>{@link #close(long)} lets each worker deliver what is queued, up to a grace time, then stops it.
 */
final class SinkDispatcher implements Consumer<UsbEvent>, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SinkDispatcher.class);
    private static final long IDLE_POLL_MILLIS = 200;
    private static final long BACKOFF_BASE_MILLIS = 50;
    private static final long BACKOFF_MAX_MILLIS = 5_000;
    /** How long unbinding a sink waits for a delivery in progress, so the service is not used after it left. */
    private static final long UNBIND_WAIT_MILLIS = 5_000;

    /**
     * Settings of every sink queue.
     *
     * @param capacity events a queue holds before it coalesces and sheds
     * @param batchSize most events in one {@link UsbEventSink#deliver} call
     * @param ratePerSecond most events per second per sink, 0 for no limit (bursts up to one batch)
     */
    record Settings(int capacity, int batchSize, double ratePerSecond) {
        Settings {
            if (capacity < 2) {
                throw new IllegalArgumentException("sink.queue.capacity must be >= 2, was " + capacity);
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("sink.batch.size must be >= 1, was " + batchSize);
            }
            if (!(ratePerSecond >= 0) || Double.isInfinite(ratePerSecond)) {
                throw new IllegalArgumentException("sink.rate.per.second must be 0 (no limit) or a positive number, was "
                        + ratePerSecond);
            }
        }
    }

    /** One registered sink service. */
    private record Binding(Object key, String owner, UsbEventSink sink) {
    }

    private volatile Settings settings;
    private final LongSupplier nanoClock;
    private final Supplier<String> markerIds;
    private final String instanceId;
    private final Map<String, Channel> channels = new ConcurrentHashMap<>();
    private final Map<Object, Channel> byKey = new ConcurrentHashMap<>();
    private volatile boolean closing;
    private volatile long drainDeadline;

    /** Deliveries of every sink, source report to acknowledgement. */
    final LatencyHistogram latency = new LatencyHistogram();

    /**
     * @param markerIds ids for loss markers (called from worker threads; must be thread-safe)
     * @param instanceId stamped on loss markers
     */
    /**
     * New sink settings: the batch size applies at once; queue capacity and rate limit to sinks registered from now
     * on (a sink's queue keeps what it holds).
     */
    void settings(Settings newSettings) {
        this.settings = newSettings;
    }

    SinkDispatcher(Settings settings, LongSupplier nanoClock, Supplier<String> markerIds, String instanceId) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.nanoClock = nanoClock;
        this.markerIds = markerIds;
        this.instanceId = instanceId;
    }

    /**
     * Adds a sink under {@code name}; the name's queue and worker are created on first use. When another sink holds
     * the name, this one stands in until that one is removed.
     *
     * @param key what {@link #remove} is called with (its service reference)
     * @param owner a readable name of the registering bundle, for logs
     */
    synchronized void add(Object key, String name, String owner, UsbEventSink sink) {
        Objects.requireNonNull(sink, "sink");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a sink needs a name");
        }
        if (closing) {
            return;
        }
        remove(key);
        Channel channel = channels.computeIfAbsent(name, Channel::new);
        byKey.put(key, channel);
        channel.bind(new Binding(key, owner, sink));
    }

    /** Removes the sink added with {@code key}; waits briefly for a delivery to it in progress. Its queue stays. */
    void remove(Object key) {
        Channel channel;
        synchronized (this) {
            channel = byKey.remove(key);
        }
        if (channel != null) {
            channel.unbind(key);
        }
    }

    /** Offers {@code event} to every sink queue; never blocks. */
    @Override
    public void accept(UsbEvent event) {
        for (Channel c : channels.values()) {
            c.queue.offer(event);
        }
    }

    /** Sink names with their counters (see {@link SinkStats}). */
    List<SinkStats> stats() {
        List<SinkStats> out = new ArrayList<>();
        for (Channel c : channels.values()) {
            out.add(c.stats());
        }
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return out;
    }

    /** Totals over every sink, by name, for {@code aw:pipeline}. */
    Map<String, Long> metrics() {
        long offered = 0, acknowledged = 0, shed = 0, coalesced = 0, queued = 0, failures = 0, batches = 0;
        Collection<SinkStats> all = stats();
        for (SinkStats s : all) {
            offered += s.offered();
            acknowledged += s.acknowledged();
            shed += s.shed();
            coalesced += s.coalesced();
            queued += s.queued();
            failures += s.failures();
            batches += s.batches();
        }
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("sinks.registered", (long) byKey.size());
        m.put("sinks.offered", offered);
        m.put("sinks.acknowledged", acknowledged);
        m.put("sinks.batches", batches);
        m.put("sinks.coalesced", coalesced);
        m.put("sinks.shed", shed);
        m.put("sinks.queued", queued);
        m.put("sinks.failures", failures);
        return m;
    }

    /**
     * Figures of one sink. {@code offered = acknowledged + shed + coalesced + queued + inFlight} at any quiet moment.
     *
     * @param name the sink name
     * @param bound whether a sink service holds the name now
     * @param offered events offered to its queue
     * @param acknowledged events its {@code deliver} returned for
     * @param batches successful {@code deliver} calls
     * @param markers loss markers it acknowledged
     * @param coalesced events coalesced into a later one in its queue
     * @param shed events shed from its queue (each covered by a marker)
     * @param queued events waiting now
     * @param inFlight events taken from the queue whose batch is not acknowledged yet
     * @param failures {@code deliver} calls that threw
     * @param lastError the last failure, or null
     */
    record SinkStats(String name, boolean bound, long offered, long acknowledged, long batches, long markers,
            long coalesced, long shed, long queued, long inFlight, long failures, String lastError) {
    }

    /** Lets every worker deliver its queue for up to {@code graceMillis} in total, then stops them. */
    void close(long graceMillis) {
        List<Channel> all;
        synchronized (this) {
            drainDeadline = nanoClock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
            closing = true;
            all = new ArrayList<>(channels.values());
        }
        for (Channel c : all) {
            c.wake();
        }
        for (Channel c : all) {
            long left = TimeUnit.NANOSECONDS.toMillis(drainDeadline - nanoClock.getAsLong());
            try {
                c.thread.join(Math.max(1, left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (c.thread.isAlive()) {
                c.thread.interrupt();
                LOG.warn("USB sink {} did not take its queue within the grace time: {} event(s) not delivered",
                        c.name, c.queue.size() + c.inFlight);
            }
        }
        synchronized (this) {
            byKey.clear();
        }
    }

    /** Drains for up to 10 s (the Redis outbox must get every event at a clean stop). */
    @Override
    public void close() {
        close(10_000);
    }

    private boolean draining() {
        return closing && nanoClock.getAsLong() - drainDeadline < 0;
    }

    /** The queue, worker and counters of one sink name. */
    private final class Channel {
        final String name;
        final SinkQueue queue;
        final Thread thread;
        /** Registered sinks of this name, first = the one delivered to. Guarded by this channel. */
        private final List<Binding> bindings = new ArrayList<>();
        /** The sink a delivery is running on now, or null. Guarded by this channel. */
        private UsbEventSink delivering;
        final LongAdder acknowledged = new LongAdder();
        final LongAdder batches = new LongAdder();
        final LongAdder markers = new LongAdder();
        final LongAdder failures = new LongAdder();
        volatile long inFlight;
        volatile String lastError;

        Channel(String name) {
            this.name = name;
            RateLimiter limiter = settings.ratePerSecond() > 0
                    ? new RateLimiter(settings.ratePerSecond(), settings.batchSize(), nanoClock) : null;
            this.queue = new SinkQueue(name, settings.capacity(), limiter);
            this.thread = new Thread(this::run, "autoweave-usb-sink-" + name);
            thread.setDaemon(true);
            thread.start();
        }

        synchronized void bind(Binding b) {
            bindings.add(b);
            if (bindings.size() > 1) {
                LOG.warn("USB sink name '{}' of {} is already used by {}: it stands in until that one leaves "
                        + "(give each sink its own {})", name, b.owner(), bindings.get(0).owner(), UsbEventSink.NAME);
            }
            notifyAll();
        }

        void unbind(Object key) {
            synchronized (this) {
                Binding current = bindings.isEmpty() ? null : bindings.get(0);
                bindings.removeIf(b -> b.key().equals(key));
                if (current == null || !current.key().equals(key)) {
                    return;
                }
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(UNBIND_WAIT_MILLIS);
                try {
                    while (delivering == current.sink()) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            LOG.warn("USB sink {} of {} left while a delivery to it was still running", name,
                                    current.owner());
                            break;
                        }
                        TimeUnit.NANOSECONDS.timedWait(this, left);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                notifyAll();
            }
        }

        synchronized void wake() {
            notifyAll();
        }

        /** The sink to deliver to now, marked as in use; null when none is registered. */
        private synchronized UsbEventSink claim() {
            delivering = bindings.isEmpty() ? null : bindings.get(0).sink();
            return delivering;
        }

        private synchronized void release() {
            delivering = null;
            notifyAll();
        }

        private synchronized void awaitBinding() throws InterruptedException {
            if (bindings.isEmpty() && !closing) {
                wait(IDLE_POLL_MILLIS);
            }
        }

        SinkStats stats() {
            boolean bound;
            synchronized (this) {
                bound = !bindings.isEmpty();
            }
            return new SinkStats(name, bound, queue.accepted.sum(), acknowledged.sum(), batches.sum(), markers.sum(),
                    queue.coalesced.sum(), queue.shed.sum(), queue.size(), inFlight, failures.sum(), lastError);
        }

        private void run() {
            UsbEventSink.Batch pending = null;
            int attempt = 0;
            try {
                while (true) {
                    if (closing && !draining()) {
                        return;
                    }
                    if (pending == null) {
                        if (closing && queue.isEmpty()) {
                            return;
                        }
                        if (!queue.awaitItems(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                            continue;
                        }
                        List<SinkItem> items = queue.pollBatch(settings.batchSize());
                        if (items.isEmpty()) { // rate limit exhausted
                            long wait = Math.max(TimeUnit.MILLISECONDS.toNanos(1), queue.nanosUntilNextPermit());
                            TimeUnit.NANOSECONDS.sleep(wait);
                            continue;
                        }
                        pending = batch(items);
                        inFlight = pending.events().size();
                    }
                    UsbEventSink sink = claim();
                    if (sink == null) {
                        if (closing) {
                            return; // nobody to drain to
                        }
                        awaitBinding();
                        continue;
                    }
                    try {
                        sink.deliver(pending);
                        acknowledged(pending);
                        pending = null;
                        inFlight = 0;
                        attempt = 0;
                    } catch (Exception | LinkageError e) {
                        failures.increment();
                        lastError = e.toString();
                        if (attempt == 0 || attempt % 20 == 0) {
                            LOG.warn("USB sink {} refused a batch of {} event(s) (attempt {}), retrying: {}", name,
                                    pending.events().size(), attempt + 1, e.toString());
                        }
                        release();
                        TimeUnit.MILLISECONDS.sleep(Math.min(BACKOFF_MAX_MILLIS, BACKOFF_BASE_MILLIS << Math.min(attempt, 16)));
                        attempt++;
                    } finally {
                        release();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private UsbEventSink.Batch batch(List<SinkItem> items) {
            UsbEventSink.Loss loss = null;
            List<UsbEvent> events = new ArrayList<>(items.size());
            for (SinkItem item : items) {
                if (item instanceof SinkItem.Shed s) {
                    loss = new UsbEventSink.Loss(markerIds.get(), instanceId, s.count(), s.coalescedBefore(),
                            s.firstEventId(), s.lastEventId(), s.firstMillis(), s.lastMillis());
                } else if (item instanceof SinkItem.Delivery d) {
                    events.add(d.event());
                }
            }
            return new UsbEventSink.Batch(loss, events);
        }

        private void acknowledged(UsbEventSink.Batch batch) {
            long now = nanoClock.getAsLong();
            for (UsbEvent e : batch.events()) {
                latency.record(now - e.monotonicNanos());
            }
            acknowledged.add(batch.events().size());
            batches.increment();
            if (batch.loss() != null) {
                markers.increment();
            }
        }
    }
}
