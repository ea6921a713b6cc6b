package io.autoweave.redis.internal;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * Durable, bounded, append-only local outbox: every event is on disk before anyone is told it was accepted, and
 * stays there until the publisher acknowledges that Redis has it.
 *
 * <h2>On disk</h2>
 * A directory of segment files named {@code <20-digit base seq>.seg}. Each segment starts with an 8-byte header
 * (magic {@code AWJ1}, format version 1) followed by records:
 * <pre>
 *   int length   (bytes of body, big-endian)
 *   int crc32    (CRC-32 of body)
 *   body:  long seq | long appendMillis | payload
 * </pre>
 * The acknowledged-up-to cursor lives in {@code acked} (seq + CRC-32), replaced atomically by write-to-temp,
 * fsync, rename, fsync directory.
 *
 * <h2>Group commit</h2>
 * {@link #append} assigns the next sequence number, queues the encoded record and blocks until a single flusher
 * thread has written it <em>and</em> fsynced the segment. The flusher takes everything queued at once, so appends
 * that arrive during an fsync share the next one; {@link #appendAll} queues a whole batch of records for one fsync
 * (the pipeline's sink hands over batches from one thread, so this is where its group commit comes from).
 * {@link OutboxStats#fsyncs()} versus {@link OutboxStats#appendedRecords()} shows the batching factor.
 *
 * <h2>Bound</h2>
 * Used bytes (segment files plus appends in flight) never exceed {@code maxBytes}: an append that would cross it is
 * rejected with {@link OutboxFullException}, nothing is written, the rejection counter increments and the full
 * alarm is raised until an append succeeds again. Old events are never dropped to make room: what was accepted is
 * delivered. Space returns when acknowledged segments are deleted; a fully acknowledged active segment is rolled and
 * deleted once it holds a quarter of a segment, or at once when the outbox is full.
 *
 * <h2>Recovery</h2>
 * Opening scans every segment. A record whose length is implausible, runs past the end of the file, fails its CRC
 * or does not increase the sequence ends the valid part of that segment: the file is truncated there (a torn last
 * write after a crash; in a sealed segment this can only be media damage and the remainder is lost, reported by
 * {@link OutboxStats#truncatedBytes()}). Everything after the cursor is then replayed in sequence order.
 *
 * <p>One thread may {@link #poll} (the publisher); any number may {@link #append}.
 */
final class Outbox implements Closeable {
    static final int SEGMENT_MAGIC = 0x41574A31; // "AWJ1"
    static final int FORMAT_VERSION = 1;
    static final int SEGMENT_HEADER_BYTES = 8;
    static final int RECORD_HEADER_BYTES = 8;
    static final int BODY_PREFIX_BYTES = 16;
    static final int MAX_PAYLOAD_BYTES = 1 << 20;
    static final String SEGMENT_SUFFIX = ".seg";
    static final String CURSOR_FILE = "acked";
    static final long AGE_RESOLUTION_MILLIS = 10;

    private static final System.Logger LOG = System.getLogger(Outbox.class.getName());

    private final Path dir;
    private final long segmentBytes;
    private final long maxBytes;
    private final LongSupplier clock;
    private final long truncatedBytes;
    private final Thread flusher;

    /** Guards all state below except the reader's. */
    private final Object lock = new Object();
    /** Held while segment files are written, rolled or deleted; taken before {@link #lock}, never after. */
    private final ReentrantLock ioLock = new ReentrantLock();

    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    /** {firstSeq, appendMillis} marks, one per {@link #AGE_RESOLUTION_MILLIS}, for the oldest-unacked age. */
    private final ArrayDeque<long[]> ageMarks = new ArrayDeque<>();
    private long nextSeq;
    private long committedSeq;
    private long ackedSeq;
    private long usedBytes;
    private long rejectedAppends;
    private long appendedRecords;
    private long fsyncs;
    private boolean fullAlarm;
    private boolean closed;
    private IOException failure;

    // Reader state: touched only by the polling thread.
    private long readSeq;
    private Segment readSegment;
    private FileChannel readChannel;
    private long readPos;

    Outbox(Path dir, long segmentBytes, long maxBytes) throws IOException {
        this(dir, segmentBytes, maxBytes, System::currentTimeMillis);
    }

    Outbox(Path dir, long segmentBytes, long maxBytes, LongSupplier clock) throws IOException {
        if (segmentBytes < 4096) {
            throw new IllegalArgumentException("segmentBytes must be at least 4096: " + segmentBytes);
        }
        if (maxBytes < 2 * segmentBytes) {
            throw new IllegalArgumentException("maxBytes (" + maxBytes + ") must be at least twice segmentBytes ("
                    + segmentBytes + ") so acknowledged segments can be freed while the active one fills");
        }
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.maxBytes = maxBytes;
        this.clock = clock;
        Files.createDirectories(dir);
        Files.deleteIfExists(dir.resolve(CURSOR_FILE + ".tmp"));
        this.truncatedBytes = recover();
        this.flusher = new Thread(this::flushLoop, "autoweave-outbox-flusher");
        flusher.setDaemon(true);
        flusher.start();
    }

    // ---------------------------------------------------------------- append

    /**
     * Appends {@code payload} and returns once it is on disk (written and fsynced).
     *
     * @return the record's sequence number
     * @throws OutboxFullException when the size bound would be crossed; nothing was written
     * @throws InterruptedIOException when interrupted while waiting for the flush; the record is queued and will
     *         still be written (and delivered), the caller just does not learn its fate
     * @throws IOException when the outbox is closed or a previous flush failed
     */
    long append(byte[] payload) throws IOException {
        return appendAll(List.of(payload));
    }

    /**
     * Appends every payload, in order, as consecutive records and returns once all of them are on disk: one
     * group commit (one fsync, unless the batch crosses a segment boundary) for the whole batch. All or nothing with
     * respect to the size bound: when the batch does not fit, none of it is written.
     *
     * @return the sequence number of the last record
     * @throws OutboxFullException when the size bound would be crossed; nothing was written
     * @throws InterruptedIOException when interrupted while waiting for the flush; the records are queued and will
     *         still be written (and delivered), the caller just does not learn their fate
     * @throws IOException when the outbox is closed or a previous flush failed
     */
    long appendAll(List<byte[]> payloads) throws IOException {
        if (payloads.isEmpty()) {
            throw new IllegalArgumentException("nothing to append");
        }
        long batchBytes = 0;
        for (byte[] payload : payloads) {
            if (payload.length > MAX_PAYLOAD_BYTES) {
                throw new IllegalArgumentException("payload of " + payload.length + " bytes exceeds " + MAX_PAYLOAD_BYTES);
            }
            batchBytes += RECORD_HEADER_BYTES + BODY_PREFIX_BYTES + payload.length;
        }
        long seq;
        synchronized (lock) {
            checkUsable();
            // a batch can roll over segments: allow for one more segment header per segment it may fill
            long headers = SEGMENT_HEADER_BYTES * (1 + batchBytes / segmentBytes);
            if (usedBytes + batchBytes + headers > maxBytes) {
                rejectedAppends += payloads.size();
                if (!fullAlarm) {
                    LOG.log(Level.WARNING, "outbox full ({0} of {1} bytes): rejecting appends until the publisher "
                            + "catches up", usedBytes, maxBytes);
                }
                fullAlarm = true;
                throw new OutboxFullException("outbox full: " + usedBytes + " of " + maxBytes + " bytes used, "
                        + (nextSeq - 1 - ackedSeq) + " records unacknowledged; " + payloads.size()
                        + " record(s) refused");
            }
            fullAlarm = false;
            long now = clock.getAsLong();
            seq = 0;
            for (byte[] payload : payloads) {
                seq = nextSeq++;
                usedBytes += RECORD_HEADER_BYTES + BODY_PREFIX_BYTES + payload.length;
                long[] last = ageMarks.peekLast();
                if (last == null || now - last[1] >= AGE_RESOLUTION_MILLIS) {
                    ageMarks.addLast(new long[] {seq, now});
                }
                pending.addLast(new Pending(seq, encodeRecord(seq, now, payload)));
            }
            lock.notifyAll();
            try {
                while (committedSeq < seq && failure == null) {
                    lock.wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for record " + seq + " to be flushed");
            }
            if (committedSeq < seq) {
                throw new IOException("outbox flush failed", failure);
            }
        }
        return seq;
    }

    private void checkUsable() throws IOException {
        if (failure != null) {
            throw new IOException("outbox unusable after a failed flush", failure);
        }
        if (closed) {
            throw new IOException("outbox closed");
        }
    }

    static byte[] encodeRecord(long seq, long appendMillis, byte[] payload) {
        int bodyLength = BODY_PREFIX_BYTES + payload.length;
        ByteBuffer buf = ByteBuffer.allocate(RECORD_HEADER_BYTES + bodyLength);
        buf.putInt(bodyLength).putInt(0).putLong(seq).putLong(appendMillis).put(payload);
        CRC32 crc = new CRC32();
        crc.update(buf.array(), RECORD_HEADER_BYTES, bodyLength);
        buf.putInt(4, (int) crc.getValue());
        return buf.array();
    }

    // ---------------------------------------------------------------- flusher

    private void flushLoop() {
        List<Pending> batch = new ArrayList<>();
        while (true) {
            synchronized (lock) {
                while (pending.isEmpty() && !closed) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        // only close() interrupts; the loop re-checks closed
                    }
                }
                if (pending.isEmpty()) {
                    return;
                }
                batch.addAll(pending);
                pending.clear();
            }
            ioLock.lock();
            try {
                writeBatch(batch);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.ERROR, "outbox flush failed; the outbox refuses further appends", e);
                synchronized (lock) {
                    failure = e instanceof IOException io ? io : new IOException(e);
                    lock.notifyAll();
                }
                return;
            } finally {
                ioLock.unlock();
            }
            batch.clear();
        }
    }

    private void writeBatch(List<Pending> batch) throws IOException {
        Segment active;
        synchronized (lock) {
            active = segments.lastEntry().getValue();
        }
        long size = active.size;
        long lastSeq = active.lastSeq;
        List<ByteBuffer> run = new ArrayList<>();
        for (Pending p : batch) {
            if (lastSeq != 0 && size + p.bytes.length > segmentBytes) {
                writeFully(active.channel, run);
                active.channel.force(false);
                commit(active, size, lastSeq);
                active = roll(active, lastSeq + 1);
                size = active.size;
                lastSeq = active.lastSeq;
            }
            run.add(ByteBuffer.wrap(p.bytes));
            size += p.bytes.length;
            lastSeq = p.seq;
        }
        writeFully(active.channel, run);
        active.channel.force(false);
        commit(active, size, lastSeq);
    }

    private static void writeFully(FileChannel channel, List<ByteBuffer> run) throws IOException {
        ByteBuffer[] buffers = run.toArray(ByteBuffer[]::new);
        int first = 0;
        while (first < buffers.length) {
            channel.write(buffers, first, buffers.length - first);
            while (first < buffers.length && !buffers[first].hasRemaining()) {
                first++;
            }
        }
        run.clear();
    }

    private void commit(Segment segment, long size, long lastSeq) {
        synchronized (lock) {
            appendedRecords += lastSeq - committedSeq;
            segment.size = size;
            segment.lastSeq = lastSeq;
            committedSeq = lastSeq;
            fsyncs++;
            lock.notifyAll();
        }
    }

    /** Seals {@code current} and starts a segment at {@code baseSeq}. Caller holds {@link #ioLock}. */
    private Segment roll(Segment current, long baseSeq) throws IOException {
        Segment next = createSegment(baseSeq);
        current.channel.close();
        current.channel = null;
        synchronized (lock) {
            segments.put(baseSeq, next);
            usedBytes += SEGMENT_HEADER_BYTES;
        }
        return next;
    }

    private Segment createSegment(long baseSeq) throws IOException {
        Path path = dir.resolve(String.format("%020d%s", baseSeq, SEGMENT_SUFFIX));
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            ByteBuffer header = ByteBuffer.allocate(SEGMENT_HEADER_BYTES).putInt(SEGMENT_MAGIC).putInt(FORMAT_VERSION)
                    .flip();
            while (header.hasRemaining()) {
                channel.write(header);
            }
            channel.force(true);
            fsyncDirectory();
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        Segment segment = new Segment(baseSeq, path);
        segment.size = SEGMENT_HEADER_BYTES;
        segment.channel = channel;
        return segment;
    }

    // ---------------------------------------------------------------- read + ack

    /**
     * Returns up to {@code max} durable records after the last one returned, waiting up to {@code timeout} for the
     * first. Records come back in sequence order, each exactly once per open (after a reopen, from the cursor on).
     * Only one thread may poll.
     *
     * @return an empty list on time-out or close
     */
    List<OutboxRecord> poll(int max, long timeout, TimeUnit unit) throws IOException, InterruptedException {
        long limit;
        synchronized (lock) {
            long deadline = System.nanoTime() + unit.toNanos(timeout);
            while (committedSeq < readSeq && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return List.of();
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            if (committedSeq < readSeq) {
                return List.of();
            }
            limit = committedSeq;
        }
        List<OutboxRecord> out = new ArrayList<>(Math.min(max, (int) Math.min(Integer.MAX_VALUE, limit - readSeq + 1)));
        while (out.size() < max && readSeq <= limit) {
            OutboxRecord record = readNext();
            if (record == null) {
                break;
            }
            if (record.seq() >= readSeq) {
                out.add(record);
                readSeq = record.seq() + 1;
            }
        }
        return out;
    }

    /** The next record in file order, moving across segments; null when none is readable. */
    private OutboxRecord readNext() throws IOException {
        while (true) {
            long segmentSize;
            synchronized (lock) {
                if (readSegment == null) {
                    Map.Entry<Long, Segment> e = segments.floorEntry(readSeq);
                    if (e == null) {
                        e = segments.ceilingEntry(readSeq);
                    }
                    if (e == null) {
                        return null;
                    }
                    openReader(e.getValue());
                }
                segmentSize = readSegment.size;
                if (readPos >= segmentSize) {
                    Map.Entry<Long, Segment> next = segments.higherEntry(readSegment.baseSeq);
                    if (next == null) {
                        return null;
                    }
                    openReader(next.getValue());
                    continue;
                }
            }
            ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER_BYTES);
            readFully(header, readPos);
            int length = header.getInt(0);
            int crc = header.getInt(4);
            if (length < BODY_PREFIX_BYTES || length > BODY_PREFIX_BYTES + MAX_PAYLOAD_BYTES
                    || readPos + RECORD_HEADER_BYTES + length > segmentSize) {
                throw new IOException("corrupt record header at " + readSegment.path + ":" + readPos);
            }
            ByteBuffer body = ByteBuffer.allocate(length);
            readFully(body, readPos + RECORD_HEADER_BYTES);
            CRC32 check = new CRC32();
            check.update(body.array());
            if ((int) check.getValue() != crc) {
                throw new IOException("CRC mismatch at " + readSegment.path + ":" + readPos);
            }
            readPos += RECORD_HEADER_BYTES + length;
            byte[] payload = new byte[length - BODY_PREFIX_BYTES];
            System.arraycopy(body.array(), BODY_PREFIX_BYTES, payload, 0, payload.length);
            return new OutboxRecord(body.getLong(0), body.getLong(8), payload);
        }
    }

    private void openReader(Segment segment) throws IOException {
        closeReader();
        readChannel = FileChannel.open(segment.path, StandardOpenOption.READ);
        readSegment = segment;
        readPos = SEGMENT_HEADER_BYTES;
    }

    private void closeReader() throws IOException {
        if (readChannel != null) {
            readChannel.close();
            readChannel = null;
        }
        readSegment = null;
    }

    private void readFully(ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = readChannel.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of " + readSegment.path + " at " + pos);
            }
            pos += n;
        }
        buf.flip();
    }

    /**
     * Marks every record up to and including {@code seq} delivered: persists the cursor atomically, then deletes
     * segments holding only acknowledged records. Acknowledging a position at or below the cursor does nothing.
     *
     * @throws IllegalArgumentException when {@code seq} was never made durable
     */
    void ack(long seq) throws IOException {
        ioLock.lock();
        try {
            synchronized (lock) {
                if (seq <= ackedSeq) {
                    return;
                }
                if (seq > committedSeq) {
                    throw new IllegalArgumentException("cannot acknowledge " + seq + ": only " + committedSeq
                            + " records are durable");
                }
            }
            writeCursor(seq);
            List<Segment> doomed = new ArrayList<>();
            Segment active;
            synchronized (lock) {
                ackedSeq = seq;
                trimAgeMarks();
                active = segments.lastEntry().getValue();
                for (Segment s : segments.headMap(active.baseSeq).values()) {
                    if (s.lastSeq <= seq) {
                        doomed.add(s);
                    }
                }
            }
            if (active.lastSeq != 0 && active.lastSeq <= seq
                    && (active.size >= segmentBytes / 4 || isFullAlarm())) {
                roll(active, active.lastSeq + 1);
                doomed.add(active);
            }
            if (!doomed.isEmpty()) {
                for (Segment s : doomed) {
                    Files.deleteIfExists(s.path);
                }
                fsyncDirectory();
                synchronized (lock) {
                    for (Segment s : doomed) {
                        segments.remove(s.baseSeq);
                        usedBytes -= s.size;
                    }
                }
            }
        } finally {
            ioLock.unlock();
        }
    }

    private boolean isFullAlarm() {
        synchronized (lock) {
            return fullAlarm;
        }
    }

    private void trimAgeMarks() {
        if (ackedSeq >= nextSeq - 1) {
            ageMarks.clear();
            return;
        }
        while (ageMarks.size() >= 2) {
            long[] first = ageMarks.pollFirst();
            if (ageMarks.peekFirst()[0] > ackedSeq + 1) {
                ageMarks.addFirst(first);
                return;
            }
        }
    }

    private void writeCursor(long seq) throws IOException {
        Path tmp = dir.resolve(CURSOR_FILE + ".tmp");
        ByteBuffer buf = ByteBuffer.allocate(12).putLong(seq);
        CRC32 crc = new CRC32();
        crc.update(buf.array(), 0, 8);
        buf.putInt((int) crc.getValue()).flip();
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, dir.resolve(CURSOR_FILE), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the outbox directory " + dir + " must support atomic rename", e);
        }
        fsyncDirectory();
    }

    private long readCursor() throws IOException {
        Path cursor = dir.resolve(CURSOR_FILE);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(cursor);
        } catch (NoSuchFileException e) {
            return 0;
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, Math.min(8, bytes.length));
        if (bytes.length != 12 || buf.getInt(8) != (int) crc.getValue()) {
            // Cannot happen with the rename protocol short of media damage; redelivering everything is the safe
            // side of at-least-once.
            LOG.log(Level.WARNING, "outbox cursor {0} is damaged; redelivering every journaled record", cursor);
            return 0;
        }
        return buf.getLong(0);
    }

    private void fsyncDirectory() throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    // ---------------------------------------------------------------- recovery

    private long recover() throws IOException {
        ackedSeq = readCursor();
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(SEGMENT_SUFFIX)).sorted().toList();
        }
        long truncated = 0;
        long lastSeq = 0;
        List<Segment> found = new ArrayList<>();
        for (Path path : files) {
            String name = path.getFileName().toString();
            long base;
            try {
                base = Long.parseLong(name.substring(0, name.length() - SEGMENT_SUFFIX.length()));
            } catch (NumberFormatException e) {
                throw new IOException("unexpected file in outbox directory: " + path);
            }
            Segment segment = new Segment(base, path);
            long size = Files.size(path);
            if (size < SEGMENT_HEADER_BYTES) {
                // crashed while creating it: it holds no record
                truncated += size;
                Files.delete(path);
                continue;
            }
            truncated += scan(segment, size, lastSeq);
            if (segment.lastSeq != 0) {
                lastSeq = segment.lastSeq;
            }
            found.add(segment);
        }
        nextSeq = Math.max(lastSeq, ackedSeq) + 1;
        committedSeq = nextSeq - 1;
        readSeq = ackedSeq + 1;
        for (int i = 0; i < found.size(); i++) {
            Segment s = found.get(i);
            boolean last = i == found.size() - 1;
            if (!last && s.lastSeq <= ackedSeq) {
                Files.delete(s.path);
            } else {
                segments.put(s.baseSeq, s);
                usedBytes += s.size;
            }
        }
        if (segments.isEmpty()) {
            Segment fresh = createSegment(nextSeq);
            segments.put(fresh.baseSeq, fresh);
            usedBytes += fresh.size;
        } else {
            Segment active = segments.lastEntry().getValue();
            active.channel = FileChannel.open(active.path, StandardOpenOption.WRITE);
            active.channel.position(active.size);
        }
        fsyncDirectory();
        if (truncated > 0) {
            LOG.log(Level.WARNING, "outbox recovery cut {0} bytes of torn or damaged records", truncated);
        }
        return truncated;
    }

    /** Validates the records of one segment, truncating at the first bad one; returns the bytes cut. */
    private long scan(Segment segment, long fileSize, long previousSeq) throws IOException {
        long prev = previousSeq;
        long pos;
        try (FileChannel ch = FileChannel.open(segment.path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer header = ByteBuffer.allocate(SEGMENT_HEADER_BYTES);
            ch.read(header, 0);
            if (header.getInt(0) != SEGMENT_MAGIC || header.getInt(4) != FORMAT_VERSION) {
                throw new IOException(segment.path + " is not an outbox segment of format " + FORMAT_VERSION);
            }
            pos = SEGMENT_HEADER_BYTES;
            ByteBuffer recordHeader = ByteBuffer.allocate(RECORD_HEADER_BYTES);
            CRC32 crc = new CRC32();
            while (pos + RECORD_HEADER_BYTES <= fileSize) {
                recordHeader.clear();
                readAt(ch, recordHeader, pos);
                int length = recordHeader.getInt(0);
                if (length < BODY_PREFIX_BYTES || length > BODY_PREFIX_BYTES + MAX_PAYLOAD_BYTES
                        || pos + RECORD_HEADER_BYTES + length > fileSize) {
                    break;
                }
                ByteBuffer body = ByteBuffer.allocate(length);
                readAt(ch, body, pos + RECORD_HEADER_BYTES);
                crc.reset();
                crc.update(body.array());
                long seq = body.getLong(0);
                if ((int) crc.getValue() != recordHeader.getInt(4) || seq <= prev) {
                    break;
                }
                if (seq > ackedSeq) {
                    long appendMillis = body.getLong(8);
                    long[] last = ageMarks.peekLast();
                    if (last == null || appendMillis - last[1] >= AGE_RESOLUTION_MILLIS) {
                        ageMarks.addLast(new long[] {seq, appendMillis});
                    }
                }
                prev = seq;
                segment.lastSeq = seq;
                pos += RECORD_HEADER_BYTES + length;
            }
            if (pos < fileSize) {
                LOG.log(Level.WARNING, "outbox segment {0}: truncating {1} bytes of torn or damaged data at {2}",
                        segment.path, fileSize - pos, pos);
                ch.truncate(pos);
                ch.force(true);
            }
        }
        segment.size = pos;
        return fileSize - pos;
    }

    private static void readAt(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of segment at " + pos);
            }
            pos += n;
        }
    }

    // ---------------------------------------------------------------- metrics + lifecycle

    OutboxStats stats() {
        synchronized (lock) {
            long depth = Math.max(0, nextSeq - 1 - ackedSeq);
            long age = 0;
            if (depth > 0 && !ageMarks.isEmpty()) {
                age = Math.max(0, clock.getAsLong() - ageMarks.peekFirst()[1]);
            }
            return new OutboxStats(depth, age, usedBytes, maxBytes, fullAlarm, rejectedAppends, appendedRecords,
                    fsyncs, segments.size(), ackedSeq, nextSeq - 1, truncatedBytes);
        }
    }

    /** Writes what is queued, then closes. Appends after close fail. */
    @Override
    public void close() throws IOException {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            lock.notifyAll();
        }
        try {
            flusher.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ioLock.lock();
        try {
            synchronized (lock) {
                for (Segment s : segments.values()) {
                    if (s.channel != null) {
                        s.channel.close();
                        s.channel = null;
                    }
                }
            }
            closeReader();
        } finally {
            ioLock.unlock();
        }
    }

    Path directory() {
        return dir;
    }

    private static final class Segment {
        final long baseSeq;
        final Path path;
        long size;
        /** Last record's seq, 0 while the segment holds none. */
        long lastSeq;
        /** Open for append only while this is the active segment. */
        FileChannel channel;

        Segment(long baseSeq, Path path) {
            this.baseSeq = baseSeq;
            this.path = path;
        }
    }

    private record Pending(long seq, byte[] bytes) {
    }
}
