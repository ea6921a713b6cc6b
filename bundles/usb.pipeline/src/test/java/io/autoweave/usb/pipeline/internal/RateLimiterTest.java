package io.autoweave.usb.pipeline.internal;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

public class RateLimiterTest {

    private final ManualTime time = new ManualTime();

    @Test
    public void startsWithAFullBurstAndRefillsAtTheRate() {
        RateLimiter limiter = new RateLimiter(100, 5, time);
        assertEquals(5, limiter.tryAcquire(10));
        assertEquals(0, limiter.tryAcquire(1));
        time.advanceMillis(30);
        assertEquals(3, limiter.tryAcquire(10));
    }

    @Test
    public void neverHoldsMoreThanTheBurst() {
        RateLimiter limiter = new RateLimiter(100, 5, time);
        time.advanceMillis(60_000);
        assertEquals(5, limiter.tryAcquire(100));
    }

    @Test
    public void tellsHowLongUntilTheNextToken() {
        RateLimiter limiter = new RateLimiter(4, 1, time);
        assertEquals(0, limiter.nanosUntilAvailable());
        limiter.tryAcquire(1);
        assertEquals(250_000_000L, limiter.nanosUntilAvailable());
    }

    @Test(expected = IllegalArgumentException.class)
    public void zeroRateIsRejected() {
        new RateLimiter(0, 1, time);
    }

    @Test(expected = IllegalArgumentException.class)
    public void zeroBurstIsRejected() {
        new RateLimiter(1, 0, time);
    }
}
