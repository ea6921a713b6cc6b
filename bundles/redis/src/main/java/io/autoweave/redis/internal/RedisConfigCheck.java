package io.autoweave.redis.internal;

import io.autoweave.commons.config.ConfigRefusal;

/**
 * The check of {@code io.autoweave.redis} as a whole, shared by the sink and the consumer-group bridge (one file, two
 * components): both refuse the same values, so neither starts on a configuration the other would refuse.
 */
final class RedisConfigCheck {
    private RedisConfigCheck() {
    }

    /** The configuration when every value is usable, else a refusal naming the key and what to write instead. */
    static RedisSinkConfig check(RedisSinkConfig c) {
        String[] endpoints = c.endpoints();
        if (endpoints != null && !(endpoints.length == 0 || (endpoints.length == 1 && endpoints[0].isBlank()))) {
            try {
                RedisSinkComponent.parseEndpoints(endpoints);
            } catch (IllegalArgumentException e) {
                throw new ConfigRefusal("endpoints", String.join(",", endpoints), e.getMessage());
            }
        }
        ConfigRefusal.range("timeout.ms", c.timeout_ms(), 1, 600_000);
        ConfigRefusal.notBlank("stream", c.stream());
        ConfigRefusal.atLeast("max.len", c.max_len(), 0);
        ConfigRefusal.range("batch.max", c.batch_max(), 1, 100_000);
        ConfigRefusal.atLeast("backoff.base.ms", c.backoff_base_ms(), 1);
        ConfigRefusal.atLeast("backoff.max.ms", c.backoff_max_ms(), c.backoff_base_ms());
        ConfigRefusal.atLeast("breaker.failures", c.breaker_failures(), 1);
        ConfigRefusal.atLeast("breaker.open.ms", c.breaker_open_ms(), 1);
        ConfigRefusal.notBlank("consumer.group", c.consumer_group());
        ConfigRefusal.range("consumer.batch.size", c.consumer_batch_size(), 1, 100_000);
        ConfigRefusal.atLeast("consumer.block.ms", c.consumer_block_ms(), 1);
        ConfigRefusal.atLeast("claim.idle.ms", c.claim_idle_ms(), 1);
        ConfigRefusal.atLeast("max.deliveries", c.max_deliveries(), 1);
        if (c.dead_letter_stream().trim().equals(c.stream().trim())) {
            throw new ConfigRefusal("dead.letter.stream", c.dead_letter_stream(), "must differ from stream (empty: "
                    + "STREAM:dead)");
        }
        return c;
    }
}
