package io.autoweave.redis.internal;

import java.io.Closeable;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.params.XAutoClaimParams;
import redis.clients.jedis.params.XPendingParams;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.resps.StreamEntry;
import redis.clients.jedis.resps.StreamPendingEntry;
import io.autoweave.commons.retry.Backoff;

/**
 * One member of a Redis consumer group: reads the stream, hands each entry to an {@link EntryHandler}, and
 * acknowledges (XACK) what the handler accepted. At least once, never silently dropped:
 *
 * <ul>
 * <li>New entries come from {@code XREADGROUP ... >}; Redis gives each to one member of the group only.</li>
 * <li>An entry the handler refuses stays pending. So do the entries of a member that died between read and ack.
 *     Every {@code claimIdleMillis / 2} the bridge runs {@code XAUTOCLAIM} for entries pending longer than
 *     {@code claimIdleMillis}, whoever holds them (itself included), and processes them again.</li>
 * <li>Each claim raises the entry's delivery count (read back with XPENDING). An entry delivered more than
 *     {@code maxDeliveries} times is appended to the dead-letter stream (original fields plus {@code dead_*}
 *     fields) and then acknowledged: a poison entry cannot block or loop forever.</li>
 * </ul>
 *
 * The two dead-letter commands are separate (XADD then XACK) so the two streams may live in different cluster
 * slots; a crash between them leaves a duplicate in the dead-letter stream, never a loss. One thread, one entry at
 * a time, in the order Redis returned them; acknowledgements are sent once per batch.
 */
final class ConsumerBridge implements Closeable {
    private static final System.Logger LOG = System.getLogger(ConsumerBridge.class.getName());
    private static final StreamEntryID START = new StreamEntryID(0, 0);
    private static final int REMEMBERED_ERRORS = 1024;

    /** Processes one entry; throwing leaves it pending for redelivery. */
    @FunctionalInterface
    interface EntryHandler {
        void handle(String entryId, Map<String, String> fields) throws Exception;
    }

    private final RedisConnection connection;
    private final BridgeSettings settings;
    private final EntryHandler handler;
    private final BooleanSupplier ready;
    private final Backoff backoff = new Backoff(100, 5_000);
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread thread;
    /** Why recent deliveries failed here, reported with the entry if it ends in the dead-letter stream. */
    private final Map<String, String> lastErrors = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > REMEMBERED_ERRORS;
        }
    };

    private volatile String state = "STARTING";
    private volatile String lastError;
    private final AtomicLong processed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong claimed = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private boolean groupReady;
    private StreamEntryID claimCursor = START;
    private long nextClaimNanos;

    /**
     * @param ready read only while this says so (the component pauses while no consumer is registered, so that
     *        entries are not taken from the group with nobody to process them)
     */
    ConsumerBridge(RedisConnection connection, BridgeSettings settings, EntryHandler handler, BooleanSupplier ready) {
        this.connection = connection;
        this.settings = settings;
        this.handler = handler;
        this.ready = ready;
        this.thread = new Thread(this::run, "autoweave-redis-bridge-" + settings.consumer());
        thread.setDaemon(true);
    }

    ConsumerBridge start() {
        thread.start();
        return this;
    }

    BridgeSettings settings() {
        return settings;
    }

    BridgeStats stats() {
        return new BridgeStats(state, processed.get(), failed.get(), claimed.get(), deadLettered.get(), lastError);
    }

    private boolean running() {
        return stop.getCount() > 0;
    }

    private void run() {
        int attempt = 0;
        try {
            while (running()) {
                if (!ready.getAsBoolean()) {
                    state = "IDLE";
                    stop.await(settings.blockMillis(), TimeUnit.MILLISECONDS);
                    continue;
                }
                try {
                    pollOnce();
                    attempt = 0;
                } catch (RuntimeException e) {
                    // Redis down, failing over, or refusing: nothing was acknowledged that was not processed.
                    if (!"RETRYING".equals(state)) {
                        LOG.log(Level.WARNING, "Redis consumer group read failed, retrying: {0}", e.toString());
                    }
                    state = "RETRYING";
                    lastError = e.toString();
                    stop.await(backoff.delayMillis(attempt++), TimeUnit.MILLISECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            state = "STOPPED";
        }
    }

    /** One step: a claim round when one is due and finds work, otherwise one blocking read of new entries. */
    void pollOnce() throws InterruptedException {
        UnifiedJedis jedis = connection.get();
        ensureGroup(jedis);
        state = "RUNNING";
        if (System.nanoTime() - nextClaimNanos >= 0) {
            List<StreamEntry> taken = claim(jedis);
            if (!taken.isEmpty()) {
                process(jedis, taken, deliveryCounts(jedis, taken));
                return; // keep claiming until the scan is through
            }
        }
        List<Map.Entry<String, List<StreamEntry>>> read = jedis.xreadGroup(settings.group(), settings.consumer(),
                XReadGroupParams.xReadGroupParams().count(settings.batchSize()).block(settings.blockMillis()),
                Map.of(settings.stream(), StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY));
        if (read != null) {
            for (Map.Entry<String, List<StreamEntry>> stream : read) {
                process(jedis, stream.getValue(), Map.of()); // first delivery of each
            }
        }
    }

    private void ensureGroup(UnifiedJedis jedis) {
        if (groupReady) {
            return;
        }
        try {
            // From the start of the stream: entries published before any consumer existed are processed too.
            jedis.xgroupCreate(settings.stream(), settings.group(), START, true);
            LOG.log(Level.INFO, "created consumer group {0} on {1}", settings.group(), settings.stream());
        } catch (JedisDataException e) {
            if (e.getMessage() == null || !e.getMessage().startsWith("BUSYGROUP")) {
                throw e;
            }
        }
        groupReady = true;
    }

    private List<StreamEntry> claim(UnifiedJedis jedis) {
        Map.Entry<StreamEntryID, List<StreamEntry>> reply = jedis.xautoclaim(settings.stream(), settings.group(),
                settings.consumer(), settings.claimIdleMillis(), claimCursor,
                XAutoClaimParams.xAutoClaimParams().count(settings.batchSize()));
        claimCursor = reply.getKey();
        if (START.equals(claimCursor)) {
            // The scan went through the whole pending list: rest until the next one is due.
            nextClaimNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(10, settings.claimIdleMillis() / 2));
        }
        List<StreamEntry> taken = new ArrayList<>();
        for (StreamEntry e : reply.getValue()) {
            if (e != null) {
                taken.add(e);
            }
        }
        claimed.addAndGet(taken.size());
        return taken;
    }

    private Map<StreamEntryID, Long> deliveryCounts(UnifiedJedis jedis, List<StreamEntry> entries) {
        List<StreamPendingEntry> pending = jedis.xpending(settings.stream(), settings.group(),
                XPendingParams.xPendingParams(entries.get(0).getID(), entries.get(entries.size() - 1).getID(),
                        entries.size()).consumer(settings.consumer()));
        Map<StreamEntryID, Long> counts = new HashMap<>();
        for (StreamPendingEntry p : pending) {
            counts.put(p.getID(), p.getDeliveredTimes());
        }
        return counts;
    }

    private void process(UnifiedJedis jedis, List<StreamEntry> entries, Map<StreamEntryID, Long> deliveries)
            throws InterruptedException {
        List<StreamEntryID> done = new ArrayList<>(entries.size());
        try {
            for (StreamEntry entry : entries) {
                long delivery = deliveries.getOrDefault(entry.getID(), 1L);
                if (entry.getFields() == null) {
                    done.add(entry.getID()); // deleted (trimmed) while pending: nothing left to process
                } else if (delivery > settings.maxDeliveries()) {
                    deadLetter(jedis, entry, delivery);
                    done.add(entry.getID());
                } else if (dispatch(entry)) {
                    done.add(entry.getID());
                }
            }
        } finally {
            // Also when interrupted midway: what was processed is acknowledged, the rest stays pending.
            if (!done.isEmpty()) {
                jedis.xack(settings.stream(), settings.group(), done.toArray(new StreamEntryID[0]));
            }
        }
    }

    private boolean dispatch(StreamEntry entry) throws InterruptedException {
        String id = entry.getID().toString();
        try {
            handler.handle(id, entry.getFields());
            processed.incrementAndGet();
            synchronized (lastErrors) {
                lastErrors.remove(id);
            }
            return true;
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            failed.incrementAndGet();
            lastError = "entry " + id + ": " + e;
            synchronized (lastErrors) {
                lastErrors.put(id, e.toString());
            }
            LOG.log(Level.WARNING, "stream entry {0} refused, left pending for redelivery: {1}", id, e.toString());
            return false;
        }
    }

    private void deadLetter(UnifiedJedis jedis, StreamEntry entry, long deliveries) {
        String id = entry.getID().toString();
        Map<String, String> fields = new LinkedHashMap<>(entry.getFields());
        String reason;
        synchronized (lastErrors) {
            reason = lastErrors.remove(id);
        }
        fields.put("dead_entry_id", id);
        fields.put("dead_stream", settings.stream());
        fields.put("dead_group", settings.group());
        fields.put("dead_consumer", settings.consumer());
        fields.put("dead_deliveries", Long.toString(deliveries - 1));
        fields.put("dead_reason", reason != null ? reason
                : "not acknowledged after " + (deliveries - 1) + " deliveries");
        jedis.xadd(settings.deadLetterStream(), XAddParams.xAddParams(), fields);
        deadLettered.incrementAndGet();
        LOG.log(Level.WARNING, "stream entry {0} moved to {1} after {2} deliveries", id, settings.deadLetterStream(),
                deliveries - 1);
    }

    /**
     * Stops: the thread is interrupted (a handler waiting gives up), what it processed is acknowledged, the rest
     * stays pending in the group for another member (or this one after a restart) to claim.
     */
    @Override
    public void close() {
        stop.countDown();
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
