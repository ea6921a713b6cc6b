package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.LongUnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.ExternalResource;
import org.junit.rules.RuleChain;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

import io.autoweave.itests.probe.SinkLoadProbe;
import io.autoweave.launcher.Launcher;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.resps.StreamConsumerInfo;
import redis.clients.jedis.resps.StreamEntry;

/**
 * The pipeline → Redis path under overload, in the real runtime with a real redis-server: Redis is frozen with
 * SIGSTOP while a burst arrives, so the small outbox fills, the Redis sink refuses batches and the pipeline's small
 * sink queue sheds. After SIGCONT everything accepted arrives, the shed events appear as one {@code type=shed}
 * marker entry with the right count, and {@code delivered + shed + coalesced == offered}. The same run checks that
 * {@code /metrics} (over HTTP, administrator credentials) shows the pipeline's and the Redis sink's figures, and that
 * the consumer-group member is named with the instance id the events carry.
 */
public class SinkOverloadIT {
    private static final String STREAM = "aw:hotplug";
    private static final int PORT = freePortOrFail();
    private static final int WARM = 5;
    private static final int BURST = 3000;

    private static final RedisProcess REDIS = new RedisProcess();
    private static final RuntimeHarness RUNTIME = new RuntimeHarness()
            .config("io.autoweave.redis.cfg", "endpoints=127.0.0.1:" + PORT + "\nstream=" + STREAM + "\nmaxLen=0\n"
                    + "segmentBytes=4096\noutboxMaxBytes=8192\ntimeoutMillis=500\nbackoffMaxMillis=200\n"
                    + "breakerOpenMillis=200\nconsumerBlockMillis=200\nclaimIdleMillis=60000\n")
            .config("io.autoweave.usb.pipeline.cfg", "sink.queue.capacity=64\nsink.batch.size=16\n");

    @ClassRule
    public static final RuleChain CHAIN = RuleChain.outerRule(REDIS).around(RUNTIME);

    private static int freePortOrFail() {
        try {
            return RuntimeHarness.freePort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** redis-server on {@link #PORT}, no persistence, stopped (and continued first) at the end. */
    static final class RedisProcess extends ExternalResource {
        Process process;
        Path dir;

        @Override
        protected void before() throws Throwable {
            dir = Files.createTempDirectory("autoweave-overload-redis");
            process = new ProcessBuilder("redis-server", "--port", Integer.toString(PORT), "--bind", "127.0.0.1",
                    "--protected-mode", "yes", "--dir", dir.toString(), "--save", "", "--appendonly", "no",
                    "--logfile", dir.resolve("redis.log").toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("redis.stdout").toFile()).start();
            RuntimeHarness.await("redis-server on " + PORT, 15, () -> {
                try (Jedis j = jedis()) {
                    return "PONG".equals(j.ping());
                } catch (RuntimeException e) {
                    return false;
                }
            });
        }

        void signal(String signal) throws Exception {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
            assertTrue(kill.waitFor(10, TimeUnit.SECONDS));
            assertEquals("kill -" + signal, 0, kill.exitValue());
        }

        @Override
        protected void after() {
            try {
                signal("CONT");
            } catch (Throwable e) {
                // it may be gone already
            }
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
                RuntimeHarness.deleteTree(dir);
            } catch (InterruptedException | IOException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static Jedis jedis() {
        return new Jedis(new HostAndPort("127.0.0.1", PORT), DefaultJedisClientConfig.builder().timeoutMillis(5000).build());
    }

    private static List<StreamEntry> readAll() {
        List<StreamEntry> all = new ArrayList<>();
        try (Jedis j = jedis()) {
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

    private static String metrics() throws IOException {
        RuntimeHarness.Response r = RUNTIME.get("/metrics", "admin", RuntimeHarness.ADMIN_PASSWORD);
        assertEquals(r.body(), 200, r.status());
        return r.body();
    }

    /** The value of the sample {@code series} (name plus labels exactly as printed), or -1 when absent. */
    static double sample(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    /** A JDK-typed service of the probe (getAll...: the class-space check would compare the test's API copy). */
    private static Object probe(Class<?> type) throws Exception {
        ServiceReference<?>[] refs = RUNTIME.context().getAllServiceReferences(type.getName(),
                "(autoweave.itest=sink-probe)");
        assertTrue("the probe's " + type.getSimpleName() + " service", refs != null);
        return RUNTIME.context().getService(refs[0]);
    }

    @Test
    public void aFrozenRedisMakesTheSinkShedVisiblyAndEveryOfferedEventIsAccountedFor() throws Exception {
        byte[] jar = RuntimeHarness.bundle("itest.sink.probe", new String[][] {
                { "Import-Package", "org.osgi.framework;version=\"[1.8,2)\",io.autoweave.api.device;version=\"[1.2,2)\","
                        + "io.autoweave.api.source;version=\"[1.0,2)\",io.autoweave.api.stream;version=\"[1.0,2)\"" },
                { "Bundle-Activator", SinkLoadProbe.class.getName() } }, SinkLoadProbe.class);
        Bundle bundle = RUNTIME.context().installBundle(Launcher.CORE_LOCATION_PREFIX + "itest-sink-probe",
                new ByteArrayInputStream(jar));
        bundle.start();
        try {
            LongUnaryOperator report = (LongUnaryOperator) probe(LongUnaryOperator.class);
            LongSupplier consumed = (LongSupplier) probe(LongSupplier.class);

            report.applyAsLong(WARM);
            RuntimeHarness.await("the warm-up events in Redis", 60, () -> readAll().size() == WARM);
            RuntimeHarness.await("the Redis publisher to be connected", 60,
                    () -> sample(uncheckedMetrics(), "autoweave_redis_up") == 1);

            REDIS.signal("STOP");
            report.applyAsLong(BURST);
            RuntimeHarness.await("the sink queue to shed while Redis is frozen", 60,
                    () -> sample(uncheckedMetrics(), "autoweave_usb_sink_shed_total{sink=\"redis\"}") > 0);
            String frozen = metrics();
            assertEquals("the outbox refuses appends while full", 1, sample(frozen, "autoweave_redis_outbox_full"), 0);
            REDIS.signal("CONT");

            RuntimeHarness.await("the queue, the outbox and the stream to settle", 120, () -> {
                String m = uncheckedMetrics();
                return sample(m, "autoweave_usb_sink_queue_depth{sink=\"redis\"}") == 0
                        && sample(m, "autoweave_usb_sink_in_flight{sink=\"redis\"}") == 0
                        && sample(m, "autoweave_redis_outbox_depth") == 0;
            });
            String m = metrics();
            double offered = sample(m, "autoweave_usb_sink_offered_total{sink=\"redis\"}");
            double delivered = sample(m, "autoweave_usb_sink_delivered_total{sink=\"redis\"}");
            double shed = sample(m, "autoweave_usb_sink_shed_total{sink=\"redis\"}");
            double coalesced = sample(m, "autoweave_usb_sink_coalesced_total{sink=\"redis\"}");

            List<StreamEntry> stream = readAll();
            Set<String> eventIds = new HashSet<>();
            List<Map<String, String>> markers = new ArrayList<>();
            for (StreamEntry e : stream) {
                if ("shed".equals(e.getFields().get("type"))) {
                    markers.add(e.getFields());
                } else {
                    eventIds.add(e.getFields().get("event_id"));
                }
            }
            long markedShed = markers.stream().mapToLong(f -> Long.parseLong(f.get("count"))).sum();
            System.out.printf("sink overload: offered %.0f, delivered %.0f, shed %.0f, coalesced %.0f; stream: %d "
                    + "entries, %d distinct events, %d marker(s) covering %d shed%n", offered, delivered, shed,
                    coalesced, stream.size(), eventIds.size(), markers.size(), markedShed);
            assertEquals(WARM + BURST, offered, 0);
            assertTrue("the frozen Redis made the sink shed", shed > 0);
            assertFalse("a shed marker is in the stream", markers.isEmpty());
            assertEquals("the markers count exactly what was shed", (long) shed, markedShed);
            assertEquals("every acknowledged event is in the stream", (long) delivered, eventIds.size());
            assertEquals("accepted + shed + coalesced == offered", (long) offered,
                    eventIds.size() + markedShed + (long) coalesced);
            String instanceId = Files.readString(RUNTIME.dataDir().resolve("instance-id")).trim();
            for (Map<String, String> f : markers) {
                assertEquals(instanceId, f.get("instance_id"));
                assertFalse("the first shed event is not in the stream", eventIds.contains(f.get("first_event_id")));
                assertFalse("the last shed event is not in the stream", eventIds.contains(f.get("last_event_id")));
                assertTrue(f.toString(), Long.parseLong(f.get("first_timestamp")) <= Long.parseLong(f.get("last_timestamp")));
            }
            for (StreamEntry e : stream) {
                assertEquals("one instance id in events and markers", instanceId, e.getFields().get("instance_id"));
            }

            // the consumer-group bridge: events consumed, markers acknowledged (not dead-lettered), named by the id
            // at least once: an entry the publisher had to send twice is consumed twice
            RuntimeHarness.await("the bridge to read the whole stream (" + eventIds.size() + " events)", 60,
                    () -> consumed.getAsLong() >= eventIds.size());
            try (Jedis j = jedis()) {
                List<String> names = new ArrayList<>();
                for (StreamConsumerInfo c : j.xinfoConsumers2(STREAM, "autoweave")) {
                    names.add(c.getName());
                }
                assertEquals("the group member is named with the events' instance id", List.of(instanceId), names);
                assertEquals("markers are never dead-lettered", 0, j.exists(STREAM + ":dead") ? j.xlen(STREAM + ":dead") : 0);
            }
            RuntimeHarness.await("the bridge to count the markers", 30, () -> sample(uncheckedMetrics(),
                    "autoweave_redis_bridge_shed_events_total") == markedShed);
        } finally {
            bundle.uninstall();
        }
    }

    @Test
    public void metricsShowThePipelineAndTheRedisSink() throws Exception {
        RuntimeHarness.await("the Redis sink to be bound to the pipeline", 60,
                () -> sample(uncheckedMetrics(), "autoweave_usb_sink_up{sink=\"redis\"}") == 1);
        String m = metrics();
        for (String series : List.of(
                "autoweave_usb_sink_offered_total{sink=\"redis\"}",
                "autoweave_usb_sink_delivered_total{sink=\"redis\"}",
                "autoweave_usb_sink_coalesced_total{sink=\"redis\"}",
                "autoweave_usb_sink_shed_total{sink=\"redis\"}",
                "autoweave_usb_sink_queue_depth{sink=\"redis\"}",
                "autoweave_usb_sink_up{sink=\"redis\"}",
                "autoweave_usb_listener_dropped_total",
                "autoweave_usb_reports_total",
                "autoweave_usb_pipeline_latency_seconds_count",
                "autoweave_usb_pipeline_latency_seconds_bucket{le=\"0.1\"}",
                "autoweave_redis_outbox_depth",
                "autoweave_redis_outbox_oldest_undelivered_age_seconds",
                "autoweave_redis_up",
                "autoweave_redis_circuit_state{state=\"closed\"}",
                "autoweave_redis_published_total",
                "autoweave_redis_bridge_loss_markers_total")) {
            assertTrue(series + " in /metrics:\n" + m, sample(m, series) >= 0);
        }
        assertEquals(1, sample(m, "autoweave_usb_sink_up{sink=\"redis\"}"), 0);
        assertTrue(m, m.contains("# TYPE autoweave_usb_pipeline_latency_seconds histogram"));
        assertTrue(m, m.contains("# TYPE autoweave_usb_sink_shed_total counter"));
        assertTrue(m, Pattern.compile("(?m)^autoweave_usb_events_total\\{action=\"attach\",source=\"simulated\"\\} \\d+$")
                .matcher(m).find() || sample(m, "autoweave_usb_reports_total") == 0);
    }

    private static String uncheckedMetrics() {
        try {
            return metrics();
        } catch (IOException e) {
            return "";
        }
    }
}
