package io.autoweave.redis.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventSink;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.resps.StreamEntry;

public class RedisSinkComponentTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** The annotation's defaults, with {@code overrides} on top, as DS would hand them over. */
    static RedisSinkConfig config(Map<String, Object> overrides) {
        return (RedisSinkConfig) Proxy.newProxyInstance(RedisSinkConfig.class.getClassLoader(),
                new Class<?>[] {RedisSinkConfig.class}, (proxy, method, args) -> {
                    if (overrides.containsKey(method.getName())) {
                        return overrides.get(method.getName());
                    }
                    Object fallback = method.getDefaultValue();
                    if (fallback == null) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    return fallback;
                });
    }

    @Test
    public void batchesAreJournaledWithOneFsyncThenPublishedWithTheirLossMarkerInPlace() throws Exception {
        try (RedisServer redis = RedisServer.onFreePort(tmp.newFolder().toPath()).start()) {
            RedisSinkComponent sink = new RedisSinkComponent();
            sink.activate(null, config(Map.of(
                    "endpoints", new String[] {"127.0.0.1:" + redis.port},
                    "outboxDir", tmp.newFolder().getPath(),
                    "segmentBytes", 64L * 1024,
                    "outboxMaxBytes", 1024L * 1024)));
            try {
                List<UsbEvent> first = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    first.add(Events.event(2, i));
                }
                long fsyncs = sink.health().outbox().fsyncs();
                sink.deliver(new UsbEventSink.Batch(null, first));
                assertEquals("one group commit for the batch", fsyncs + 1, sink.health().outbox().fsyncs());
                UsbEventSink.Loss loss = new UsbEventSink.Loss("marker-1", "inst-1", 7, 2, "e-a", "e-b", 1000, 2000);
                sink.deliver(new UsbEventSink.Batch(loss, List.of(Events.event(2, 10))));
                Await.until(Duration.ofSeconds(10), () -> sink.health().delivered() == 11, "delivery");
                try (Jedis jedis = redis.client()) {
                    List<StreamEntry> all = jedis.xrange("aw:hotplug", (StreamEntryID) null, (StreamEntryID) null);
                    assertEquals(12, all.size());
                    Map<String, String> marker = all.get(10).getFields();
                    assertEquals("shed", marker.get("type"));
                    assertEquals("7", marker.get("count"));
                    assertEquals("2", marker.get("coalesced"));
                    assertEquals("e-a", marker.get("first_event_id"));
                    assertEquals("e-b", marker.get("last_event_id"));
                    assertEquals("1000", marker.get("first_timestamp"));
                    assertEquals("2000", marker.get("last_timestamp"));
                    assertEquals("marker-1", marker.get("event_id"));
                    assertEquals("inst-1", marker.get("instance_id"));
                    assertEquals(loss, StreamEntries.toLoss(marker));
                    assertEquals(Events.event(2, 10).eventId(), all.get(11).getFields().get("event_id"));
                }
                assertEquals(1, sink.health().lossMarkers());
                assertTrue(sink.health().connected());
            } finally {
                sink.deactivate();
            }
        }
    }

    @Test
    public void theBridgeAcknowledgesALossMarkerWithoutDispatchingIt() throws Exception {
        ConsumerBridgeComponent bridge = new ConsumerBridgeComponent();
        List<UsbEvent> seen = new ArrayList<>();
        bridge.addConsumer((id, event) -> seen.add(event));
        UsbEventSink.Loss loss = new UsbEventSink.Loss("marker-2", "inst-1", 3, 0, "e-1", "e-3", 5, 6);
        bridge.dispatch("1-1", StreamEntries.fields(loss)); // no exception: acknowledged, never dead-lettered
        assertEquals(List.of(), seen);
        assertEquals(1, bridge.lossMarkers.sum());
        assertEquals(3, bridge.shedEvents.sum());
        bridge.dispatch("1-2", StreamEntries.fields(Events.event(1, 0)));
        assertEquals(1, seen.size());
    }

    @Test
    public void aFullOutboxRefusesTheWholeBatchSoThePipelineRetriesIt() throws Exception {
        RedisSinkComponent sink = new RedisSinkComponent();
        sink.activate(null, config(Map.of("outboxDir", tmp.newFolder().getPath(), "segmentBytes", 4096L,
                "outboxMaxBytes", 8192L)));
        try {
            List<UsbEvent> big = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                big.add(Events.event(1, i));
            }
            assertThrows(OutboxFullException.class, () -> sink.deliver(new UsbEventSink.Batch(null, big)));
            assertEquals("nothing of a refused batch is journaled", 0, sink.health().outboxDepth());
            sink.deliver(new UsbEventSink.Batch(null, big.subList(0, 5)));
            assertEquals(5, sink.health().outboxDepth());
        } finally {
            sink.deactivate();
        }
    }

    @Test
    public void malformedEndpointIsRejectedWithAHint() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RedisSinkComponent.parseEndpoints(new String[] {"localhost"}));
        assertTrue(e.getMessage().contains("host:port"));
        assertThrows(IllegalArgumentException.class, () -> RedisSinkComponent.parseEndpoints(new String[0]));
    }
}
