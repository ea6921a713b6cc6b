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
        ConfigRefusal.range("timeoutMillis", c.timeoutMillis(), 1, 600_000);
        ConfigRefusal.notBlank("stream", c.stream());
        ConfigRefusal.atLeast("maxLen", c.maxLen(), 0);
        ConfigRefusal.range("batchMax", c.batchMax(), 1, 100_000);
        ConfigRefusal.atLeast("backoffBaseMillis", c.backoffBaseMillis(), 1);
        ConfigRefusal.atLeast("backoffMaxMillis", c.backoffMaxMillis(), c.backoffBaseMillis());
        ConfigRefusal.atLeast("breakerFailures", c.breakerFailures(), 1);
        ConfigRefusal.atLeast("breakerOpenMillis", c.breakerOpenMillis(), 1);
        ConfigRefusal.notBlank("consumerGroup", c.consumerGroup());
        ConfigRefusal.range("consumerBatchSize", c.consumerBatchSize(), 1, 100_000);
        ConfigRefusal.atLeast("consumerBlockMillis", c.consumerBlockMillis(), 1);
        ConfigRefusal.atLeast("claimIdleMillis", c.claimIdleMillis(), 1);
        ConfigRefusal.atLeast("maxDeliveries", c.maxDeliveries(), 1);
        if (c.deadLetterStream().trim().equals(c.stream().trim())) {
            throw new ConfigRefusal("deadLetterStream", c.deadLetterStream(), "must differ from stream (empty: "
                    + "STREAM:dead)");
        }
        return c;
    }
}
