package io.autoweave.usb.pipeline.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.After;
import org.junit.Test;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventSink;

public class SinkDispatcherTest {

    private final List<SinkDispatcher> opened = new ArrayList<>();
    private int seq;

    @After
    public void closeAll() {
        opened.forEach(d -> d.close(1000));
    }

    private SinkDispatcher dispatcher(int capacity, int batchSize) {
        AtomicInteger markers = new AtomicInteger();
        SinkDispatcher d = new SinkDispatcher(new SinkDispatcher.Settings(capacity, batchSize, 0), System::nanoTime,
                () -> "m" + markers.incrementAndGet(), "inst-1");
        opened.add(d);
        return d;
    }

    private UsbEvent event() {
        int n = ++seq;
        return new UsbEvent("e" + n, "inst-1", UsbAction.ATTACH, 1000 + n, System.nanoTime(),
                Devices.stick("S" + n, "1-" + n), Set.of("udev"), 0);
    }

    /** Records every batch; while {@link #gate} is closed, deliveries wait for it (a slow sink). */
    static final class RecordingSink implements UsbEventSink {
        final BlockingQueue<Batch> batches = new LinkedBlockingQueue<>();
        final CountDownLatch entered = new CountDownLatch(1);
        volatile CountDownLatch gate = new CountDownLatch(0);
        final AtomicInteger failuresLeft = new AtomicInteger();
        final List<Batch> attempts = new ArrayList<>();

        @Override
        public void deliver(Batch batch) throws Exception {
            synchronized (attempts) {
                attempts.add(batch);
            }
            entered.countDown();
            assertTrue(gate.await(10, TimeUnit.SECONDS));
            if (failuresLeft.getAndDecrement() > 0) {
                throw new java.io.IOException("not durable");
            }
            batches.add(batch);
        }

        Batch next() throws InterruptedException {
            Batch b = batches.poll(10, TimeUnit.SECONDS);
            assertNotNull("a batch within 10 s", b);
            return b;
        }
    }

    /** The sink saw the batch inside deliver; the dispatcher counts it once deliver returned. */
    private static SinkDispatcher.SinkStats awaitAcknowledged(SinkDispatcher d, long events) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        SinkDispatcher.SinkStats s;
        while ((s = d.stats().get(0)).acknowledged() < events && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return s;
    }

    private static List<String> ids(UsbEventSink.Batch b) {
        return b.events().stream().map(UsbEvent::eventId).toList();
    }

    @Test
    public void anIdleSinkGetsEachEventAtOnceInABatchOfOne() throws Exception {
        SinkDispatcher d = dispatcher(16, 8);
        RecordingSink sink = new RecordingSink();
        d.add("ref", "redis", "test", sink);
        for (int i = 1; i <= 3; i++) {
            d.accept(event());
            UsbEventSink.Batch b = sink.next();
            assertEquals(List.of("e" + i), ids(b));
            assertNull(b.loss());
        }
        assertEquals(3, awaitAcknowledged(d, 3).acknowledged());
        assertEquals(3, d.latency.count());
    }

    @Test
    public void eventsQueuedDuringASlowDeliveryFollowInBatchesUpToTheBatchSizeInOrder() throws Exception {
        SinkDispatcher d = dispatcher(64, 4);
        RecordingSink sink = new RecordingSink();
        sink.gate = new CountDownLatch(1);
        d.add("ref", "redis", "test", sink);
        d.accept(event());
        assertTrue(sink.entered.await(10, TimeUnit.SECONDS));
        for (int i = 0; i < 10; i++) {
            d.accept(event());
        }
        sink.gate.countDown();
        assertEquals(List.of("e1"), ids(sink.next()));
        assertEquals(List.of("e2", "e3", "e4", "e5"), ids(sink.next()));
        assertEquals(List.of("e6", "e7", "e8", "e9"), ids(sink.next()));
        assertEquals(List.of("e10", "e11"), ids(sink.next()));
    }

    @Test
    public void aRefusedBatchIsRetriedBeforeAnythingNewer() throws Exception {
        SinkDispatcher d = dispatcher(64, 4);
        RecordingSink sink = new RecordingSink();
        sink.failuresLeft.set(2);
        d.add("ref", "redis", "test", sink);
        sink.gate = new CountDownLatch(1);
        d.accept(event());
        assertTrue(sink.entered.await(10, TimeUnit.SECONDS));
        d.accept(event()); // queued while e1's batch is refused and retried
        sink.gate.countDown();
        assertEquals(List.of("e1"), ids(sink.next()));
        assertEquals(List.of("e2"), ids(sink.next()));
        synchronized (sink.attempts) {
            assertEquals("two refusals, then success, then the next", 4, sink.attempts.size());
            for (int i = 0; i < 3; i++) {
                assertEquals(List.of("e1"), ids(sink.attempts.get(i)));
            }
        }
        SinkDispatcher.SinkStats s = awaitAcknowledged(d, 2);
        assertEquals(2, s.failures());
        assertEquals(2, s.acknowledged());
        assertTrue(s.lastError(), s.lastError().contains("not durable"));
    }

    @Test
    public void whatAFullQueueShedsReachesTheSinkAsALossMarkerAheadOfTheSurvivors() throws Exception {
        SinkDispatcher d = dispatcher(2, 16);
        RecordingSink sink = new RecordingSink();
        sink.gate = new CountDownLatch(1);
        d.add("ref", "redis", "test", sink);
        d.accept(event()); // e1: taken at once, its delivery waits at the gate
        assertTrue(sink.entered.await(10, TimeUnit.SECONDS));
        for (int i = 0; i < 5; i++) {
            d.accept(event()); // e2..e6 into a queue of 2: e2, e3, e4 shed
        }
        sink.gate.countDown();
        assertEquals(List.of("e1"), ids(sink.next()));
        UsbEventSink.Batch b = sink.next();
        assertEquals(new UsbEventSink.Loss("m1", "inst-1", 3, 0, "e2", "e4", 1002, 1004), b.loss());
        assertEquals(List.of("e5", "e6"), ids(b));
        SinkDispatcher.SinkStats s = awaitAcknowledged(d, 3);
        assertEquals("offered = acknowledged + shed + coalesced", s.offered(),
                s.acknowledged() + s.shed() + s.coalesced());
        assertEquals(1, s.markers());
    }

    @Test
    public void theQueueBelongsToTheNameAndWaitsForTheNextSinkOfThatName() throws Exception {
        SinkDispatcher d = dispatcher(16, 8);
        RecordingSink first = new RecordingSink();
        d.add("ref-1", "redis", "test", first);
        d.accept(event());
        assertEquals(List.of("e1"), ids(first.next()));
        awaitAcknowledged(d, 1);
        d.remove("ref-1");
        d.accept(event());
        d.accept(event());
        SinkDispatcher.SinkStats unbound = d.stats().get(0);
        assertEquals(false, unbound.bound());
        assertEquals("nothing is acknowledged while no sink holds the name", 1, unbound.acknowledged());
        RecordingSink second = new RecordingSink();
        d.add("ref-2", "redis", "test", second);
        List<String> got = new ArrayList<>();
        while (got.size() < 2) {
            got.addAll(ids(second.next()));
        }
        assertEquals(List.of("e2", "e3"), got);
        assertTrue(first.batches.isEmpty());
    }

    @Test
    public void aSecondSinkOfTheSameNameStandsInUntilTheFirstLeaves() throws Exception {
        SinkDispatcher d = dispatcher(16, 8);
        RecordingSink first = new RecordingSink();
        RecordingSink second = new RecordingSink();
        d.add("ref-1", "redis", "test", first);
        d.add("ref-2", "redis", "test", second);
        d.accept(event());
        assertEquals(List.of("e1"), ids(first.next()));
        d.remove("ref-1");
        d.accept(event());
        assertEquals(List.of("e2"), ids(second.next()));
        assertTrue(first.batches.isEmpty());
    }

    @Test
    public void closeDeliversWhatIsQueuedWithinTheGraceTime() throws Exception {
        SinkDispatcher d = dispatcher(1024, 8);
        RecordingSink sink = new RecordingSink();
        sink.gate = new CountDownLatch(1);
        d.add("ref", "redis", "test", sink);
        for (int i = 0; i < 100; i++) {
            d.accept(event());
        }
        sink.gate.countDown();
        d.close(10_000);
        int events = 0;
        for (UsbEventSink.Batch b : sink.batches) {
            events += b.events().size();
        }
        assertEquals(100, events);
    }

    @Test
    public void invalidSettingsSayWhatToFix() {
        assertEquals("sink.queue.capacity must be >= 2, was 1", assertThrows(IllegalArgumentException.class,
                () -> new SinkDispatcher.Settings(1, 8, 0)).getMessage());
        assertEquals("sink.batch.size must be >= 1, was 0", assertThrows(IllegalArgumentException.class,
                () -> new SinkDispatcher.Settings(8, 0, 0)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SinkDispatcher.Settings(8, 8, -1))
                .getMessage().startsWith("sink.rate.per.second must be 0 (no limit) or a positive number"));
    }

    @Test
    public void aRateLimitedSinkStillGetsEverything() throws Exception {
        SinkDispatcher d = new SinkDispatcher(new SinkDispatcher.Settings(64, 4, 200), System::nanoTime,
                () -> "m", "inst-1");
        opened.add(d);
        RecordingSink sink = new RecordingSink();
        d.add("ref", "webhook", "test", sink);
        for (int i = 0; i < 20; i++) {
            d.accept(event());
        }
        List<String> got = new ArrayList<>();
        while (got.size() < 20) {
            UsbEventSink.Batch b = sink.next();
            assertTrue("batches stay within the burst", b.events().size() <= 4);
            got.addAll(ids(b));
        }
        assertEquals(20, got.size());
        assertEquals("e1", got.get(0));
        assertEquals("e20", got.get(19));
    }
}
