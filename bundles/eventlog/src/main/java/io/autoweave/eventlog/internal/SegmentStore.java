package io.autoweave.eventlog.internal;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log's files: a directory of segments named {@code <20-digit first seq>.log}, each an 8-byte header (magic
 * {@code AWL1}, format version 1) followed by frames {@code int length | int crc32c(body) | body}, the body being a
 * {@link RecordCodec} record. Seqs are consecutive across segments.
 *
 * <p>One thread writes ({@link #append}, {@link #enforceRetention}); any number read ({@link #read}) through their own
 * {@link RandomAccessFile}, whose reads an interrupt cannot close (a {@code FileChannel} is closed by an interrupt of
 * the reading thread, which would take the writer's channel with it).
 *
 * <p><b>A failed write leaves no trace.</b> When a write or fsync fails (disk full, I/O error), the active segment is
 * truncated back to its last committed size before the error is passed on, so a retry writes the same records at the
 * same place and a reader never sees a record that was not fsynced. If even the truncation fails, the next append
 * tries it again first.
 *
 * <p><b>Recovery.</b> Opening scans every segment; the first frame with an implausible length, a length running past
 * the end of the file, a CRC mismatch or an unexpected seq ends the segment, which is truncated there (a torn last
 * write after a crash). Counted in {@link #truncatedBytes()}.
 *
 * <p><b>Size.</b> Why one class of over 400 lines: append, truncation after a failed write, recovery and retention
 * all reason about the same files and committed sizes; the invariants above are kept in one place so they can be
 * checked in one place.
 */
final class SegmentStore implements Closeable {
    static final int MAGIC = 0x41574C31; // "AWL1"
    static final int FORMAT_VERSION = 1;
    static final int HEADER_BYTES = 8;
    static final int FRAME_HEADER_BYTES = 8;
    static final int MAX_BODY_BYTES = 1 << 20;
    static final String SUFFIX = ".log";
    /** One index entry per this many records: a read scans at most this many frames to find its start. */
    static final int INDEX_EVERY = 64;

    private static final Logger LOG = LoggerFactory.getLogger(SegmentStore.class);

    /** Segments by first seq; read by any thread, changed by the writer. */
    private final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
    private final Path dir;
    private final long segmentBytes;
    private final long truncatedBytes;
    private FileChannel active;
    private Segment activeSegment;
    /** A failed write may have left bytes after the committed size: cut them before the next write. */
    private boolean dirty;
    private volatile long lastSeq;

    SegmentStore(Path dir, long segmentBytes) throws IOException {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        Files.createDirectories(dir);
        this.truncatedBytes = recover();
    }

    /** Seq of the newest record on disk; 0 when the log is empty. */
    long lastSeq() {
        return lastSeq;
    }

    /** Seq of the oldest record on disk; {@link #lastSeq()} + 1 when there is none. */
    long firstSeq() {
        for (Segment s : segments.values()) {
            if (s.lastSeq >= s.firstSeq) {
                return s.firstSeq;
            }
        }
        return lastSeq + 1;
    }

    long truncatedBytes() {
        return truncatedBytes;
    }

    long bytes() {
        long sum = 0;
        for (Segment s : segments.values()) {
            sum += s.size;
        }
        return sum;
    }

    int segmentCount() {
        return segments.size();
    }

    /**
     * Writes the bodies (consecutive seqs starting at {@code lastSeq() + 1}) and fsyncs them: when this returns they
     * are durable. On failure nothing of them stays on disk (see the class comment) and the exception is passed on.
     */
    void append(List<byte[]> bodies, long nowMillis) throws IOException {
        if (bodies.isEmpty()) {
            return;
        }
        if (dirty) {
            active.truncate(activeSegment.size);
            active.force(false);
            dirty = false;
        }
        if (active == null || activeSegment.size >= segmentBytes) {
            roll(lastSeq + 1);
        }
        int total = 0;
        for (byte[] b : bodies) {
            total += FRAME_HEADER_BYTES + b.length;
        }
        ByteBuffer buf = ByteBuffer.allocate(total);
        CRC32C crc = new CRC32C();
        long[] positions = new long[bodies.size()];
        long pos = activeSegment.size;
        for (int i = 0; i < bodies.size(); i++) {
            byte[] b = bodies.get(i);
            crc.reset();
            crc.update(b);
            positions[i] = pos + buf.position();
            buf.putInt(b.length).putInt((int) crc.getValue()).put(b);
        }
        buf.flip();
        try {
            long at = pos;
            while (buf.hasRemaining()) {
                at += active.write(buf, at);
            }
            active.force(false);
        } catch (IOException | RuntimeException e) {
            dirty = true;
            try {
                active.truncate(activeSegment.size);
                active.force(false);
                dirty = false;
            } catch (IOException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
        Segment s = activeSegment;
        long seq = lastSeq;
        for (int i = 0; i < bodies.size(); i++) {
            seq++;
            if ((seq - s.firstSeq) % INDEX_EVERY == 0) {
                s.index(seq, positions[i]);
            }
        }
        s.lastAppendMillis = nowMillis;
        s.size = pos + total;
        s.lastSeq = seq;
        lastSeq = seq;
    }

    /**
     * Up to {@code max} records after {@code afterSeq} and no newer than {@code upTo}, oldest first; starts at the
     * oldest record kept when {@code afterSeq} is older.
     */
    List<byte[]> read(long afterSeq, int max, long upTo) throws IOException {
        List<byte[]> out = new ArrayList<>();
        long want = afterSeq + 1;
        while (out.size() < max && want <= upTo) {
            Map.Entry<Long, Segment> e = segments.floorEntry(want);
            if (e == null) {
                e = segments.firstEntry();
                if (e == null) {
                    break;
                }
            }
            Segment s = e.getValue();
            long sizeNow = s.size;
            long segLast = Math.min(s.lastSeq, upTo);
            if (segLast < Math.max(want, s.firstSeq)) {
                Map.Entry<Long, Segment> next = segments.higherEntry(s.firstSeq);
                if (next == null) {
                    break;
                }
                want = Math.max(want, next.getKey());
                continue;
            }
            long start = Math.max(want, s.firstSeq);
            long[] at = s.floor(start);
            try (RandomAccessFile f = new RandomAccessFile(s.path.toFile(), "r")) {
                long pos = at[1];
                long seq = at[0];
                byte[] head = new byte[FRAME_HEADER_BYTES];
                while (pos < sizeNow && seq <= segLast && out.size() < max) {
                    f.seek(pos);
                    f.readFully(head);
                    int len = ByteBuffer.wrap(head).getInt();
                    if (len <= 0 || len > MAX_BODY_BYTES) {
                        throw new IOException("corrupt frame in " + s.path + " at " + pos);
                    }
                    if (seq >= start) {
                        byte[] body = new byte[len];
                        f.readFully(body);
                        out.add(body);
                    }
                    pos += FRAME_HEADER_BYTES + len;
                    seq++;
                }
            } catch (NoSuchFileException | java.io.FileNotFoundException gone) {
                // retention deleted it meanwhile: continue with what is kept
            } catch (EOFException eof) {
                throw new IOException("segment " + s.path + " is shorter than its committed size", eof);
            }
            want = out.isEmpty() ? Math.max(want, s.lastSeq + 1) : RecordCodec.seqOf(out.get(out.size() - 1), 0) + 1;
        }
        return out;
    }

    /**
     * Deletes the oldest sealed segments while the log holds more than {@code maxBytes} or their newest record is older
     * than {@code maxAgeMillis}. The active segment is never deleted.
     *
     * @return how many records were dropped
     */
    long enforceRetention(long maxBytes, long maxAgeMillis, long nowMillis) throws IOException {
        long dropped = 0;
        long bytes = bytes();
        while (segments.size() > 1) {
            Segment oldest = segments.firstEntry().getValue();
            if (oldest == activeSegment) {
                break;
            }
            boolean tooBig = bytes > maxBytes;
            boolean tooOld = maxAgeMillis > 0 && nowMillis - oldest.lastAppendMillis > maxAgeMillis;
            if (!tooBig && !tooOld) {
                break;
            }
            segments.remove(oldest.firstSeq);
            Files.deleteIfExists(oldest.path);
            bytes -= oldest.size;
            dropped += Math.max(0, oldest.lastSeq - oldest.firstSeq + 1);
        }
        if (dropped > 0) {
            syncDir();
        }
        return dropped;
    }

    @Override
    public void close() throws IOException {
        if (active != null) {
            active.close();
            active = null;
        }
    }

    private void roll(long firstSeq) throws IOException {
        Path path = dir.resolve(String.format("%020d", firstSeq) + SUFFIX);
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).putInt(MAGIC).putInt(FORMAT_VERSION).flip();
            ch.truncate(0);
            while (header.hasRemaining()) {
                ch.write(header, HEADER_BYTES - header.remaining());
            }
            ch.force(true);
            syncDir();
        } catch (IOException e) {
            ch.close();
            Files.deleteIfExists(path);
            throw e;
        }
        if (active != null) {
            active.close();
        }
        active = ch;
        activeSegment = new Segment(path, firstSeq);
        activeSegment.size = HEADER_BYTES;
        activeSegment.lastAppendMillis = System.currentTimeMillis();
        segments.put(firstSeq, activeSegment);
    }

    private void syncDir() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            LOG.debug("directory fsync of {} failed: {}", dir, e.toString());
        }
    }

    private long recover() throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.getFileName().toString().matches("\\d{20}\\" + SUFFIX)).sorted().toList();
        }
        long truncated = 0;
        long expected = -1;
        for (Path p : files) {
            long first = Long.parseLong(p.getFileName().toString().substring(0, 20));
            if (expected > 0 && first != expected) {
                LOG.warn("event log segment {} starts at seq {} but {} was expected (records lost to media damage?)",
                        p.getFileName(), first, expected);
            }
            Segment s = new Segment(p, first);
            truncated += scan(s);
            s.lastAppendMillis = Files.getLastModifiedTime(p).toMillis();
            segments.put(first, s);
            expected = s.lastSeq + 1;
            lastSeq = Math.max(lastSeq, s.lastSeq);
        }
        if (!segments.isEmpty()) {
            Segment last = segments.lastEntry().getValue();
            active = FileChannel.open(last.path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            activeSegment = last;
        }
        return truncated;
    }

    /** Validates every frame of {@code s}, truncates after the last valid one, and indexes it. */
    private long scan(Segment s) throws IOException {
        try (FileChannel ch = FileChannel.open(s.path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long fileSize = ch.size();
            ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
            boolean headerOk = fileSize >= HEADER_BYTES && readFully(ch, header, 0)
                    && header.getInt(0) == MAGIC && header.getInt(4) == FORMAT_VERSION;
            if (!headerOk) {
                LOG.warn("event log segment {} has no valid header: rewritten empty", s.path.getFileName());
                ch.truncate(0);
                ch.write(ByteBuffer.allocate(HEADER_BYTES).putInt(MAGIC).putInt(FORMAT_VERSION).flip(), 0);
                ch.force(true);
                s.size = HEADER_BYTES;
                return fileSize;
            }
            long pos = HEADER_BYTES;
            long seq = s.firstSeq - 1;
            ByteBuffer frameHead = ByteBuffer.allocate(FRAME_HEADER_BYTES);
            CRC32C crc = new CRC32C();
            while (pos + FRAME_HEADER_BYTES <= fileSize) {
                frameHead.clear();
                if (!readFully(ch, frameHead, pos)) {
                    break;
                }
                int len = frameHead.getInt(0);
                int sum = frameHead.getInt(4);
                if (len < 17 || len > MAX_BODY_BYTES || pos + FRAME_HEADER_BYTES + len > fileSize) {
                    break;
                }
                ByteBuffer body = ByteBuffer.allocate(len);
                if (!readFully(ch, body, pos + FRAME_HEADER_BYTES)) {
                    break;
                }
                byte[] bytes = body.array();
                crc.reset();
                crc.update(bytes);
                if ((int) crc.getValue() != sum || RecordCodec.seqOf(bytes, 0) != seq + 1) {
                    break;
                }
                seq++;
                if ((seq - s.firstSeq) % INDEX_EVERY == 0) {
                    s.index(seq, pos);
                }
                pos += FRAME_HEADER_BYTES + len;
            }
            if (pos < fileSize) {
                LOG.warn("event log segment {}: {} byte(s) after seq {} are not a valid record (torn write): "
                        + "truncated", s.path.getFileName(), fileSize - pos, seq);
                ch.truncate(pos);
                ch.force(true);
            }
            s.size = pos;
            s.lastSeq = seq;
            return fileSize - pos;
        }
    }

    private static boolean readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) {
                return false;
            }
        }
        return true;
    }

    /** One segment file; {@code size} and {@code lastSeq} only grow, published after the data is fsynced. */
    static final class Segment {
        final Path path;
        final long firstSeq;
        volatile long size;
        volatile long lastSeq;
        volatile long lastAppendMillis;
        private long[] indexSeqs = new long[16];
        private long[] indexPositions = new long[16];
        private volatile int indexed;

        Segment(Path path, long firstSeq) {
            this.path = path;
            this.firstSeq = firstSeq;
            this.lastSeq = firstSeq - 1;
        }

        synchronized void index(long seq, long pos) {
            if (indexed == indexSeqs.length) {
                indexSeqs = Arrays.copyOf(indexSeqs, indexed * 2);
                indexPositions = Arrays.copyOf(indexPositions, indexed * 2);
            }
            indexSeqs[indexed] = seq;
            indexPositions[indexed] = pos;
            indexed++;
        }

        /** {seq, position} of the indexed frame at or before {@code seq}. */
        synchronized long[] floor(long seq) {
            int i = Arrays.binarySearch(indexSeqs, 0, indexed, seq);
            if (i < 0) {
                i = -i - 2;
            }
            if (i < 0) {
                return new long[] { firstSeq, HEADER_BYTES };
            }
            return new long[] { indexSeqs[i], indexPositions[i] };
        }
    }
}
