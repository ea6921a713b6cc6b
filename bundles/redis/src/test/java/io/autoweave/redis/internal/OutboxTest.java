package io.autoweave.redis.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class OutboxTest {
    private static final long SEGMENT = 4096;
    private static final long MAX = 64 * 1024;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final List<Outbox> opened = new ArrayList<>();

    @After
    public void closeAll() throws IOException {
        for (Outbox o : opened) {
            o.close();
        }
    }

    private Outbox open(Path dir) throws IOException {
        return open(dir, SEGMENT, MAX);
    }

    private Outbox open(Path dir, long segment, long max) throws IOException {
        Outbox o = new Outbox(dir, segment, max);
        opened.add(o);
        return o;
    }

    private static byte[] payload(int i) {
        return ("record-" + i + "-" + "x".repeat(i % 50)).getBytes(StandardCharsets.UTF_8);
    }

    private static List<OutboxRecord> drain(Outbox o) throws Exception {
        List<OutboxRecord> all = new ArrayList<>();
        List<OutboxRecord> batch;
        while (!(batch = o.poll(1000, 50, TimeUnit.MILLISECONDS)).isEmpty()) {
            all.addAll(batch);
        }
        return all;
    }

    private static void assertPayloads(List<OutboxRecord> records, int from, int to) {
        assertEquals(to - from, records.size());
        for (int i = from; i < to; i++) {
            assertArrayEquals(payload(i), records.get(i - from).payload());
        }
    }

    private static List<Path> segmentFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(Outbox.SEGMENT_SUFFIX)).sorted().toList();
        }
    }

    @Test
    public void appendedRecordsArePolledInOrderAcrossSegments() throws Exception {
        Outbox o = open(tmp.newFolder().toPath());
        for (int i = 0; i < 300; i++) {
            assertEquals(i + 1, o.append(payload(i)));
        }
        assertTrue("records spread over several segments", o.stats().segments() > 3);
        List<OutboxRecord> records = drain(o);
        assertPayloads(records, 0, 300);
        for (int i = 0; i < records.size(); i++) {
            assertEquals(i + 1, records.get(i).seq());
        }
    }

    @Test
    public void reopenReplaysOnlyUnacknowledgedRecordsInOrder() throws Exception {
        Path dir = tmp.newFolder().toPath();
        Outbox first = open(dir);
        for (int i = 0; i < 200; i++) {
            first.append(payload(i));
        }
        first.ack(120);
        first.close();

        Outbox second = open(dir);
        assertEquals(80, second.stats().depth());
        assertPayloads(drain(second), 120, 200);
        assertEquals("sequence continues after reopen", 201, second.append(payload(200)));
    }

    @Test
    public void tornLastRecordIsCutAndEverythingBeforeItReplayed() throws Exception {
        Path dir = tmp.newFolder().toPath();
        Outbox first = open(dir);
        for (int i = 0; i < 50; i++) {
            first.append(payload(i));
        }
        first.close();
        Path last = segmentFiles(dir).get(segmentFiles(dir).size() - 1);
        long size = Files.size(last);
        try (RandomAccessFile f = new RandomAccessFile(last.toFile(), "rw")) {
            f.setLength(size - 5); // crash in the middle of writing record 50
        }

        Outbox second = open(dir);
        assertTrue(second.stats().truncatedBytes() > 0);
        assertPayloads(drain(second), 0, 49);
        assertEquals("the torn record's sequence number is reused", 50, second.append(payload(49)));
    }

    @Test
    public void garbledLastRecordIsDetectedByItsCrc() throws Exception {
        Path dir = tmp.newFolder().toPath();
        Outbox first = open(dir);
        for (int i = 0; i < 50; i++) {
            first.append(payload(i));
        }
        first.close();
        Path last = segmentFiles(dir).get(segmentFiles(dir).size() - 1);
        long size = Files.size(last);
        try (RandomAccessFile f = new RandomAccessFile(last.toFile(), "rw")) {
            f.seek(size - 3);
            f.write(new byte[] {0x55, 0x55, 0x55}); // the length is intact, the payload is not
            f.seek(size);
            f.write(new byte[] {0, 0, 0, 0, 0, 0, 0}); // plus zero-filled garbage, as after a power cut
        }

        Outbox second = open(dir);
        assertEquals(3 + 7 + Outbox.RECORD_HEADER_BYTES + Outbox.BODY_PREFIX_BYTES + payload(49).length - 3,
                second.stats().truncatedBytes());
        assertPayloads(drain(second), 0, 49);
    }

    @Test
    public void acknowledgingDeletesSegmentsWhoseRecordsAreAllAcknowledged() throws Exception {
        Path dir = tmp.newFolder().toPath();
        Outbox o = open(dir);
        for (int i = 0; i < 300; i++) {
            o.append(payload(i));
        }
        int before = segmentFiles(dir).size();
        long usedBefore = o.stats().usedBytes();
        drain(o);
        o.ack(150);
        int middle = segmentFiles(dir).size();
        assertTrue("some segments deleted: " + before + " -> " + middle, middle < before);
        assertTrue(middle > 1);
        assertTrue(o.stats().usedBytes() < usedBefore);

        o.ack(300);
        assertEquals("only the fresh active segment remains", 1, segmentFiles(dir).size());
        assertEquals(0, o.stats().depth());
        assertEquals(Outbox.SEGMENT_HEADER_BYTES, o.stats().usedBytes());
        assertEquals(301, o.append(payload(300)));
    }

    @Test
    public void fullOutboxRejectsAppendsRaisesAlarmAndRecoversAfterAck() throws Exception {
        Outbox o = open(tmp.newFolder().toPath(), 4096, 8192);
        int accepted = 0;
        OutboxFullException rejection = null;
        while (rejection == null) {
            try {
                o.append(payload(accepted));
                accepted++;
            } catch (OutboxFullException e) {
                rejection = e;
            }
        }
        assertTrue(accepted > 50);
        OutboxStats full = o.stats();
        assertTrue(full.fullAlarm());
        assertEquals(1, full.rejectedAppends());
        assertTrue(full.usedBytes() <= full.maxBytes());
        byte[] sameSize = payload(accepted);
        assertThrows(OutboxFullException.class, () -> o.append(sameSize));
        assertEquals(2, o.stats().rejectedAppends());

        assertPayloads(drain(o), 0, accepted);
        o.ack(accepted);
        o.append(payload(accepted));
        assertFalse(o.stats().fullAlarm());
    }

    @Test
    public void concurrentAppendersShareFsyncs() throws Exception {
        Outbox o = open(tmp.newFolder().toPath(), 1 << 20, 64 << 20);
        int threads = 8;
        int perThread = 500;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            done.add(pool.submit(() -> {
                for (int i = 0; i < perThread; i++) {
                    o.append(payload(i));
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        long micros = (System.nanoTime() - start) / 1000;
        pool.shutdown();
        OutboxStats s = o.stats();
        assertEquals(threads * perThread, s.appendedRecords());
        double perFsync = (double) s.appendedRecords() / s.fsyncs();
        System.out.printf("group commit: %d records, %d fsyncs (%.1f records/fsync), %.0f appends/s%n",
                s.appendedRecords(), s.fsyncs(), perFsync, s.appendedRecords() * 1e6 / micros);
        assertTrue("appends share fsyncs: " + perFsync + " records per fsync", perFsync >= 2.0);
        assertEquals(threads * perThread, drain(o).size());
    }

    @Test
    public void depthAndOldestUnacknowledgedAgeFollowAcknowledgements() throws Exception {
        AtomicLong now = new AtomicLong(1_000_000);
        Outbox o = new Outbox(tmp.newFolder().toPath(), SEGMENT, MAX, now::get);
        opened.add(o);
        assertEquals(0, o.stats().oldestUnackedAgeMillis());
        o.append(payload(1));
        now.addAndGet(500);
        o.append(payload(2));
        now.addAndGet(500);
        assertEquals(2, o.stats().depth());
        assertEquals(1000, o.stats().oldestUnackedAgeMillis());
        drain(o);
        o.ack(1);
        assertEquals(1, o.stats().depth());
        assertEquals(500, o.stats().oldestUnackedAgeMillis());
        o.ack(2);
        assertEquals(0, o.stats().depth());
        assertEquals(0, o.stats().oldestUnackedAgeMillis());
    }

    @Test
    public void acknowledgingBeyondWhatIsDurableIsRefused() throws Exception {
        Outbox o = open(tmp.newFolder().toPath());
        o.append(payload(1));
        assertThrows(IllegalArgumentException.class, () -> o.ack(2));
    }

    @Test
    public void appendsAfterCloseFail() throws Exception {
        Outbox o = open(tmp.newFolder().toPath());
        o.close();
        assertThrows(IOException.class, () -> o.append(payload(1)));
    }

    @Test
    public void appendAllMakesABatchDurableWithOneFsyncAndKeepsItsOrder() throws Exception {
        Path dir = tmp.newFolder().toPath();
        Outbox o = open(dir, 64 * 1024, 1024 * 1024);
        List<byte[]> batch = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            batch.add(payload(i));
        }
        long fsyncs = o.stats().fsyncs();
        assertEquals(100, o.appendAll(batch));
        assertEquals(fsyncs + 1, o.stats().fsyncs());
        assertEquals(100, o.stats().appendedRecords());
        List<OutboxRecord> read = drain(o);
        assertEquals(100, read.size());
        for (int i = 0; i < 100; i++) {
            assertArrayEquals(payload(i), read.get(i).payload());
        }
    }

    @Test
    public void appendAllRefusesAWholeBatchThatDoesNotFit() throws Exception {
        Outbox o = open(tmp.newFolder().toPath(), SEGMENT, 2 * SEGMENT);
        List<byte[]> batch = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            batch.add(payload(i));
        }
        assertThrows(OutboxFullException.class, () -> o.appendAll(batch));
        assertEquals(0, o.stats().depth());
        assertEquals(400, o.stats().rejectedAppends());
        assertTrue(o.stats().fullAlarm());
        assertEquals(3, o.appendAll(batch.subList(0, 3)));
        assertFalse(o.stats().fullAlarm());
    }
}
