package io.autoweave.usb.pipeline.internal.sources;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import io.autoweave.usb.pipeline.internal.support.TaskScheduler;
import io.autoweave.usb.pipeline.internal.merge.SourceReport;

/** Plays parsed replay steps into a consumer (normally {@code Pipeline.report}) on a {@link TaskScheduler}. */
public final class ReplayPlayer {

    private ReplayPlayer() {
    }

    /**
     * Schedules every step at the sum of the delays up to it. Returns handles to cancel the steps not yet played.
     */
    public static List<TaskScheduler.Cancellable> play(List<ReplayParser.Step> steps, TaskScheduler scheduler,
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
