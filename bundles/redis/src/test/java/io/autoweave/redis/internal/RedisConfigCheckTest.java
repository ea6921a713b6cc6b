package io.autoweave.redis.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.fail;

import java.util.Map;

import org.junit.Test;

import io.autoweave.commons.config.ConfigRefusal;
import io.autoweave.commons.config.LastGoodConfig;

public class RedisConfigCheckTest {

    private static ConfigRefusal refused(Map<String, Object> overrides) {
        try {
            RedisConfigCheck.check(RedisSinkComponentTest.config(overrides));
            fail("expected a refusal of " + overrides);
            return null;
        } catch (ConfigRefusal r) {
            return r;
        }
    }

    @Test
    public void theDefaultsAndAnEndpointCheckOut() {
        RedisSinkConfig c = RedisSinkComponentTest.config(Map.of("endpoints", new String[] { "127.0.0.1:6379" }));
        assertSame(c, RedisConfigCheck.check(c));
    }

    @Test
    public void eachBadValueIsRefusedUnderItsKey() {
        assertEquals("batchMax", refused(Map.of("batchMax", -1)).key());
        assertEquals("maxLen", refused(Map.of("maxLen", -5L)).key());
        ConfigRefusal e = refused(Map.of("endpoints", new String[] { "garbage" }));
        assertEquals("endpoints", e.key());
        assertEquals("garbage", e.value());
        assertEquals("backoffMaxMillis", refused(Map.of("backoffBaseMillis", 500L, "backoffMaxMillis", 100L)).key());
        assertEquals("deadLetterStream", refused(Map.of("deadLetterStream", "aw:hotplug")).key());
    }

    @Test
    public void aRefusedChangeKeepsTheSettingsInForce() {
        LastGoodConfig<RedisSinkConfig, RedisSinkConfig> g = new LastGoodConfig<>(RedisSinkComponent.PID,
                RedisSinkConfig.class, RedisConfigCheck::check);
        RedisSinkConfig good = RedisSinkComponentTest.config(Map.of("batchMax", 64));
        assertSame(good, g.start(null, good, Map.of()));
        assertEquals(java.util.Optional.empty(), g.modified(RedisSinkComponentTest.config(Map.of("batchMax", -1)),
                Map.of("batchMax", "-1")));
        assertSame(good, g.current());
        assertEquals("-1", g.error().value());
        assertEquals(java.util.Optional.of(good), g.modified(good, Map.of()));
        assertNull(g.error());
    }
}
