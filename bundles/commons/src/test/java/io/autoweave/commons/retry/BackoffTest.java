package io.autoweave.commons.retry;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class BackoffTest {

    @Test
    public void withoutJitterTheDelaysDoubleUpToTheCapAndAResetStartsOver() {
        Backoff.Sequence s = Backoff.withoutJitter(500, 30_000).sequence();
        long[] expected = { 500, 1000, 2000, 4000, 8000, 16000, 30000, 30000 };
        for (long e : expected) {
            assertEquals(e, s.next());
        }
        assertEquals(8, s.attempts());
        s.reset();
        assertEquals(500, s.next());
        assertEquals(1000, s.next());
    }

    @Test
    public void aLongSequenceStaysAtTheCapWithoutOverflow() {
        Backoff.Sequence s = Backoff.withoutJitter(1, Long.MAX_VALUE / 4).sequence();
        long last = 0;
        for (int i = 0; i < 200; i++) {
            long d = s.next();
            assertTrue("attempt " + i + ": " + d, d >= last && d > 0);
            last = d;
        }
        assertEquals(Long.MAX_VALUE / 4, last);
        assertEquals(30, s.attempts());
    }

    @Test
    public void jitterStaysBetweenHalfAndAllOfTheNominalDelay() {
        Backoff b = new Backoff(100, 1_000);
        for (int attempt = 0; attempt < 8; attempt++) {
            long nominal = Math.min(1_000, 100L << attempt);
            for (int i = 0; i < 200; i++) {
                long d = b.delayMillis(attempt);
                assertTrue(attempt + ": " + d, d >= nominal / 2 && d <= nominal);
            }
        }
    }

    @Test
    public void impossibleBoundsAreRefusedWithBothValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Backoff(0, 10));
        assertTrue(e.getMessage(), e.getMessage().contains("0 and 10"));
        assertThrows(IllegalArgumentException.class, () -> Backoff.withoutJitter(20, 10));
    }
}
