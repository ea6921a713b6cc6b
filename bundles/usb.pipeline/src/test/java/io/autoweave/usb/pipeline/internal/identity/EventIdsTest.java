package io.autoweave.usb.pipeline.internal.identity;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.Test;

public class EventIdsTest {

    private final AtomicLong millis = new AtomicLong(1_700_000_000_000L);
    private final EventIds ids = new EventIds(millis::get, new Random(1));

    @Test
    public void idsAreVersionSevenWithTheRfcVariantAndCarryTheirMillisecond() {
        UUID id = ids.next();
        assertEquals(7, id.version());
        assertEquals(2, id.variant());
        assertEquals(1_700_000_000_000L, id.getMostSignificantBits() >>> 16);
    }

    @Test
    public void idsWithinOneMillisecondStillSortInIssueOrder() {
        String previous = ids.get();
        for (int i = 0; i < 10_000; i++) {
            String next = ids.get();
            assertTrue(next.compareTo(previous) > 0);
            previous = next;
        }
    }

    @Test
    public void idsStayOrderedWhenTheWallClockStepsBack() {
        String before = ids.get();
        millis.addAndGet(-60_000);
        assertTrue(ids.get().compareTo(before) > 0);
    }
}
