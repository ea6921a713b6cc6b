package io.autoweave.redis.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.autoweave.api.device.UsbEvent;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.resps.StreamEntry;

public class ConsumerBridgeRedisTest {
    private static final String STREAM = "aw:hotplug";

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final BridgeFixture fixture = new BridgeFixture();
    private RedisServer redis;

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

    private RedisConnection connection() {
        return track(RedisConnection.single(redis.address(), JedisStreamClient.config(2000, null, null)));
    }

    private UnifiedJedis jedis() {
        return connection().get();
    }

    private ConsumerBridge bridge(BridgeSettings settings, ConsumerBridge.EntryHandler handler) {
        return track(new ConsumerBridge(connection(), settings, handler, () -> true)).start();
    }

    /** Publishes {@code n} events through the production client and returns their ids in order. */
    private List<String> publish(int n) throws IOException {
        redis = redis == null ? track(RedisServer.onFreePort(tmp.newFolder().toPath())).start() : redis;
        JedisStreamClient client = track(JedisStreamClient.single(redis.address(),
                JedisStreamClient.config(2000, null, null)));
        List<String> ids = new ArrayList<>();
        List<Map<String, String>> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            UsbEvent e = Events.event(i % 7, i);
            ids.add(e.eventId());
            batch.add(StreamEntries.fields(e));
            if (batch.size() == 200 || i == n - 1) {
                client.xadd(STREAM, batch, 0);
                batch.clear();
            }
        }
        return ids;
    }

    private long pendingInGroup() {
        return jedis().xpending(STREAM, "itest-group").getTotal();
    }

    @Test
    public void twoInstancesInOneGroupProcessEachEntryExactlyOnce() throws Exception {
        List<String> ids = publish(5000);
        ConsumerBridge a = bridge(BridgeFixture.settings(STREAM, "instance-a", 30_000, 5), fixture.recorder());
        ConsumerBridge b = bridge(BridgeFixture.settings(STREAM, "instance-b", 30_000, 5), fixture.recorder());
        Await.until(Duration.ofSeconds(30), () -> fixture.acceptedTotal() >= ids.size(), "every entry processed");
        Await.until(Duration.ofSeconds(10), () -> pendingInGroup() == 0, "every entry acknowledged");

        assertEquals("each entry exactly once", Map.of(), fixture.notExactlyOnce(ids));
        assertEquals(ids.size(), fixture.acceptedTotal());
        long byA = a.stats().processed();
        long byB = b.stats().processed();
        System.out.printf("two instances, one group: %d entries, instance-a %d, instance-b %d%n", ids.size(), byA, byB);
        assertEquals(ids.size(), byA + byB);
        assertTrue("both instances took a share: a=" + byA + " b=" + byB, byA > 0 && byB > 0);
    }

    @Test
    public void aDeadConsumersPendingEntriesAreReclaimedByAnother() throws Exception {
        List<String> ids = publish(500);
        CountDownLatch holding = new CountDownLatch(1);
        // Instance a reads a batch, then hangs on its first entry until it is stopped: it never acknowledges.
        ConsumerBridge a = bridge(BridgeFixture.settings(STREAM, "instance-a", 500, 5), (id, fields) -> {
            holding.countDown();
            new CountDownLatch(1).await();
        });
        assertTrue(holding.await(10, java.util.concurrent.TimeUnit.SECONDS));
        a.close();
        long heldByDead = jedis().xpending(STREAM, "itest-group").getConsumerMessageCount().getOrDefault("instance-a", 0L);
        assertTrue("the dead instance holds its unacknowledged batch: " + heldByDead, heldByDead > 0);

        ConsumerBridge b = bridge(BridgeFixture.settings(STREAM, "instance-b", 500, 5), fixture.recorder());
        Await.until(Duration.ofSeconds(30), () -> fixture.acceptedTotal() >= ids.size(), "every entry processed");
        Await.until(Duration.ofSeconds(10), () -> pendingInGroup() == 0, "nothing left pending");

        assertEquals("each entry exactly once", Map.of(), fixture.notExactlyOnce(ids));
        assertEquals("instance-b claimed what instance-a held", heldByDead, b.stats().claimed());
        System.out.printf("dead consumer: %d entries held by instance-a reclaimed by instance-b%n", heldByDead);
    }

    @Test
    public void aPoisonEntryLandsInTheDeadLetterStreamAfterMaxDeliveries() throws Exception {
        List<String> ids = publish(20);
        String poison = ids.get(7);
        jedis().xadd(STREAM, XAddParams.xAddParams(), Map.of("garbage", "not an event"));
        Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
        ConsumerBridge.EntryHandler recorder = fixture.recorder();
        ConsumerBridge bridge = bridge(BridgeFixture.settings(STREAM, "instance-a", 100, 3), (id, fields) -> {
            attempts.computeIfAbsent(fields.getOrDefault("event_id", id), k -> new AtomicInteger()).incrementAndGet();
            if (poison.equals(fields.get("event_id"))) {
                throw new IllegalStateException("consumer cannot handle " + poison);
            }
            recorder.handle(id, fields); // throws for the garbage entry: it cannot be decoded
        });
        Await.until(Duration.ofSeconds(30), () -> jedis().xlen(STREAM + ":dead") == 2, "two dead letters");
        Await.until(Duration.ofSeconds(10), () -> pendingInGroup() == 0, "nothing left pending");

        List<String> healthy = new ArrayList<>(ids);
        healthy.remove(poison);
        assertEquals(Map.of(), fixture.notExactlyOnce(healthy));
        assertEquals("the poison entry was tried exactly maxDeliveries times", 3, attempts.get(poison).get());
        List<StreamEntry> dead = BridgeFixture.readAll(jedis(), STREAM + ":dead");
        Map<String, String> first = dead.get(0).getFields();
        assertEquals(poison, first.get("event_id"));
        assertEquals("3", first.get("dead_deliveries"));
        assertEquals("itest-group", first.get("dead_group"));
        assertEquals(STREAM, first.get("dead_stream"));
        assertTrue(first.get("dead_reason"), first.get("dead_reason").contains("consumer cannot handle"));
        assertEquals("the original fields travel along", "046d", first.get("vendor_id"));
        Map<String, String> second = dead.get(1).getFields();
        assertEquals("not an event", second.get("garbage"));
        assertTrue(second.get("dead_reason"), second.get("dead_reason").contains("no device_descriptor"));
        assertEquals(2, bridge.stats().deadLettered());
    }

    @Test
    public void withNoConsumerReadyNothingIsTakenFromTheGroup() throws Exception {
        publish(10);
        AtomicInteger calls = new AtomicInteger();
        ConsumerBridge idle = track(new ConsumerBridge(connection(), BridgeFixture.settings(STREAM, "instance-a",
                100, 3), (id, fields) -> calls.incrementAndGet(), () -> false)).start();
        Await.until(Duration.ofSeconds(5), () -> "IDLE".equals(idle.stats().state()), "the bridge to idle");
        assertEquals(0, calls.get());
        assertEquals("the group was not even created: nobody read anything", 0, groupCount());
    }

    private long groupCount() {
        return jedis().exists(STREAM) ? jedis().xinfoGroups(STREAM).size() : 0;
    }
}
