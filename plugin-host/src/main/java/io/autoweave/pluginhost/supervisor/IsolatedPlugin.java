package io.autoweave.pluginhost.supervisor;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventListener;
import io.autoweave.pluginhost.channel.ChannelStreams;
import io.autoweave.pluginhost.channel.EventFields;
import io.autoweave.pluginhost.channel.Frames;

/**
 * One plugin in its own host process, supervised: started confined ({@link Confinement}), ready within the start
 * time-out, heartbeats at least every {@code heartbeatTimeoutMillis}, restarted with exponential back-off when it
 * dies or stalls, and blocked after {@code maxCrashes} crashes (or at once when {@link #block} is called). Every
 * step goes to the {@link Events} callback (the audit). Its event feed is a {@link UsbEventListener}: the runtime
 * side of the boundary, where {@code mayMonitor} (the plugin's {@code UsbPermission}, decided in the runtime)
 * filters before anything is sent; events offered while the host is down, or beyond its queue, are counted as
 * missed, never waited for, so no other plugin is held up.
 *
 * <p><b>Size.</b> Why one class of over 500 lines: the supervision states (starting, running, restarting,
 * blocked, stopped) are one state machine over one process and one channel; split, each transition would cross files.
 */
public final class IsolatedPlugin implements UsbEventListener, AutoCloseable {

    /** What the supervisor reports. */
    public interface Events {
        /** An audit-worthy step: {@code decision} as in the audit log, {@code rule} why. */
        void audit(String decision, String rule, String detail);

        /** A console line of the plugin (already rate-limited by the host). */
        void log(String stream, String line);
    }

    /** How one plugin is run. */
    public record Settings(String bsn, String level, Path pluginJar, List<Path> bundles, Path workDir,
            Path javaHome, List<Path> hostClassPath, long startTimeoutMillis, long heartbeatTimeoutMillis,
            int maxCrashes, long backoffMillis, long backoffMaxMillis, int queueCapacity, int logLinesPerSecond) {
    }

    /** Where it stands. */
    public enum State { STARTING, RUNNING, RESTARTING, BLOCKED, STOPPED }

    private final Settings s;
    private final Confinement confinement;
    private final Confinement.Limits limits;
    private final Predicate<UsbDevice> mayMonitor;
    private final Events events;
    private final BlockingQueue<UsbEvent> queue;
    private final AtomicLong seq = new AtomicLong();
    /** How long a host gets to stop its framework when the plugin is stopped. */
    static final long STOP_GRACE_MILLIS = 3_000;
    /** Bytes of the host's own stdout/stderr kept in host.log at most, per start. */
    static final long HOST_LOG_LIMIT = 1 << 20;

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong outputDropped = new AtomicLong();
    /** Sent to the current host and not yet acknowledged; lost (counted missed) when it dies. */
    private final AtomicLong unacked = new AtomicLong();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong missed = new AtomicLong();
    private final AtomicLong withheld = new AtomicLong();
    private final AtomicLong crashes = new AtomicLong();
    private final AtomicLong starts = new AtomicLong();
    private volatile State state = State.STARTING;
    private volatile long lastBeat;
    /** When the host last made progress on its events (an ack, or the first event sent after it had none). */
    private volatile long lastProgress;
    private volatile long heapBytes;
    private volatile long threads;
    private volatile long logDropped;
    /** Log frames over the rate the runtime accepted (only the reader thread touches the window). */
    private final AtomicLong logRefused = new AtomicLong();
    private long logSecond;
    private int logLines;
    private volatile long startMillis = -1;
    private volatile String blockReason;
    /** Why the last host ended, once one has crashed. */
    private volatile String lastEnd;
    private volatile Process process;
    private final Thread supervisor;

    public IsolatedPlugin(Settings settings, Confinement confinement, Predicate<UsbDevice> mayMonitor, Events events) {
        this.s = settings;
        this.confinement = confinement;
        this.limits = Confinement.Limits.of(settings.level());
        this.mayMonitor = mayMonitor;
        this.events = events;
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        this.supervisor = new Thread(this::supervise, "autoweave-host-supervisor " + settings.bsn());
        supervisor.setDaemon(true);
    }

    public IsolatedPlugin start() {
        supervisor.start();
        return this;
    }

    // ---- the event feed (runtime side: never blocks) -------------------------------------------------------------

    @Override
    public void onEvent(UsbEvent event) {
        if (!mayMonitor.test(event.device())) {
            withheld.incrementAndGet(); // its UsbPermission does not cover the device: never leaves the runtime
            return;
        }
        if (state != State.RUNNING || !queue.offer(event)) {
            missed.incrementAndGet();
        }
    }

    // ---- supervision -------------------------------------------------------------------------------------------

    private void supervise() {
        long backoff = s.backoffMillis();
        while (state != State.STOPPED && state != State.BLOCKED) {
            String end = runOnce();
            missed.addAndGet(unacked.getAndSet(0)); // sent to a host that died before acknowledging them
            if (state == State.STOPPED || state == State.BLOCKED) {
                break;
            }
            lastEnd = s.bsn() + ": " + end; // before the count: whoever sees a crash also sees why
            long n = crashes.incrementAndGet();
            events.audit("host-crashed", "supervisor", s.bsn() + ": " + end + " (crash " + n + " of "
                    + s.maxCrashes() + ")");
            if (n >= s.maxCrashes()) {
                block(n + " crashes, the last: " + end, "crashes>=" + s.maxCrashes());
                break;
            }
            state = State.RESTARTING;
            missed.addAndGet(queue.size());
            queue.clear();
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                break;
            }
            backoff = Math.min(backoff * 2, s.backoffMaxMillis());
            events.audit("host-restarted", "backoff", s.bsn() + " after " + n + " crash(es)");
        }
        destroy();
    }

    /** Runs the host until it ends; returns why it ended. */
    private String runOnce() {
        Path data = s.workDir().resolve("data");
        long t0 = System.nanoTime();
        Path run = null;
        try {
            // a unix socket path holds at most 107 bytes, which a data directory deep in the framework's cache can
            // exceed: the socket lives in a fresh private (0700) temporary directory instead
            run = Files.createTempDirectory("aw-host-");
            Path socket = run.resolve("channel.sock");
            Files.createDirectories(data);
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(socket));
                List<String> args = List.of(socket.toString(), data.toString(), s.pluginJar().toString(),
                        String.join(",", s.bundles().stream().map(Path::toString).toList()),
                        Integer.toString(s.logLinesPerSecond()));
                List<Path> ro = new java.util.ArrayList<>(s.bundles());
                ro.add(s.pluginJar());
                List<String> cmd = confinement.command(s.javaHome(), s.hostClassPath(),
                        "io.autoweave.pluginhost.child.HostMain", args, data, run, ro, limits, groupName());
                starts.incrementAndGet();
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                process = p;
                drainOutput(p);
                SocketChannel ch = accept(server, p);
                if (ch == null) {
                    return p.isAlive() ? "no connection within the start time-out" : "exited with " + p.exitValue()
                            + " before connecting";
                }
                try (ch) {
                    return serve(ch, p, t0);
                }
            }
        } catch (IOException e) {
            return "host I/O: " + e;
        } finally {
            if (run != null) {
                try {
                    Files.deleteIfExists(run.resolve("channel.sock"));
                    Files.deleteIfExists(run);
                } catch (IOException e) {
                    // a leftover empty directory in the temporary directory
                }
            }
            Process p = process;
            if (state == State.STOPPED && p != null) {
                try {
                    p.waitFor(STOP_GRACE_MILLIS, TimeUnit.MILLISECONDS); // the channel is closed: it stops itself
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            destroy();
        }
    }

    /**
     * Keeps the first {@value #HOST_LOG_LIMIT} bytes the process writes to its own stdout/stderr (the JVM's own
     * messages: a crash report, an OutOfMemoryError; a plugin writing to the file descriptors directly, past
     * System.out) in {@code host.log}, and only counts the rest: a flood there can fill neither the disk nor the pipe.
     */
    private void drainOutput(Process p) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            long kept = 0;
            try (InputStream in = p.getInputStream();
                    OutputStream log = Files.newOutputStream(s.workDir().resolve("host.log"))) {
                for (int n; (n = in.read(buf)) >= 0;) {
                    int keep = (int) Math.max(0, Math.min(n, HOST_LOG_LIMIT - kept));
                    log.write(buf, 0, keep);
                    kept += keep;
                    outputDropped.addAndGet(n - keep);
                }
            } catch (IOException e) {
                // the process is gone
            }
        }, "autoweave-host-output " + s.bsn());
        t.setDaemon(true);
        t.start();
    }

    private SocketChannel accept(ServerSocketChannel server, Process p) throws IOException {
        server.configureBlocking(false);
        long deadline = System.currentTimeMillis() + s.startTimeoutMillis();
        while (System.currentTimeMillis() < deadline && p.isAlive()) {
            SocketChannel ch = server.accept();
            if (ch != null) {
                ch.configureBlocking(true);
                return ch;
            }
            sleep(20);
        }
        return null;
    }

    /**
     * Serves one connected host until it ends. The checks run on this thread, the writing on another: a host that
     * stops reading (a listener stuck in {@code onEvent}) fills the socket and blocks its writer, never the checks.
     */
    private String serve(SocketChannel ch, Process p, long t0) throws IOException {
        DataInputStream in = Frames.input(ChannelStreams.in(ch));
        DataOutputStream out = Frames.output(ChannelStreams.out(ch));
        AtomicReference<String> ended = new AtomicReference<>();
        Thread reader = new Thread(() -> ended.compareAndSet(null, read(in, t0)), "autoweave-host-reader " + s.bsn());
        reader.setDaemon(true);
        Thread writer = new Thread(() -> ended.compareAndSet(null, write(out)), "autoweave-host-writer " + s.bsn());
        writer.setDaemon(true);
        lastBeat = System.currentTimeMillis();
        reader.start();
        writer.start();
        try {
            long readyDeadline = System.currentTimeMillis() + s.startTimeoutMillis();
            while (true) {
                if (ended.get() != null || !reader.isAlive() || !p.isAlive()) {
                    return ending(p, reader, ended.get());
                }
                long now = System.currentTimeMillis();
                if (state != State.RUNNING && now > readyDeadline) {
                    return "not ready within " + s.startTimeoutMillis() + " ms (start() hangs?)";
                }
                if (state == State.RUNNING && now - lastBeat > s.heartbeatTimeoutMillis()) {
                    return "no heartbeat for " + s.heartbeatTimeoutMillis() + " ms";
                }
                // the heartbeat has its own thread: a listener stuck in onEvent shows as events never acknowledged
                if (unacked.get() > 0 && now - lastProgress > s.heartbeatTimeoutMillis()) {
                    return "listener stuck: " + unacked.get() + " event(s) unacknowledged for "
                            + s.heartbeatTimeoutMillis() + " ms";
                }
                if (state == State.STOPPED || state == State.BLOCKED) {
                    return "stopped";
                }
                if (now - lastDataCheck >= DATA_CHECK_MILLIS) {
                    lastDataCheck = now;
                    String over = dataOverLimit();
                    if (over != null) {
                        block(over, "data>" + limits.dataMb() + "MB");
                        emptyData();
                        return "stopped";
                    }
                }
                try {
                    Thread.sleep(25);
                } catch (InterruptedException x) {
                    return "supervisor interrupted";
                }
            }
        } finally {
            writer.interrupt(); // the caller closes the channel, which ends a write blocked on it
        }
    }

    /** How often the supervisor measures the host's data directory. */
    static final long DATA_CHECK_MILLIS = 250;
    /** Entries counted at most per measurement: more is refused like too many bytes (a walk must stay cheap). */
    static final int DATA_MAX_ENTRIES = 10_000;
    private long lastDataCheck;

    /**
     * Whether the host's data directory (its framework cache and the plugin's files) is over the level's ceiling:
     * the reason, or null. Measured every {@value #DATA_CHECK_MILLIS} ms by a walk that stops at the ceiling or at
     * {@value #DATA_MAX_ENTRIES} entries; one file cannot exceed the ceiling ({@code prlimit --fsize}), so the disk use
     * is bounded by the ceiling plus what the plugin writes in one interval.
     */
    String dataOverLimit() {
        long limit = (long) limits.dataMb() * 1024 * 1024;
        long[] sum = { 0, 0 };
        Path[] hidden = { null };
        try {
            Files.walkFileTree(s.workDir().resolve("data"), new java.nio.file.SimpleFileVisitor<>() {
                @Override
                public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes a) {
                    sum[0] += a.size();
                    sum[1]++;
                    return sum[0] > limit || sum[1] > DATA_MAX_ENTRIES ? java.nio.file.FileVisitResult.TERMINATE
                            : java.nio.file.FileVisitResult.CONTINUE;
                }

                @Override
                public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) {
                    if (e instanceof java.nio.file.NoSuchFileException) {
                        return java.nio.file.FileVisitResult.CONTINUE; // removed meanwhile
                    }
                    hidden[0] = file; // unreadable: what it holds cannot be counted, so it is not allowed
                    return java.nio.file.FileVisitResult.TERMINATE;
                }
            });
        } catch (IOException e) {
            return null; // not there yet
        }
        if (sum[0] > limit) {
            return "its data directory holds more than " + limits.dataMb() + " MB (the level's ceiling)";
        }
        if (hidden[0] != null) {
            return "its data directory holds " + hidden[0].getFileName() + ", which the supervisor cannot read";
        }
        if (sum[1] > DATA_MAX_ENTRIES) {
            return "its data directory holds more than " + DATA_MAX_ENTRIES + " files";
        }
        return null;
    }

    /** After a block for its data: the directory is emptied, so the runtime's disk gets the space back. */
    private void emptyData() {
        Path data = s.workDir().resolve("data");
        try {
            HostFiles.empty(data);
            events.audit("host-data-emptied", "data>" + limits.dataMb() + "MB", s.bsn() + ": " + data
                    + " emptied to give the disk its space back");
        } catch (IOException e) {
            events.audit("host-data-kept", "data>" + limits.dataMb() + "MB", s.bsn() + ": cannot empty " + data
                    + ": " + e);
        }
    }

    /** Sends queued events until the channel fails or the writer is interrupted; returns why it ended. */
    private String write(DataOutputStream out) {
        try {
            while (true) {
                UsbEvent e = queue.take();
                if (unacked.get() == 0) {
                    lastProgress = System.currentTimeMillis();
                }
                unacked.incrementAndGet();
                Frames.write(out, Frames.of("event", "seq", seq.incrementAndGet(), "event", EventFields.of(e)));
                sent.incrementAndGet();
            }
        } catch (InterruptedException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            return "channel (writing): " + e;
        }
    }

    /** Why the host ended: its exit status when it exited (the usual case: the channel closes as it dies). */
    private static String ending(Process p, Thread reader, String ended) {
        try {
            reader.join(500); // let the reader take the last frames
            if (p.waitFor(1, TimeUnit.SECONDS)) {
                String why = ended == null || ended.contains("EOFException") ? "" : " (" + ended + ")";
                int status = p.exitValue();
                // 128+N: killed by signal N (9: the kernel's OOM killer in a memory cgroup, or a kill -9)
                return "exited with " + status + (status > 128 ? " (signal " + (status - 128) + ")" : "") + why;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ended != null ? ended : "channel closed";
    }

    private String read(DataInputStream in, long t0) {
        try {
            while (true) {
                Map<String, Object> f = Frames.read(in);
                lastBeat = System.currentTimeMillis();
                switch ((String) f.get("t")) {
                    case "ready":
                        startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                        state = State.RUNNING;
                        events.audit("host-ready", "supervisor", s.bsn() + " " + f.get("version") + " in "
                                + startMillis + " ms; " + confinement.describe());
                        break;
                    case "failed":
                        return "start failed: " + f.get("reason");
                    case "ack":
                        acked.incrementAndGet();
                        unacked.decrementAndGet();
                        lastProgress = System.currentTimeMillis();
                        break;
                    case "hb":
                        heapBytes = ((Number) f.get("heap")).longValue();
                        threads = ((Number) f.get("threads")).longValue();
                        logDropped = ((Number) f.get("logDropped")).longValue();
                        break;
                    case "log":
                        // the host's own limit is the plugin's JVM's: a plugin can write frames past it, so the
                        // runtime counts again (the same rate) before anything reaches its log
                        long second = System.nanoTime() / 1_000_000_000L;
                        if (second != logSecond) {
                            logSecond = second;
                            logLines = 0;
                        }
                        if (++logLines <= s.logLinesPerSecond()) {
                            events.log(String.valueOf(f.get("stream")), String.valueOf(f.get("line")));
                        } else {
                            logRefused.incrementAndGet();
                        }
                        break;
                    default:
                        break;
                }
            }
        } catch (Frames.ProtocolException e) {
            return "protocol violation: " + e.getMessage();
        } catch (IOException | RuntimeException e) {
            return "channel: " + e;
        }
    }

    /** Blocks the plugin: the host is killed and never started again. */
    public void block(String reason, String rule) {
        if (state == State.BLOCKED) {
            return;
        }
        blockReason = reason;
        state = State.BLOCKED;
        missed.addAndGet(queue.size());
        queue.clear();
        destroy();
        events.audit("blocked", rule, s.bsn() + ": " + reason);
    }

    @Override
    /**
     * Stops the host: the supervisor closes the channel, on which the host stops its framework (the plugin's
     * {@code stop()} runs) and exits; one that has not exited within {@value #STOP_GRACE_MILLIS} ms is killed.
     */
    public void close() {
        if (state != State.BLOCKED) {
            state = State.STOPPED;
        }
        if (supervisor.isAlive() && Thread.currentThread() != supervisor) {
            try {
                supervisor.join(STOP_GRACE_MILLIS + 1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        destroy();
        supervisor.interrupt();
    }

    private void destroy() {
        Process p = process;
        if (p != null && p.isAlive()) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public String groupName() {
        return s.bsn().replaceAll("[^A-Za-z0-9._-]", "_");
    }

    // ---- figures -----------------------------------------------------------------------------------------------

    public State state() {
        return state;
    }

    /** Why the last host ended (a crash), or null when none has. */
    public String lastEnd() {
        return lastEnd;
    }

    public String blockReason() {
        return blockReason;
    }

    /** Events sent, acknowledged (delivered to the plugin's listeners), missed, withheld by UsbPermission. */
    public long sent() {
        return sent.get();
    }

    public long acked() {
        return acked.get();
    }

    public long missed() {
        return missed.get();
    }

    public long withheld() {
        return withheld.get();
    }

    public long crashes() {
        return crashes.get();
    }

    public long starts() {
        return starts.get();
    }

    public long heapBytes() {
        return heapBytes;
    }

    public long threads() {
        return threads;
    }

    /** Bytes of the host's raw stdout/stderr beyond {@link #HOST_LOG_LIMIT} per start, not kept. */
    public long outputDropped() {
        return outputDropped.get();
    }

    /** Console lines not forwarded: dropped by the host's limit (as it reports) plus refused by the runtime's. */
    public long logDropped() {
        return logDropped + logRefused.get();
    }

    /** Milliseconds from process start to ready, last start; -1 before. */
    public long startMillis() {
        return startMillis;
    }

    public String level() {
        return s.level();
    }

    public Confinement.Limits limits() {
        return limits;
    }

    public Process process() {
        return process;
    }
}
