package io.autoweave.usb.pipeline.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.Test;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;

public class SinkQueueTest {

    private int seq;

    private UsbEvent event(UsbAction action, UsbDevice d) {
        return new UsbEvent("e" + (++seq), "i", action, 0, 0, d, Set.of("udev"), 0);
    }

    private static UsbEvent eventOf(SinkItem item) {
        return ((SinkItem.Delivery) item).event();
    }

    @Test
    public void belowCapacityEverythingIsQueuedInOrder() {
        SinkQueue q = new SinkQueue("redis", 4, null);
        assertEquals(SinkQueue.Offer.ACCEPTED, q.offer(event(UsbAction.ATTACH, Devices.stick("A", "1"))));
        assertEquals(SinkQueue.Offer.ACCEPTED, q.offer(event(UsbAction.ATTACH, Devices.stick("B", "2"))));
        List<SinkItem> batch = q.pollBatch(10);
        assertEquals(List.of("e1", "e2"), batch.stream().map(i -> eventOf(i).eventId()).toList());
        assertEquals(2, q.delivered.sum());
        assertEquals(0, q.size());
    }

    @Test
    public void batchesAreCappedAtTheRequestedSize() {
        SinkQueue q = new SinkQueue("redis", 10, null);
        for (int i = 0; i < 5; i++) {
            q.offer(event(UsbAction.ATTACH, Devices.stick("S" + i, "1-" + i)));
        }
        assertEquals(2, q.pollBatch(2).size());
        assertEquals(3, q.size());
    }

    @Test
    public void whenFullAnAttachThenDetachOfOneUnreadDeviceCollapseIntoACountedFlap() {
        SinkQueue q = new SinkQueue("redis", 2, null);
        UsbDevice a = Devices.stick("A", "1");
        q.offer(event(UsbAction.ATTACH, a));
        q.offer(event(UsbAction.ATTACH, Devices.stick("B", "2")));
        assertEquals(SinkQueue.Offer.COALESCED, q.offer(event(UsbAction.DETACH, a)));
        assertEquals(2, q.size());
        assertEquals(1, q.coalesced.sum());
        assertEquals(0, q.shed.sum());
        List<SinkItem> items = q.pollBatch(10);
        UsbEvent collapsed = eventOf(items.get(1));
        assertEquals(UsbAction.DETACH, collapsed.action());
        assertEquals("e3", collapsed.eventId());
        assertEquals(1, collapsed.flapCount());
    }

    @Test
    public void whenFullAnyQueuedOppositePairIsCoalescedToMakeRoom() {
        SinkQueue q = new SinkQueue("redis", 3, null);
        UsbDevice a = Devices.stick("A", "1");
        q.offer(event(UsbAction.ATTACH, a));
        q.offer(event(UsbAction.DETACH, a));
        q.offer(event(UsbAction.ATTACH, Devices.stick("B", "2")));
        assertEquals(SinkQueue.Offer.COALESCED, q.offer(event(UsbAction.ATTACH, Devices.stick("C", "3"))));
        List<SinkItem> items = q.pollBatch(10);
        assertEquals(3, items.size());
        assertEquals(1, eventOf(items.get(0)).flapCount());
        assertEquals(UsbAction.DETACH, eventOf(items.get(0)).action());
    }

    @Test
    public void whenNothingCoalescesTheOldestIsShedAndAMarkerShowsTheGap() {
        SinkQueue q = new SinkQueue("redis", 2, null);
        for (int i = 1; i <= 5; i++) {
            q.offer(event(UsbAction.ATTACH, Devices.stick("S" + i, "1-" + i)));
        }
        assertEquals(3, q.shed.sum());
        assertEquals(2, q.size());
        List<SinkItem> items = q.pollBatch(10);
        assertEquals(new SinkItem.Shed(3, "e1", "e3", 0, 0, 0), items.get(0));
        assertEquals("e4", eventOf(items.get(1)).eventId());
        assertEquals("e5", eventOf(items.get(2)).eventId());
        assertEquals("every offered event is accounted for", 5, q.delivered.sum() + q.shed.sum());
    }

    @Test
    public void aNewMarkerAppearsAfterTheSinkReadTheOldOne() {
        SinkQueue q = new SinkQueue("redis", 2, null);
        for (int i = 1; i <= 3; i++) {
            q.offer(event(UsbAction.ATTACH, Devices.stick("S" + i, "1-" + i)));
        }
        assertEquals(List.of(new SinkItem.Shed(1, "e1", "e1", 0, 0, 0)), q.pollBatch(1));
        assertEquals(SinkQueue.Offer.SHED, q.offer(event(UsbAction.ATTACH, Devices.stick("S4", "1-4"))));
        assertEquals(new SinkItem.Shed(1, "e2", "e2", 0, 0, 0), q.snapshot().get(0));
        assertEquals(List.of("e3", "e4"), q.snapshot().subList(1, 3).stream().map(i -> eventOf(i).eventId()).toList());
    }

    @Test
    public void rateLimitDelaysButNeverDrops() {
        ManualTime time = new ManualTime();
        SinkQueue q = new SinkQueue("webhook", 100, new RateLimiter(10, 2, time));
        for (int i = 0; i < 5; i++) {
            q.offer(event(UsbAction.ATTACH, Devices.stick("S" + i, "1-" + i)));
        }
        assertEquals(2, q.pollBatch(10).size());
        assertEquals(0, q.pollBatch(10).size());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(100), q.nanosUntilNextPermit());
        time.advanceMillis(100);
        assertEquals(1, q.pollBatch(10).size());
        time.advanceMillis(1000);
        assertEquals(2, q.pollBatch(10).size());
        assertEquals(5, q.delivered.sum());
    }

    @Test
    public void markersPassEvenWhenTheRateLimitIsExhausted() {
        ManualTime time = new ManualTime();
        SinkQueue q = new SinkQueue("webhook", 2, new RateLimiter(1, 1, time));
        for (int i = 0; i < 3; i++) {
            q.offer(event(UsbAction.ATTACH, Devices.stick("S" + i, "1-" + i)));
        }
        assertEquals(2, q.pollBatch(10).size()); // marker + one token
        List<SinkItem> next = q.pollBatch(10);
        assertTrue(next.isEmpty());
    }

    @Test
    public void saturatedTellsTheSinkItIsBehind() {
        SinkQueue q = new SinkQueue("redis", 2, null);
        q.offer(event(UsbAction.ATTACH, Devices.stick("A", "1")));
        assertFalse(q.saturated());
        q.offer(event(UsbAction.ATTACH, Devices.stick("B", "2")));
        assertTrue(q.saturated());
    }

    @Test
    public void blockingOfferWaitsForRoomUntilTheSinkDrains() throws Exception {
        SinkQueue q = new SinkQueue("redis", 2, null);
        q.offer(event(UsbAction.ATTACH, Devices.stick("A", "1")));
        q.offer(event(UsbAction.ATTACH, Devices.stick("B", "2")));
        UsbEvent third = event(UsbAction.ATTACH, Devices.stick("C", "3"));
        AtomicReference<SinkQueue.Offer> result = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        Thread producer = new Thread(() -> {
            try {
                result.set(q.offer(third, 10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            done.countDown();
        });
        producer.start();
        assertEquals(1, q.pollBatch(1).size());
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertEquals(SinkQueue.Offer.ACCEPTED, result.get());
        assertEquals(0, q.shed.sum());
    }

    @Test
    public void blockingOfferShedsVisiblyAfterItsTimeout() throws Exception {
        SinkQueue q = new SinkQueue("redis", 2, null);
        q.offer(event(UsbAction.ATTACH, Devices.stick("A", "1")));
        q.offer(event(UsbAction.ATTACH, Devices.stick("B", "2")));
        assertEquals(SinkQueue.Offer.SHED, q.offer(event(UsbAction.ATTACH, Devices.stick("C", "3")), 1,
                TimeUnit.MILLISECONDS));
    }

    @Test
    public void awaitItemsWakesWhenAnEventArrives() throws Exception {
        SinkQueue q = new SinkQueue("redis", 2, null);
        Thread producer = new Thread(() -> q.offer(event(UsbAction.ATTACH, Devices.stick("A", "1"))));
        producer.start();
        assertTrue(q.awaitItems(10, TimeUnit.SECONDS));
        producer.join();
    }

    @Test
    public void aMarkerTellsHowManyEventsWereCoalescedSinceThePreviousOne() {
        SinkQueue q = new SinkQueue("redis", 2, null);
        UsbDevice a = Devices.stick("A", "1");
        q.offer(event(UsbAction.ATTACH, a));
        q.offer(event(UsbAction.DETACH, a));
        assertEquals(SinkQueue.Offer.COALESCED, q.offer(event(UsbAction.ATTACH, Devices.stick("B", "2"))));
        assertEquals(SinkQueue.Offer.SHED, q.offer(event(UsbAction.ATTACH, Devices.stick("C", "3"))));
        List<SinkItem> items = q.pollBatch(10);
        assertEquals(new SinkItem.Shed(1, "e2", "e2", 0, 0, 1), items.get(0));
        assertEquals(List.of("e3", "e4"), items.subList(1, 3).stream().map(i -> eventOf(i).eventId()).toList());
        assertEquals("offered = delivered + shed + coalesced", q.accepted.sum(),
                q.delivered.sum() + q.shed.sum() + q.coalesced.sum());
    }

    @Test
    public void aDeviceReadByTheSinkIsNoLongerACoalescingCandidate() {
        SinkQueue q = new SinkQueue("redis", 2, null);
        UsbDevice a = Devices.stick("A", "1");
        q.offer(event(UsbAction.ATTACH, a));
        assertEquals(1, q.pollBatch(10).size());
        q.offer(event(UsbAction.ATTACH, Devices.stick("B", "2")));
        q.offer(event(UsbAction.ATTACH, Devices.stick("C", "3")));
        assertEquals("the attach was read: the detach cannot collapse into it", SinkQueue.Offer.SHED,
                q.offer(event(UsbAction.DETACH, a)));
    }

    @Test(expected = IllegalArgumentException.class)
    public void tinyCapacityIsRejected() {
        new SinkQueue("x", 1, null);
    }
}
