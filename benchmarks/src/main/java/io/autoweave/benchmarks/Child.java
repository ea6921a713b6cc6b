package io.autoweave.benchmarks;

import java.io.ByteArrayInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.LongUnaryOperator;

import org.HdrHistogram.Histogram;
import org.apache.felix.framework.Felix;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.wiring.FrameworkWiring;

import io.autoweave.benchmarks.probe.BenchListener;
import io.autoweave.benchmarks.probe.CpuBurner;
import io.autoweave.benchmarks.probe.IsolatedLatencyProbe;
import io.autoweave.benchmarks.probe.LatencyListener;
import io.autoweave.benchmarks.probe.DispatchProbe;
import io.autoweave.plugin.installer.testing.TestSigning;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.XAddParams;

/**
 * One scenario in a JVM of its own (Felix security installs a JVM-wide SecurityManager, and heap figures must not
 * carry another scenario's garbage). Usage: {@code Child SCENARIO quick|full WORKDIR [key=value ...]}. Prints
 * {@code RESULT key value} lines, which {@link Suite} collects; everything else goes to WORKDIR/SCENARIO.log.
 */
public final class Child {
    private final boolean full;
    private final Path work;
    private final Map<String, String> args;
    private final PrintStream log;

    private Child(boolean full, Path work, Map<String, String> args, PrintStream log) {
        this.full = full;
        this.work = work;
        this.args = args;
        this.log = log;
    }

    public static void main(String[] argv) throws Exception {
        String scenario = argv[0];
        boolean full = "full".equals(argv[1]);
        Path work = Files.createDirectories(Path.of(argv[2]));
        Map<String, String> args = new HashMap<>();
        for (int i = 3; i < argv.length; i++) {
            int eq = argv[i].indexOf('=');
            args.put(argv[i].substring(0, eq), argv[i].substring(eq + 1));
        }
        PrintStream log = new PrintStream(new CappedStream(new FileOutputStream(work.resolve(scenario + ".log")
                .toFile(), true), 20L << 20), true, StandardCharsets.UTF_8);
        PrintStream out = System.out;
        System.setOut(log); // bundles (slf4j-simple) and the launcher print; only RESULT lines go to the Suite
        System.setErr(log);
        Child c = new Child(full, work, args, log);
        try {
            switch (scenario) {
                case "pipeline" -> c.pipeline(out);
                case "install" -> c.install(out);
                case "install-plain" -> c.installPlain(out);
                case "dispatch" -> c.dispatch(out);
                case "dispatch-plain" -> c.dispatchPlain(out);
                case "memory" -> c.memory(out);
                case "isolation" -> c.isolation(out);
                case "footprint" -> c.footprint(out);
                case "isolated" -> c.isolated(out);
                default -> throw new IllegalArgumentException("unknown scenario " + scenario);
            }
            out.println("DONE");
            out.flush();
        } catch (Throwable t) {
            t.printStackTrace(log);
            out.println("FAILED " + t);
            out.flush();
            System.exit(1);
        }
        System.exit(0); // the runtime's non-daemon threads (shell, Jetty) must not keep this JVM alive
    }

    /** Keeps a runaway log (a stack overflow printed in a loop) from filling the disk: the first bytes only. */
    static final class CappedStream extends java.io.FilterOutputStream {
        private long left;

        CappedStream(java.io.OutputStream out, long cap) {
            super(out);
            this.left = cap;
        }

        @Override
        public synchronized void write(int b) throws java.io.IOException {
            if (left-- > 0) {
                out.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws java.io.IOException {
            if (left > 0) {
                out.write(b, off, (int) Math.min(len, left));
            }
            left -= len;
        }
    }

    private static void result(PrintStream out, String key, Object value) {
        out.println("RESULT " + key + " " + value);
        out.flush();
    }

    private static String ms(double nanos) {
        return String.format(java.util.Locale.ROOT, "%.3f", nanos / 1e6);
    }

    private long seconds(double quick, double full) {
        return (long) ((this.full ? full : quick) * 1e9);
    }

    // ---- scenarios 1 and 2: the real runtime, simulated source -> pipeline -> event log -> XADD ----------------

    /** User + system CPU time of this process so far, nanoseconds (from /proc/self/stat, clock ticks of 10 ms). */
    static long processCpuNanos() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L; // utime, stime (fields 14, 15)
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Resident set size of this process, MiB (from /proc/self/status). */
    static double rssMib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    private void pipeline(PrintStream out) throws Exception {
        int port = Integer.parseInt(args.get("redisPort"));
        String stream = "aw:bench";
        try (InProcessRuntime rt = new InProcessRuntime(work.resolve("pipeline-data"),
                Map.of("io.autoweave.redis.cfg", InProcessRuntime.redisConfig(port, stream)), log);
                StreamReader reader = new StreamReader(port, stream)) {
            LongConsumer send = Workload.reporting(rt.reportProbe());
            long[] seq = { 0 };
            int window = 512; // below the dispatcher's queue of 1024 per listener bundle: nothing is dropped

            // warm-up until the JIT settled (JitWarmUp), then the sustained rate: closed loop, at most `window`
            // events between report and Redis
            JitWarmUp warmUp = new JitWarmUp(seconds(2, 5), seconds(10, 120));
            for (int phase = 0; phase < 2; phase++) {
                long nanos = phase == 0 ? 0 : seconds(4, 30);
                if (phase == 1) {
                    result(out, "jit.warmup", warmUp.outcome());
                    result(out, "jit.before_window", JitWarmUp.stats());
                    result(out, "jit.compile_ms_after_warmup", compileMillis());
                }
                long read0 = reader.count();
                long t0 = System.nanoTime();
                long end = t0 + nanos;
                while (phase == 0 ? warmUp.running() : System.nanoTime() < end) {
                    if (seq[0] - reader.count() < window) {
                        send.accept(seq[0]++);
                    } else {
                        java.util.concurrent.locks.LockSupport.parkNanos(20_000);
                    }
                }
                double rate = (reader.count() - read0) / ((System.nanoTime() - t0) / 1e9);
                if (phase == 1) {
                    result(out, "throughput.events_per_s", String.format(java.util.Locale.ROOT, "%.1f", rate));
                    result(out, "throughput.seconds", nanos / 1_000_000_000L);
                    result(out, "jit.after_window", JitWarmUp.stats());
                }
            }
            reader.awaitCount(seq[0], 5000, 120_000);
            reader.swap();
            result(out, "jit.compile_ms_after_window", compileMillis());
            result(out, "throughput.dropped", dropped(rt));
            result(out, "events.total", seq[0]);
            System.gc();
            result(out, "rss_mib_after_events", String.format(java.util.Locale.ROOT, "%.1f", rssMib()));
            Map<String, Object> log = rt.eventlogMetrics();
            long committed = ((Number) log.get("written")).longValue();
            result(out, "log.bytes_per_event", String.format(java.util.Locale.ROOT, "%.1f",
                    ((Number) log.get("bytes.written")).longValue() / (double) Math.max(1, committed)));
            result(out, "log.records_per_fsync", String.format(java.util.Locale.ROOT, "%.1f",
                    committed / (double) Math.max(1, ((Number) log.get("fsyncs")).longValue())));

            // latency at offered rates, open loop
            for (int rate : new int[] { 1_000, 10_000, 100_000 }) {
                long dropped0 = dropped(rt);
                long read0 = reader.count();
                long cpu0 = processCpuNanos();
                long t0 = System.nanoTime();
                long sent = Workload.paced(rate, seconds(1, 5), seq[0], send);
                double achieved = sent / ((System.nanoTime() - t0) / 1e9);
                seq[0] += sent;
                long dropped = dropped(rt) - dropped0;
                reader.awaitCount(read0 + sent - dropped, 5000, full ? 180_000 : 60_000);
                dropped = dropped(rt) - dropped0;
                Histogram h = reader.swap();
                String k = "latency." + rate + ".";
                result(out, k + "cpu_us_per_event", String.format(java.util.Locale.ROOT, "%.1f",
                        (processCpuNanos() - cpu0) / 1e3 / Math.max(1, sent)));
                result(out, k + "offered_per_s", String.format(java.util.Locale.ROOT, "%.0f", achieved));
                result(out, k + "sent", sent);
                result(out, k + "delivered", reader.count() - read0);
                result(out, k + "dropped", dropped);
                result(out, k + "p50_ms", ms(h.getValueAtPercentile(50)));
                result(out, k + "p99_ms", ms(h.getValueAtPercentile(99)));
                result(out, k + "p999_ms", ms(h.getValueAtPercentile(99.9)));
            }
            result(out, "pipeline.metrics", rt.pipelineMetrics().toString().replace(' ', '_'));
        }

        // baseline in the same JVM and Redis: one connection XADDing entries of the same shape at the same rate
        String raw = "aw:bench:raw";
        try (Jedis jedis = new Jedis(new HostAndPort("127.0.0.1", port), DefaultJedisClientConfig.builder()
                .timeoutMillis(5000).build()); StreamReader reader = new StreamReader(port, raw)) {
            Map<String, String> fields = Workload.sampleFields(0);
            LongConsumer xadd = n -> {
                fields.put("monotonic_ns", Long.toString(System.nanoTime()));
                jedis.xadd(raw, XAddParams.xAddParams(), fields);
            };
            Workload.paced(5_000, seconds(1, 2), 0, xadd); // warm-up
            reader.awaitCount(Long.MAX_VALUE, 500, 10_000);
            reader.swap();
            // the floor of a durable path done naively: one thread, per event append a record to a file, fdatasync,
            // then XADD (issue 12's baseline for scenario 2)
            try (java.nio.channels.FileChannel file = java.nio.channels.FileChannel.open(work.resolve("baseline.log"),
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE,
                    java.nio.file.StandardOpenOption.APPEND)) {
                java.nio.ByteBuffer record = java.nio.ByteBuffer.allocate(200);
                LongConsumer durable = n -> {
                    try {
                        record.clear();
                        file.write(record);
                        file.force(false);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    xadd.accept(n);
                };
                long read0 = reader.count();
                long sent = Workload.paced(1_000, seconds(1, 5), 0, durable);
                reader.awaitCount(read0 + sent, 2000, 30_000);
                Histogram h = reader.swap();
                result(out, "fsyncxadd.1000.p50_ms", ms(h.getValueAtPercentile(50)));
                result(out, "fsyncxadd.1000.p99_ms", ms(h.getValueAtPercentile(99)));
                result(out, "fsyncxadd.1000.p999_ms", ms(h.getValueAtPercentile(99.9)));
            }
            for (int rate : new int[] { 1_000, 10_000, 100_000 }) {
                long read0 = reader.count();
                long t0 = System.nanoTime();
                long sent = Workload.paced(rate, seconds(1, 5), 0, xadd);
                double achieved = sent / ((System.nanoTime() - t0) / 1e9);
                reader.awaitCount(read0 + sent, 2000, 30_000);
                Histogram h = reader.swap();
                String k = "raw." + rate + ".";
                result(out, k + "offered_per_s", String.format(java.util.Locale.ROOT, "%.0f", achieved));
                result(out, k + "p50_ms", ms(h.getValueAtPercentile(50)));
                result(out, k + "p99_ms", ms(h.getValueAtPercentile(99)));
                result(out, k + "p999_ms", ms(h.getValueAtPercentile(99.9)));
            }
        }
    }

    /**
     * Events that did not reach Redis as themselves: lost by the event log (its memory buffer overflowed while the
     * disk could not be written; never expected here).
     */
    /**
     * Scenario 8: the resident memory of the runtime as the service runs it (this JVM was started with the packaged
     * options): after start, right after N events went the whole way to Redis, and after some idle seconds. No explicit GC:
     * what an operator's {@code ps} shows.
     */
    private void footprint(PrintStream out) throws Exception {
        int port = Integer.parseInt(args.get("redisPort"));
        long events = Long.parseLong(args.get("events"));
        String stream = "aw:footprint";
        try (InProcessRuntime rt = new InProcessRuntime(work.resolve("footprint-data"),
                Map.of("io.autoweave.redis.cfg", InProcessRuntime.redisConfig(port, stream)), log);
                StreamReader reader = new StreamReader(port, stream)) {
            LongConsumer send = Workload.reporting(rt.reportProbe());
            Thread.sleep(5000); // start-up work (SCR, Jetty, the first checkpoint) done
            result(out, "footprint.rss_idle_mib", String.format(java.util.Locale.ROOT, "%.1f", rssMib()));
            long t0 = System.nanoTime();
            long seq = 0;
            while (seq < events) {
                if (seq - reader.count() < 512) {
                    send.accept(seq++);
                } else {
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000);
                }
            }
            reader.awaitCount(events, 5000, full ? 600_000 : 240_000);
            double rate = events / ((System.nanoTime() - t0) / 1e9);
            result(out, "footprint.rss_after_mib", String.format(java.util.Locale.ROOT, "%.1f", rssMib()));
            result(out, "footprint.events", events);
            result(out, "footprint.events_per_s", String.format(java.util.Locale.ROOT, "%.0f", rate));
            result(out, "footprint.lost", dropped(rt));
            long idle = Long.parseLong(args.get("idleSeconds"));
            Thread.sleep(idle * 1000);
            result(out, "footprint.idle_s", idle);
            result(out, "footprint.rss_settled_mib", String.format(java.util.Locale.ROOT, "%.1f", rssMib()));
            Runtime r = Runtime.getRuntime();
            result(out, "footprint.heap_committed_mib", String.format(java.util.Locale.ROOT, "%.1f",
                    r.totalMemory() / 1048576.0));
            result(out, "footprint.heap_used_mib", String.format(java.util.Locale.ROOT, "%.1f",
                    (r.totalMemory() - r.freeMemory()) / 1048576.0));
        }
    }

    private static long dropped(InProcessRuntime rt) throws Exception {
        return ((Number) rt.eventlogMetrics().getOrDefault("lost", 0L)).longValue();
    }

    /** Milliseconds the JIT compilers spent so far: equal before and after a window means no compiling in it. */
    private static long compileMillis() {
        java.lang.management.CompilationMXBean c = java.lang.management.ManagementFactory.getCompilationMXBean();
        return c == null ? -1 : c.getTotalCompilationTime();
    }

    // ---- scenario 3: plugin install --------------------------------------------------------------------------

    private int installIterations() {
        return full ? 60 : 5;
    }

    private void install(PrintStream out) throws Exception {
        TestSigning.Credentials ca = TestSigning.newCa("AutoWeave Bench Plugins CA");
        TestSigning.Credentials signer = TestSigning.issue(ca, "Bench Plugin Signer");
        Path trust = work.resolve("install-truststore.p12");
        Path jar = InProcessRuntime.signedPlugin(Files.createDirectories(work.resolve("install-jars")),
                "bench.plugin.install", signer);
        Files.copy(jar, work.resolve("install-plugin.jar"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (InProcessRuntime rt = new InProcessRuntime(work.resolve("install-data"),
                Map.of("io.autoweave.plugin.installer.cfg", InProcessRuntime.installerConfig(trust, ca)), log)) {
            Object installer = rt.installer(trust);
            Histogram h = new Histogram(3);
            Histogram cpu = new Histogram(3);
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            // warm-up rounds until the JIT settled (at least three), then the measured ones
            JitWarmUp warmUp = new JitWarmUp(0, seconds(10, 60));
            for (int i = -3; i < installIterations(); i++) {
                long c0 = threads.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                String state = InProcessRuntime.install(installer, jar, "LOW");
                long t = System.nanoTime() - t0;
                long c = threads.getCurrentThreadCpuTime() - c0;
                if (!"RUNNING".equals(state)) {
                    throw new IllegalStateException("plugin state after install: " + state);
                }
                if (i >= 0) {
                    h.recordValue(t);
                    cpu.recordValue(c);
                }
                InProcessRuntime.uninstall(installer, "bench.plugin.install");
                if (i == -1 && warmUp.running()) {
                    i = -2; // not settled yet: another warm-up round
                }
            }
            result(out, "install.jit_warmup", warmUp.outcome());
            result(out, "install.n", h.getTotalCount());
            result(out, "install.p50_ms", ms(h.getValueAtPercentile(50)));
            result(out, "install.p99_ms", ms(h.getValueAtPercentile(99)));
            result(out, "install.cpu_p50_ms", ms(cpu.getValueAtPercentile(50)));
        }
    }

    /** Baseline: Felix without security, installBundle + start of the same signed jar. */
    private void installPlain(PrintStream out) throws Exception {
        Path jar = work.resolve("install-plugin.jar");
        byte[] bytes = Files.readAllBytes(jar);
        Framework fw = plainFelix("install-plain-cache");
        try {
            BundleContext ctx = fw.getBundleContext();
            Histogram h = new Histogram(3);
            Histogram cpu = new Histogram(3);
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            JitWarmUp warmUp = new JitWarmUp(0, seconds(10, 60)); // as for the runtime: rounds until the JIT settled
            for (int i = -3; i < installIterations(); i++) {
                long c0 = threads.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                Bundle b = ctx.installBundle("bench:plugin/bench.plugin.install", new ByteArrayInputStream(bytes));
                b.start();
                long t = System.nanoTime() - t0;
                long c = threads.getCurrentThreadCpuTime() - c0;
                if (b.getState() != Bundle.ACTIVE) {
                    throw new IllegalStateException("not active: " + b.getState());
                }
                if (i >= 0) {
                    h.recordValue(t);
                    cpu.recordValue(c);
                }
                b.uninstall();
                refresh(fw, b);
                if (i == -1 && warmUp.running()) {
                    i = -2;
                }
            }
            result(out, "install_plain.jit_warmup", warmUp.outcome());
            result(out, "install_plain.n", h.getTotalCount());
            result(out, "install_plain.p50_ms", ms(h.getValueAtPercentile(50)));
            result(out, "install_plain.p99_ms", ms(h.getValueAtPercentile(99)));
            result(out, "install_plain.cpu_p50_ms", ms(cpu.getValueAtPercentile(50)));
        } finally {
            fw.stop();
            fw.waitForStop(30_000);
        }
    }

    /** Plain Felix 7 (the same framework the runtime embeds), no security, with the AutoWeave API bundle. */
    private Framework plainFelix(String cache) throws Exception {
        Map<String, Object> p = new HashMap<>();
        p.put(Constants.FRAMEWORK_STORAGE, work.resolve(cache).toString());
        p.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        p.put("felix.log.level", "1");
        Framework fw = new Felix(p);
        fw.init();
        fw.start();
        Bundle api = fw.getBundleContext().installBundle("bench:core/autoweave-api",
                new ByteArrayInputStream(Jars.embedded("autoweave-api")));
        api.start();
        return fw;
    }

    private static void refresh(Framework fw, Bundle b) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        fw.adapt(FrameworkWiring.class).refreshBundles(List.of(b), e -> {
            if (e.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
                done.countDown();
            }
        });
        done.await(30, TimeUnit.SECONDS);
    }

    // ---- scenario 6: dispatch to 16 plugins with UsbPermission checks ----------------------------------------

    static final int PLUGINS = 16;

    private List<Path> signedPlugins(TestSigning.Credentials signer) throws Exception {
        Path dir = Files.createDirectories(work.resolve("plugins"));
        List<Path> jars = new ArrayList<>();
        for (int i = 0; i < PLUGINS; i++) {
            jars.add(InProcessRuntime.signedPlugin(dir, "bench.plugin." + i, signer));
        }
        return jars;
    }

    /** The runtime with 16 signed plugins installed through the installer at plugin:low/... */
    private InProcessRuntime runtimeWithPlugins(String name, Map<String, String> extraConfig) throws Exception {
        TestSigning.Credentials ca = TestSigning.newCa("AutoWeave Bench Plugins CA");
        TestSigning.Credentials signer = TestSigning.issue(ca, "Bench Plugin Signer");
        Path trust = work.resolve(name + "-truststore.p12");
        Map<String, String> config = new HashMap<>(extraConfig);
        config.put("io.autoweave.plugin.installer.cfg", InProcessRuntime.installerConfig(trust, ca));
        List<Path> jars = signedPlugins(signer);
        InProcessRuntime rt = new InProcessRuntime(work.resolve(name + "-data"), config, log);
        Object installer = rt.installer(trust);
        for (Path jar : jars) {
            String state = InProcessRuntime.install(installer, jar, "LOW");
            if (!"RUNNING".equals(state)) {
                throw new IllegalStateException(jar + ": " + state);
            }
        }
        return rt;
    }

    private void dispatch(PrintStream out) throws Exception {
        try (InProcessRuntime rt = runtimeWithPlugins("dispatch", Map.of())) {
            LongUnaryOperator checked = rt.dispatchProbe();
            LongUnaryOperator unchecked = InProcessRuntime.service(rt.context(), "(bench=dispatch-unchecked)");
            // checked, unchecked, checked again: the JIT keeps settling, so neither side gets only the later state
            double a = measureDispatch(out, "dispatch", checked);
            double u = measureDispatch(out, "dispatch_unchecked", unchecked);
            double b = measureDispatch(out, "dispatch_again", checked);
            result(out, "dispatch.checked_mean_per_s", String.format(java.util.Locale.ROOT, "%.0f", (a + b) / 2));
        }
    }

    private void dispatchPlain(PrintStream out) throws Exception {
        Framework fw = plainFelix("dispatch-plain-cache");
        try {
            BundleContext ctx = fw.getBundleContext();
            for (int i = 0; i < PLUGINS; i++) {
                ctx.installBundle("bench:plugin/" + i, new ByteArrayInputStream(Jars.bundle("bench.plugin." + i,
                        BenchListener.class.getName(), "io.autoweave.api.device, org.osgi.framework",
                        BenchListener.class))).start();
            }
            // commons logs through SLF4J: the API the runtime ships it with (Pax Logging's, self-contained)
            ctx.installBundle("bench:core/pax-logging-api", new ByteArrayInputStream(Jars.embedded("pax-logging-api")));
            ctx.installBundle("bench:core/autoweave-commons",
                    new ByteArrayInputStream(Jars.embedded("autoweave-commons"))).start();
            ctx.installBundle("bench:core/dispatch-probe", new ByteArrayInputStream(Jars.bundle("bench.dispatch.probe",
                    DispatchProbe.class.getName(), Jars.DISPATCH_IMPORTS, DispatchProbe.class))).start();
            measureDispatch(out, "dispatch_plain", InProcessRuntime.service(ctx, "(bench=dispatch)"));
        } finally {
            fw.stop();
            fw.waitForStop(30_000);
        }
    }

    private double measureDispatch(PrintStream out, String key, LongUnaryOperator probe) {
        long expected = 1000L * PLUGINS;
        // warm-up until the JIT settled: the runtime child has its whole start-up still queued for compilation
        JitWarmUp warmUp = new JitWarmUp(seconds(1, 3), seconds(15, 90));
        while (warmUp.running()) {
            if (probe.applyAsLong(1000) != expected) {
                throw new IllegalStateException("not every plugin got every event");
            }
        }
        result(out, key + ".jit_warmup", warmUp.outcome());
        long deliveries = 0;
        long t0 = System.nanoTime();
        long end = t0 + seconds(2, 10);
        while (System.nanoTime() < end) {
            deliveries += probe.applyAsLong(1000);
        }
        double perSecond = deliveries / ((System.nanoTime() - t0) / 1e9);
        result(out, key + ".deliveries_per_s", String.format(java.util.Locale.ROOT, "%.0f", perSecond));
        result(out, key + ".plugins", PLUGINS);
        result(out, key + ".cached_answers", probe.applyAsLong(-1));
        return perSecond;
    }

    // ---- scenario 7: event-path latency with and without a hostile CPU burner ------------------------------------

    /**
     * Reports events at a fixed rate through {@code DeviceReportSink} and records each one's latency at a
     * well-behaved listener; first with no other plugin, then with a signed CPU burner (one busy thread per
     * processor) installed at level low, where the resource enforcer only warns: the burner keeps running, so this
     * is the worst case the listener isolation has to hold against.
     */
    private void isolation(PrintStream out) throws Exception {
        TestSigning.Credentials ca = TestSigning.newCa("AutoWeave Bench Isolation CA");
        TestSigning.Credentials signer = TestSigning.issue(ca, "Bench Burner Signer");
        Path trust = work.resolve("isolation-truststore.p12");
        Path dir = Files.createDirectories(work.resolve("isolation-plugins"));
        Path burner = TestSigning.sign(Jars.write(dir.resolve("burner-unsigned.jar"), Jars.bundle("bench.cpu.burner",
                CpuBurner.class.getName(), "io.autoweave.api.device, org.osgi.framework", CpuBurner.class)),
                dir.resolve("burner.jar"), signer);
        try (InProcessRuntime rt = new InProcessRuntime(work.resolve("isolation-data"),
                Map.of("io.autoweave.plugin.installer.cfg", InProcessRuntime.installerConfig(trust, ca)), log)) {
            LongConsumer send = Workload.reporting(rt.reportProbe());
            InProcessRuntime.installCore(rt.context(), "bench-latency-listener", Jars.bundle("bench.latency.listener",
                    LatencyListener.class.getName(), Jars.API_IMPORTS, LatencyListener.class));
            LongUnaryOperator latency = InProcessRuntime.service(rt.context(), "(bench=latency)");
            long[] seq = { 0 };
            measureLatency(out, "isolation.baseline", send, latency, seq);
            Object installer = rt.installer(trust);
            String state = InProcessRuntime.install(installer, burner, "LOW");
            if (!"RUNNING".equals(state)) {
                throw new IllegalStateException("the burner did not start: " + state);
            }
            Thread.sleep(1000); // the burner's threads are up and busy
            measureLatency(out, "isolation.burner", send, latency, seq);
            result(out, "isolation.burner_threads", Runtime.getRuntime().availableProcessors());

            // the same burner at level high: the enforcer's default limit (0.25 core over 5 s) blocks it
            InProcessRuntime.uninstall(installer, "bench.cpu.burner");
            Path high = TestSigning.sign(Jars.write(dir.resolve("burner-high-unsigned.jar"), Jars.bundle(
                    "bench.cpu.burner.high", CpuBurner.class.getName(), "io.autoweave.api.device, org.osgi.framework",
                    CpuBurner.class)), dir.resolve("burner-high.jar"), signer);
            long t0 = System.nanoTime();
            InProcessRuntime.install(installer, high, "HIGH");
            Bundle b = null;
            for (Bundle x : rt.context().getBundles()) {
                if ("bench.cpu.burner.high".equals(x.getSymbolicName())) {
                    b = x;
                }
            }
            while (b != null && b.getState() == Bundle.ACTIVE) {
                if (System.nanoTime() - t0 > 60_000_000_000L) {
                    throw new IllegalStateException("the burner at level high was not stopped within 60 s");
                }
                Thread.sleep(20);
            }
            result(out, "isolation.high_stopped_after_ms", ms(System.nanoTime() - t0));
            measureLatency(out, "isolation.after_block", send, latency, seq);
        }
    }

    private void measureLatency(PrintStream out, String key, LongConsumer send, LongUnaryOperator latency, long[] seq)
            throws InterruptedException {
        int rate = 1000;
        paced(send, seq, rate, seconds(1, 2)); // warm-up
        awaitCount(latency);
        latency.applyAsLong(-2);
        long sent = paced(send, seq, rate, seconds(3, 20));
        long got = awaitCount(latency);
        long[] v = new long[(int) got];
        for (int i = 0; i < v.length; i++) {
            v[i] = latency.applyAsLong(i);
        }
        percentiles(out, key, v, sent);
    }

    /** Sends at {@code rate} events/s for {@code nanos}; returns how many were sent. */
    private static long paced(LongConsumer send, long[] seq, int rate, long nanos) {
        long t0 = System.nanoTime();
        long n = 0;
        while (System.nanoTime() - t0 < nanos) {
            long due = t0 + n * 1_000_000_000L / rate;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
            send.accept(seq[0]++);
            n++;
        }
        return n;
    }

    /** Waits until the listener has everything sent since the last reset (or 10 s without progress). */
    private static long awaitCount(LongUnaryOperator latency) throws InterruptedException {
        long last = -1;
        long since = System.nanoTime();
        while (true) {
            long c = latency.applyAsLong(-1);
            if (c != last) {
                last = c;
                since = System.nanoTime();
            } else if (System.nanoTime() - since > 2_000_000_000L) {
                return c;
            }
            Thread.sleep(50);
        }
    }

    // ---- scenario 9: a plugin isolated (its own JVM) against the same listener in process ------------------------

    /**
     * One runtime, two listeners fed the same events: {@link LatencyListener} in process and
     * {@link IsolatedLatencyProbe} installed isolated through the installer (signed, level high). Paced at 1000
     * events/s, each event's report → listener latency at both; then a burst of 1000 events (the host's queue holds
     * 1024) and the time until the last one arrived at each; and the install time of each mode.
     */
    private void isolated(PrintStream out) throws Exception {
        TestSigning.Credentials ca = TestSigning.newCa("AutoWeave Bench Isolated CA");
        TestSigning.Credentials signer = TestSigning.issue(ca, "Bench Isolated Signer");
        Path trust = work.resolve("isolated-truststore.p12");
        Path dir = Files.createDirectories(work.resolve("isolated-plugins"));
        List<String> levels = List.of("high", "low");
        Map<String, Path> probes = new HashMap<>();
        for (String level : levels) {
            String bsn = "bench.isolated." + level;
            probes.put(level, TestSigning.sign(Jars.write(dir.resolve(bsn + "-unsigned.jar"), Jars.bundle(bsn,
                    IsolatedLatencyProbe.class.getName(), "io.autoweave.api.device, org.osgi.framework",
                    IsolatedLatencyProbe.class)), dir.resolve(bsn + ".jar"), signer));
        }
        Path inProcess = InProcessRuntime.signedPlugin(dir, "bench.inprocess.install", signer);
        try (InProcessRuntime rt = new InProcessRuntime(work.resolve("isolated-data"),
                Map.of("io.autoweave.plugin.installer.cfg", InProcessRuntime.installerConfig(trust, ca)), log)) {
            LongConsumer send = Workload.reporting(rt.reportProbe());
            InProcessRuntime.installCore(rt.context(), "bench-latency-listener", Jars.bundle("bench.latency.listener",
                    LatencyListener.class.getName(), Jars.API_IMPORTS, LatencyListener.class));
            LongUnaryOperator latency = InProcessRuntime.service(rt.context(), "(bench=latency)");
            Object installer = rt.installer(trust);
            long t0 = System.nanoTime();
            InProcessRuntime.install(installer, inProcess, "HIGH");
            result(out, "isolated.install_in_process_ms", ms(System.nanoTime() - t0));
            for (String level : levels) {
                t0 = System.nanoTime();
                String state = InProcessRuntime.installIsolated(installer, probes.get(level), level.toUpperCase());
                result(out, "isolated." + level + ".install_ms", ms(System.nanoTime() - t0));
                if (!"RUNNING".equals(state)) {
                    throw new IllegalStateException("the isolated probe at " + level + " did not start: " + state);
                }
            }
            Path logFile = rt.launcher.logDir().resolve("autoweave.log");
            long[] seq = { 0 };
            paced(send, seq, 1000, seconds(2, 5)); // warm-up, every listener
            awaitCount(latency);
            long first = seq[0];
            latency.applyAsLong(-2);
            long sent = paced(send, seq, 1000, seconds(5, 20));
            long got = awaitCount(latency);
            long[] v = new long[(int) got];
            for (int i = 0; i < v.length; i++) {
                v[i] = latency.applyAsLong(i);
            }
            percentiles(out, "isolated.in_process", v, sent);
            // a probe prints per 100 events: a tail of 200 flushes the last line of the measured ones
            paced(send, seq, 1000, 200_000_000L);
            for (String level : levels) {
                long[] micros = awaitIsolated(logFile, "bench.isolated." + level, first, first + sent, seq[0]);
                long[] iv = new long[micros.length];
                for (int i = 0; i < iv.length; i++) {
                    iv[i] = micros[i] * 1000;
                }
                percentiles(out, "isolated." + level, iv, sent);
            }

            // a burst of 1000 (within a host's queue of 1024) once every listener has everything; padded to a line's
            // start, so the burst fills its lines exactly
            while (seq[0] % 100 != 0) {
                send.accept(seq[0]++);
            }
            for (String level : levels) {
                awaitIsolated(logFile, "bench.isolated." + level, seq[0] - 100, seq[0], seq[0]);
            }
            Thread.sleep(200);
            latency.applyAsLong(-2);
            long offset = Files.size(logFile);
            long last = seq[0] + 999;
            long b0 = System.nanoTime();
            for (int i = 0; i < 1000; i++) {
                send.accept(seq[0]++);
            }
            Map<String, Long> done = new HashMap<>();
            long deadline = b0 + 60_000_000_000L;
            while (done.size() < 1 + levels.size() && System.nanoTime() < deadline) {
                if (!done.containsKey("in_process") && latency.applyAsLong(-1) >= 1000) {
                    done.put("in_process", System.nanoTime());
                }
                String tail = readFrom(logFile, offset);
                for (String level : levels) {
                    if (!done.containsKey(level) && tail.contains("[bench.isolated." + level + " out] BENCH-LAT "
                            + (last - 99) + " ")) {
                        done.put(level, System.nanoTime());
                    }
                }
                Thread.sleep(2);
            }
            if (!done.containsKey("in_process")) {
                throw new IllegalStateException("the burst did not reach the listener in process within 60 s");
            }
            for (String k : concat("in_process", levels)) {
                Long t = done.get(k);
                // a host that missed part of the burst never prints its last line: reported, not a failure
                result(out, "isolated." + k + ".burst_per_s", t == null ? "-1" : String.format(java.util.Locale.ROOT,
                        "%.0f", 1000 / ((t - b0) / 1e9)));
            }
        }
    }

    private static void percentiles(PrintStream out, String key, long[] v, long sent) {
        java.util.Arrays.sort(v);
        result(out, key + ".sent", sent);
        result(out, key + ".received", v.length);
        result(out, key + ".p50_ms", ms(v[(int) Math.ceil(0.50 * v.length) - 1]));
        result(out, key + ".p99_ms", ms(v[(int) Math.ceil(0.99 * v.length) - 1]));
        result(out, key + ".max_ms", ms(v[v.length - 1]));
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }

    /** What the runtime's log holds after {@code offset}. */
    private static String readFrom(Path logFile, long offset) throws IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(logFile)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate((int) Math.max(0, ch.size() - offset));
            ch.read(b, offset);
            return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
        }
    }

    /**
     * The latencies (µs) an isolated probe {@code bsn} printed for events {@code from} (inclusive) to {@code to}
     * (exclusive), read from its lines in the runtime log; waits (at most 30 s) for them. Its lines number events as
     * it received them, so a missed event would leave a line out, which the wait shows.
     */
    private static long[] awaitIsolated(Path logFile, String bsn, long from, long to, long sent) throws Exception {
        java.util.regex.Pattern line = java.util.regex.Pattern.compile("\\[" + java.util.regex.Pattern.quote(bsn)
                + " out\\] BENCH-LAT (\\d+)((?: \\d+)+)");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            Map<Long, long[]> lines = new HashMap<>();
            if (Files.isRegularFile(logFile)) {
                java.util.regex.Matcher m = line.matcher(Files.readString(logFile));
                while (m.find()) {
                    lines.put(Long.parseLong(m.group(1)), java.util.Arrays.stream(m.group(2).trim().split(" "))
                            .mapToLong(Long::parseLong).toArray());
                }
            }
            boolean complete = true;
            for (long i = from - from % 100; i < to; i += 100) {
                complete &= lines.containsKey(i);
            }
            if (complete) {
                long[] v = new long[(int) (to - from)];
                for (long i = from; i < to; i++) {
                    v[(int) (i - from)] = lines.get(i - i % 100)[(int) (i % 100)];
                }
                return v;
            }
            if (System.nanoTime() > deadline) {
                // a host that fell more than its queue behind (a loaded machine, its level's CPU share) had events
                // counted as missed: its lines then number fewer events; what it did receive is still measured
                List<Long> got = new ArrayList<>();
                for (long i = from; i < to; i++) {
                    long[] values = lines.get(i - i % 100);
                    if (values != null) {
                        got.add(values[(int) (i % 100)]);
                    }
                }
                if (got.isEmpty()) {
                    throw new IllegalStateException(bsn + ": none of its lines for events " + from + ".." + to + " of "
                            + sent + " in " + logFile);
                }
                return got.stream().mapToLong(Long::longValue).toArray();
            }
            Thread.sleep(100);
        }
    }

    // ---- scenario 5: memory ---------------------------------------------------------------------------------

    private void memory(PrintStream out) throws Exception {
        int port = Integer.parseInt(args.get("redisPort"));
        try (InProcessRuntime rt = runtimeWithPlugins("memory",
                Map.of("io.autoweave.redis.cfg", InProcessRuntime.redisConfig(port, "aw:bench:memory")))) {
            LongUnaryOperator probe = rt.reportProbe();
            LongConsumer send = Workload.reporting(probe);
            long baseline = heapAfterFullGc();
            result(out, "memory.idle_heap_mb", mb(baseline));
            long events = full ? 1_000_000 : 30_000;
            long t0 = System.nanoTime();
            for (long n = 0; n < events; n++) {
                send.accept(n);
            }
            double rate = events / ((System.nanoTime() - t0) / 1e9);
            Thread.sleep(2000); // let the listener queues drain before measuring
            long afterEvents = heapAfterFullGc();
            result(out, "memory.events", events);
            result(out, "memory.report_rate_per_s", String.format(java.util.Locale.ROOT, "%.0f", rate));
            result(out, "memory.heap_after_events_mb", mb(afterEvents));

            // attach/detach cycles on devices of their own: rounds of CYCLE_DEVICES attaches then their detaches, so
            // every round ends in the state it started from (growth is then what the runtime keeps, not devices)
            long cycles = full ? 200_000 : CYCLE_DEVICES;
            long start = heapAfterFullGc();
            long done = 0;
            for (; done < cycles; done += CYCLE_DEVICES) {
                for (int action = 0; action < 2; action++) {
                    for (long d = 0; d < CYCLE_DEVICES; d++) {
                        probe.applyAsLong((Workload.DEVICES + d) << 1 | action);
                    }
                }
            }
            Thread.sleep(2000);
            long end = heapAfterFullGc();
            cycles = done;
            result(out, "memory.cycles", cycles);
            result(out, "memory.cycle_start_heap_mb", mb(start));
            result(out, "memory.cycle_end_heap_mb", mb(end));
            result(out, "memory.growth_kb_per_1000_cycles",
                    String.format(java.util.Locale.ROOT, "%.2f", (end - start) / 1024.0 / (cycles / 1000.0)));
            result(out, "memory.metrics", rt.pipelineMetrics().toString().replace(' ', '_'));
        }
    }

    /** Devices of one attach/detach round: at the pipeline's few thousand reports/s each device comes back after
     * more than the debounce window, so no cycle is collapsed. */
    static final int CYCLE_DEVICES = 8192;

    private static String mb(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f", bytes / 1048576.0);
    }

    /** Used heap after explicit full collections (G1 runs a full GC for System.gc()), settled over three rounds. */
    private static long heapAfterFullGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
