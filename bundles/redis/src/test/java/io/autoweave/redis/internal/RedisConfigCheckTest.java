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
        assertEquals("batch.max", refused(Map.of("batch_max", -1)).key());
        assertEquals("max.len", refused(Map.of("max_len", -5L)).key());
        ConfigRefusal e = refused(Map.of("endpoints", new String[] { "garbage" }));
        assertEquals("endpoints", e.key());
        assertEquals("garbage", e.value());
        assertEquals("backoff.max.ms", refused(Map.of("backoff_base_ms", 500L, "backoff_max_ms", 100L)).key());
        assertEquals("dead.letter.stream", refused(Map.of("dead_letter_stream", "aw:hotplug")).key());
    }

    @Test
    public void aRefusedChangeKeepsTheSettingsInForce() {
        LastGoodConfig<RedisSinkConfig, RedisSinkConfig> g = new LastGoodConfig<>(RedisSinkComponent.PID,
                RedisSinkConfig.class, RedisConfigCheck::check);
        RedisSinkConfig good = RedisSinkComponentTest.config(Map.of("batch_max", 64));
        assertSame(good, g.start(null, good, Map.of()));
        assertEquals(java.util.Optional.empty(), g.modified(RedisSinkComponentTest.config(Map.of("batch_max", -1)),
                Map.of("batch.max", "-1")));
        assertSame(good, g.current());
        assertEquals("-1", g.error().value());
        assertEquals(java.util.Optional.of(good), g.modified(good, Map.of()));
        assertNull(g.error());
    }

    @Test
    public void theCamelCaseKeysOfEarlierVersionsAreStillRead() {
        LastGoodConfig<RedisSinkConfig, RedisSinkConfig> g = new LastGoodConfig<>(RedisSinkComponent.PID,
                RedisSinkConfig.class, RedisConfigCheck::check);
        // what DS hands over for a file with only old keys: every new key at its default
        RedisSinkConfig c = g.start(null, RedisSinkComponentTest.config(Map.of()),
                Map.of("maxLen", "0", "batchMax", "32", "consumerGroup", "fleet", "timeoutMillis", 500L,
                        "max.len", 100_000L, "batch.max", 256)); // DS also hands over the defaults bnd wrote
        assertEquals(0L, c.max_len());
        assertEquals(32, c.batch_max());
        assertEquals("fleet", c.consumer_group());
        assertEquals(500, c.timeout_ms());
        assertNull(g.error());
        assertEquals(java.util.Optional.empty(), g.modified(RedisSinkComponentTest.config(Map.of()),
                Map.of("batchMax", "-1")));
        assertEquals("batch.max", g.error().key());
        assertEquals(32, g.current().batch_max());
    }
}
