package io.autoweave.redis.internal;

import java.io.Closeable;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.autoweave.api.device.UsbEvent;
import io.autoweave.commons.retry.Backoff;
import io.autoweave.commons.retry.CircuitBreaker;

/**
 * Moves events from the {@link Outbox} to a Redis stream, at least once, in journal order.
 *
 * <p>One thread polls the outbox for whatever is durable, up to {@code batchMax} records: when traffic is light
 * that is one record and one plain XADD; when records pile up during a round trip, the next round carries all of
 * them in one atomic batch (see {@link StreamClient#xadd}). The outbox is acknowledged only after Redis answered every XADD of the round. On failure
 * the same round is retried (exponential back-off with jitter, gated by a circuit breaker) until it succeeds or
 * the publisher closes; nothing is skipped, so order is kept. A round that failed midway may have been partly
 * applied, so a retry can add an entry twice: consumers de-duplicate by {@code event_id}.
 */
final class StreamPublisher implements Closeable {
    private static final System.Logger LOG = System.getLogger(StreamPublisher.class.getName());

    private final Outbox outbox;
    private final StreamClient client;
    private final PublisherSettings settings;
    private final CircuitBreaker breaker;
    private final Backoff backoff;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread thread;

    private volatile String state = "STARTING";
    private volatile boolean connected;
    private volatile String lastError;
    private volatile long lastErrorMillis;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong roundTrips = new AtomicLong();
    private final AtomicLong batchedRoundTrips = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong undecodable = new AtomicLong();
    private final AtomicLong markersPublished = new AtomicLong();

    StreamPublisher(Outbox outbox, StreamClient client, PublisherSettings settings) {
        this.outbox = outbox;
        this.client = client;
        this.settings = settings;
        this.breaker = new CircuitBreaker(settings.breakerFailures(), settings.breakerOpenMillis());
        this.backoff = new Backoff(settings.backoffBaseMillis(), settings.backoffMaxMillis());
        this.thread = new Thread(this::run, "autoweave-redis-publisher");
        thread.setDaemon(true);
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
                List<OutboxRecord> batch = outbox.poll(settings.batchMax(), 200, TimeUnit.MILLISECONDS);
                if (!batch.isEmpty()) {
                    deliver(batch);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.log(Level.ERROR, "Redis publisher stopped: cannot read the outbox", e);
            recordFailure(e);
        } finally {
            state = "STOPPED";
        }
    }

    private void deliver(List<OutboxRecord> batch) throws InterruptedException {
        List<Map<String, String>> entries = new ArrayList<>(batch.size());
        int markers = 0;
        for (OutboxRecord record : batch) {
            try {
                if (UsbEventCodec.isLoss(record.payload())) {
                    entries.add(StreamEntries.fields(UsbEventCodec.decodeLoss(record.payload())));
                    markers++;
                } else {
                    UsbEvent event = UsbEventCodec.decode(record.payload());
                    entries.add(StreamEntries.fields(event));
                }
            } catch (IllegalArgumentException e) {
                // A record we cannot decode can never be delivered; holding it would block the stream forever.
                undecodable.incrementAndGet();
                LOG.log(Level.ERROR, "skipping undecodable outbox record " + record.seq(), e);
            }
        }
        long lastSeq = batch.get(batch.size() - 1).seq();
        int attempt = 0;
        while (running()) {
            long wait = breaker.millisUntilAllowed(System.currentTimeMillis());
            if (wait > 0) {
                state = "OPEN";
                stop.await(wait, TimeUnit.MILLISECONDS);
                continue;
            }
            try {
                if (!entries.isEmpty()) {
                    client.xadd(settings.stream(), entries, settings.maxLen());
                }
                connected = true;
                outbox.ack(lastSeq);
                breaker.onSuccess();
                state = "CONNECTED";
                delivered.addAndGet(entries.size() - markers);
                markersPublished.addAndGet(markers);
                roundTrips.incrementAndGet();
                if (entries.size() > 1) {
                    batchedRoundTrips.incrementAndGet();
                }
                return;
            } catch (Exception e) {
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
        OutboxStats o = outbox.stats();
        return new PublisherHealth(state, connected, breaker.state(), lastError, lastErrorMillis, o.depth(),
                o.oldestUnackedAgeMillis(), delivered.get(), roundTrips.get(), batchedRoundTrips.get(),
                failures.get(), undecodable.get(), markersPublished.get(), o);
    }

    /** Stops after the round in flight (undelivered records stay journaled for the next start). */
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
