package io.autoweave.auth.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.Test;

public class FailureLimiterTest {

    @Test
    public void aClientIsHeldBackAfterTooManyFailuresUntilTheMinuteHasPassed() {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        FailureLimiter l = new FailureLimiter(3, now::get);
        for (int i = 0; i < 3; i++) {
            assertEquals(0, l.retryAfterSeconds("10.0.0.1"));
            l.recordFailure("10.0.0.1");
            now.addAndGet(1_000_000_000L);
        }
        assertTrue(l.retryAfterSeconds("10.0.0.1") > 0);
        assertEquals("other clients are not affected", 0, l.retryAfterSeconds("10.0.0.2"));
        now.addAndGet(60_000_000_000L);
        assertEquals(0, l.retryAfterSeconds("10.0.0.1"));
    }
}
