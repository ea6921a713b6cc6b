package io.autoweave.usb.libusb.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.Map;

import org.junit.Test;

public class DivergenceTest {

    private static final long MS = 1_000_000L;
    private final Divergence divergence = new Divergence(5000 * MS);

    @Test
    public void agreeingViewsNeverDiverge() {
        Map<String, String> both = Map.of("1-1", "0627:0001");
        for (long t = 0; t < 60_000; t += 1000) {
            assertNull(divergence.check(both, both, t * MS));
        }
    }

    @Test
    public void aLagShorterThanTheBoundIsNormal() {
        assertNull(divergence.check(Map.of(), Map.of("1-1", "0627:0001"), 0));
        assertNull(divergence.check(Map.of(), Map.of("1-1", "0627:0001"), 4000 * MS));
        assertNull(divergence.check(Map.of("1-1", "0627:0001"), Map.of("1-1", "0627:0001"), 4500 * MS));
        assertNull("the earlier difference was forgotten",
                divergence.check(Map.of(), Map.of("1-1", "0627:0001"), 6000 * MS));
    }

    @Test
    public void aDeviceLibusbMissedForLongerThanTheBoundIsReported() {
        divergence.check(Map.of(), Map.of("1-1", "0627:0001"), 0);
        String why = divergence.check(Map.of(), Map.of("1-1", "0627:0001"), 5000 * MS);
        assertNotNull(why);
        assertTrue(why, why.startsWith("missing 0627:0001 on 1-1"));
    }

    @Test
    public void aDeviceLibusbStillHoldsAfterTheKernelDroppedItIsReported() {
        divergence.check(Map.of("1-2", "46f4:0001"), Map.of(), 0);
        String why = divergence.check(Map.of("1-2", "46f4:0001"), Map.of(), 7000 * MS);
        assertTrue(why, why.startsWith("stale 46f4:0001 on 1-2"));
        divergence.reset();
        assertEquals(0, divergence.differences());
        assertNull(divergence.check(Map.of("1-2", "46f4:0001"), Map.of(), 8000 * MS));
    }

    @Test
    public void anotherDeviceOnThePortIsADifference() {
        divergence.check(Map.of("1-2", "46f4:0001"), Map.of("1-2", "0627:0001"), 0);
        assertNotNull(divergence.check(Map.of("1-2", "46f4:0001"), Map.of("1-2", "0627:0001"), 5000 * MS));
    }

    @Test(expected = IllegalArgumentException.class)
    public void aBoundOfZeroIsRefused() {
        new Divergence(0);
    }
}
