package io.autoweave.redis.internal;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a time-out: the tests never sleep a fixed time and hope. */
final class Await {
    private Await() {
    }

    static void until(Duration timeout, BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            try {
                Thread.sleep(5); // poll interval, not a guess at how long the work takes
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }
}
