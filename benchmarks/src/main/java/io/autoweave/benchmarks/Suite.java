package io.autoweave.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.resps.StreamEntry;

/**
 * The benchmark suite: runs every scenario of issue 8 against the real runtime, measures each baseline in the same
 * run, and writes a Markdown report. {@code --quick} (CI: small workloads, asserts nothing about speed) or
 * {@code --full} (the figures in BENCHMARKS.md); {@code --out FILE}. See benchmarks/README.md.
 */
public final class Suite {

    /** One line of the table. Baseline and ratio may be empty (no meaningful baseline). */
    record Row(String scenario, String workload, String figure, String value, String baseline, String baselineValue,
            String ratio) {
    }

    static final List<String> SCENARIOS = List.of("1. Pipeline throughput", "2. Latency", "3. Plugin install",
            "4. Cold start and shutdown", "5. Memory", "6. Dispatch to 16 plugins",
            "7. Isolation from a CPU burner", "8. Footprint as packaged", "9. Isolated plugin (own JVM)");

    private final boolean full;
    /** Scenario numbers to run (--only); empty: all. */
    private final Set<Integer> only;
    private final Path out;
    private final Path work;
    private final List<Row> rows = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    /** The class path of every child JVM: copies of this JVM's jars, see {@link #snapshotClasspath}. */
    private final String classpath;
    private final Path runtimeJar;

    Suite(boolean full, Path out) throws IOException {
        this(full, Set.of(), out);
    }

    Suite(boolean full, Set<Integer> only, Path out) throws IOException {
        this.full = full;
        this.only = Set.copyOf(only);
        this.out = out;
        this.work = Files.createTempDirectory("autoweave-bench");
        this.classpath = snapshotClasspath(work.resolve("classpath"));
        this.runtimeJar = runtimeJar(classpath);
    }

    /**
     * Copies the jars of this JVM's class path into {@code dir} and returns the class path of the copies, so a
     * {@code mvn install} running meanwhile (other developers, CI neighbours) cannot swap the runtime jar under a
     * running suite: every figure of one run comes from one build.
     */
    private static String snapshotClasspath(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            if (Files.isRegularFile(p) && entry.endsWith(".jar")) {
                Path copy = dir.resolve((i++) + "-" + p.getFileName());
                Files.copy(p, copy);
                entries.add(copy.toString());
            } else {
                entries.add(entry);
            }
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    /** The executable jar on the class path: the one holding the launcher and the bundle set. */
    private static Path runtimeJar(String classpath) throws IOException {
        for (String entry : classpath.split(java.io.File.pathSeparator)) {
            if (entry.endsWith(".jar")) {
                try (java.util.jar.JarFile jar = new java.util.jar.JarFile(entry)) {
                    if (jar.getEntry("autoweave/bundles.txt") != null) {
                        return Path.of(entry);
                    }
                }
            }
        }
        throw new IllegalStateException("the runtime jar (autoweave-runtime) is not on the class path");
    }

    public static void main(String[] args) throws Exception {
        boolean full = false;
        Path out = null;
        Set<Integer> only = new java.util.TreeSet<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--full" -> full = true;
                case "--quick" -> full = false;
                case "--out" -> out = Path.of(args[++i]);
                case "--only" -> {
                    for (String n : args[++i].split(",")) {
                        int k = Integer.parseInt(n.trim());
                        if (k < 1 || k > SCENARIOS.size()) {
                            System.err.println("--only takes scenario numbers 1.." + SCENARIOS.size() + ", not " + k);
                            System.exit(2);
                        }
                        only.add(k);
                    }
                }
                default -> {
                    System.err.println("usage: Suite [--quick|--full] [--only N,M] [--out FILE]");
                    System.exit(2);
                }
            }
        }
        if (out == null) {
            // a partial run never replaces the full table
            out = Path.of(full && only.isEmpty() ? "BENCHMARKS.md" : only.isEmpty() ? "target/benchmarks-quick.md"
                    : "target/benchmarks-only-" + String.join("-", only.stream().map(String::valueOf).toList())
                            + (full ? "-full" : "-quick") + ".md");
        }
        int failed = new Suite(full, only, out).run();
        System.exit(failed == 0 ? 0 : 1);
    }

    /** Runs everything, writes the report; returns the number of scenarios that failed. */
    int run() throws Exception {
        long t0 = System.nanoTime();
        ZonedDateTime started = ZonedDateTime.now(ZoneOffset.UTC);
        String load = readOr("/proc/loadavg", "?").trim();
        progress("mode " + (full ? "full" : "quick") + ", work dir " + work);
        try (RedisServer redis = new RedisServer(work.resolve("redis"))) {
            step("1. Pipeline throughput / 2. Latency", () -> pipeline(redis));
            step("3. Plugin install", this::install);
            step("4. Cold start and shutdown", () -> coldStart(redis));
            step("5. Memory", () -> memory(redis));
            step("6. Dispatch to 16 plugins", this::dispatch);
            step("7. Isolation from a CPU burner", this::isolation);
            step("8. Footprint as packaged", () -> footprint(redis));
            step("9. Isolated plugin (own JVM)", this::isolatedPlugin);
        }
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        load = load + " at start; " + readOr("/proc/loadavg", "?").trim() + " at end";
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, markdown(started, load, seconds), StandardCharsets.UTF_8);
        progress("wrote " + out + " (" + seconds + " s)" + (failures.isEmpty() ? "" : "; FAILED: " + failures));
        if (failures.isEmpty()) {
            deleteTree(work);
        } else {
            progress("logs kept in " + work);
        }
        return failures.size();
    }

    interface Step {
        void run() throws Exception;
    }

    private void step(String name, Step step) {
        if (!only.isEmpty() && java.util.Arrays.stream(name.split(" / "))
                .noneMatch(n -> only.contains(Integer.parseInt(n.substring(0, n.indexOf('.')))))) {
            return;
        }
        long t = System.nanoTime();
        progress(name + " ...");
        try {
            step.run();
            progress(name + " done in " + (System.nanoTime() - t) / 1_000_000_000L + " s");
        } catch (Exception | AssertionError e) {
            failures.add(name);
            progress(name + " FAILED: " + e);
            for (String s : name.split(" / ")) {
                rows.add(new Row(s, "", "FAILED: " + e.getMessage(), "", "", "", ""));
            }
        }
    }

    static void progress(String line) {
        System.out.println("[bench] " + line);
        System.out.flush();
    }

    // ---- child JVMs -----------------------------------------------------------------------------------------

    private Map<String, String> child(String scenario, long timeoutSeconds, String... kv) throws Exception {
        return child(List.of("-Xmx1g"), scenario, timeoutSeconds, kv);
    }

    private Map<String, String> child(List<String> jvmOptions, String scenario, long timeoutSeconds, String... kv)
            throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Proc.java());
        cmd.addAll(jvmOptions);
        String extra = System.getenv("AUTOWEAVE_BENCH_JVM_OPTS"); // e.g. a flight recording of one scenario
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(Arrays.asList(extra.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-cp", classpath, Child.class.getName(), scenario, full ? "full" : "quick",
                work.toString()));
        cmd.addAll(Arrays.asList(kv));
        try (Proc p = new Proc(cmd, null)) {
            if (!p.waitFor(timeoutSeconds * 1000)) {
                throw new IllegalStateException(scenario + " did not finish within " + timeoutSeconds + " s (log: "
                        + work.resolve(scenario + ".log") + ")");
            }
            p.await(l -> l.equals("DONE") || l.startsWith("FAILED"), 5000); // the reader may lag the exit
            Map<String, String> results = new HashMap<>();
            for (String line : p.lines()) {
                if (line.startsWith("RESULT ")) {
                    String[] parts = line.split(" ", 3);
                    results.put(parts[1], parts.length > 2 ? parts[2] : "");
                } else if (line.startsWith("FAILED")) {
                    throw new IllegalStateException(scenario + ": " + line.substring(6).trim() + " (log: "
                            + work.resolve(scenario + ".log") + ")");
                }
            }
            if (!p.lines().contains("DONE")) {
                throw new IllegalStateException(scenario + " ended without DONE (exit " + p.process.exitValue()
                        + "; log: " + work.resolve(scenario + ".log") + ")");
            }
            return results;
        }
    }

    // ---- scenarios ----------------------------------------------------------------------------------------------

    /**
     * The JVM options the packaged service starts the runtime with: the tokens of {@code ExecStart} in
     * packaging/autoweave.service between the java launcher and {@code -jar}, so this figure follows the packaging.
     */
    static List<String> packagedJvmOptions(Path unit) throws IOException {
        for (String line : Files.readAllLines(unit)) {
            if (line.startsWith("ExecStart=")) {
                List<String> options = new ArrayList<>();
                String[] words = line.substring("ExecStart=".length()).trim().split("\\s+");
                for (int i = 1; i < words.length && !words[i].equals("-jar"); i++) {
                    options.add(words[i]);
                }
                return options;
            }
        }
        throw new IllegalStateException(unit + " has no ExecStart line");
    }

    private void footprint(RedisServer redis) throws Exception {
        Path unit = null; // the repository's packaging, from the root (bin/autoweave bench) or benchmarks/ (mvn)
        for (Path dir = Path.of("").toAbsolutePath(); dir != null && unit == null; dir = dir.getParent()) {
            Path candidate = dir.resolve("packaging/autoweave.service");
            unit = Files.isRegularFile(candidate) ? candidate : null;
        }
        if (unit == null) {
            throw new IllegalStateException("packaging/autoweave.service not found above " + Path.of("").toAbsolutePath());
        }
        List<String> options = packagedJvmOptions(unit);
        Map<String, String> r = child(options, "footprint", full ? 900 : 300, "redisPort=" + redis.port,
                "events=" + (full ? 100_000 : 50_000), "idleSeconds=" + (full ? 20 : 10));
        progress("footprint: " + r);
        String jvm = String.join(" ", options);
        double idle = Double.parseDouble(r.get("footprint.rss_idle_mib"));
        double after = Double.parseDouble(r.get("footprint.rss_after_mib"));
        double settled = Double.parseDouble(r.get("footprint.rss_settled_mib"));
        String workload = "real runtime started with the packaged JVM options (`" + jvm + "`, from "
                + "packaging/autoweave.service), Redis configured; " + r.get("footprint.events") + " simulated events "
                + "through the whole path to Redis (closed loop, " + r.get("footprint.events_per_s") + "/s), "
                + r.get("footprint.lost") + " lost";
        rows.add(new Row(SCENARIOS.get(7), workload, "process RSS right after the last event reached Redis (MiB)",
                fmt3(after), "goal (issue 12)", "200", ratio(after, 200)));
        rows.add(new Row(SCENARIOS.get(7), "″ then " + r.get("footprint.idle_s") + " s idle", "process RSS (MiB)", fmt3(settled),
                "same process after start, before any event", fmt3(idle), ratio(settled, idle)));
        rows.add(new Row(SCENARIOS.get(7), "″", "heap committed / used after the idle time (MiB)",
                r.get("footprint.heap_committed_mib") + " / " + r.get("footprint.heap_used_mib"), "", "", ""));
    }

    private void pipeline(RedisServer redis) throws Exception {
        int requests64 = full ? 2_000_000 : 50_000;
        int requests1 = full ? 300_000 : 20_000;
        double p64 = redis.benchmarkXadd(requests64, 64);
        double p1 = redis.benchmarkXadd(requests1, 1);
        progress(String.format(Locale.ROOT, "redis-benchmark XADD: %.0f/s with -P 64, %.0f/s unpipelined", p64, p1));
        Map<String, String> r = child("pipeline", full ? 900 : 240, "redisPort=" + redis.port);
        progress("pipeline: " + r);
        double eps = Double.parseDouble(r.get("throughput.events_per_s"));
        String workload = "simulated source → DeviceReportSink → merge/identity/debounce/rules → event log (group "
                + "commit, " + r.get("log.records_per_fsync") + " records per fsync) → publisher cursor → XADD script; "
                + Workload.DEVICES + " distinct devices alternating attach/detach; closed "
                + "loop, ≤512 events between report and Redis; " + r.get("throughput.seconds") + " s after a "
                + (full ? "20" : "2") + " s warm-up (JIT time " + r.get("jit.compile_ms_after_warmup") + " ms before the window, "
                + r.get("jit.compile_ms_after_window") + " ms after); " + r.get("throughput.dropped") + " lost";
        rows.add(new Row(SCENARIOS.get(0), workload, "sustained events/s (entries read back from Redis)", fmt(eps),
                "redis-benchmark XADD same entry shape, -P 64, 50 clients", fmt(p64), ratio(eps, p64)));
        rows.add(new Row(SCENARIOS.get(0), "same run", "sustained events/s", fmt(eps),
                "redis-benchmark XADD same entry shape, unpipelined, 50 clients", fmt(p1), ratio(eps, p1)));
        double bytes = Double.parseDouble(r.get("log.bytes_per_event"));
        rows.add(new Row(SCENARIOS.get(0), "same run, " + r.get("events.total") + " events", "event log bytes written "
                + "per event (frames + records)", fmt3(bytes), "goal (issue 12)", "300", ratio(bytes, 300)));
        double rss = Double.parseDouble(r.get("rss_mib_after_events"));
        rows.add(new Row(SCENARIOS.get(0), "same run, after " + r.get("events.total") + " events (-Xmx1g child)",
                "process RSS (MiB)", fmt3(rss), "goal (issue 12)", "200", ratio(rss, 200)));
        for (String rate : List.of("1000", "10000", "100000")) {
            String k = "latency." + rate + ".";
            String raw = "raw." + rate + ".";
            String w = String.format(Locale.ROOT, "offered %s/s open loop (achieved %s/s), %s s: %s sent, %s in Redis, "
                    + "%s lost", rate, r.get(k + "offered_per_s"), full ? "5" : "1",
                    r.get(k + "sent"), r.get(k + "delivered"), r.get(k + "dropped"));
            for (String pct : List.of("p50", "p99", "p999")) {
                double v = Double.parseDouble(r.get(k + pct + "_ms"));
                double b = Double.parseDouble(r.get(raw + pct + "_ms"));
                rows.add(new Row(SCENARIOS.get(1), pct.equals("p50") ? w : "″", pct.replace("p999", "p99.9")
                        + " source → readable in Redis (ms)", fmt3(v), "one client XADDing the same entry shape at "
                        + "the same rate (achieved " + r.get(raw + "offered_per_s") + "/s), same reader", fmt3(b),
                        ratio(v, b)));
            }
            double cpu = Double.parseDouble(r.get(k + "cpu_us_per_event"));
            rows.add(new Row(SCENARIOS.get(1), "″", "process CPU (user + system) per event offered, µs (runtime, load "
                    + "generator and stream reader in one JVM)", fmt3(cpu), "goal (issue 12)", "50", ratio(cpu, 50)));
            if (rate.equals("1000")) {
                for (String pct : List.of("p50", "p99", "p999")) {
                    double v = Double.parseDouble(r.get(k + pct + "_ms"));
                    double b = Double.parseDouble(r.get("fsyncxadd.1000." + pct + "_ms"));
                    rows.add(new Row(SCENARIOS.get(1), "″", pct.replace("p999", "p99.9") + " source → readable in "
                            + "Redis (ms)", fmt3(v), "one thread per event: append 200 B + fdatasync + XADD, 1000/s, "
                            + "same reader", fmt3(b), ratio(v, b)));
                }
            }
        }
    }

    private void install() throws Exception {
        Map<String, String> s = child("install", 300);
        Map<String, String> p = child("install-plain", 120);
        progress("install: " + s + " plain: " + p);
        String workload = "signed 2-class plugin (EC P-256 signer, test CA), PluginInstaller.install(file, LOW): "
                + "verify → installBundle → resolve → start → RUNNING, " + s.get("install.n") + " times (uninstall "
                + "between, not timed)";
        for (String pct : List.of("p50", "p99")) {
            double v = Double.parseDouble(s.get("install." + pct + "_ms"));
            double b = Double.parseDouble(p.get("install_plain." + pct + "_ms"));
            rows.add(new Row(SCENARIOS.get(2), pct.equals("p50") ? workload : "″",
                    (pct.equals("p50") ? "median" : "p99") + " install to active (ms)", fmt3(v),
                    "same jar: installBundle + start in plain Felix 7.0.5, no security", fmt3(b), ratio(v, b)));
        }
        if (s.containsKey("install.cpu_p50_ms") && p.containsKey("install_plain.cpu_p50_ms")) {
            double v = Double.parseDouble(s.get("install.cpu_p50_ms"));
            double b = Double.parseDouble(p.get("install_plain.cpu_p50_ms"));
            rows.add(new Row(SCENARIOS.get(2), "″ (CPU time of the installing thread: what a loaded machine does not "
                    + "inflate; warm-up rounds until the JIT settled: " + s.get("install.jit_warmup") + " / "
                    + p.get("install_plain.jit_warmup") + ")", "median CPU ms of the installing thread", fmt3(v),
                    "same, plain Felix", fmt3(b), ratio(v, b)));
        }
    }

    /** The launcher's ready line (io.autoweave.launcher.Launcher.READY_MARKER). */
    static final String READY_MARKER = "AutoWeave ready";
    private static final Pattern READY = Pattern.compile("AutoWeave ready in (\\d+) ms");
    private static final Pattern TIMELINE_STEP = Pattern.compile("\\{\"step\":\"([^\"]+)\",\"ms\":(\\d+)");

    private void coldStart(RedisServer redis) throws Exception {
        Path jar = runtimeJar;
        int runs = full ? 5 : 1;
        List<Long> floor = new ArrayList<>();
        for (int i = 0; i < (full ? 10 : 2); i++) {
            try (Proc p = new Proc(List.of(Proc.java(), "-version"), null)) {
                p.waitFor(60_000);
                floor.add(System.nanoTime() - p.startNanos);
            }
        }
        List<Long> ready = new ArrayList<>();
        List<Long> reported = new ArrayList<>();
        List<Long> idleStop = new ArrayList<>();
        Map<String, List<Long>> steps = new java.util.LinkedHashMap<>();
        for (int i = 0; i < runs; i++) {
            Path data = work.resolve("cold-" + i);
            try (Proc p = new Proc(List.of(Proc.java(), "-jar", jar.toString(), "--data", data.toString(),
                    "--http-port", Integer.toString(Ports.free()), "--no-shell"), null)) {
                long t = p.await(l -> l.contains(READY_MARKER), 180_000);
                if (t < 0) {
                    throw new IllegalStateException("no ready line; output: " + tail(p.lines()));
                }
                ready.add(t - p.startNanos);
                p.lines().stream().map(READY::matcher).filter(Matcher::find).findFirst()
                        .ifPresent(m -> reported.add(Long.parseLong(m.group(1)) * 1_000_000));
                Path timeline = data.resolve("start-timeline.json");
                if (Files.exists(timeline)) { // the launcher writes it once ready (issue 15)
                    String json = Files.readString(timeline);
                    progress("start timeline " + (i + 1) + ": " + json.trim());
                    Matcher m = TIMELINE_STEP.matcher(json);
                    while (m.find()) {
                        steps.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(Long.parseLong(m.group(2)));
                    }
                }
                Thread.sleep(1000); // idle: nothing in flight
                long stop = p.terminate(60_000);
                if (stop < 0) {
                    throw new IllegalStateException("no exit within 60 s of SIGTERM");
                }
                idleStop.add(stop);
            }
        }
        long floorMedian = median(floor);
        if (!steps.isEmpty()) {
            StringBuilder line = new StringBuilder();
            steps.forEach((step, ms) -> line.append(line.length() == 0 ? "" : ", ").append(step).append(' ')
                    .append(median(ms)));
            rows.add(new Row(SCENARIOS.get(3), "start timeline of the same runs (launcher's `DATA/start-timeline.json`): "
                    + "median ms of each step: " + line, "steps (ms)", line.toString(), "", "", ""));
        }
        rows.add(new Row(SCENARIOS.get(3), "`java -jar autoweave.jar --data EMPTY_DIR --no-shell` (first start: bundle "
                + "cache built, password generated), " + runs + " runs; median; launcher's own figure "
                + fmtMs(median(reported)) + " ms", "process start → \"AutoWeave ready\" line (ms)", fmtMs(median(ready)),
                "`java -version` of the same JVM (JVM start floor), median of " + floor.size(), fmtMs(floorMedian),
                ratio(median(ready), floorMedian)));

        int burst = full ? 1000 : 200;
        List<Long> busyStop = new ArrayList<>();
        long sentTotal = 0;
        long lostTotal = 0;
        long dupTotal = 0;
        for (int i = 0; i < (full ? 3 : 1); i++) {
            String stream = "aw:bench:shutdown:" + i;
            Path data = work.resolve("shutdown-" + i);
            Files.createDirectories(data.resolve("etc"));
            Files.writeString(data.resolve("etc/io.autoweave.redis.cfg"), InProcessRuntime.redisConfig(redis.port,
                    stream));
            try (Proc p = new Proc(List.of(Proc.java(), "-Daw.bench.burst=" + burst, "-cp", classpath,
                    ShutdownMain.class.getName(), "--data", data.toString(), "--http-port",
                    Integer.toString(Ports.free()), "--no-shell"), null)) {
                if (p.await(l -> l.startsWith("BENCH-SENT"), 180_000) < 0) {
                    throw new IllegalStateException("no burst; output: " + tail(p.lines()));
                }
                long stop = p.terminate(60_000);
                if (stop < 0) {
                    throw new IllegalStateException("no exit within 60 s of SIGTERM");
                }
                busyStop.add(stop);
            }
            try (Proc again = new Proc(List.of(Proc.java(), "-jar", jar.toString(), "--data", data.toString(),
                    "--http-port", Integer.toString(Ports.free()), "--no-shell"), null)) {
                if (again.await(l -> l.contains(READY_MARKER), 180_000) < 0) {
                    throw new IllegalStateException("restart not ready; output: " + tail(again.lines()));
                }
                int[] seen = awaitStream(redis, stream, burst);
                sentTotal += burst;
                lostTotal += burst - seen[0];
                dupTotal += seen[1] - seen[0];
                again.terminate(60_000);
            }
        }
        long idle = median(idleStop);
        rows.add(new Row(SCENARIOS.get(3), "SIGTERM right after " + burst + " simulated events were reported (in flight "
                + "in the pipeline and the event log), " + busyStop.size() + " runs, Redis configured; then restart and count "
                + "the stream: " + lostTotal + " of " + sentTotal + " lost, " + dupTotal + " duplicates",
                "SIGTERM → process exit with events in flight (ms)", fmtMs(median(busyStop)),
                "SIGTERM → exit of the idle runtime (same runs as the cold start)", fmtMs(idle),
                ratio(median(busyStop), idle)));
        rows.add(new Row(SCENARIOS.get(3), "″", "events lost across that shutdown + restart", Long.toString(lostTotal),
                "events reported before SIGTERM", Long.toString(sentTotal), ""));
    }

    /** Waits until the stream holds {@code expected} distinct event ids or stops growing; returns {distinct, entries}. */
    private static int[] awaitStream(RedisServer redis, String stream, int expected) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 120_000;
        int[] last = { -1, -1 };
        long lastChange = System.currentTimeMillis();
        try (Jedis j = redis.jedis()) {
            while (System.currentTimeMillis() < deadline) {
                List<StreamEntry> all = j.xrange(stream, (StreamEntryID) null, (StreamEntryID) null);
                Set<String> ids = new HashSet<>();
                all.forEach(e -> ids.add(e.getFields().get("event_id")));
                int[] now = { ids.size(), all.size() };
                if (now[0] >= expected) {
                    return now;
                }
                if (now[1] != last[1]) {
                    lastChange = System.currentTimeMillis();
                    last = now;
                } else if (System.currentTimeMillis() - lastChange > 10_000) {
                    return now; // nothing new for 10 s after the restart was ready: what is missing is lost
                }
                Thread.sleep(200);
            }
        }
        return last;
    }

    private void memory(RedisServer redis) throws Exception {
        Map<String, String> r = child("memory", full ? 900 : 240, "redisPort=" + redis.port);
        progress("memory: " + r);
        double idle = Double.parseDouble(r.get("memory.idle_heap_mb"));
        double after = Double.parseDouble(r.get("memory.heap_after_events_mb"));
        rows.add(new Row(SCENARIOS.get(4), "real runtime, Redis configured, 16 signed plugins (plugin:low, one "
                + "UsbEventListener each) installed through the installer; " + r.get("memory.events") + " simulated "
                + "events reported as fast as the pipeline takes them (" + r.get("memory.report_rate_per_s")
                + "/s; a listener queue that is full drops for its plugin only, counted in the metrics below); -Xmx1g",
                "used heap after full GC (MB)", fmt1(after), "same runtime, same 16 plugins, before any event",
                fmt1(idle), ratio(after, idle)));
        rows.add(new Row(SCENARIOS.get(4), r.get("memory.cycles") + " attach/detach cycles after the events above: rounds of "
                + Child.CYCLE_DEVICES + " devices attached then detached (each round ends where it began)", "heap growth per 1000 cycles (KB, after full GC; "
                + r.get("memory.cycle_start_heap_mb") + " → " + r.get("memory.cycle_end_heap_mb") + " MB)",
                r.get("memory.growth_kb_per_1000_cycles"), "", "", ""));
        metrics.put("memory", r.get("memory.metrics"));
    }

    private final Map<String, String> metrics = new HashMap<>();

    private void dispatch() throws Exception {
        Map<String, String> s = child("dispatch", 600);
        Map<String, String> p = child("dispatch-plain", 120);
        progress("dispatch: " + s + " plain: " + p);
        double v = Double.parseDouble(s.get("dispatch.checked_mean_per_s"));
        double b = Double.parseDouble(p.get("dispatch_plain.deliveries_per_s"));
        double u = Double.parseDouble(s.get("dispatch_unchecked.deliveries_per_s"));
        rows.add(new Row(SCENARIOS.get(5), "one thread delivers each event to the 16 plugins' UsbEventListener, each "
                + "delivery guarded by the runtime ListenerDispatcher's check: bundle.hasPermission(UsbPermission"
                + ".forDevice(device, \"monitor\")), answered from the commons DecisionCache per (bundle, device kind) "
                + "while the security bundle's permission generation stays; in a probe loop; security on: real "
                + "runtime, plugins installed signed at plugin:low/*", "deliveries/s", fmt(v),
                "same 16 bundles and probe in plain Felix 7.0.5 without security (hasPermission is then always true)",
                fmt(b), ratio(v, b)));
        rows.add(new Row(SCENARIOS.get(5), "same runtime JVM, same probe loop with the check left out (measured between "
                + "two checked runs, whose mean is the figure above; cache held " + s.get("dispatch.cached_answers")
                + " answers): the cost of the check itself, apart from the runtime around it", "deliveries/s with the "
                + "check", fmt(v), "same loop without any check, same JVM", fmt(u), ratio(v, u)));
    }

    private void isolation() throws Exception {
        Map<String, String> r = child("isolation", full ? 300 : 180);
        progress("isolation: " + r);
        String workload = "1000 events/s for " + (full ? 20 : 3) + " s, simulated source → DeviceReportSink → pipeline → "
                + "listener dispatch → a well-behaved listener (" + r.get("isolation.burner.received") + " of "
                + r.get("isolation.burner.sent") + " received); meanwhile a signed plugin at level low (the "
                + "enforcer only warns) burns " + r.get("isolation.burner_threads") + " threads (one per processor)";
        for (String pct : List.of("p50", "p99")) {
            double v = Double.parseDouble(r.get("isolation.burner." + pct + "_ms"));
            double b = Double.parseDouble(r.get("isolation.baseline." + pct + "_ms"));
            rows.add(new Row(SCENARIOS.get(6), pct.equals("p50") ? workload : "″", pct
                    + " report → listener (ms) with the burner", fmt3(v), "same runtime and rate before the burner was "
                    + "installed (" + r.get("isolation.baseline.received") + " of " + r.get("isolation.baseline.sent")
                    + " received)", fmt3(b), ratio(v, b)));
        }
        double after = Double.parseDouble(r.get("isolation.after_block.p99_ms"));
        double base = Double.parseDouble(r.get("isolation.baseline.p99_ms"));
        rows.add(new Row(SCENARIOS.get(6), "the same burner installed at level high: the enforcer's default limit "
                + "(0.25 core over a 5 s window) stopped and blocked it after " + r.get("isolation.high_stopped_after_ms")
                + " ms; then the same rate again", "p99 report → listener (ms) after the block", fmt3(after),
                "before any burner", fmt3(base), ratio(after, base)));
    }

    /**
     * Scenario 9: the same events to a listener in process and to two isolated ones (own JVMs, levels high and low:
     * the strictest and the loosest CPU share), same runtime and run.
     */
    private void isolatedPlugin() throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/bwrap"))) {
            throw new IllegalStateException("bubblewrap is needed (apt-get install bubblewrap)");
        }
        Map<String, String> r = child("isolated", full ? 300 : 180);
        progress("isolated: " + r);
        String scenario = SCENARIOS.get(8);
        String baseline = "the same events to a listener in process, same runtime (" + r.get(
                "isolated.in_process.received") + " of " + r.get("isolated.in_process.sent") + ")";
        boolean firstRow = true;
        for (String level : List.of("high", "low")) {
            String workload = "1000 events/s for " + (full ? 20 : 5) + " s, simulated source → DeviceReportSink → "
                    + "pipeline → dispatch → a listener installed isolated at level " + level + " (signed; its own JVM "
                    + "under bubblewrap, " + (level.equals("high") ? "30" : "80") + " % of a core, nice 10; the event "
                    + "crosses a unix socket) (" + r.get("isolated." + level + ".received") + " of "
                    + r.get("isolated." + level + ".sent") + " measured)";
            for (String pct : List.of("p50", "p99")) {
                double v = Double.parseDouble(r.get("isolated." + level + "." + pct + "_ms"));
                double b = Double.parseDouble(r.get("isolated.in_process." + pct + "_ms"));
                rows.add(new Row(scenario, pct.equals("p50") ? workload : "″", pct + " report → isolated listener, "
                        + level + " (ms)", fmt3(v), baseline, fmt3(b), ratio(v, b)));
            }
            double bi = Double.parseDouble(r.get("isolated." + level + ".burst_per_s"));
            double bp = Double.parseDouble(r.get("isolated.in_process.burst_per_s"));
            rows.add(new Row(scenario, firstRow ? "a burst of 1000 events reported at once (a host's queue holds "
                    + "1024), until the last arrived" : "″", "deliveries/s to the isolated listener, " + level,
                    bi < 0 ? "not all arrived within 60 s (missed: its host was behind)" : fmt0(bi),
                    "to the listener in process, same burst", fmt0(bp), bi < 0 ? "n/a" : ratio(bi, bp)));
            double ii = Double.parseDouble(r.get("isolated." + level + ".install_ms"));
            double ip = Double.parseDouble(r.get("isolated.install_in_process_ms"));
            rows.add(new Row(scenario, firstRow ? "install of a signed plugin through the installer until it runs "
                    + "(isolated: until its host is ready)" : "″", "install isolated, " + level + " (ms)", fmt0(ii),
                    "install in process, same runtime", fmt0(ip), ratio(ii, ip)));
            firstRow = false;
        }
    }

    // ---- report ---------------------------------------------------------------------------------------------------

    private String markdown(ZonedDateTime started, String load, long seconds) {
        StringBuilder md = new StringBuilder();
        md.append("# AutoWeave benchmarks\n\n");
        md.append("Written by `io.autoweave.benchmarks.Suite --").append(full ? "full" : "quick")
                .append("` (see `benchmarks/README.md`). Reproduce: `bin/autoweave bench` (full) or `bin/autoweave "
                        + "bench --quick`.\n\n");
        md.append("## Machine\n\n| fact | value |\n|---|---|\n");
        md.append("| date (UTC) | ").append(started.format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 19))
                .append(" |\n");
        md.append("| suite run time | ").append(seconds).append(" s |\n");
        md.append("| CPU | ").append(cpuModel()).append(" |\n");
        md.append("| nproc | ").append(java.lang.Runtime.getRuntime().availableProcessors()).append(" |\n");
        md.append("| memory | ").append(memTotal()).append(" |\n");
        md.append("| load average (1, 5, 15 min) | ").append(load).append(" |\n");
        md.append("| Java | ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append(" |\n");
        md.append("| OS | ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
                .append(" |\n");
        md.append("| redis-server | ").append(RedisServer.version()).append(" (no persistence: `--save '' "
                + "--appendonly no`) |\n");
        md.append("| commit | ").append(gitCommit()).append(" |\n\n");
        md.append("Ratios are figure ÷ baseline, both measured in this run on this machine; read them rather than "
                + "the absolute numbers.\n\n");
        md.append("## Results\n\n| Scenario | Workload | Figure | Value | Baseline (same run) | Baseline value | "
                + "Ratio |\n|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            md.append("| ").append(cell(r.scenario)).append(" | ").append(cell(r.workload)).append(" | ")
                    .append(cell(r.figure)).append(" | ").append(cell(r.value)).append(" | ").append(cell(r.baseline))
                    .append(" | ").append(cell(r.baselineValue)).append(" | ").append(cell(r.ratio)).append(" |\n");
        }
        md.append("\n## Method and caveats\n\n");
        md.append("""
                - **The real runtime** for scenarios 1, 2, 3, 5 and 6: the production `Launcher` booted in-process \
                (same bundle set, same policy, framework security on), each scenario in a JVM of its own (`-Xmx1g`). \
                Load enters through a probe bundle installed at `autoweave:core/bench-report-probe` that calls the \
                pipeline's `DeviceReportSink` service exactly like a USB source; nothing package-private is used. \
                Redis delivery is the runtime's own: `DATA/etc/io.autoweave.redis.cfg` points the Redis publisher (a \
                durable reader of the event log, which commits with fsync group commit) at a redis-server the suite \
                started on a free loopback port.
                - **Latency** is `System.nanoTime()` when an `XREAD BLOCK` reader in the same JVM receives the entry \
                minus the entry's `monotonic_ns` (stamped by the pipeline when it took the report): source → \
                readable in Redis, one read round trip included. Load is open loop; the achieved offered rate is \
                shown, because the sender calls the pipeline synchronously and cannot exceed its capacity. Above the \
                path's capacity events wait in the event log (nothing is shed) and the figures become the queueing \
                delay. HdrHistogram, 3 significant digits. CPU per event is this JVM's user + system time from \
                `/proc/self/stat` over the phase divided by the events offered: it includes the load generator and \
                the stream reader, so it overstates the runtime's own cost.
                - **Throughput** is closed loop (at most 512 events between report and Redis): the sustained rate \
                the whole path can deliver, after a 20 s warm-up; the JIT compile time before and after the window \
                shows whether compilation had settled.
                - **Security off** does not exist in the runtime (it refuses to run without a SecurityManager), so \
                the baselines of scenarios 3 and 6 are the same bundles in plain Felix 7.0.5 (the framework the \
                runtime embeds) without security, in the same run.
                - **Scenario 6** measures the per-delivery `UsbPermission` check a plugin dispatcher makes, in a \
                probe loop over the 16 plugins' listeners: the cost of that check (the runtime's `ListenerDispatcher` \
                makes it for every delivery), isolated from queueing and threads.
                - **Scenario 4**: the cold start is the executable jar as a process from an empty data directory; \
                the shutdown with events in flight runs `ShutdownMain` (the production `Launcher` with a SIGTERM hook \
                that does what `Main`'s does), reports a burst, gets SIGTERM at once, and is restarted as plain \
                `java -jar` on the same data directory; lost = reported − distinct event ids in the stream.
                - **Machine**: a shared VM (see nproc and load average above) where other builds may run at the \
                same time; absolute figures move between runs, ratios much less. Redis runs without persistence.
                - **Not used**: JMH — no figure here is a micro-benchmark of a pure function; the one candidate \
                (the permission check) only means something inside the framework with the SecurityManager, which \
                scenario 6 measures directly.
                """);
        if (!metrics.isEmpty()) {
            md.append("\nPipeline counters at the end of the memory scenario: `").append(metrics.get("memory"))
                    .append("`\n");
        }
        if (!failures.isEmpty()) {
            md.append("\n**Failed:** ").append(String.join(", ", failures)).append("\n");
        }
        return md.toString();
    }

    private static String cell(String s) {
        return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    static long median(List<Long> values) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Long> s = new ArrayList<>(values);
        s.sort(Comparator.naturalOrder());
        return s.get(s.size() / 2);
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    static String fmt1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String fmt0(double v) {
        return String.format(Locale.ROOT, "%.0f", v);
    }

    static String fmt3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    static String fmtMs(long nanos) {
        return String.format(Locale.ROOT, "%.0f", nanos / 1e6);
    }

    static String ratio(double v, double baseline) {
        if (baseline <= 0) {
            return "n/a";
        }
        double r = v / baseline;
        return String.format(Locale.ROOT, r < 0.1 ? "%.4f×" : "%.2f×", r);
    }

    private static String tail(List<String> lines) {
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    private static String readOr(String file, String fallback) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            return fallback;
        }
    }

    private static String cpuModel() {
        return readOr("/proc/cpuinfo", "").lines().filter(l -> l.startsWith("model name")).findFirst()
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
    }

    private static String memTotal() {
        return readOr("/proc/meminfo", "").lines().filter(l -> l.startsWith("MemTotal")).findFirst()
                .map(l -> {
                    long kb = Long.parseLong(l.replaceAll("\\D", ""));
                    return String.format(Locale.ROOT, "%.1f GiB", kb / 1048576.0);
                }).orElse("unknown");
    }

    private static String gitCommit() {
        try {
            Process p = new ProcessBuilder("git", "describe", "--always", "--dirty").redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 ? s : "unknown";
        } catch (IOException | InterruptedException e) {
            return "unknown";
        }
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
