package io.autoweave.redis.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Map;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import redis.clients.jedis.Jedis;

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
    public void eventsHandedToTheListenerAreJournaledThenPublished() throws Exception {
        try (RedisServer redis = RedisServer.onFreePort(tmp.newFolder().toPath()).start()) {
            RedisSinkComponent sink = new RedisSinkComponent();
            sink.activate(null, config(Map.of(
                    "endpoints", new String[] {"127.0.0.1:" + redis.port},
                    "outboxDir", tmp.newFolder().getPath(),
                    "segmentBytes", 64L * 1024,
                    "outboxMaxBytes", 1024L * 1024)));
            try {
                for (int i = 0; i < 20; i++) {
                    sink.onEvent(Events.event(2, i));
                }
                Await.until(Duration.ofSeconds(10), () -> sink.health().delivered() == 20, "delivery");
                try (Jedis jedis = redis.client()) {
                    assertEquals(20, jedis.xlen("aw:hotplug"));
                }
                assertTrue(sink.health().connected());
            } finally {
                sink.deactivate();
            }
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
