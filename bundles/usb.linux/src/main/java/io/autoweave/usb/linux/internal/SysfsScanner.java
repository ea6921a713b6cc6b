package io.autoweave.usb.linux.internal;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.source.DeviceReportSink;
import io.autoweave.api.source.UsbSource;
import io.autoweave.api.source.UsbSource.State;

/**
 * Scans sysfs and hands the pipeline a full snapshot, which repairs any attach or detach a live source missed: at
 * start, every {@code interval} (0 = never periodically), and on demand ({@link #resync}). One thread does all
 * scans; requests arriving while one is queued are folded into it.
 *
 * <p>A failed scan sends nothing (an empty snapshot would detach everything), says why in the health, and is
 * retried at the next period or request.
 */
final class SysfsScanner {

    static final String SOURCE = "sysfs";
    private static final System.Logger LOG = System.getLogger(SysfsScanner.class.getName());

    private final SysfsDevices sysfs;
    private final boolean includeRootHubs;
    private final DeviceReportSink sink;
    private final Duration interval;
    private final Duration stopTimeout;
    private final HealthCell health = new HealthCell(State.STARTING, "first scan pending");
    private final AtomicBoolean queued = new AtomicBoolean();
    private final ScheduledExecutorService executor;
    private volatile String lastReason = "start";
    private String lastLoggedProblem; // scan thread only

    SysfsScanner(SysfsDevices sysfs, boolean includeRootHubs, DeviceReportSink sink, Duration interval,
            Duration stopTimeout) {
        this.sysfs = sysfs;
        this.includeRootHubs = includeRootHubs;
        this.sink = sink;
        this.interval = interval;
        this.stopTimeout = stopTimeout;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "autoweave-sysfs-scanner");
            t.setDaemon(true);
            return t;
        });
    }

    SysfsScanner start() {
        resync("start");
        if (!interval.isZero()) {
            long ms = interval.toMillis();
            // scans on the executor's own thread, so the delay runs from the end of one scan to the next
            executor.scheduleWithFixedDelay(this::periodic, ms, ms, TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /** Asks for a scan as soon as possible; cheap and safe to call from any thread, any number of times. */
    void resync(String reason) {
        lastReason = reason;
        if (queued.compareAndSet(false, true)) {
            try {
                executor.execute(this::scan);
            } catch (RejectedExecutionException e) {
                queued.set(false); // stopped
            }
        }
    }

    private void periodic() {
        if (queued.compareAndSet(false, true)) { // else a requested scan is queued right behind us anyway
            lastReason = "periodic";
            scan();
        }
    }

    UsbSource.Health health() {
        return health.snapshot();
    }

    void stop() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(stopTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        health.set(State.STOPPED, "stopped");
    }

    private void scan() {
        queued.set(false); // a request from now on needs a new scan
        String reason = lastReason;
        List<UsbDevice> devices;
        try {
            devices = sysfs.scan(includeRootHubs);
        } catch (NoSuchFileException e) {
            failed("no " + sysfs.devicesDir() + " (no USB bus here, or sysfs not mounted)");
            return;
        } catch (IOException | RuntimeException e) {
            failed("cannot list " + sysfs.devicesDir() + ": " + e);
            return;
        }
        try {
            sink.snapshot(SOURCE, devices);
            health.reported();
        } catch (RuntimeException e) {
            failed("the report sink refused the snapshot: " + e);
            return;
        }
        health.set(State.RUNNING, devices.size() + " device(s) in " + sysfs.devicesDir() + " at last scan ("
                + reason + ")" + period());
        if (lastLoggedProblem != null) {
            LOG.log(System.Logger.Level.INFO, "sysfs source running again after: {0}", lastLoggedProblem);
            lastLoggedProblem = null;
        }
    }

    private void failed(String problem) {
        health.set(State.FAILED, problem + period());
        if (!problem.equals(lastLoggedProblem)) {
            lastLoggedProblem = problem;
            LOG.log(System.Logger.Level.WARNING, "sysfs source: {0}", problem);
        }
    }

    private String period() {
        return interval.isZero() ? "; rescans on request" : "; rescans every "
                + (interval.toMillis() % 1000 == 0 ? interval.toSeconds() + " s" : interval.toMillis() + " ms");
    }
}
