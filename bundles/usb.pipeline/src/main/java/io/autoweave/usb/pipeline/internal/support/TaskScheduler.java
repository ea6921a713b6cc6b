package io.autoweave.usb.pipeline.internal.support;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The slice of {@link ScheduledExecutorService} the pipeline needs, so tests drive time by hand instead of
 * sleeping.
 */
public interface TaskScheduler {

    /** Runs {@code task} once after {@code delayNanos}; the returned handle cancels it. */
    Cancellable schedule(Runnable task, long delayNanos);

    /** A scheduled task that may be cancelled before it runs. */
    interface Cancellable {
        void cancel();
    }

    /** Adapts a real executor. */
    static TaskScheduler of(ScheduledExecutorService executor) {
        return (task, delayNanos) -> {
            ScheduledFuture<?> future = executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
            return () -> future.cancel(false);
        };
    }
}
