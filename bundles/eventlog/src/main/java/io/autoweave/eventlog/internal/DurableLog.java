package io.autoweave.eventlog.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.log.LogRecord;
import io.autoweave.api.log.LogStatus;
import io.autoweave.commons.retry.Backoff;

/**
 * The event log's engine: one writer thread takes what was appended, assigns seqs, writes and fsyncs the group
 * (group commit), and only then publishes it to readers. Plain class (no OSGi), driven by {@link EventLogComponent}.
 *
 * <pre>
 *  append() ──► pending (memory, bounded) ──► writer thread: seq, encode, write, fsync ──► committed
 *   (any thread, never blocks)                  │ fails: truncate back, keep pending,            │
 *                                               │ retry with back-off, status not writable       ├─► tail cache (recent records)
 *                                               └─ pending overflows: oldest dropped → LOSS       └─► readers woken (await)
 * </pre>
 *
 * <p>Readers get records from the tail cache when they are recent, else from the segment files. A reader never sees
 * a record that is not fsynced, so after any crash every reader's view is a prefix of the log.
 *
 * <p><b>Size.</b> Why one class of over 500 lines: the writer thread, the pending queue, the tail cache and the
 * readers' wake-up are one concurrency design (the picture above); the file format is in SegmentStore and
 * RecordCodec, the connected-state checkpoint in ConnectedState.
 */
final class DurableLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DurableLog.class);
    /** Between attempts to write while the disk refuses: 100 ms doubling up to 2 s. */
    static final Backoff RETRY = Backoff.withoutJitter(100, 2000);

    /** What an append hands the writer: no seq yet. */
    private record Pending(LogRecord.Kind kind, UsbEvent event, long reconciledLastSeen) {
    }

    private final SegmentStore store;
    /** Tests only: runs on the writer thread with a batch taken, before it is written. */
    volatile Runnable beforeWrite;
    private final Path dir;
    private final ConnectedState state = new ConnectedState();
    private long lastStateSave;
    private volatile LogSettings settings;
    private final LongSupplier wallClock;
    private final Thread writer;
    /** Writes connected-state checkpoints so the writer never encodes or fsyncs one between commits. */
    private final ExecutorService checkpointer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "autoweave-eventlog-checkpoint");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean checkpointing = new AtomicBoolean();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final Condition committedCondition = lock.newCondition();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    /** Events the writer has taken from {@link #pending} and not yet committed or put back (under the lock). */
    private int inFlight;
    private boolean closing;
    // loss not yet written (pending overflowed): first/last dropped event
    private long lossCount;
    private UsbEvent lossFirst;
    private UsbEvent lossLast;

    private final Object[] cache;
    private final int cacheMask;
    /** Event id → seq of its EVENT record, for linking updates; bounded, oldest first out. */
    private final LinkedHashMap<String, Long> eventSeqs = new LinkedHashMap<>(1024, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > 65536;
        }
    };

    private volatile long committed;
    private volatile long first;
    private volatile boolean writable = true;
    private volatile String failure = "";
    private volatile long stateSince;

    final LongAdder appended = new LongAdder();
    final LongAdder written = new LongAdder();
    final LongAdder fsyncs = new LongAdder();
    final LongAdder bytesWritten = new LongAdder();
    final LongAdder writeFailures = new LongAdder();
    final LongAdder lost = new LongAdder();
    final LongAdder retentionDropped = new LongAdder();
    final LongAdder diskReads = new LongAdder();
    private final long recoveredTruncated;

    DurableLog(Path dir, LogSettings settings, LongSupplier wallClock) throws IOException {
        this.settings = settings;
        this.wallClock = wallClock;
        this.dir = dir;
        this.store = new SegmentStore(dir, settings.segmentBytes());
        this.recoveredTruncated = store.truncatedBytes();
        this.committed = store.lastSeq();
        this.first = store.firstSeq();
        int size = Integer.highestOneBit(Math.max(2, settings.cacheRecords() - 1)) << 1;
        this.cache = new Object[size];
        this.cacheMask = size - 1;
        this.stateSince = wallClock.getAsLong();
        warmCache();
        foldState();
        this.writer = new Thread(this::writeLoop, "autoweave-eventlog-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /** Takes new retention figures (the other settings shape structures built at construction). */
    void settings(LogSettings changed) {
        this.settings = changed;
    }

    // ------------------------------------------------------------------ append side

    void append(UsbEvent event) {
        offer(new Pending(LogRecord.Kind.EVENT, event, 0));
    }

    void appendReconciled(UsbEvent event, long lastSeenMillis) {
        if (lastSeenMillis <= 0) {
            throw new IllegalArgumentException("lastSeenMillis must be > 0: " + lastSeenMillis);
        }
        offer(new Pending(LogRecord.Kind.EVENT, event, lastSeenMillis));
    }

    void appendUpdate(UsbEvent updated) {
        offer(new Pending(LogRecord.Kind.UPDATE, updated, 0));
    }

    private void offer(Pending p) {
        java.util.Objects.requireNonNull(p.event(), "event");
        lock.lock();
        try {
            if (closing) {
                throw new IllegalStateException("the event log is closed");
            }
            appended.increment();
            if (pending.size() >= settings.bufferRecords()) {
                dropOldest();
            }
            pending.addLast(p);
            if (pending.size() == 1) {
                work.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ writer

    private void writeLoop() {
        Backoff.Sequence retries = RETRY.sequence();
        List<LogRecord> batch = new ArrayList<>();
        List<byte[]> bodies = new ArrayList<>();
        while (true) {
            long lossN;
            UsbEvent lf;
            UsbEvent ll;
            List<Pending> taken = new ArrayList<>();
            lock.lock();
            try {
                while (pending.isEmpty() && lossCount == 0 && !closing) {
                    work.awaitUninterruptibly();
                }
                if (pending.isEmpty() && lossCount == 0 && closing) {
                    return;
                }
                int n = Math.min(pending.size(), settings.maxBatch());
                for (int i = 0; i < n; i++) {
                    taken.add(pending.pollFirst());
                }
                inFlight = n;
                lossN = lossCount;
                lf = lossFirst;
                ll = lossLast;
                lossCount = 0;
                lossFirst = lossLast = null;
            } finally {
                lock.unlock();
            }
            long now = wallClock.getAsLong();
            long seq = committed;
            batch.clear();
            bodies.clear();
            Map<String, Long> linked = new LinkedHashMap<>();
            if (lossN > 0) {
                batch.add(new LogRecord(++seq, now, LogRecord.Kind.LOSS, null, 0, 0, new LogRecord.Loss(lossN,
                        lf.eventId(), ll.eventId(), lf.timestampMillis(), ll.timestampMillis(),
                        "the event log could not be written (" + failure + ") and its memory buffer of "
                                + settings.bufferRecords() + " events overflowed")));
            }
            for (Pending p : taken) {
                seq++;
                if (p.kind() == LogRecord.Kind.UPDATE) {
                    Long of = linked.get(p.event().eventId());
                    if (of == null) {
                        synchronized (eventSeqs) {
                            of = eventSeqs.get(p.event().eventId());
                        }
                    }
                    batch.add(new LogRecord(seq, now, LogRecord.Kind.UPDATE, p.event(), of == null ? 0 : of, 0, null));
                } else {
                    batch.add(new LogRecord(seq, now, LogRecord.Kind.EVENT, p.event(), 0, p.reconciledLastSeen(), null));
                    linked.put(p.event().eventId(), seq);
                }
            }
            long size = 0;
            for (LogRecord r : batch) {
                byte[] b = RecordCodec.encode(r);
                size += b.length + SegmentStore.FRAME_HEADER_BYTES;
                bodies.add(b);
            }
            try {
                Runnable hook = beforeWrite;
                if (hook != null) {
                    hook.run();
                }
                store.append(bodies, now);
            } catch (IOException | RuntimeException e) {
                writeFailures.increment();
                String reason = e instanceof java.nio.file.FileSystemException fs && fs.getReason() == null
                        ? e.getClass().getSimpleName() + ": " + fs.getFile()
                        : e.getMessage() == null ? e.toString() : e.getMessage();
                if (writable || !reason.equals(failure)) {
                    LOG.error("event log: cannot write {} record(s) ({}); holding events in memory (at most {}) "
                            + "and retrying", batch.size(), reason, settings.bufferRecords());
                }
                failure = reason;
                if (writable) {
                    writable = false;
                    stateSince = now;
                }
                putBack(taken, lossN, lf, ll);
                if (closing && Thread.currentThread().isInterrupted()) {
                    return; // the stop's grace time ran out while the disk stayed unwritable
                }
                sleep(retries.next());
                continue;
            }
            retries.reset();
            fsyncs.increment();
            written.add(batch.size());
            bytesWritten.add(size);
            synchronized (eventSeqs) {
                eventSeqs.putAll(linked);
            }
            for (LogRecord r : batch) {
                cache[(int) (r.seq() & cacheMask)] = r;
                state.apply(r);
            }
            if (!writable) {
                LOG.info("event log: writing again after {} ms ({} record(s) committed now)", now - stateSince,
                        batch.size());
                writable = true;
                failure = "";
                stateSince = now;
            }
            lock.lock();
            try {
                committed = seq;
                inFlight = 0;
                committedCondition.signalAll();
            } finally {
                lock.unlock();
            }
            retention(now);
        }
    }

    /** Drops the oldest pending event for the loss record the writer will commit next (under the lock). */
    private void dropOldest() {
        Pending dropped = pending.pollFirst();
        lossCount++;
        lost.increment();
        if (lossFirst == null) {
            lossFirst = dropped.event();
        }
        lossLast = dropped.event();
    }

    /**
     * A failed batch goes back to the front of the buffer. The loss record must name one contiguous range of events
     * at the place they were: a loss taken with the batch ({@code lossN}) precedes the batch's events. When the buffer
     * overflowed while the batch was in flight, the events dropped meanwhile are the ones right after the batch; put
     * back between the two, the batch would split the range and the record would name the wrong first event. Then
     * the batch is dropped too (it is the oldest, and "drop the oldest" is the rule): one range, earlier loss, batch,
     * later loss, in order; at most one batch more is lost than the overflow strictly needed.
     */
    private void putBack(List<Pending> taken, long lossN, UsbEvent lf, UsbEvent ll) {
        lock.lock();
        try {
            inFlight = 0;
            if (lossCount > 0 && !taken.isEmpty()) {
                UsbEvent first = lossN > 0 ? lf : taken.get(0).event();
                lossCount += lossN + taken.size();
                lost.add(taken.size());
                lossFirst = first;
                // lossLast stays: the last event dropped while the batch was in flight
            } else {
                for (int i = taken.size() - 1; i >= 0; i--) {
                    pending.addFirst(taken.get(i));
                }
                if (lossN > 0) {
                    // the earlier loss comes first; a loss counted meanwhile (with no batch events between) follows
                    if (lossCount == 0) {
                        lossLast = ll;
                    }
                    lossCount += lossN;
                    lossFirst = lf;
                }
                while (pending.size() > settings.bufferRecords()) {
                    dropOldest();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private long lastRetention;

    private void retention(long now) {
        if (now - lastStateSave >= 5000 && checkpointing.compareAndSet(false, true)) {
            lastStateSave = now;
            checkpoint(state.snapshot(false));
        }
        if (now - lastRetention < 1000 && store.bytes() <= settings.retentionBytes()) {
            return;
        }
        lastRetention = now;
        try {
            long dropped = store.enforceRetention(settings.retentionBytes(), settings.retentionMillis(), now);
            if (dropped > 0) {
                retentionDropped.add(dropped);
                first = store.firstSeq();
            }
        } catch (IOException e) {
            LOG.warn("event log retention: {}", e.toString());
        }
    }

    /** Encodes and writes {@code snapshot} on the checkpoint thread (the writer only copied references). */
    private void checkpoint(ConnectedState.Snapshot snapshot) {
        if (snapshot == null) {
            checkpointing.set(false);
            return;
        }
        try {
            checkpointer.execute(() -> {
                try {
                    ConnectedState.write(dir, snapshot);
                } catch (IOException | RuntimeException e) {
                    state.unsaved();
                    LOG.debug("event log: connected-state checkpoint not saved: {}", e.toString());
                } finally {
                    checkpointing.set(false);
                }
            });
        } catch (RejectedExecutionException e) { // closing: the stop writes the last checkpoint itself
            state.unsaved();
            checkpointing.set(false);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ read side

    long lastSeq() {
        return committed;
    }

    long firstSeq() {
        long c = committed;
        return c == 0 ? 1 : Math.min(first, c + 1);
    }

    List<LogRecord> read(long afterSeq, int max) {
        long upTo = committed;
        long from = Math.max(afterSeq, firstSeq() - 1);
        if (max <= 0 || from >= upTo) {
            return List.of();
        }
        int n = (int) Math.min(max, upTo - from);
        List<LogRecord> out = new ArrayList<>(n);
        // recent records come from the cache; a miss means the reader is further behind than the cache holds
        LogRecord firstCached = cached(from + 1);
        if (firstCached != null) {
            for (long s = from + 1; s <= from + n; s++) {
                LogRecord r = cached(s);
                if (r == null) {
                    break;
                }
                out.add(r);
            }
            if (out.size() == n) {
                return out;
            }
            from = out.isEmpty() ? from : out.get(out.size() - 1).seq();
            n -= out.size();
        }
        diskReads.increment();
        try {
            for (byte[] b : store.read(from, n, upTo)) {
                out.add(RecordCodec.decode(b, 0, b.length));
            }
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("event log: reading after seq {} failed: {}", from, e.toString());
        }
        return out;
    }

    private LogRecord cached(long seq) {
        Object o = cache[(int) (seq & cacheMask)];
        return o instanceof LogRecord r && r.seq() == seq ? r : null;
    }

    boolean await(long afterSeq, long timeoutMillis) throws InterruptedException {
        if (committed > afterSeq) {
            return true;
        }
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        lock.lockInterruptibly();
        try {
            while (committed <= afterSeq) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                committedCondition.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    List<LogRecord> recent(String signature, int max) {
        String sig = signature.trim().toLowerCase(Locale.ROOT);
        List<LogRecord> out = new ArrayList<>();
        long last = committed;
        long floor = Math.max(firstSeq(), last - cache.length + 1);
        for (long s = last; s >= floor && out.size() < max; s--) {
            LogRecord r = cached(s);
            if (r == null) {
                break;
            }
            if (r.event() != null && sig.equals(r.event().device().signature())) {
                out.add(0, r);
            }
        }
        return out;
    }

    LogStatus status() {
        lock.lock();
        try {
            return new LogStatus(writable, failure, pending.size() + inFlight, lost.sum(), stateSince);
        } finally {
            lock.unlock();
        }
    }

    long bytes() {
        return store.bytes();
    }

    int segments() {
        return store.segmentCount();
    }

    long recoveredTruncatedBytes() {
        return recoveredTruncated;
    }

    /**
     * Commits what is pending (waiting at most {@code graceMillis} while the disk cannot be written), then stops the
     * writer and closes the files.
     */
    @Override
    public void close() {
        close(5000);
    }

    void close(long graceMillis) {
        lock.lock();
        try {
            closing = true;
            work.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            writer.join(graceMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            LOG.error("event log: {} event(s) could not be written before the stop ({})", pending.size(), failure);
            writer.interrupt();
        }
        checkpointer.shutdown();
        try {
            if (!checkpointer.awaitTermination(graceMillis, TimeUnit.MILLISECONDS)) {
                LOG.warn("event log: the connected-state checkpoint still being written at stop is abandoned");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!writer.isAlive() && checkpointer.isTerminated()) {
            state.stopped(wallClock.getAsLong());
            try {
                state.save(dir, true);
            } catch (IOException e) {
                LOG.warn("event log: connected-state checkpoint not saved at stop: {}", e.toString());
            }
        }
        try {
            store.close();
        } catch (IOException e) {
            LOG.warn("event log close: {}", e.toString());
        }
    }

    /** The attach records of the devices the log says are connected (updates folded in). */
    List<LogRecord> connected() {
        return state.attached();
    }

    /** When the log was last known running: its clean stop, else its newest commit (epoch ms; 0 when empty). */
    long lastAliveMillis() {
        return state.lastCommitMillis();
    }

    /** Loads the checkpoint and folds the records after it; folds the whole log when there is no usable one. */
    private void foldState() {
        long last = committed;
        boolean usable = state.load(dir) && state.seq() <= last && state.seq() >= firstSeq() - 1;
        if (!usable) {
            state.clear();
        }
        long from = usable ? state.seq() : Math.max(0, firstSeq() - 1);
        try {
            while (from < last) {
                List<byte[]> chunk = store.read(from, 4096, last);
                if (chunk.isEmpty()) {
                    break;
                }
                for (byte[] b : chunk) {
                    LogRecord r = RecordCodec.decode(b, 0, b.length);
                    state.apply(r);
                    from = r.seq();
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("event log: could not fold the connected devices after seq {}: {}", from, e.toString());
        }
    }

    private void warmCache() {
        long last = committed;
        long from = Math.max(firstSeq() - 1, last - Math.min(cache.length, 4096));
        try {
            for (byte[] b : store.read(from, (int) (last - from), last)) {
                LogRecord r = RecordCodec.decode(b, 0, b.length);
                cache[(int) (r.seq() & cacheMask)] = r;
                if (r.kind() == LogRecord.Kind.EVENT) {
                    eventSeqs.put(r.event().eventId(), r.seq());
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("event log: could not read its tail at start: {}", e.toString());
        }
    }
}
