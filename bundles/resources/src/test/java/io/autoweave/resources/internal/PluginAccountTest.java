package io.autoweave.resources.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class PluginAccountTest {
    private static final long MS = 1_000_000;
    private final PluginAccount a = new PluginAccount(1, "p", "plugin:low/p");

    @Test
    public void cpuShareAndAllocationRateAreAveragedOverTheWindow() {
        a.sample(0, new long[] { 1 }, new long[] { 0 }, new long[] { 0 }, 1000 * MS);
        assertFalse("one sample is no window", a.windowFull);
        a.sample(500 * MS, new long[] { 1 }, new long[] { 250 * MS }, new long[] { 50_000_000 }, 1000 * MS);
        assertTrue(a.windowFull);
        assertEquals(0.5, a.cpuShare, 1e-9);
        assertEquals(100_000_000, a.allocPerSecond, 1);
    }

    @Test
    public void oldSamplesLeaveTheWindowSoABurstIsForgotten() {
        a.sample(0, new long[] { 1 }, new long[] { 0 }, new long[] { 0 }, 1000 * MS);
        a.sample(500 * MS, new long[] { 1 }, new long[] { 500 * MS }, new long[] { 0 }, 1000 * MS);
        for (long t = 1000; t <= 3000; t += 500) {
            a.sample(t * MS, new long[] { 1 }, new long[] { 500 * MS }, new long[] { 0 }, 1000 * MS);
        }
        assertEquals(0.0, a.cpuShare, 1e-9);
        assertEquals(500 * MS, a.cpuTotalNanos);
    }

    @Test
    public void aThreadThatEndedKeepsItsLastSampleInTheTotal() {
        a.sample(0, new long[] { 1, 2 }, new long[] { 100, 200 }, new long[] { 10, 20 }, 1000 * MS);
        a.sample(10 * MS, new long[] { 1, 2 }, new long[] { 150, -1 }, new long[] { 15, -1 }, 1000 * MS);
        assertEquals(350, a.cpuTotalNanos);
        assertEquals(35, a.allocTotalBytes);
        a.sample(20 * MS, new long[] { 1 }, new long[] { 160 }, new long[] { 16 }, 1000 * MS);
        assertEquals("counted once", 360, a.cpuTotalNanos);
    }
}
