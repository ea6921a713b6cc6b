package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import io.autoweave.itests.burst.BurstMain;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.resps.StreamEntry;

/**
 * Zero loss through the real runtime as a process, against a real redis-server on a free loopback port: the
 * runtime killed with SIGKILL during a burst and restarted with its data directory; and no Redis at all (events
 * in the event log, runtime healthy) until Redis is configured and started. Events come from a probe bundle
 * appending them to the event log as the USB pipeline does (see {@link BurstMain}); "journaled" below means committed
 * (fsynced) by the log.
 */
public class RedisDeliveryIT {
    private static final String STREAM = "aw:hotplug";
    private static final Pattern PROGRESS = Pattern.compile("BURST-PROGRESS total=(\\d+) ms=(\\d+)((?: d\\d+=\\d+)+)");
    private static final int DEVICES = 8;

    private Path data;
    private Path redisDir;
    private final List<Process> processes = new ArrayList<>();

    @Before
    public void setUp() throws IOException {
        data = Files.createTempDirectory("autoweave-redis-it");
        redisDir = Files.createTempDirectory("autoweave-redis-it-server");
    }

    @After
    public void tearDown() throws Exception {
        for (Process p : processes) { // runtimes and redis-servers alike: nothing outlives the test
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        RuntimeHarness.deleteTree(data);
        RuntimeHarness.deleteTree(redisDir);
    }

    /** A child process with its output collected line by line. */
    final class Child {
        final Process process;
        final ProcessOutput output;

        Child(List<String> command) throws IOException {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().remove("AUTOWEAVE_ADMIN_PASSWORD");
            process = pb.start();
            processes.add(process);
            output = ProcessOutput.collect(process);
        }

        String text() {
            return output.text();
        }

        /** Per-device counts of the last progress line: events whose onEvent returned (journaled). */
        long[] lastProgress() {
            String last = null;
            for (String l : output.snapshot()) {
                if (l.startsWith("BURST-PROGRESS")) {
                    last = l;
                }
            }
            long[] counts = new long[DEVICES];
            if (last != null) {
                Matcher m = PROGRESS.matcher(last);
                assertTrue(last, m.matches());
                String[] parts = m.group(3).trim().split(" ");
                for (int d = 0; d < DEVICES; d++) {
                    counts[d] = Long.parseLong(parts[d].substring(parts[d].indexOf('=') + 1));
                }
            }
            return counts;
        }

        long lastProgressMillis() {
            List<String> lines = output.snapshot();
            for (int i = lines.size() - 1; i >= 0; i--) {
                Matcher m = PROGRESS.matcher(lines.get(i));
                if (m.matches()) {
                    return Long.parseLong(m.group(2));
                }
            }
            return 0;
        }

        void awaitReady() throws InterruptedException {
            RuntimeHarness.await("the ready line; output so far:\n" + text(), 120,
                    () -> text().contains("AutoWeave ready") || !process.isAlive());
            assertTrue("process died before ready:\n" + text(), process.isAlive());
        }

        void kill9() throws InterruptedException {
            process.destroyForcibly(); // SIGKILL
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        }

        int terminate() throws InterruptedException {
            process.toHandle().destroy(); // SIGTERM
            assertTrue("no stop within 30 s of SIGTERM:\n" + text(), process.waitFor(30, TimeUnit.SECONDS));
            return process.exitValue();
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The runtime from autoweave.jar with the burst probe, producing {@code perDevice} events per device. */
    private Child runtimeWithBurst(int port, int perDevice) throws IOException {
        String classpath = ExecutableJarIT.jar() + java.io.File.pathSeparator
                + Path.of(BurstMain.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        return new Child(List.of(java(), "-Daw.burst.devices=" + DEVICES, "-Daw.burst.perDevice=" + perDevice,
                "-cp", classpath, BurstMain.class.getName(), "--data", data.toString(), "--http-port",
                Integer.toString(port)));
    }

    /** Plain {@code java -jar autoweave.jar}, as an operator restarts it. */
    private Child runtime(int port) throws IOException {
        return new Child(List.of(java(), "-jar", ExecutableJarIT.jar(), "--data", data.toString(), "--http-port",
                Integer.toString(port)));
    }

    /** redis-server on {@code port}, AOF fsynced on every write, loopback only. */
    private Process startRedis(int port) throws Exception {
        Process p = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--protected-mode", "yes", "--dir", redisDir.toString(), "--save", "", "--appendonly", "yes",
                "--appendfsync", "always", "--logfile", redisDir.resolve("redis.log").toString())
                .redirectErrorStream(true).redirectOutput(redisDir.resolve("redis.stdout").toFile()).start();
        processes.add(p);
        RuntimeHarness.await("redis-server on " + port, 15, () -> {
            try (Jedis j = jedis(port)) {
                return "PONG".equals(j.ping());
            } catch (RuntimeException e) {
                return false;
            }
        });
        return p;
    }

    private static Jedis jedis(int port) {
        return new Jedis(new HostAndPort("127.0.0.1", port), DefaultJedisClientConfig.builder().timeoutMillis(5000).build());
    }

    private void configureRedis(int port) throws IOException {
        Files.createDirectories(data.resolve("etc"));
        Files.writeString(data.resolve("etc/io.autoweave.redis.cfg"),
                "endpoints=127.0.0.1:" + port + "\nstream=" + STREAM + "\nmaxLen=0\n");
    }

    private static List<StreamEntry> readAll(int port) {
        List<StreamEntry> all = new ArrayList<>();
        try (Jedis j = jedis(port)) {
            StreamEntryID from = new StreamEntryID(0, 0);
            while (true) {
                List<StreamEntry> page = j.xrange(STREAM, from, (StreamEntryID) null, 10_000);
                if (page.isEmpty()) {
                    return all;
                }
                all.addAll(page);
                StreamEntryID last = page.get(page.size() - 1).getID();
                from = new StreamEntryID(last.getTime(), last.getSequence() + 1);
            }
        }
    }

    /** What the stream holds, de-duplicated by event_id, checked for per-device order. */
    static final class StreamCheck {
        final long[] contiguous = new long[DEVICES]; // per device: events 0..n-1 present, first occurrences in order
        final List<String> orderViolations = new ArrayList<>();
        int entries;
        int duplicates;
        int unique;

        StreamCheck(List<StreamEntry> stream) {
            Set<String> seen = new HashSet<>();
            Map<Integer, Long> next = new HashMap<>();
            for (StreamEntry e : stream) {
                entries++;
                Map<String, String> f = e.getFields();
                if (!seen.add(f.get("event_id"))) {
                    duplicates++;
                    continue;
                }
                int device = Integer.parseInt(f.get("serial_number").substring("BURST-".length()));
                long k = Long.parseLong(f.get("monotonic_ns"));
                long expected = next.getOrDefault(device, 0L);
                if (k != expected) {
                    orderViolations.add("device " + device + ": " + expected + " expected, " + k + " at " + e.getID());
                }
                next.put(device, k + 1);
            }
            unique = seen.size();
            for (int d = 0; d < DEVICES; d++) {
                contiguous[d] = next.getOrDefault(d, 0L);
            }
        }

        boolean covers(long[] journaled) {
            for (int d = 0; d < DEVICES; d++) {
                if (contiguous[d] < journaled[d]) {
                    return false;
                }
            }
            return true;
        }
    }

    private static long sum(long[] a) {
        long s = 0;
        for (long v : a) {
            s += v;
        }
        return s;
    }

    @Test
    public void runtimeKilledWithSigkillDuringABurstLosesNothingAfterRestart() throws Exception {
        int redisPort = RuntimeHarness.freePort();
        startRedis(redisPort);
        configureRedis(redisPort);

        // an SSE client reads the stream while the runtime is killed: whatever it got must be in the log after the
        // restart (consumers only ever see committed records), so Redis holds the same seq with the same event
        Files.createDirectories(data.resolve("etc"));
        Files.writeString(data.resolve("etc/io.autoweave.auth.cfg"),
                "admin.user=admin\nadmin.password.hash=" + PasswordHashes.pbkdf2(RuntimeHarness.ADMIN_PASSWORD) + "\n");
        int firstPort = RuntimeHarness.freePort();
        Child first = runtimeWithBurst(firstPort, 1_000_000); // endless: it is killed mid-burst
        first.awaitReady();
        // a client as a real one behaves: reads on its own thread and, when the server lets it go (a client behind
        // the stream is disconnected) or the stream ends, resumes with Last-Event-ID
        Map<Long, String> seenOnSse = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicBoolean killed = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger streams = new java.util.concurrent.atomic.AtomicInteger();
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString(("admin:" + RuntimeHarness.ADMIN_PASSWORD)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Pattern eventId = Pattern.compile("\"event_id\":\"([^\"]+)\"");
        java.util.concurrent.atomic.AtomicReference<String> sseProblem = new java.util.concurrent.atomic.AtomicReference<>(
                "none");
        Thread reader = new Thread(() -> {
            String lastId = null;
            while (!killed.get()) {
                try (SseClient sse = new SseClient("http://127.0.0.1:" + firstPort + "/api/v1/events", basic, lastId)) {
                    if (sse.status != 200) {
                        sseProblem.set("status " + sse.status); // e.g. a busy server: try again, as a client does
                        Thread.sleep(200);
                        continue;
                    }
                    streams.incrementAndGet();
                    for (SseClient.Event e; (e = sse.poll(1000)) != null || !sse.ended;) {
                        if (e == null) {
                            continue;
                        }
                        if (e.id() != null) {
                            lastId = e.id();
                        }
                        Matcher m = eventId.matcher(e.data());
                        if (("attach".equals(e.type()) || "detach".equals(e.type())) && m.find()) {
                            seenOnSse.put(e.sequence(), m.group(1));
                        }
                    }
                } catch (Exception e) {
                    if (killed.get()) {
                        return; // the runtime is gone
                    }
                    sseProblem.set(e.toString()); // a connection refused or timed out on a loaded machine: again
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException stop) {
                        return;
                    }
                }
            }
        }, "itest-sse-reader");
        reader.setDaemon(true);
        reader.start();
        // the kill comes once the burst is well under way and the SSE client has had events (the burst is endless)
        RuntimeHarness.await("30000 events journaled and some on SSE; output:\n" + first.text(), 120,
                () -> sum(first.lastProgress()) >= 30_000 && !seenOnSse.isEmpty());
        first.kill9();
        killed.set(true);
        reader.join(30_000);
        long[] journaled = first.lastProgress();
        long journaledTotal = sum(journaled);
        long burstMillis = first.lastProgressMillis();
        int inRedisAtKill = readAll(redisPort).size();

        Child second = runtime(RuntimeHarness.freePort());
        second.awaitReady();
        RuntimeHarness.await("every journaled event in Redis after the restart", 120,
                () -> new StreamCheck(readAll(redisPort)).covers(journaled));
        // The journal may hold a few more than the last progress line reported; let those arrive too.
        RuntimeHarness.await("the stream to settle", 30, () -> {
            int before = readAll(redisPort).size();
            try {
                Thread.sleep(500); // two reads apart are the condition itself, not a guess at a duration
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return readAll(redisPort).size() == before;
        });
        StreamCheck check = new StreamCheck(readAll(redisPort));
        System.out.printf("runtime kill -9: %d events journaled before the kill in %d ms (%.0f events/s), %d in "
                + "Redis at the kill; after restart %d entries, %d unique, %d duplicates, %d lost, %d order "
                + "violations%n", journaledTotal, burstMillis, journaledTotal * 1000.0 / Math.max(1, burstMillis),
                inRedisAtKill, check.entries, check.unique, check.duplicates,
                Math.max(0, journaledTotal - check.unique), check.orderViolations.size());
        assertTrue("the kill hit mid-burst", !first.text().contains("BURST-DONE"));
        for (int d = 0; d < DEVICES; d++) {
            assertTrue("device " + d + ": " + journaled[d] + " journaled, only 0.." + (check.contiguous[d] - 1)
                    + " in Redis", check.contiguous[d] >= journaled[d]);
        }
        assertEquals("per-device order kept", List.of(), check.orderViolations);
        assertEquals("no event added twice: the publisher's script skips seqs Redis holds", 0, check.duplicates);
        Map<Long, String> inRedis = new HashMap<>();
        for (StreamEntry e : readAll(redisPort)) {
            inRedis.put(Long.parseLong(e.getFields().get("seq")), e.getFields().get("event_id"));
        }
        int sseMissing = 0;
        for (Map.Entry<Long, String> e : seenOnSse.entrySet()) {
            if (!e.getValue().equals(inRedis.get(e.getKey()))) {
                sseMissing++;
            }
        }
        System.out.printf("runtime kill -9: an SSE client (%d stream(s)) had received %d events before the kill; %d of "
                + "them are not in the log (Redis, same seq and event id) after the restart%n", streams.get(),
                seenOnSse.size(), sseMissing);
        assertTrue("the SSE client received events before the kill (last problem: " + sseProblem.get() + ")",
                seenOnSse.size() > 0);
        assertEquals("every event an SSE client saw is in the log after the restart, at the same seq", 0, sseMissing);
        assertEquals("the restarted runtime stops cleanly", 143, second.terminate());
    }

    @Test
    public void withNoRedisTheRuntimeIsHealthyJournalsAndDeliversOnceRedisStarts() throws Exception {
        int httpPort = RuntimeHarness.freePort();
        Child run = runtimeWithBurst(httpPort, 500); // default configuration: no Redis configured
        run.awaitReady();
        RuntimeHarness.await("the burst to finish; output:\n" + run.text(), 120, () -> run.text().contains("BURST-DONE"));
        long journaled = sum(run.lastProgress());
        assertEquals(DEVICES * 500L, journaled);
        String base = "http://127.0.0.1:" + httpPort;
        assertEquals("healthy without Redis", 200, RuntimeHarness.http(base + "/health/ready", null, null).status());
        long journalBytes;
        try (var files = Files.walk(data.resolve("eventlog"))) {
            journalBytes = files.filter(p -> p.toString().endsWith(".log")).mapToLong(p -> p.toFile().length()).sum();
        }
        assertTrue("events are in the local event log: " + journalBytes + " bytes", journalBytes > journaled * 100);
        assertTrue("and cost at most 300 bytes each on disk: " + journalBytes, journalBytes < journaled * 300);

        int redisPort = RuntimeHarness.freePort();
        configureRedis(redisPort); // configured, but nothing listens there yet: the publisher retries
        RuntimeHarness.await("the sink to pick up the configuration (log line)", 30,
                () -> run.text().contains("Redis stream publishing failed"));
        assertEquals("still healthy with Redis unreachable", 200,
                RuntimeHarness.http(base + "/health/ready", null, null).status());
        startRedis(redisPort);
        RuntimeHarness.await("every journaled event delivered once Redis started", 60,
                () -> new StreamCheck(readAll(redisPort)).unique == journaled);
        StreamCheck check = new StreamCheck(readAll(redisPort));
        System.out.printf("no Redis: %d events journaled while Redis was absent; after it started %d entries, "
                + "%d unique, %d duplicates, %d order violations%n", journaled, check.entries, check.unique,
                check.duplicates, check.orderViolations.size());
        assertEquals(List.of(), check.orderViolations);
        for (int d = 0; d < DEVICES; d++) {
            assertEquals(500L, check.contiguous[d]);
        }
    }
}
