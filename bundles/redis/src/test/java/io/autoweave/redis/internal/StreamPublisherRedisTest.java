package io.autoweave.redis.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.autoweave.api.device.UsbEvent;
import io.autoweave.eventlog.internal.EventLogComponent;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.resps.StreamEntry;

public class StreamPublisherRedisTest {
    private static final String STREAM = "aw:hotplug";

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final List<AutoCloseable> resources = new ArrayList<>();

    @After
    public void closeAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }

    private RedisServer redis(String... extraArgs) throws IOException {
        return track(RedisServer.onFreePort(tmp.newFolder().toPath(), extraArgs));
    }

    private EventLogComponent newLog() throws IOException {
        EventLogComponent log = EventLogComponent.openAt(tmp.newFolder().toPath());
        track(log::close);
        return log;
    }

    private static PublisherSettings fastRetry(long maxLen) {
        return new PublisherSettings(STREAM, maxLen, 256, 10, 200, 5, 300);
    }

    private StreamPublisher publisher(EventLogComponent eventLog, HostAndPort address, PublisherSettings settings) {
        StreamClient client = track(JedisStreamClient.single(address, JedisStreamClient.config(2000, null, null)));
        return track(new StreamPublisher(eventLog, eventLog.cursor("redis"), client, settings, "inst-1")).start();
    }

    private static void append(EventLogComponent eventLog, UsbEvent event) {
        eventLog.append(event);
    }

    private static List<StreamEntry> readAll(Jedis jedis) {
        List<StreamEntry> all = new ArrayList<>();
        StreamEntryID from = new StreamEntryID(0, 0);
        while (true) {
            List<StreamEntry> page = jedis.xrange(STREAM, from, (StreamEntryID) null, 5000);
            if (page.isEmpty()) {
                return all;
            }
            all.addAll(page);
            StreamEntryID last = page.get(page.size() - 1).getID();
            from = new StreamEntryID(last.getTime(), last.getSequence() + 1);
        }
    }

    @Test
    public void publishedEntryCarriesTheDocumentedFields() throws Exception {
        RedisServer redis = redis().start();
        EventLogComponent eventLog = newLog();
        StreamPublisher publisher = publisher(eventLog, redis.address(), fastRetry(0));
        UsbEvent event = Events.event(7, 4);
        append(eventLog, event);
        Await.until(Duration.ofSeconds(10), () -> publisher.health().cursor() == 1, "delivery");

        try (Jedis jedis = redis.client()) {
            List<StreamEntry> entries = readAll(jedis);
            assertEquals(1, entries.size());
            Map<String, String> f = entries.get(0).getFields();
            assertEquals("libusb", f.get("source"));
            assertEquals("attach", f.get("action"));
            assertEquals("046d", f.get("vendor_id"));
            assertEquals("c52b", f.get("product_id"));
            assertEquals("sig7", f.get("device_signature"));
            assertEquals("Logitech", f.get("manufacturer"));
            assertEquals("USB Receiver", f.get("product"));
            assertEquals("SER-7", f.get("serial_number"));
            assertEquals("1", f.get("bus_number"));
            assertEquals("17", f.get("device_address"));
            assertEquals("1-7", f.get("port_path"));
            assertEquals(Long.toString(event.timestampMillis()), f.get("timestamp"));
            assertEquals("{\"idVendor\":1133,\"idProduct\":50475,\"bcdDevice\":4625,\"bDeviceClass\":0,"
                    + "\"bDeviceSubClass\":0,\"bDeviceProtocol\":0,\"interfaceClasses\":[3,3,3]}",
                    f.get("device_descriptor"));
            assertEquals("ev-7-4", f.get("event_id"));
            assertEquals("inst-1", f.get("instance_id"));
            assertEquals("libusb", f.get("sources"));
            assertEquals("0", f.get("flap_count"));
            assertEquals("4", f.get("monotonic_ns"));
            assertEquals("1", f.get("seq"));
            assertEquals(19, f.size());
        }
        PublisherHealth health = publisher.health();
        assertTrue(health.connected());
        assertEquals("CONNECTED", health.state());
        assertEquals(1, health.roundTrips());
        assertEquals("an idle event travels alone, not in a batch", 0, health.batchedRoundTrips());
    }

    @Test
    public void approximateMaxLenKeepsTheStreamNearItsBound() throws Exception {
        // Small stream nodes so approximate trimming can act at a fine grain.
        RedisServer redis = redis("--stream-node-max-entries", "10").start();
        EventLogComponent eventLog = newLog();
        StreamPublisher publisher = publisher(eventLog, redis.address(), fastRetry(100));
        for (int i = 0; i < 1000; i++) {
            append(eventLog, Events.event(1, i));
        }
        Await.until(Duration.ofSeconds(20), () -> publisher.health().cursor() == 1000, "delivery");
        try (Jedis jedis = redis.client()) {
            long length = jedis.xlen(STREAM);
            assertTrue("stream trimmed to about 100 entries, has " + length, length >= 100 && length <= 120);
            List<StreamEntry> tail = readAll(jedis);
            assertEquals("the newest entries are kept", "ev-1-999",
                    tail.get(tail.size() - 1).getFields().get("event_id"));
        }
    }

    @Test
    public void eventsJournaledWhileRedisIsAbsentAreDeliveredWhenItStarts() throws Exception {
        RedisServer redis = redis(); // not started
        EventLogComponent eventLog = newLog();
        StreamPublisher publisher = publisher(eventLog, redis.address(), fastRetry(0));
        for (int i = 0; i < 100; i++) {
            append(eventLog, Events.event(i % 3, i));
        }
        Await.until(Duration.ofSeconds(10), () -> publisher.health().failures() >= 3, "failed attempts");
        PublisherHealth down = publisher.health();
        assertFalse(down.connected());
        assertNotNull(down.lastError());
        Await.until(Duration.ofSeconds(10), () -> publisher.health().behind() == 100, "100 records behind");

        redis.start();
        Await.until(Duration.ofSeconds(15), () -> publisher.health().cursor() == 100, "delivery after start");
        try (Jedis jedis = redis.client()) {
            List<StreamEntry> entries = readAll(jedis);
            Set<String> ids = new HashSet<>();
            List<String> firstOccurrences = new ArrayList<>();
            for (StreamEntry e : entries) {
                if (ids.add(e.getFields().get("event_id"))) {
                    firstOccurrences.add(e.getFields().get("monotonic_ns"));
                }
            }
            assertEquals(100, firstOccurrences.size());
            for (int i = 0; i < 100; i++) {
                assertEquals(Integer.toString(i), firstOccurrences.get(i));
            }
        }
        assertTrue(publisher.health().connected());
    }

    @Test
    public void clusterClientPublishesThroughTheSameInterface() throws Exception {
        RedisServer node = redis("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf").start();
        try (Jedis jedis = node.client()) {
            jedis.clusterAddSlotsRange(0, 16383);
            Await.until(Duration.ofSeconds(15), () -> jedis.clusterInfo().contains("cluster_state:ok"),
                    "the one-node cluster to own every slot");
        }
        EventLogComponent eventLog = newLog();
        StreamClient client = track(JedisStreamClient.cluster(Set.of(node.address()),
                JedisStreamClient.config(2000, null, null)));
        StreamPublisher publisher = track(new StreamPublisher(eventLog, eventLog.cursor("redis"), client, fastRetry(0), "inst-1")).start();
        for (int i = 0; i < 300; i++) {
            append(eventLog, Events.event(1, i));
        }
        Await.until(Duration.ofSeconds(15), () -> publisher.health().cursor() == 300, "delivery");
        try (Jedis jedis = node.client()) {
            List<StreamEntry> entries = readAll(jedis);
            assertEquals(300, entries.size());
            for (int i = 0; i < 300; i++) {
                assertEquals("ev-1-" + i, entries.get(i).getFields().get("event_id"));
            }
        }
    }

    @Test
    public void killNineDuringABurstLosesNothingAndKeepsPerDeviceOrder() throws Exception {
        RedisServer redis = redis().start();
        EventLogComponent eventLog = newLog();
        StreamPublisher publisher = publisher(eventLog, redis.address(), fastRetry(0));
        int devices = 10;
        int perDevice = 1000;
        int total = devices * perDevice;

        ExecutorService producers = Executors.newFixedThreadPool(devices);
        long start = System.nanoTime();
        List<Future<?>> produced = new ArrayList<>();
        for (int d = 0; d < devices; d++) {
            int device = d;
            produced.add(producers.submit(() -> {
                for (int k = 0; k < perDevice; k++) {
                    append(eventLog, Events.event(device, k));
                }
                return null;
            }));
        }
        Await.until(Duration.ofSeconds(30), () -> publisher.health().delivered() >= 2000, "first 2000 delivered");
        redis.kill9();
        long killedAt = System.nanoTime();
        long deliveredAtKill = publisher.health().delivered();
        Await.until(Duration.ofSeconds(10), () -> !publisher.health().connected(), "publisher to notice the loss");
        long depthDuringOutage = publisher.health().behind();
        redis.start();
        long restartedAt = System.nanoTime();
        for (Future<?> f : produced) {
            f.get(60, TimeUnit.SECONDS);
        }
        long producedAt = System.nanoTime();
        producers.shutdown();
        Await.until(Duration.ofSeconds(60), () -> publisher.health().cursor() == total, "all delivered");
        long end = System.nanoTime();

        Map<String, Long> lastPerDevice = new HashMap<>();
        List<String> orderViolations = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int duplicates = 0;
        List<StreamEntry> entries;
        try (Jedis jedis = redis.client()) {
            entries = readAll(jedis);
        }
        for (StreamEntry e : entries) {
            Map<String, String> f = e.getFields();
            if (!seen.add(f.get("event_id"))) {
                duplicates++;
                continue;
            }
            long k = Long.parseLong(f.get("monotonic_ns"));
            Long previous = lastPerDevice.put(f.get("serial_number"), k);
            long expected = previous == null ? 0 : previous + 1;
            if (k != expected) {
                orderViolations.add(f.get("serial_number") + ": " + expected + " expected, " + k + " found at "
                        + e.getID());
            }
        }
        PublisherHealth health = publisher.health();
        System.out.printf("kill -9 test: %d events, %d unique in Redis, %d duplicates, %d lost; "
                + "%d delivered before the kill, depth %d during outage, outage %d ms, %d failed attempts; "
                + "appends done after %d ms, all delivered after %d ms (%.0f events/s end to end); "
                + "%d round trips, %d batched; %d event log fsyncs%n",
                total, seen.size(), duplicates, total - seen.size(), deliveredAtKill, depthDuringOutage,
                (restartedAt - killedAt) / 1_000_000, health.failures(),
                (producedAt - start) / 1_000_000, (end - start) / 1_000_000, total * 1e9 / (end - start),
                health.roundTrips(), health.batchedRoundTrips(), eventLog.eventlog().get("fsyncs"));
        assertEquals("no event lost", total, seen.size());
        assertEquals("no event added twice (the script skips seqs Redis holds)", 0, duplicates);
        assertEquals("per-device order kept", List.of(), orderViolations);
        assertEquals(devices, lastPerDevice.size());
        assertTrue("bursts travel in batches", health.batchedRoundTrips() > 0);
    }
}
