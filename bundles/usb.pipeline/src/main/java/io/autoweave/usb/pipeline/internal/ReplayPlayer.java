package io.autoweave.usb.pipeline.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Plays parsed replay steps into a consumer (normally {@link Pipeline#report}) on a {@link TaskScheduler}. */
final class ReplayPlayer {

    private ReplayPlayer() {
    }

    /**
     * Schedules every step at the sum of the delays up to it. Returns handles to cancel the steps not yet played.
     */
    static List<TaskScheduler.Cancellable> play(List<ReplayParser.Step> steps, TaskScheduler scheduler,
            Consumer<SourceReport> target) {
        List<TaskScheduler.Cancellable> handles = new ArrayList<>(steps.size());
        long at = 0;
        for (ReplayParser.Step step : steps) {
            at += TimeUnit.MILLISECONDS.toNanos(step.delayMillis());
            SourceReport report = step.report();
            handles.add(scheduler.schedule(() -> target.accept(report), at));
        }
        return handles;
    }
}
