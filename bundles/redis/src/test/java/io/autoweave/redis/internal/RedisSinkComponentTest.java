package io.autoweave.redis.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.autoweave.api.device.UsbEvent;
import io.autoweave.eventlog.internal.EventLogComponent;
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
    public void everyLogRecordIsPublishedOnceWithItsSeqAndAnUpdateAndALossKeepTheirPlace() throws Exception {
        try (RedisServer redis = RedisServer.onFreePort(tmp.newFolder().toPath()).start()) {
            EventLogComponent log = EventLogComponent.openAt(tmp.newFolder().toPath());
            RedisSinkComponent sink = new RedisSinkComponent();
            sink.log = log;
            sink.registry = new io.autoweave.api.device.DeviceRegistry() {
                @Override
                public List<io.autoweave.api.device.ConnectedDevice> connected() {
                    return List.of();
                }

                @Override
                public List<io.autoweave.api.device.ConnectedDevice> find(String signature) {
                    return List.of();
                }

                @Override
                public String instanceId() {
                    return "inst-1";
                }
            };
            try {
                // the cursor exists from the runtime's first start (the component is active, Redis or not); the
                // first event is appended before Redis is configured and must still reach it
                log.cursor(StreamPublisher.CURSOR);
                UsbEvent first = Events.event(2, 0);
                log.append(first);
                sink.activate(null, config(Map.of("endpoints", new String[] {"127.0.0.1:" + redis.port})), Map.of());
                for (int i = 1; i < 10; i++) {
                    log.append(Events.event(2, i));
                }
                log.appendUpdate(new UsbEvent(first.eventId(), first.instanceId(), first.action(),
                        first.timestampMillis(), first.monotonicNanos(), first.device(), new java.util.LinkedHashSet<>(List.of("libusb", "udev")), 0));
                Await.until(Duration.ofSeconds(10), () -> sink.health().cursor() == 11, "delivery");
                try (Jedis jedis = redis.client()) {
                    List<StreamEntry> all = jedis.xrange("aw:hotplug", (StreamEntryID) null, (StreamEntryID) null);
                    assertEquals(11, all.size());
                    for (int i = 0; i < 11; i++) {
                        assertEquals(Integer.toString(i + 1), all.get(i).getFields().get("seq"));
                    }
                    Map<String, String> update = all.get(10).getFields();
                    assertEquals("update", update.get("type"));
                    assertEquals("1", update.get("updates"));
                    assertEquals(first.eventId(), update.get("event_id"));
                    assertEquals("libusb,udev", update.get("sources"));
                    assertEquals("11", jedis.get("{aw:hotplug}:last-seq:inst-1"));
                }
                sink.deactivate();
                log.cursor("redis").reset(3); // as after a crash before the cursor was saved
                sink.activate(null, config(Map.of("endpoints", new String[] {"127.0.0.1:" + redis.port})), Map.of());
                Await.until(Duration.ofSeconds(10), () -> sink.health().cursor() == 11, "the replay");
                try (Jedis jedis = redis.client()) {
                    assertEquals("a replayed range is not added twice", 11, jedis.xlen("aw:hotplug"));
                }
                assertEquals(8, sink.health().duplicatesSkipped());
                assertTrue(sink.health().connected());
            } finally {
                sink.deactivate();
                log.close();
            }
        }
    }

    @Test
    public void theBridgeAcknowledgesALossMarkerWithoutDispatchingIt() throws Exception {
        ConsumerBridgeComponent bridge = new ConsumerBridgeComponent();
        List<UsbEvent> seen = new ArrayList<>();
        bridge.addConsumer((id, event) -> seen.add(event));
        io.autoweave.api.log.LogRecord loss = new io.autoweave.api.log.LogRecord(4, 1, io.autoweave.api.log.LogRecord.Kind.LOSS,
                null, 0, 0, new io.autoweave.api.log.LogRecord.Loss(3, "e-1", "e-3", 5, 6, "disk full"));
        bridge.dispatch("1-1", StreamEntries.fields(loss)); // no exception: acknowledged, never dead-lettered
        assertEquals(List.of(), seen);
        assertEquals(1, bridge.lossMarkers.sum());
        assertEquals(3, bridge.shedEvents.sum());
        bridge.dispatch("1-2", StreamEntries.fields(Events.event(1, 0)));
        assertEquals(1, seen.size());
    }

    @Test
    public void malformedEndpointIsRejectedWithAHint() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RedisSinkComponent.parseEndpoints(new String[] {"localhost"}));
        assertTrue(e.getMessage().contains("host:port"));
        assertThrows(IllegalArgumentException.class, () -> RedisSinkComponent.parseEndpoints(new String[0]));
    }
}
