package io.autoweave.usb.linux.internal;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.autoweave.api.source.DeviceReport;
import io.autoweave.api.source.DeviceReportSink;
import io.autoweave.api.source.UsbSource;
import io.autoweave.api.source.UsbSource.State;
import io.autoweave.commons.retry.Backoff;

/**
 * Runs {@code udevadm monitor} as a supervised child process and reports what it prints. One thread does
 * everything (start, read, translate, report, back off), so there is no locking on the event path.
 *
 * <p>If the command is missing or exits, health says why (FAILED when it could not be started at all,
 * RESTARTING when it ran and ended) and it is started again after an exponential back-off capped at
 * {@code max}; a machine without udev therefore costs one cheap check every {@code max}, never a busy loop.
 * Once a (re)started monitor is listening, what was remembered is re-read from sysfs and {@code resync} asks the
 * sysfs source for an immediate snapshot, so actions missed while no monitor ran are repaired.
 */
final class UdevMonitor {

    private static final System.Logger LOG = System.getLogger(UdevMonitor.class.getName());
    private static final int MAX_STDERR_CHARS = 300;

    private final List<String> command;
    private final UdevTranslator translator;
    private final DeviceReportSink sink;
    private final Runnable resync;
    private final Backoff backoff;
    private final Backoff.Sequence delays;
    private final Duration stopTimeout;
    private final HealthCell health;
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private final Thread thread;

    private volatile boolean stopping;
    private Process process; // guarded by this
    private String lastLoggedProblem; // supervisor thread only
    private boolean sinkErrorLogged; // supervisor thread only
    private boolean translateErrorLogged; // supervisor thread only

    UdevMonitor(List<String> command, UdevTranslator translator, DeviceReportSink sink, Runnable resync,
            Backoff backoff, Duration stopTimeout) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("empty udevadm command");
        }
        this.command = List.copyOf(command);
        this.translator = translator;
        this.sink = sink;
        this.resync = resync;
        this.backoff = backoff;
        this.delays = backoff.sequence();
        this.stopTimeout = stopTimeout;
        this.health = new HealthCell(State.STARTING, "starting " + String.join(" ", command));
        this.thread = new Thread(this::supervise, "autoweave-udev-monitor");
        this.thread.setDaemon(true);
    }

    UdevMonitor start() {
        thread.start();
        return this;
    }

    UsbSource.Health health() {
        return health.snapshot();
    }

    /** Ends the child process (TERM, then KILL) and the supervisor thread, each within the stop time-out. */
    void stop() {
        stopping = true;
        stopSignal.countDown();
        Process p;
        synchronized (this) {
            p = process;
        }
        if (p != null) {
            kill(p);
        }
        try {
            thread.join(stopTimeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            thread.interrupt();
        }
        health.set(State.STOPPED, "stopped");
    }

    private void supervise() {
        while (!stopping) {
            long started = System.nanoTime();
            Run run = runOnce();
            if (stopping) {
                break;
            }
            long ranMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            if (ranMillis >= backoff.maxMillis()) {
                delays.reset(); // a run as long as the cap counts as healthy: start the back-off over
            }
            long delay = delays.next();
            State state = run.started ? State.RESTARTING : State.FAILED;
            health.set(state, run.problem + "; " + (run.started ? "restarting" : "retrying") + " in "
                    + seconds(delay));
            if (ranMillis >= backoff.maxMillis()) {
                lastLoggedProblem = null; // a healthy run in between: the same problem again is news
            }
            // One line per distinct problem: a crash loop is visible in the health, not as a log storm.
            if (!run.problem.equals(lastLoggedProblem)) {
                lastLoggedProblem = run.problem;
                LOG.log(System.Logger.Level.WARNING, "udev source {0}: {1} (retrying with back-off up to {2})",
                        state, run.problem, seconds(backoff.maxMillis()));
            }
            try {
                if (stopSignal.await(delay, TimeUnit.MILLISECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                break;
            }
            health.restarted();
        }
        health.set(State.STOPPED, "stopped");
    }

    /** One run of the child: start it, read until it ends. */
    private Run runOnce() {
        String missing = checkExecutable(command.get(0));
        if (missing != null) {
            return new Run(false, missing);
        }
        Process p;
        try {
            p = new ProcessBuilder(detached(command)).redirectInput(ProcessBuilder.Redirect.from(devNull())).start();
        } catch (IOException | SecurityException e) {
            return new Run(false, "cannot start " + command.get(0) + ": " + e.getMessage());
        }
        synchronized (this) {
            process = p;
        }
        if (stopping) {
            kill(p);
            return new Run(true, "stopped");
        }
        health.set(State.STARTING, "started " + String.join(" ", command) + " (pid " + p.pid() + ")");
        AtomicReference<String> lastError = new AtomicReference<>();
        Thread stderr = new Thread(() -> drain(p.getErrorStream(), lastError), "autoweave-udev-stderr");
        stderr.setDaemon(true);
        stderr.start();
        String problem;
        try {
            read(p);
            problem = ended(p, stderr, lastError);
        } catch (IOException | RuntimeException e) {
            problem = stopping ? "stopped" : "reading udevadm output failed: " + e;
            kill(p);
        } finally {
            synchronized (this) {
                process = null;
            }
        }
        return new Run(true, problem);
    }

    /**
     * The child in a session of its own (util-linux {@code setsid}, which execs it in place: same pid): Ctrl-C on the
     * terminal the runtime runs on goes to the terminal's foreground process group, and udevadm must not die of it
     * while the console only ends the running command. Without {@code setsid} the command runs as it is.
     */
    static List<String> detached(List<String> command) {
        for (String setsid : new String[] { "/usr/bin/setsid", "/bin/setsid" }) {
            if (Files.isExecutable(Path.of(setsid))) {
                List<String> c = new ArrayList<>(command.size() + 1);
                c.add(setsid);
                c.addAll(command);
                return c;
            }
        }
        return command;
    }

    private void read(Process p) throws IOException {
        UdevMonitorParser parser = new UdevMonitorParser();
        boolean listening = false;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                // udevadm prints "UDEV - ..." and the blank line ending its banner once its socket listens; a
                // block header also proves it. Before that, a resync could miss what happens in between.
                if (!listening && (line.isEmpty() || line.startsWith("UDEV") || line.startsWith("KERNEL"))) {
                    listening = true;
                    listening(p);
                }
                deliver(parser.line(line));
            }
            deliver(parser.finish());
        }
    }

    private void listening(Process p) {
        translator.primeFromSysfs();
        health.set(State.RUNNING, "listening: " + String.join(" ", command) + " (pid " + p.pid() + ")");
        try {
            resync.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "udev source: resync request failed", e);
        }
    }

    private void deliver(Optional<UdevBlock> block) {
        if (block.isEmpty()) {
            return;
        }
        Optional<DeviceReport> report;
        try {
            report = translator.translate(block.get());
        } catch (RuntimeException e) {
            // a block we do not understand costs that block, never the monitor
            if (!translateErrorLogged) {
                translateErrorLogged = true;
                LOG.log(System.Logger.Level.WARNING, "udev source: skipped a block it could not translate", e);
            }
            return;
        }
        if (report.isEmpty()) {
            return;
        }
        try {
            sink.report(report.get());
            health.reported();
        } catch (RuntimeException e) {
            // The sink promises not to throw; if it does, one log line says so instead of one per event.
            if (!sinkErrorLogged) {
                sinkErrorLogged = true;
                LOG.log(System.Logger.Level.WARNING, "udev source: the report sink threw", e);
            }
        }
    }

    private String ended(Process p, Thread stderr, AtomicReference<String> lastError) {
        String why;
        try {
            if (p.waitFor(stopTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                why = "udevadm exited with status " + p.exitValue();
            } else {
                kill(p);
                why = "udevadm closed its output and was killed";
            }
            stderr.join(stopTimeout.toMillis()); // its last words are usually the reason
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill(p);
            return "interrupted";
        }
        if (stopping) {
            return "stopped";
        }
        String err = lastError.get();
        return err == null ? why : why + ": " + err;
    }

    private void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        try {
            if (!p.waitFor(stopTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(stopTimeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }

    private static void drain(InputStream err, AtomicReference<String> last) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(err, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.isBlank()) {
                    String trimmed = line.strip();
                    last.set(trimmed.length() > MAX_STDERR_CHARS ? trimmed.substring(0, MAX_STDERR_CHARS) + "..." : trimmed);
                }
            }
        } catch (IOException e) {
            // the process ended; what we have is what there is
        }
    }

    /**
     * Why {@code executable} cannot run, or null when it looks runnable. Checked before each start so that a
     * missing udevadm gives a clear sentence instead of "error=2".
     */
    static String checkExecutable(String executable) {
        if (executable.indexOf('/') >= 0) {
            Path path = Path.of(executable);
            if (!Files.exists(path)) {
                return executable + " does not exist (install udev, or set udevadm.path)";
            }
            return Files.isRegularFile(path) && Files.isExecutable(path) ? null
                    : executable + " is not an executable file (set udevadm.path)";
        }
        String pathVariable = System.getenv("PATH");
        if (pathVariable != null) {
            for (String dir : pathVariable.split(File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    Path candidate = Path.of(dir, executable);
                    if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                        return null;
                    }
                }
            }
        }
        return executable + " not found on PATH (install udev, or set udevadm.path to its absolute path)";
    }

    private static File devNull() {
        return new File("/dev/null");
    }

    private static String seconds(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + " s" : String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
    }

    private record Run(boolean started, String problem) {
    }
}
