package io.autoweave.usb.pipeline.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import io.autoweave.usb.pipeline.internal.support.TaskScheduler;

/** A clock and scheduler that only move when a test says so: deterministic, no sleeps. */
public final class ManualTime implements TaskScheduler, LongSupplier {

    private static final class Task implements Cancellable {
        final long due;
        final long seq;
        final Runnable body;
        boolean cancelled;

        Task(long due, long seq, Runnable body) {
            this.due = due;
            this.seq = seq;
            this.body = body;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    private final PriorityQueue<Task> tasks = new PriorityQueue<>(
            (a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
    private long now = 1_000_000_000L;
    private long seq;
    private long wallMillisAtStart = 1_700_000_000_000L;
    private long startNanos = now;

    /** Monotonic nanos. */
    @Override
    public long getAsLong() {
        return now;
    }

    /** Wall-clock millis moving with the monotonic clock. */
    public long wallMillis() {
        return wallMillisAtStart + (now - startNanos) / 1_000_000L;
    }

    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
        Task t = new Task(now + Math.max(0, delayNanos), seq++, task);
        tasks.add(t);
        return t;
    }

    /** Moves time forward, running every task that falls due, in due order, with the clock at its due time. */
    public void advance(long amount, TimeUnit unit) {
        long target = now + unit.toNanos(amount);
        while (!tasks.isEmpty() && tasks.peek().due <= target) {
            Task t = tasks.poll();
            now = Math.max(now, t.due);
            if (!t.cancelled) {
                t.body.run();
            }
        }
        now = target;
    }

    public void advanceMillis(long millis) {
        advance(millis, TimeUnit.MILLISECONDS);
    }

    /** Tasks scheduled and neither run nor cancelled. */
    public int pending() {
        List<Task> live = new ArrayList<>();
        for (Task t : tasks) {
            if (!t.cancelled) {
                live.add(t);
            }
        }
        return live.size();
    }
}
