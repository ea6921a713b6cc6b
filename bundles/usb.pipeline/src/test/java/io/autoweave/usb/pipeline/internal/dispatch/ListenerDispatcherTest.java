package io.autoweave.usb.pipeline.internal.dispatch;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Test;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventListener;
import io.autoweave.usb.pipeline.internal.Devices;

public class ListenerDispatcherTest {

    private final ListenerDispatcher dispatcher = new ListenerDispatcher(4);

    @After
    public void tearDown() {
        dispatcher.close(0);
    }

    private static UsbEvent event(int n, UsbDevice device) {
        return new UsbEvent("e" + n, "i", UsbAction.ATTACH, 0, System.nanoTime(), device, Set.of("simulated"), 0);
    }

    @Test
    public void aSlowListenerDelaysOnlyItsOwnBundleAndItsDropsAreCounted() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger fast = new java.util.concurrent.atomic.AtomicInteger();
        dispatcher.add("slow", 1, "slow-1", e -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }, null);
        dispatcher.add("fast", 2, "fast-2", e -> fast.incrementAndGet(), null);
        for (int i = 0; i < 10; i++) {
            dispatcher.accept(event(i, Devices.receiver("1-2")));
            int expected = i + 1;
            // the fast bundle gets each event while the slow one is stuck
            Await.until(() -> fast.get() == expected);
            if (i == 0) {
                // the slow worker has taken the first event off its queue (else one more would be queued or dropped)
                assertTrue(entered.await(10, TimeUnit.SECONDS));
            }
        }
        // one event in the stuck call, four queued, the rest dropped for the slow bundle only
        assertEquals(5, dispatcher.dropped(1));
        assertEquals(0, dispatcher.dropped(2));
        assertEquals(5L, (long) dispatcher.metrics().get("listeners.dropped"));
        release.countDown();
    }

    @Test
    public void listenersAreCalledOnTheirBundlesThreadNotTheCallers() throws Exception {
        BlockingQueue<String> threads = new LinkedBlockingQueue<>();
        dispatcher.add("a", 7, "probe-7", e -> threads.add(Thread.currentThread().getName()), null);
        dispatcher.accept(event(1, Devices.receiver("1-2")));
        String name = threads.poll(5, TimeUnit.SECONDS);
        assertNotNull(name);
        assertNotEquals(Thread.currentThread().getName(), name);
        assertEquals("autoweave-usb-listener-probe-7", name);
    }

    @Test
    public void theFilterPropertySelectsEventsByTheirEventAdminProperties() throws Exception {
        BlockingQueue<UsbEvent> got = new LinkedBlockingQueue<>();
        dispatcher.add("a", 1, "a", got::add, "(&(vendor_id=046d)(device_class=0))");
        dispatcher.accept(event(1, Devices.stick("S", "1-3")));
        dispatcher.accept(event(2, Devices.receiver("1-2")));
        UsbEvent first = got.poll(5, TimeUnit.SECONDS);
        assertEquals("e2", first.eventId());
        assertNull(got.poll(100, TimeUnit.MILLISECONDS));
    }

    @Test
    public void thePermissionIsAskedOncePerBundleAndDeviceKindWhileTheGenerationStays() throws Exception {
        java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong(1);
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        ListenerDispatcher cached = new ListenerDispatcher(64, generation::get);
        try {
            BlockingQueue<UsbEvent> got = new LinkedBlockingQueue<>();
            cached.add("a", 1, "a", got::add, null, d -> asked.incrementAndGet() > 0);
            for (int i = 0; i < 20; i++) { // other serials and ports, same vendor, product and classes
                cached.accept(event(i, Devices.at(Devices.withSerial(Devices.stick("S", "1-3"), "S" + i), "1-" + i,
                        1, i + 2)));
            }
            for (int i = 0; i < 20; i++) {
                assertNotNull(got.poll(5, TimeUnit.SECONDS));
            }
            assertEquals(1, asked.get());
            cached.accept(event(99, Devices.receiver("1-2")));
            assertNotNull(got.poll(5, TimeUnit.SECONDS));
            assertEquals("another device kind is asked", 2, asked.get());
            generation.incrementAndGet();
            cached.accept(event(100, Devices.receiver("1-2")));
            assertNotNull(got.poll(5, TimeUnit.SECONDS));
            assertEquals("a new generation asks again", 3, asked.get());
        } finally {
            cached.close(0);
        }
    }

    @Test
    public void aRevokedPermissionTakesEffectForTheVeryNextEventOnceTheGenerationMoved() throws Exception {
        java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong(1);
        java.util.concurrent.atomic.AtomicBoolean granted = new java.util.concurrent.atomic.AtomicBoolean(true);
        ListenerDispatcher cached = new ListenerDispatcher(64, generation::get);
        try {
            BlockingQueue<UsbEvent> got = new LinkedBlockingQueue<>();
            cached.add("a", 1, "a", got::add, null, d -> granted.get());
            cached.accept(event(1, Devices.receiver("1-2")));
            assertEquals("e1", got.poll(5, TimeUnit.SECONDS).eventId());
            granted.set(false); // the policy changed ...
            generation.incrementAndGet(); // ... and its provider moved the generation after the commit
            cached.accept(event(2, Devices.receiver("1-2")));
            granted.set(true);
            generation.incrementAndGet();
            cached.accept(event(3, Devices.receiver("1-2")));
            assertEquals("e3", got.poll(5, TimeUnit.SECONDS).eventId());
            assertEquals(1L, (long) cached.metrics().get("listeners.withheld_by_permission"));
        } finally {
            cached.close(0);
        }
    }

    @Test
    public void aListenerOnlyReceivesDevicesItsPermissionCoversAndWithheldOnesAreCounted() throws Exception {
        BlockingQueue<UsbEvent> got = new LinkedBlockingQueue<>();
        io.autoweave.api.security.UsbPermission grant = new io.autoweave.api.security.UsbPermission("vendor=046d", "monitor");
        dispatcher.add("a", 1, "a", got::add, null,
                d -> io.autoweave.api.security.UsbPermission.canMonitor(p -> grant.implies((java.security.Permission) p), d));
        UsbDevice stick = Devices.stick("S", "1-3");
        UsbDevice receiver = Devices.receiver("1-2");
        dispatcher.accept(event(1, stick));
        dispatcher.accept(event(2, receiver));
        UsbEvent first = got.poll(5, TimeUnit.SECONDS);
        assertEquals("only the 046d receiver is covered", "e2", first.eventId());
        assertNull(got.poll(100, TimeUnit.MILLISECONDS));
        assertEquals(1L, (long) dispatcher.metrics().get("listeners.withheld_by_permission"));
    }

    @Test
    public void aListenerWithAnUnparsableFilterReceivesNothingAndIsCounted() {
        UsbEventListener never = e -> {
            throw new AssertionError("must not be called");
        };
        assertFalse(dispatcher.add("a", 1, "a", never, "(vendor_id=046d"));
        dispatcher.accept(event(1, Devices.receiver("1-2")));
        assertEquals(1L, (long) dispatcher.metrics().get("listeners.bad_filters"));
        assertEquals(0L, (long) dispatcher.metrics().get("listeners.registered"));
    }

    @Test
    public void aFailingListenerIsCountedAndKeepsReceiving() throws Exception {
        CountDownLatch calls = new CountDownLatch(2);
        dispatcher.add("a", 1, "a", e -> {
            calls.countDown();
            throw new IllegalStateException("boom");
        }, null);
        dispatcher.accept(event(1, Devices.receiver("1-2")));
        dispatcher.accept(event(2, Devices.receiver("1-2")));
        assertTrue(calls.await(5, TimeUnit.SECONDS));
        Await.until(() -> dispatcher.failures.sum() == 2);
    }

    @Test
    public void aRemovedListenerGetsNothingMore() throws Exception {
        BlockingQueue<UsbEvent> got = new LinkedBlockingQueue<>();
        dispatcher.add("a", 1, "a", got::add, null);
        dispatcher.remove("a");
        dispatcher.accept(event(1, Devices.receiver("1-2")));
        assertNull(got.poll(100, TimeUnit.MILLISECONDS));
        assertEquals(List.of(), List.copyOf(got));
    }

    private io.autoweave.api.plugin.WorkerFigures figures(long bundleId) {
        return dispatcher.figures().stream().filter(f -> f.bundleId() == bundleId).findFirst().orElseThrow();
    }

    @Test
    public void aStuckListenerIsReportedAndItsAbandonedWorkerIsReplacedSoLaterEventsStillArrive() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        dispatcher.add("a", 3, "stuck-3", e -> {
            got.add(e.eventId() + "@" + Thread.currentThread().getName());
            if (e.eventId().equals("e1")) {
                while (true) { // ignores interrupts, like a hostile listener
                    try {
                        release.await();
                        return;
                    } catch (InterruptedException ie) {
                        // keep hanging
                    }
                }
            }
        }, null);
        dispatcher.accept(event(1, Devices.receiver("1-2")));
        assertEquals("e1@autoweave-usb-listener-stuck-3", got.poll(5, TimeUnit.SECONDS));
        dispatcher.accept(event(2, Devices.receiver("1-2")));
        Await.until(() -> figures(3).runningCallNanos() > 0 && figures(3).queueDepth() == 1);
        assertTrue(dispatcher.interrupt(3));
        Thread.sleep(50);
        assertTrue("it ignored the interrupt", figures(3).runningCallNanos() > 0);
        long stuckId = figures(3).threadIds().get(0);

        assertTrue(dispatcher.recycle(3, true, "test"));
        assertEquals("the new thread takes the queue", "e2@autoweave-usb-listener-stuck-3#1", got.poll(5, TimeUnit.SECONDS));
        io.autoweave.api.plugin.WorkerFigures f = figures(3);
        assertEquals(f.toString(), 2, f.threadIds().size());
        assertEquals("the abandoned thread is still reported", stuckId, (long) f.threadIds().get(1));
        assertEquals(1, f.abandoned());
        assertEquals(1, f.abandonedAlive());
        release.countDown();
        Await.until(() -> figures(3).threadIds().size() == 1 && figures(3).calls() == 2);
    }

    @Test
    public void sheddingDropsTheQueueAndNewEventsOfThatBundleOnlyAndCountsThem() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger fast = new java.util.concurrent.atomic.AtomicInteger();
        dispatcher.add("slow", 1, "slow-1", e -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }, null);
        dispatcher.add("fast", 2, "fast-2", e -> fast.incrementAndGet(), null);
        for (int i = 0; i < 3; i++) {
            dispatcher.accept(event(i, Devices.receiver("1-2")));
        }
        Await.until(() -> figures(1).queueDepth() == 2);
        assertEquals(2, dispatcher.shed(1, 60_000));
        dispatcher.accept(event(9, Devices.receiver("1-2")));
        Await.until(() -> fast.get() == 4);
        assertEquals(0, figures(1).queueDepth());
        assertEquals(3, figures(1).shed());
        assertEquals(0, figures(2).shed());
        assertEquals(-1, dispatcher.shed(99, 1));
        release.countDown();
    }

    @Test
    public void aBundleShedBeforeItHasAWorkerIsShedOnceItRegistersWithinThePeriod() throws Exception {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        assertEquals(-1, dispatcher.shed(7, 60_000)); // throttled while it was still starting
        assertEquals(-1, dispatcher.shed(8, 0)); // a period already over
        dispatcher.add("late", 7, "late-7", e -> calls.incrementAndGet(), null);
        dispatcher.add("done", 8, "done-8", e -> calls.incrementAndGet(), null);
        dispatcher.accept(event(1, Devices.receiver("1-2")));
        Await.until(() -> figures(8).calls() == 1);
        assertEquals(1, figures(7).shed());
        assertEquals(0, figures(7).calls());
        assertEquals(0, figures(8).shed());
    }

    @Test
    public void aGracefulRecycleKeepsOrderAndCountsCallsPerThread() throws Exception {
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        dispatcher.add("a", 5, "r-5", e -> got.add(Thread.currentThread().getName()), null);
        dispatcher.accept(event(1, Devices.receiver("1-2")));
        assertEquals("autoweave-usb-listener-r-5", got.poll(5, TimeUnit.SECONDS));
        Await.until(() -> figures(5).callsOnThread() == 1);
        assertTrue(dispatcher.recycle(5, false, "test"));
        Await.until(() -> figures(5).recycled() == 1);
        dispatcher.accept(event(2, Devices.receiver("1-2")));
        assertEquals("autoweave-usb-listener-r-5#1", got.poll(5, TimeUnit.SECONDS));
        Await.until(() -> figures(5).callsOnThread() == 1 && figures(5).calls() == 2);
        assertEquals(0, figures(5).abandoned());
        assertTrue(figures(5).p99CallNanos() > 0);
    }

    @Test
    public void removingAHangingListenerAndClosingTheDispatcherBothReturnWithinTheirBound() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        dispatcher.add("h", 8, "hang-8", e -> {
            entered.countDown();
            while (true) {
                try {
                    Thread.sleep(10_000);
                } catch (InterruptedException ie) {
                    return; // the close's interrupt ends it
                }
            }
        }, null);
        dispatcher.add("ok", 9, "ok-9", e -> { }, null);
        dispatcher.accept(event(1, Devices.receiver("1-2")));
        assertTrue(entered.await(5, TimeUnit.SECONDS));
        long t0 = System.nanoTime();
        dispatcher.remove("h");
        assertTrue("remove does not wait for the stuck call", System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(500));
        assertEquals("the leaving worker is still reported while its thread lives", 1,
                dispatcher.figures().stream().filter(f -> f.bundleId() == 8).count());
        t0 = System.nanoTime();
        dispatcher.close(300);
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue("close took " + took + " ms", took < 1500);
        Await.until(() -> dispatcher.figures().isEmpty());
    }

    @Test
    public void percentilesAreNearestRank() {
        assertEquals(0, ListenerDispatcher.percentile(new long[0], 99));
        long[] v = new long[100];
        for (int i = 0; i < 100; i++) {
            v[i] = i + 1;
        }
        assertEquals(50, ListenerDispatcher.percentile(v, 50));
        assertEquals(99, ListenerDispatcher.percentile(v, 99));
    }

    /** Waits on a condition with a time-out. */
    public static final class Await {
        public static void until(java.util.function.BooleanSupplier condition) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!condition.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("condition not met within 5 s");
                }
                Thread.sleep(5);
            }
        }
    }
}
