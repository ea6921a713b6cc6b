package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.LongUnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.resps.StreamConsumerInfo;
import redis.clients.jedis.resps.StreamEntry;

/**
 * The pipeline → event log → Redis path while Redis cannot answer, in the real runtime with a real redis-server:
 * Redis is frozen with SIGSTOP while a burst arrives. The events wait in the log (the publisher's cursor stands
 * still, {@code autoweave_redis_behind} grows); nothing is shed. After SIGCONT every event is in the stream exactly
 * once, in seq order, with no gap and no duplicate. The same run checks that {@code /metrics} (over HTTP,
 * administrator credentials) shows the log's, the pipeline's and the publisher's figures, and that the
 * consumer-group member is named with the instance id the events carry.
 */
public class RedisOutageIT {
    private static final String STREAM = "aw:hotplug";
    private static final int WARM = 5;
    private static final int BURST = 3000;

    private static final RedisProcess REDIS = new RedisProcess();
    private static final int PORT = REDIS.port;
    private static final RuntimeHarness RUNTIME = new RuntimeHarness()
            .config("io.autoweave.redis.cfg", "endpoints=127.0.0.1:" + PORT + "\nstream=" + STREAM + "\nmaxLen=0\n"
                    + "timeout.ms=500\nbackoff.max.ms=200\n"
                    + "breaker.open.ms=200\nconsumer.block.ms=200\nclaim.idle.ms=60000\n");

    @ClassRule
    public static final RuleChain CHAIN = RuleChain.outerRule(REDIS).around(RUNTIME);

    static Jedis jedis() {
        return REDIS.jedis();
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
    public void eventsWaitInTheLogWhileRedisIsFrozenAndArriveExactlyOnceInSeqOrder() throws Exception {
        Bundle bundle = RuntimeHarness.installSinkLoadProbe(RUNTIME.context(), "itest-sink-probe");
        try {
            LongUnaryOperator report = (LongUnaryOperator) probe(LongUnaryOperator.class);
            LongSupplier consumed = (LongSupplier) probe(LongSupplier.class);

            report.applyAsLong(WARM);
            RuntimeHarness.await("the warm-up events in Redis", 60, () -> readAll().size() == WARM);
            RuntimeHarness.await("the Redis publisher to be connected", 60,
                    () -> sample(uncheckedMetrics(), "autoweave_redis_up") == 1);

            REDIS.signal("STOP");
            report.applyAsLong(BURST);
            RuntimeHarness.await("the burst committed to the log while Redis is frozen", 60,
                    () -> sample(uncheckedMetrics(), "autoweave_eventlog_last_seq") == WARM + BURST);
            double behind = sample(metrics(), "autoweave_redis_behind");
            assertTrue("the events wait in the log: behind=" + behind, behind > 0);
            REDIS.signal("CONT");

            RuntimeHarness.await("the publisher to catch up", 120,
                    () -> sample(uncheckedMetrics(), "autoweave_redis_cursor") == WARM + BURST);
            List<StreamEntry> stream = readAll();
            Set<String> eventIds = new HashSet<>();
            List<Long> seqs = new ArrayList<>();
            for (StreamEntry e : stream) {
                assertFalse("no loss marker: nothing was shed", "shed".equals(e.getFields().get("type")));
                eventIds.add(e.getFields().get("event_id"));
                seqs.add(Long.parseLong(e.getFields().get("seq")));
            }
            System.out.printf("redis outage: %d offered, %d entries, %d distinct events, behind %.0f while frozen%n",
                    WARM + BURST, stream.size(), eventIds.size(), behind);
            assertEquals("every event once", WARM + BURST, stream.size());
            assertEquals(WARM + BURST, eventIds.size());
            for (int i = 0; i < seqs.size(); i++) {
                assertEquals("stream order is seq order, no gap", i + 1, (long) seqs.get(i));
            }
            String instanceId = Files.readString(RUNTIME.dataDir().resolve("instance-id")).trim();
            for (StreamEntry e : stream) {
                assertEquals("one instance id", instanceId, e.getFields().get("instance_id"));
            }
            RuntimeHarness.await("the bridge to read the whole stream (" + eventIds.size() + " events)", 60,
                    () -> consumed.getAsLong() >= eventIds.size());
            try (Jedis j = jedis()) {
                List<String> names = new ArrayList<>();
                for (StreamConsumerInfo c : j.xinfoConsumers2(STREAM, "autoweave")) {
                    names.add(c.getName());
                }
                assertEquals("the group member is named with the events' instance id", List.of(instanceId), names);
            }
        } finally {
            bundle.uninstall();
        }
    }

    @Test
    public void metricsShowTheLogThePipelineAndTheRedisPublisher() throws Exception {
        RuntimeHarness.await("the Redis publisher to be connected", 60,
                () -> sample(uncheckedMetrics(), "autoweave_redis_up") == 1);
        String m = metrics();
        for (String series : List.of(
                "autoweave_eventlog_writable",
                "autoweave_eventlog_committed_total",
                "autoweave_eventlog_fsyncs_total",
                "autoweave_eventlog_last_seq",
                "autoweave_eventlog_lost_total",
                "autoweave_usb_listener_dropped_total",
                "autoweave_usb_reports_total",
                "autoweave_usb_pipeline_latency_seconds_count",
                "autoweave_usb_pipeline_latency_seconds_bucket{le=\"0.1\"}",
                "autoweave_redis_behind",
                "autoweave_redis_cursor",
                "autoweave_redis_duplicates_skipped_total",
                "autoweave_redis_up",
                "autoweave_redis_circuit_state{state=\"closed\"}",
                "autoweave_redis_published_total",
                "autoweave_redis_bridge_loss_markers_total")) {
            assertTrue(series + " in /metrics:\n" + m, sample(m, series) >= 0);
        }
        assertEquals(1, sample(m, "autoweave_eventlog_writable"), 0);
        assertTrue(m, m.contains("# TYPE autoweave_usb_pipeline_latency_seconds histogram"));
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
