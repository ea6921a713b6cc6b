package io.autoweave.usb.pipeline.internal;

import java.util.function.LongSupplier;

/**
 * Token bucket: {@code burst} tokens at most, refilled at {@code perSecond}. Callers take what is available and
 * leave the rest queued, so limiting delays delivery but never drops anything by itself.
 */
final class RateLimiter {

    private final double perNano;
    private final int burst;
    private final LongSupplier nanoClock;
    private double tokens;
    private long lastRefill;

    RateLimiter(double perSecond, int burst, LongSupplier nanoClock) {
        if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("rate must be a positive number of events per second: " + perSecond);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be >= 1: " + burst);
        }
        this.perNano = perSecond / 1e9;
        this.burst = burst;
        this.nanoClock = nanoClock;
        this.tokens = burst;
        this.lastRefill = nanoClock.getAsLong();
    }

    /** Takes up to {@code wanted} tokens and returns how many were granted (possibly 0). */
    synchronized int tryAcquire(int wanted) {
        refill();
        int granted = (int) Math.min(wanted, Math.floor(tokens));
        tokens -= granted;
        return Math.max(granted, 0);
    }

    /** Nanoseconds until at least one token is available (0 when one is available now). */
    synchronized long nanosUntilAvailable() {
        refill();
        if (tokens >= 1) {
            return 0;
        }
        return (long) Math.ceil((1 - tokens) / perNano);
    }

    private void refill() {
        long now = nanoClock.getAsLong();
        long elapsed = now - lastRefill;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed * perNano);
            lastRefill = now;
        }
    }
}
