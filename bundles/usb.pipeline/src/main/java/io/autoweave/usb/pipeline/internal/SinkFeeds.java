package io.autoweave.usb.pipeline.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventSink;
import io.autoweave.api.log.EventLog;
import io.autoweave.api.log.LogCursor;
import io.autoweave.api.log.LogRecord;
import io.autoweave.commons.retry.Backoff;

/**
 * {@link UsbEventSink} whiteboard services as readers of the event log: each sink name has a durable cursor
 * ({@code sink.NAME}) and a thread that hands it the committed records after the cursor in batches, retries a refused
 * batch (back-off 50 ms doubling to 5 s) before anything newer, and moves the cursor once {@code deliver} returned.
 * A sink that is away (re-activated after a configuration change, or the runtime restarted) resumes where its cursor
 * stands: nothing is shed, the log keeps the records. A {@link UsbEventSink.Loss} is handed over where the log holds a
 * loss record, and where retention removed records the sink had not read.
 */
final class SinkFeeds implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SinkFeeds.class);
    /** Between retries of a batch a sink refused: 50 ms doubling up to 5 s. */
    private static final Backoff BACKOFF = Backoff.withoutJitter(50, 5_000);

    private final EventLog log;
    private volatile int batchSize;
    private final Map<Object, Feed> feeds = new ConcurrentHashMap<>();
    private final Map<String, Object> owners = new ConcurrentHashMap<>();
    private final String instanceId;

    SinkFeeds(EventLog log, int batchSize, String instanceId) {
        this.log = log;
        this.batchSize = batchSize;
        this.instanceId = instanceId;
    }

    void batchSize(int size) {
        this.batchSize = size;
    }

    /** Starts feeding {@code sink}; a second sink of a name already fed is ignored until the first leaves. */
    synchronized void add(Object key, String name, UsbEventSink sink) {
        if (owners.putIfAbsent(name, key) != null && !key.equals(owners.get(name))) {
            LOG.warn("USB event sink {}: a sink of that name is already fed; this one is ignored", name);
            return;
        }
        Feed old = feeds.remove(key);
        if (old != null) {
            old.stop();
        }
        Feed f = new Feed(name, sink, log.cursor("sink." + name));
        feeds.put(key, f);
        f.thread.start();
    }

    synchronized void remove(Object key) {
        Feed f = feeds.remove(key);
        if (f != null) {
            owners.remove(f.name, key);
            f.stop();
        }
    }

    /** name → {delivered, batches, failures, behind}. */
    Map<String, long[]> stats() {
        Map<String, long[]> m = new java.util.TreeMap<>();
        long last = log.lastSeq();
        for (Feed f : feeds.values()) {
            m.put(f.name, new long[] { f.delivered.sum(), f.batches.sum(), f.failures.sum(),
                    last - f.cursor.position() });
        }
        return m;
    }

    @Override
    public synchronized void close() {
        for (Feed f : feeds.values()) {
            f.stop();
        }
        feeds.clear();
        owners.clear();
    }

    private final class Feed implements Runnable {
        final String name;
        final UsbEventSink sink;
        final LogCursor cursor;
        final Thread thread;
        final LongAdder delivered = new LongAdder();
        final LongAdder batches = new LongAdder();
        final LongAdder failures = new LongAdder();
        volatile boolean running = true;

        Feed(String name, UsbEventSink sink, LogCursor cursor) {
            this.name = name;
            this.sink = sink;
            this.cursor = cursor;
            this.thread = new Thread(this, "autoweave-usb-sink-" + name);
            thread.setDaemon(true);
        }

        void stop() {
            running = false;
            thread.interrupt();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void run() {
            Backoff.Sequence delays = BACKOFF.sequence();
            while (running) {
                try {
                    long pos = cursor.position();
                    if (!log.await(pos, 500)) {
                        continue;
                    }
                    long first = log.firstSeq();
                    UsbEventSink.Loss loss = null;
                    if (pos < first - 1) {
                        loss = new UsbEventSink.Loss("retention-" + instanceId + "-" + (pos + 1), instanceId,
                                first - 1 - pos, 0, "seq-" + (pos + 1), "seq-" + (first - 1), 0, 0);
                    }
                    List<LogRecord> records = log.read(pos, batchSize);
                    List<UsbEvent> events = new ArrayList<>(records.size());
                    long upTo = pos;
                    for (LogRecord r : records) {
                        if (r.kind() == LogRecord.Kind.LOSS) {
                            if (!events.isEmpty() || loss != null) {
                                break; // a loss starts the next batch, at its place
                            }
                            LogRecord.Loss l = r.loss();
                            loss = new UsbEventSink.Loss("loss-" + instanceId + "-" + r.seq(), instanceId, l.count(),
                                    0, l.firstEventId(), l.lastEventId(), l.firstTimestampMillis(),
                                    l.lastTimestampMillis());
                        } else if (r.kind() == LogRecord.Kind.EVENT) {
                            events.add(r.event());
                        }
                        upTo = r.seq();
                    }
                    if (loss != null || !events.isEmpty()) {
                        sink.deliver(new UsbEventSink.Batch(loss, events));
                        batches.increment();
                        delivered.add(events.size());
                    }
                    cursor.commit(Math.max(upTo, loss != null && records.isEmpty() ? first - 1 : upTo));
                    delays.reset();
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    if (!running) {
                        return;
                    }
                    failures.increment();
                    long backoff = delays.next();
                    LOG.warn("USB event sink {} refused a batch (retrying in {} ms): {}", name, backoff, e.toString());
                    try {
                        Thread.sleep(backoff);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        }
    }
}
