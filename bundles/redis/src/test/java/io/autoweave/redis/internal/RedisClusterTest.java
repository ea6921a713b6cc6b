package io.autoweave.redis.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.autoweave.api.device.UsbEvent;
import io.autoweave.eventlog.internal.EventLogComponent;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.resps.StreamEntry;

/**
 * A real local 3-node Redis Cluster (three redis-server processes with cluster-enabled, slots split by
 * {@code redis-cli --cluster create}): publishing through JedisCluster with the event log, and two bridge instances
 * sharing one consumer group. The stream and its dead-letter stream share the hash tag {@code {aw}}, so they sit
 * in one slot (one node); the batch EVAL names one key, which a cluster accepts.
 */
public class RedisClusterTest {
    private static final String STREAM = "{aw}:hotplug";

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<RedisServer> nodes = new ArrayList<>();

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

    private Set<HostAndPort> startCluster() throws Exception {
        Set<HostAndPort> seeds = new LinkedHashSet<>();
        List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        for (int i = 0; i < 3; i++) {
            RedisServer node = track(RedisServer.onFreePort(tmp.newFolder().toPath(),
                    "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                    "--cluster-node-timeout", "2000")).start();
            nodes.add(node);
            seeds.add(node.address());
            create.add(node.address().toString());
        }
        create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        Process p = new ProcessBuilder(create).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("redis-cli --cluster create did not finish", p.waitFor(60, TimeUnit.SECONDS));
        assertEquals("redis-cli --cluster create:\n" + out, 0, p.exitValue());
        for (RedisServer node : nodes) {
            Await.until(Duration.ofSeconds(30), () -> {
                try (Jedis j = node.client()) {
                    return j.clusterInfo().contains("cluster_state:ok");
                }
            }, "node " + node.port + " to see the cluster ok");
        }
        return seeds;
    }

    /** A started publisher from {@code eventLog} to the cluster's stream, quick to back off and retry. */
    private StreamPublisher publisher(Set<HostAndPort> seeds, EventLogComponent eventLog) throws Exception {
        StreamClient client = track(JedisStreamClient.cluster(seeds, JedisStreamClient.config(1000, null, null)));
        return track(new StreamPublisher(eventLog, eventLog.cursor("redis"), client,
                new PublisherSettings(STREAM, 0, 256, 10, 200, 5, 300), "inst-1")).start();
    }

    private EventLogComponent log() throws java.io.IOException {
        EventLogComponent log = EventLogComponent.openAt(tmp.newFolder().toPath());
        track(log::close);
        return log;
    }

    @Test
    public void threeNodeClusterPublishesWithTheOutboxAndTwoInstancesProcessEachEntryOnce() throws Exception {
        Set<HostAndPort> seeds = startCluster();
        EventLogComponent eventLog = log();
        StreamPublisher publisher = publisher(seeds, eventLog);

        BridgeFixture fixture = new BridgeFixture();
        List<ConsumerBridge> bridges = new ArrayList<>();
        for (String name : List.of("instance-a", "instance-b")) {
            RedisConnection connection = track(RedisConnection.cluster(seeds, JedisStreamClient.config(2000, null, null)));
            bridges.add(track(new ConsumerBridge(connection, BridgeFixture.settings(STREAM, name, 30_000, 5),
                    fixture.recorder(), () -> true)).start());
        }

        int total = 5000;
        List<String> ids = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < total; i++) {
            UsbEvent e = Events.event(i % 10, i);
            ids.add(e.eventId());
            eventLog.append(e);
        }
        Await.until(Duration.ofSeconds(60), () -> publisher.health().cursor() == total, "all published");
        Await.until(Duration.ofSeconds(60), () -> fixture.acceptedTotal() >= total, "all processed");
        long end = System.nanoTime();

        try (RedisConnection check = RedisConnection.cluster(seeds, JedisStreamClient.config(5000, null, null))) {
            UnifiedJedis jedis = check.get();
            Await.until(Duration.ofSeconds(10), () -> jedis.xpending(STREAM, "itest-group").getTotal() == 0,
                    "every entry acknowledged");
            List<StreamEntry> entries = BridgeFixture.readAll(jedis, STREAM);
            assertEquals("published once each, in journal order", ids,
                    entries.stream().map(en -> en.getFields().get("event_id")).toList());
        }
        assertEquals("each entry processed exactly once", Map.of(), fixture.notExactlyOnce(ids));
        long byA = bridges.get(0).stats().processed();
        long byB = bridges.get(1).stats().processed();
        System.out.printf("3-node cluster: %d events published and consumed in %d ms (%.0f events/s); "
                + "instance-a %d, instance-b %d%n", total, (end - start) / 1_000_000,
                total * 1e9 / (end - start), byA, byB);
        assertTrue("both instances took a share: a=" + byA + " b=" + byB, byA > 0 && byB > 0);
    }

    /**
     * kill -9 of the node that owns the stream's slot while events are being published, then the same node is
     * restarted (same port, same nodes.conf, its AOF fsynced on every write): the publisher backs off while the slot
     * is unreachable and, once the cluster is ok again, every event is in the stream exactly once, in journal order.
     */
    @Test
    public void killingTheNodeThatOwnsTheStreamLosesNothingOnceItIsBack() throws Exception {
        Set<HostAndPort> seeds = startCluster();
        EventLogComponent eventLog = log();
        StreamPublisher publisher = publisher(seeds, eventLog);

        int total = 6000;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < total / 3; i++) {
            UsbEvent e = Events.event(i % 10, i);
            ids.add(e.eventId());
            eventLog.append(e);
        }
        Await.until(Duration.ofSeconds(60), () -> publisher.health().cursor() > 0,
                "publishing to have started");
        RedisServer owner = ownerOf(STREAM);
        owner.kill9();
        // events keep arriving while the slot's node is dead: they wait in the eventLog
        for (int i = total / 3; i < total; i++) {
            UsbEvent e = Events.event(i % 10, i);
            ids.add(e.eventId());
            eventLog.append(e);
        }
        Await.until(Duration.ofSeconds(10), () -> publisher.health().behind() > 0,
                "events to wait in the log while the owner is down");
        owner.start();
        Await.until(Duration.ofSeconds(60), () -> {
            try (Jedis j = owner.client()) {
                return j.clusterInfo().contains("cluster_state:ok");
            }
        }, "the restarted node to rejoin the cluster");
        Await.until(Duration.ofSeconds(90), () -> publisher.health().cursor() == total, "all published");

        try (RedisConnection check = RedisConnection.cluster(seeds, JedisStreamClient.config(5000, null, null))) {
            List<StreamEntry> entries = BridgeFixture.readAll(check.get(), STREAM);
            assertEquals("every event once, in journal order, across the owner's kill -9", ids,
                    entries.stream().map(en -> en.getFields().get("event_id")).toList());
        }
    }

    /** The node that answers for {@code key} itself (the others answer MOVED). */
    private RedisServer ownerOf(String key) {
        for (RedisServer node : nodes) {
            try (Jedis j = node.client()) {
                j.exists(key);
                return node;
            } catch (redis.clients.jedis.exceptions.JedisDataException moved) {
                // MOVED: not this one
            }
        }
        throw new AssertionError("no node answers for " + key);
    }
}
