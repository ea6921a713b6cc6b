package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;

import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.resps.StreamEntry;

/**
 * The event log's disk fills up during a burst, in the real runtime with a real redis-server: {@code DATA/eventlog}
 * is a small tmpfs of its own (mounting needs root; skipped with a message where it cannot mount). While it is full
 * the runtime says so ({@code /health/ready} 200 DEGRADED, {@code /api/v1/status} names the reason,
 * {@code autoweave_eventlog_writable 0}) and keeps taking events in memory; once space is freed it commits them and
 * Redis gets them by itself, without any configuration edit: every offered event is in the stream (or counted by a
 * shed entry) and none twice.
 */
public class DiskFullIT {
    private static final String STREAM = "aw:hotplug";
    private static final int WARM = 5;
    private static final int BURST = 3000;

    private static boolean mounted;

    private static final RedisProcess REDIS = new RedisProcess();
    private static final RuntimeHarness RUNTIME = new RuntimeHarness()
            .config("io.autoweave.redis.cfg", "endpoints=127.0.0.1:" + REDIS.port + "\nstream=" + STREAM
                    + "\nmaxLen=0\ntimeoutMillis=500\nbackoffMaxMillis=200\nbreakerOpenMillis=200\n")
            .config("io.autoweave.eventlog.cfg", "segment.mb=1\n")
            .dataDirHooks(DiskFullIT::mountSmallTmpfs, DiskFullIT::unmount);

    @ClassRule
    public static final RuleChain CHAIN = RuleChain.outerRule(REDIS).around(RUNTIME);

    private static void mountSmallTmpfs(Path dataDir) throws Exception {
        Path dir = Files.createDirectories(dataDir.resolve("eventlog"));
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs", dir.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        mounted = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        if (!mounted) {
            System.out.println("DiskFullIT: cannot mount a tmpfs here (needs root), the test is skipped: " + out);
        }
    }

    private static void unmount(Path dataDir) throws Exception {
        if (mounted) {
            new ProcessBuilder("umount", "-l", dataDir.resolve("eventlog").toString()).inheritIO().start()
                    .waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static double metric(String series) {
        try {
            RuntimeHarness.Response r = RUNTIME.get("/metrics", "admin", RuntimeHarness.ADMIN_PASSWORD);
            return RedisOutageIT.sample(r.body(), series);
        } catch (IOException e) {
            return -1;
        }
    }

    private static String ready() {
        try {
            RuntimeHarness.Response r = RuntimeHarness.http(RUNTIME.baseUrl() + "/health/ready", null, null);
            return r.status() + " " + r.body();
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Fills the file system holding {@code dir} with {@code filler} until it refuses more. */
    private static void fill(Path filler) throws IOException {
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            // no space left: what the test wants
        }
    }

    @Test
    public void aFullDiskDegradesHealthHoldsEventsAndDeliveryResumesAloneWhenSpaceReturns() throws Exception {
        assumeTrue("cannot mount a tmpfs here (needs root)", mounted);
        Bundle bundle = RuntimeHarness.installSinkLoadProbe(RUNTIME.context(), "itest-disk-probe");
        Path filler = RUNTIME.dataDir().resolve("eventlog/filler");
        try {
            ServiceReference<?>[] refs = RUNTIME.context().getAllServiceReferences(LongUnaryOperator.class.getName(),
                    "(autoweave.itest=sink-probe)");
            LongUnaryOperator report = (LongUnaryOperator) RUNTIME.context().getService(refs[0]);

            report.applyAsLong(WARM);
            RuntimeHarness.await("the warm-up events in Redis", 60, () -> metric("autoweave_redis_cursor") == WARM);
            assertEquals("200 {\"status\":\"UP\"}", ready());

            fill(filler);
            report.applyAsLong(BURST);
            RuntimeHarness.await("the log to notice the full disk", 60,
                    () -> metric("autoweave_eventlog_writable") == 0);
            String degraded = ready();
            assertEquals("ready but degraded while the disk is full", "200 {\"status\":\"DEGRADED\"}", degraded);
            RuntimeHarness.Response status = RUNTIME.get("/api/v1/status", "admin", RuntimeHarness.ADMIN_PASSWORD);
            assertEquals(status.body(), 200, status.status());
            assertTrue("the reason is given: " + status.body(),
                    status.body().contains("\"state\":\"DEGRADED\"") && status.body().toLowerCase().contains("space"));
            double held = metric("autoweave_eventlog_buffered");
            assertTrue("events are held in memory, not dropped: buffered=" + held, held > 0);

            Files.delete(filler);
            long freedAt = System.nanoTime();
            RuntimeHarness.await("the log to write again and commit what it held", 60,
                    () -> metric("autoweave_eventlog_writable") == 1 && metric("autoweave_eventlog_buffered") == 0);
            long resumedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - freedAt);
            double last = metric("autoweave_eventlog_last_seq");
            RuntimeHarness.await("Redis to catch up with the log (seq " + last + ")", 60,
                    () -> metric("autoweave_redis_cursor") == last);
            assertEquals("200 {\"status\":\"UP\"}", ready());

            Map<String, Integer> copies = new HashMap<>();
            long shed = 0;
            try (Jedis j = REDIS.jedis()) {
                for (StreamEntry e : j.xrange(STREAM, (StreamEntryID) null, (StreamEntryID) null)) {
                    Map<String, String> f = e.getFields();
                    if ("shed".equals(f.get("type"))) {
                        shed += Long.parseLong(f.get("count"));
                    } else if (!"update".equals(f.get("type"))) {
                        copies.merge(f.get("event_id"), 1, Integer::sum);
                    }
                }
            }
            long twice = copies.values().stream().filter(c -> c > 1).count();
            System.out.printf("disk full: %d offered, %.0f held in memory while full, resumed %d ms after space was "
                    + "freed; stream: %d distinct events, %d shed, %d published more than once%n", WARM + BURST, held,
                    resumedMs, copies.size(), shed, twice);
            assertEquals("every offered event is in Redis or counted as shed", WARM + BURST, copies.size() + shed);
            assertEquals("no event published twice", 0, twice);
            assertEquals("nothing was shed: the memory buffer held the burst", 0, shed);
        } finally {
            Files.deleteIfExists(filler);
            bundle.uninstall();
        }
    }
}
