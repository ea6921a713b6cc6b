package io.autoweave.redis.internal;

import java.io.Closeable;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.autoweave.api.log.EventLog;
import io.autoweave.api.log.LogCursor;
import io.autoweave.api.log.LogRecord;
import io.autoweave.commons.retry.Backoff;
import io.autoweave.commons.retry.CircuitBreaker;

/**
 * Publishes the event log to a Redis stream: a durable reader of the log (cursor {@value #CURSOR}), exactly once per
 * seq, in seq order.
 *
 * <p>One thread reads what the log committed after its cursor, up to {@code batchMax} records (one when traffic is
 * light, all that piled up during the previous round trip otherwise), and appends them in one atomic script
 * ({@link StreamClient#appendOnce}) that skips every seq Redis already holds from this instance. The cursor moves only
 * after Redis answered, and is saved by the log in the background: after a crash the publisher re-sends at most the
 * records of the last save interval, and Redis adds none of them twice. On failure the same round is retried
 * (exponential back-off with jitter, gated by a circuit breaker) before anything newer, so order holds. The records
 * are the ones the log already holds in memory: nothing is re-read from disk or decoded again while the publisher
 * keeps up.
 */
final class StreamPublisher implements Closeable {
    static final String CURSOR = "redis";
    private static final System.Logger LOG = System.getLogger(StreamPublisher.class.getName());

    private final EventLog log;
    private final LogCursor cursor;
    private final StreamClient client;
    private final PublisherSettings settings;
    private final String seqKey;
    private final String instanceId;
    private final CircuitBreaker breaker;
    private final Backoff backoff;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread thread;

    private volatile String state = "STARTING";
    private volatile boolean connected;
    private volatile String lastError;
    private volatile long lastErrorMillis;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong duplicatesSkipped = new AtomicLong();
    private final AtomicLong roundTrips = new AtomicLong();
    private final AtomicLong batchedRoundTrips = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong markersPublished = new AtomicLong();

    StreamPublisher(EventLog log, LogCursor cursor, StreamClient client, PublisherSettings settings,
            String instanceId) {
        this.log = log;
        this.cursor = cursor;
        this.client = client;
        this.settings = settings;
        this.instanceId = instanceId == null || instanceId.isBlank() ? "default" : instanceId;
        this.seqKey = seqKey(settings.stream(), this.instanceId);
        this.breaker = new CircuitBreaker(settings.breakerFailures(), settings.breakerOpenMillis());
        this.backoff = new Backoff(settings.backoffBaseMillis(), settings.backoffMaxMillis());
        this.thread = new Thread(this::run, "autoweave-redis-publisher");
        thread.setDaemon(true);
    }

    /**
     * The key holding this instance's last published seq, in the stream's hash slot: a stream key with a hash tag
     * ({@code {aw}:hotplug}) lends it its tag; one without is used whole as the tag.
     */
    static String seqKey(String stream, String instanceId) {
        int open = stream.indexOf('{');
        boolean tagged = open >= 0 && stream.indexOf('}', open + 1) > open + 1;
        return (tagged ? stream : "{" + stream + "}") + ":last-seq:" + instanceId;
    }

    StreamPublisher start() {
        thread.start();
        return this;
    }

    private boolean running() {
        return stop.getCount() > 0;
    }

    private void run() {
        try {
            while (running()) {
                long pos = cursor.position();
                if (!log.await(pos, 200)) {
                    continue;
                }
                long first = log.firstSeq();
                List<Long> seqs = new ArrayList<>();
                List<Map<String, String>> entries = new ArrayList<>();
                int markers = 0;
                if (pos < first - 1) {
                    seqs.add(first - 1);
                    entries.add(StreamEntries.missed(pos + 1, first - 1, instanceId, System.currentTimeMillis()));
                    markers++;
                }
                List<LogRecord> batch = log.read(pos, settings.batchMax());
                for (LogRecord r : batch) {
                    seqs.add(r.seq());
                    entries.add(StreamEntries.fields(r));
                    if (r.kind() == LogRecord.Kind.LOSS) {
                        markers++;
                    }
                }
                if (!entries.isEmpty()) {
                    deliver(seqs, entries, markers);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "Redis publisher stopped: cannot read the event log", e);
            recordFailure(e);
        } finally {
            state = "STOPPED";
        }
    }

    private void deliver(List<Long> seqs, List<Map<String, String>> entries, int markers) throws InterruptedException {
        int attempt = 0;
        while (running()) {
            long wait = breaker.millisUntilAllowed(System.currentTimeMillis());
            if (wait > 0) {
                state = "OPEN";
                stop.await(wait, TimeUnit.MILLISECONDS);
                continue;
            }
            try {
                int added = client.appendOnce(settings.stream(), seqKey, seqs, entries, settings.maxLen());
                connected = true;
                cursor.commit(seqs.get(seqs.size() - 1));
                breaker.onSuccess();
                state = "CONNECTED";
                delivered.addAndGet(Math.max(0, added - markers));
                duplicatesSkipped.addAndGet(entries.size() - added);
                markersPublished.addAndGet(markers);
                roundTrips.incrementAndGet();
                if (entries.size() > 1) {
                    batchedRoundTrips.incrementAndGet();
                }
                return;
            } catch (RuntimeException e) {
                recordFailure(e);
                breaker.onFailure(System.currentTimeMillis());
                state = breaker.state() == CircuitBreaker.State.OPEN ? "OPEN" : "RETRYING";
                stop.await(backoff.delayMillis(attempt++), TimeUnit.MILLISECONDS);
            }
        }
    }

    private void recordFailure(Exception e) {
        if (connected || lastError == null) {
            LOG.log(Level.WARNING, "Redis stream publishing failed, retrying with back-off: {0}", e.toString());
        }
        connected = false;
        lastError = e.toString();
        lastErrorMillis = System.currentTimeMillis();
        failures.incrementAndGet();
    }

    PublisherHealth health() {
        return new PublisherHealth(state, connected, breaker.state(), lastError, lastErrorMillis,
                Math.max(0, log.lastSeq() - cursor.position()), cursor.position(), delivered.get(),
                duplicatesSkipped.get(), roundTrips.get(), batchedRoundTrips.get(), failures.get(),
                markersPublished.get());
    }

    /** Stops after the round in flight (what Redis has not got stays in the log for the next start). */
    @Override
    public void close() {
        stop.countDown();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
