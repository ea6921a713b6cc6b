package io.autoweave.webconsole.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;

import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;

public class DeviceFeedTest {

    private static UsbEvent event(int n, String signature) {
        UsbDevice d = new UsbDevice(0x1d50, 0x6089, "S" + n, null, null, 0, 0, 0, List.of(), 0, -1, -1, null,
                signature);
        return new UsbEvent("e" + n, "i", UsbAction.ATTACH, n, n, d, Set.of("simulated"), 0);
    }

    @Test
    public void keepsTheNewestEventsUpToItsCapacityNewestFirst() {
        DeviceFeed feed = new DeviceFeed(3);
        for (int i = 1; i <= 5; i++) {
            feed.publish(event(i, i % 2 == 0 ? "aa" : "bb"));
        }
        assertEquals(List.of("e5", "e4", "e3"), feed.recent(null, 10).stream().map(UsbEvent::eventId).toList());
        assertEquals(List.of("e4"), feed.recent("AA", 10).stream().map(UsbEvent::eventId).toList());
        assertEquals(List.of("e5"), feed.recent(null, 1).stream().map(UsbEvent::eventId).toList());
    }

    @Test
    public void subscribersGetLaterEventsAndAnEndMarkerOnClose() throws Exception {
        DeviceFeed feed = new DeviceFeed(10);
        BlockingQueue<Object> q = feed.subscribe();
        UsbEvent e = event(1, "aa");
        feed.publish(e);
        assertSame(e, q.poll(1, TimeUnit.SECONDS));
        feed.close();
        assertSame(DeviceFeed.Closed.INSTANCE, q.poll(1, TimeUnit.SECONDS));
        feed.unsubscribe(q);
        assertEquals(0, feed.subscribers());
    }

    @Test
    public void aSubscriberThatFallsTooFarBehindIsEnded() {
        DeviceFeed feed = new DeviceFeed(10);
        BlockingQueue<Object> q = feed.subscribe();
        for (int i = 0; i < 1001; i++) {
            feed.publish(event(i, "aa"));
        }
        assertEquals(0, feed.subscribers());
        assertEquals(List.of(DeviceFeed.Closed.INSTANCE), List.copyOf(q));
    }

    @Test(expected = IllegalArgumentException.class)
    public void aCapacityOutOfRangeIsRefused() {
        new DeviceFeed(0);
    }
}
