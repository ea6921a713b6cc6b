package io.autoweave.eventlog.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.log.LogCursor;
import io.autoweave.api.log.LogRecord;

public class DurableLogTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();
    private final List<AutoCloseable> open = new ArrayList<>();

    @After
    public void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    static UsbEvent event(int i) {
        String id = String.format("0190a000-0000-7000-8000-%012x", i);
        UsbDevice d = new UsbDevice(0x046d, 0xc52b, "SER" + i, "Logitech", "Receiver", 0, 0, 0, List.of(3, 3), 0x1201,
                1, 5 + i % 100, "1-2." + (i % 7), "a".repeat(63) + (i % 10));
        return new UsbEvent(id, "inst-1", i % 2 == 0 ? UsbAction.ATTACH : UsbAction.DETACH, 1_700_000_000_000L + i,
                i, d, Set.of("libusb"), 0);
    }

    private DurableLog open(Path dir, LogSettings s) throws IOException {
        DurableLog log = new DurableLog(dir, s, System::currentTimeMillis);
        open.add(log);
        return log;
    }

    private static LogSettings small() {
        return new LogSettings(8192, 64 * 1024, 0, 1000, 1024, 4096, 50, false, 1 << 20, 2);
    }

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    public void everyAppendedEventIsCommittedOnceInOrderAndSurvivesReopening() throws Exception {
        Path dir = tmp.newFolder("log").toPath();
        DurableLog log = open(dir, LogSettings.defaults());
        for (int i = 0; i < 5000; i++) {
            log.append(event(i));
        }
        waitFor(() -> log.lastSeq() == 5000, "5000 commits");
        assertTrue("group commit shares fsyncs: " + log.fsyncs.sum(), log.fsyncs.sum() < 5000);
        log.close();
        open.remove(log);
        DurableLog again = open(dir, LogSettings.defaults());
        assertEquals(5000, again.lastSeq());
        assertEquals(1, again.firstSeq());
        long seq = 0;
        int i = 0;
        while (seq < 5000) {
            List<LogRecord> batch = again.read(seq, 777);
            assertFalse(batch.isEmpty());
            for (LogRecord r : batch) {
                assertEquals(++seq, r.seq());
                assertEquals(event(i++), r.event());
            }
        }
        again.append(event(5000));
        waitFor(() -> again.lastSeq() == 5001, "numbering continues");
    }

    @Test
    public void aTornLastRecordIsCutAtStartAndNumberingContinuesWithoutAGap() throws Exception {
        Path dir = tmp.newFolder("log").toPath();
        DurableLog log = open(dir, LogSettings.defaults());
        for (int i = 0; i < 10; i++) {
            log.append(event(i));
        }
        waitFor(() -> log.lastSeq() == 10, "10 commits");
        log.close();
        open.remove(log);
        Path segment;
        try (var files = Files.list(dir)) {
            segment = files.filter(p -> p.toString().endsWith(".log")).findFirst().orElseThrow();
        }
        byte[] torn = RecordCodec.encode(new LogRecord(11, 1, LogRecord.Kind.EVENT, event(10), 0, 0, null));
        java.nio.ByteBuffer frame = java.nio.ByteBuffer.allocate(8 + torn.length / 2);
        frame.putInt(torn.length).putInt(42).put(torn, 0, torn.length / 2).flip();
        try (var ch = java.nio.channels.FileChannel.open(segment, StandardOpenOption.APPEND)) {
            ch.write(frame);
        }
        DurableLog again = open(dir, LogSettings.defaults());
        assertEquals(10, again.lastSeq());
        assertTrue(again.recoveredTruncatedBytes() > 0);
        again.append(event(11));
        waitFor(() -> again.lastSeq() == 11, "seq 11");
        assertEquals(event(11), again.read(10, 5).get(0).event());
    }

    @Test
    public void anUpdateNamesTheSeqOfItsEventAndALossRecordReportsOverflowedEvents() throws Exception {
        DurableLog log = open(tmp.newFolder("log").toPath(), LogSettings.defaults());
        log.append(event(1));
        log.append(event(2));
        UsbEvent e1 = event(1);
        log.appendUpdate(new UsbEvent(e1.eventId(), e1.instanceId(), e1.action(), e1.timestampMillis(),
                e1.monotonicNanos(), e1.device(), Set.of("libusb", "udev"), 0));
        waitFor(() -> log.lastSeq() == 3, "3 commits");
        LogRecord update = log.read(2, 1).get(0);
        assertEquals(LogRecord.Kind.UPDATE, update.kind());
        assertEquals(1, update.updates());
        assertEquals(Set.of("libusb", "udev"), update.event().sources());
    }

    @Test
    public void retentionDropsTheOldestSegmentsAndReadersStartAtTheFirstKeptSeq() throws Exception {
        DurableLog log = open(tmp.newFolder("log").toPath(), small());
        for (int i = 0; i < 3000; i++) {
            log.append(event(i));
            if (i % 100 == 99) {
                final int n = i + 1;
                waitFor(() -> log.lastSeq() == n, n + " commits");
            }
        }
        waitFor(() -> log.lastSeq() == 3000, "3000 commits");
        log.settings(small()); // retention also runs at least once a second
        log.append(event(3000));
        waitFor(() -> log.firstSeq() > 1, "retention");
        assertTrue(log.bytes() <= 64 * 1024 + 16 * 1024);
        long first = log.firstSeq();
        List<LogRecord> fromStart = log.read(0, 10);
        assertEquals(first, fromStart.get(0).seq());
        assertEquals("the answer is contiguous", first + 9, fromStart.get(9).seq());
    }

    @Test
    public void aReaderWaitsForTheNextCommit() throws Exception {
        DurableLog log = open(tmp.newFolder("log").toPath(), LogSettings.defaults());
        assertFalse(log.await(0, 50));
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
            log.append(event(1));
        });
        t.start();
        assertTrue(log.await(0, 10_000));
        assertEquals(1, log.read(0, 10).size());
    }

    @Test
    public void aCursorIsSavedAndReadBackAfterAReopen() throws Exception {
        Path dir = tmp.newFolder("cursors").toPath();
        Cursors cursors = new Cursors(dir, 20);
        LogCursor c = cursors.get("redis", 7);
        assertEquals(7, c.position());
        c.commit(42);
        c.commit(40); // never backwards
        assertEquals(42, c.position());
        cursors.close();
        Cursors again = new Cursors(dir, 20);
        assertEquals(42, again.get("redis", 0).position());
        again.close();
    }

    /** A real tmpfs of {@code size} (needs root to mount; the test is skipped where it cannot). */
    private Path mountTmpfs(String name, String size) throws Exception {
        Path mnt = tmp.newFolder(name).toPath();
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", mnt.toString())
                .redirectErrorStream(true).start();
        assumeTrue("cannot mount a tmpfs here (needs root): skipped", p.waitFor() == 0);
        return mnt;
    }

    /** Fills the file system of {@code dir} until it refuses more; the filler file, to delete to free the space. */
    private static Path fill(Path dir) throws IOException {
        Path filler = dir.resolve("filler");
        try (var out = Files.newOutputStream(filler)) {
            byte[] block = new byte[4096];
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            return filler; // no space left
        }
    }

    /**
     * Disk full on a real small tmpfs (needs root to mount): the log stops committing, says why, keeps events in
     * memory, and once space returns commits them by itself, each exactly once and in order.
     */
    @Test
    public void aFullDiskHoldsEventsInMemoryAndTheyAreCommittedOnceWhenSpaceReturns() throws Exception {
        Path mnt = mountTmpfs("tmpfs", "1m");
        try {
            DurableLog log = open(mnt.resolve("log"), new LogSettings(64 * 1024, 1 << 20, 0, 100_000, 1024, 4096, 50,
                    false, 1 << 20, 2));
            Path filler = fill(mnt);
            for (int i = 0; i < 2000; i++) {
                log.append(event(i));
            }
            waitFor(() -> !log.status().writable(), "the log to notice the full disk");
            assertTrue(log.status().reason(), log.status().reason().toLowerCase().contains("space"));
            assertTrue(log.status().buffered() > 0);
            Files.delete(filler);
            waitFor(() -> log.lastSeq() == 2000, "all 2000 committed after space returned");
            assertTrue(log.status().writable());
            List<LogRecord> all = log.read(0, 5000);
            assertEquals(2000, all.size());
            for (int i = 0; i < 2000; i++) {
                assertEquals(i + 1, all.get(i).seq());
                assertEquals(event(i).eventId(), all.get(i).event().eventId());
            }
            log.close();
            open.remove(log);
            DurableLog again = open(mnt.resolve("log"), LogSettings.defaults());
            assertEquals("nothing was written twice", 2000, again.lastSeq());
            again.close();
            open.remove(again);
        } finally {
            new ProcessBuilder("umount", "-l", mnt.toString()).start().waitFor();
        }
    }

    /** A memory buffer of 1000 events. */
    private static final LogSettings SMALL_BUFFER = new LogSettings(64 * 1024, 1 << 20, 0, 1000, 1024, 4096, 50, false,
            1 << 20, 2);

    @Test
    public void whenTheMemoryBufferOverflowsALossRecordStandsWhereTheDroppedEventsWere() throws Exception {
        Path mnt = mountTmpfs("tmpfs2", "256k");
        try {
            DurableLog log = open(mnt.resolve("log"), SMALL_BUFFER);
            Path filler = fill(mnt);
            for (int i = 0; i < 1500; i++) {
                log.append(event(i));
            }
            // 1500 into a buffer of 1000: at least 500 dropped, the oldest; when the overflow happens while a
            // failing batch is in flight, that batch (the oldest events) is dropped too, so the range stays one
            waitFor(() -> log.status().lost() >= 500, "at least 500 events dropped");
            Files.delete(filler);
            waitFor(() -> log.status().writable() && log.status().buffered() == 0, "the buffer committed");
            long lost = log.status().lost();
            assertTrue("at most one batch more than the overflow: " + lost, lost >= 500 && lost <= 500 + 1024);
            List<LogRecord> all = log.read(0, 5000);
            assertEquals("events kept and one loss record", 1500 - lost + 1, all.size());
            // the records in order: events 0..k-1 (a batch written before the disk was full), the loss record naming
            // events k..k+lost-1, then every later event: nothing out of place, nothing twice
            int k = 0;
            while (all.get(k).kind() == LogRecord.Kind.EVENT) {
                assertEquals(event(k).eventId(), all.get(k).event().eventId());
                k++;
            }
            LogRecord loss = all.get(k);
            System.out.println("[test] loss record after " + k + " event(s): " + lost + " lost");
            assertEquals(LogRecord.Kind.LOSS, loss.kind());
            assertNotNull(loss.loss());
            assertEquals(lost, loss.loss().count());
            assertEquals(event(k).eventId(), loss.loss().firstEventId());
            assertEquals(event((int) (k + lost - 1)).eventId(), loss.loss().lastEventId());
            for (int i = k + 1; i < all.size(); i++) {
                assertEquals(LogRecord.Kind.EVENT, all.get(i).kind());
                assertEquals(event((int) (k + lost + i - k - 1)).eventId(), all.get(i).event().eventId());
            }
        } finally {
            new ProcessBuilder("umount", "-l", mnt.toString()).start().waitFor();
        }
    }

    /**
     * The overflow while a failing batch is in flight: the events dropped meanwhile follow the batch. The loss
     * record must still name one range in its place, so the batch goes into it (it holds the oldest events).
     */
    @Test
    public void anOverflowWhileAFailingBatchIsInFlightGivesOneLossRecordInItsPlace() throws Exception {
        Path mnt = mountTmpfs("tmpfs3", "256k");
        try {
            DurableLog log = open(mnt.resolve("log"), SMALL_BUFFER);
            java.util.concurrent.CountDownLatch taken = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            log.beforeWrite = () -> {
                taken.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            for (int i = 0; i < 30; i++) {
                log.append(event(i));
            }
            assertTrue("the writer took a batch", taken.await(10, java.util.concurrent.TimeUnit.SECONDS));
            Path filler = fill(mnt);
            for (int i = 30; i < 1530; i++) {
                log.append(event(i)); // 1500 more into a buffer of 1000 while the batch of 0..29 is in flight
            }
            log.beforeWrite = null;
            release.countDown(); // the batch fails on the full disk and comes back
            waitFor(() -> log.status().lost() >= 500 + 30, "the overflow and the failed batch dropped");
            Files.delete(filler);
            waitFor(() -> log.status().writable() && log.status().buffered() == 0, "the buffer committed");
            List<LogRecord> all = log.read(0, 5000);
            assertEquals(LogRecord.Kind.LOSS, all.get(0).kind());
            LogRecord.Loss loss = all.get(0).loss();
            assertEquals(530, loss.count());
            assertEquals(event(0).eventId(), loss.firstEventId());
            assertEquals(event(529).eventId(), loss.lastEventId());
            assertEquals(1001, all.size());
            for (int i = 1; i < all.size(); i++) {
                assertEquals(event(529 + i).eventId(), all.get(i).event().eventId());
            }
        } finally {
            new ProcessBuilder("umount", "-l", mnt.toString()).start().waitFor();
        }
    }

    @Test
    public void theConnectedSetSurvivesARestartFromTheCheckpointAndFromTheRecordsAfterIt() throws Exception {
        Path dir = tmp.newFolder("log").toPath();
        DurableLog log = open(dir, LogSettings.defaults());
        UsbEvent a = event(0); // attach on port 1-2.0
        UsbEvent b = event(2); // attach on 1-2.2
        log.append(a);
        log.append(b);
        log.appendUpdate(new UsbEvent(a.eventId(), a.instanceId(), a.action(), a.timestampMillis(),
                a.monotonicNanos(), a.device(), Set.of("libusb", "udev"), 0));
        waitFor(() -> log.lastSeq() == 3, "3 commits");
        log.close(); // clean stop: checkpoint written
        open.remove(log);
        DurableLog second = open(dir, LogSettings.defaults());
        List<LogRecord> connected = second.connected();
        assertEquals(2, connected.size());
        assertEquals(Set.of("libusb", "udev"), connected.get(0).event().sources());
        assertTrue(second.lastAliveMillis() > 0);
        UsbEvent bGone = new UsbEvent("0190a000-0000-7000-8000-ffffffffffff", b.instanceId(),
                io.autoweave.api.device.UsbAction.DETACH, b.timestampMillis() + 1, 0, b.device(), Set.of("udev"), 0);
        second.append(bGone);
        waitFor(() -> second.lastSeq() == 4, "the detach");
        // a crash: no clean stop, the checkpoint is older than the detach; the start folds the records after it
        Files.copy(dir.resolve(ConnectedState.FILE), tmp.getRoot().toPath().resolve("checkpoint-before-detach"));
        second.close();
        open.remove(second);
        Files.copy(tmp.getRoot().toPath().resolve("checkpoint-before-detach"), dir.resolve(ConnectedState.FILE),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        DurableLog third = open(dir, LogSettings.defaults());
        assertEquals(List.of(a.eventId()), third.connected().stream().map(r -> r.event().eventId()).toList());
        Files.delete(dir.resolve(ConnectedState.FILE));
        third.close();
        open.remove(third);
        Files.delete(dir.resolve(ConnectedState.FILE));
        DurableLog fourth = open(dir, LogSettings.defaults());
        assertEquals("without a checkpoint the whole log is folded", 1, fourth.connected().size());
    }

    @Test
    public void theRunningLogCheckpointsTheConnectedSetOffTheWriterAndACrashStartsFromIt() throws Exception {
        Path dir = tmp.newFolder("log").toPath();
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong(1_700_000_000_000L);
        DurableLog log = new DurableLog(dir, LogSettings.defaults(), clock::get);
        open.add(log);
        int devices = 20_000;
        for (int i = 0; i < devices; i++) {
            UsbDevice d = new UsbDevice(0x1d50, 0x6089, "CKP" + i, null, null, 0, 0, 0, List.of(), 0, 1, 5,
                    "1-" + (i % 100), String.format("%064x", i));
            log.append(new UsbEvent(String.format("0190b000-0000-7000-8000-%012x", i), "inst-1", UsbAction.ATTACH,
                    clock.get(), i, d, Set.of("udev"), 0));
        }
        waitFor(() -> log.lastSeq() == devices, "the attaches");
        clock.addAndGet(6000); // a checkpoint is due with the next commit
        log.append(event(1)); // a detach of a device never attached: changes nothing connected
        Path checkpoint = dir.resolve(ConnectedState.FILE);
        waitFor(() -> Files.exists(checkpoint), "the checkpoint written while the log runs");
        ConnectedState saved = new ConnectedState();
        waitFor(() -> saved.load(dir) && saved.attached().size() == devices, "a checkpoint with every device");
        // a crash (no clean stop): a copy of the directory as it is opens with the whole connected set
        Path crashed = tmp.newFolder("crashed").toPath();
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.copy(f, crashed.resolve(f.getFileName()));
            }
        }
        DurableLog again = open(crashed, LogSettings.defaults());
        assertEquals(devices, again.connected().size());
    }
}
