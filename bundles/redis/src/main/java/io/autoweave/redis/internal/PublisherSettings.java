package io.autoweave.redis.internal;

/**
 * What the publisher needs to know; defaults live in {@link RedisSinkConfig}.
 *
 * @param stream stream key, {@code aw:hotplug} by default
 * @param maxLen approximate MAXLEN applied with every XADD; 0 disables trimming
 * @param batchMax most records sent in one round trip (one atomic batch)
 * @param backoffBaseMillis first retry delay after a failure
 * @param backoffMaxMillis retry delay cap
 * @param breakerFailures consecutive failures that open the circuit breaker
 * @param breakerOpenMillis how long an open breaker blocks attempts
 */
record PublisherSettings(
        String stream,
        long maxLen,
        int batchMax,
        long backoffBaseMillis,
        long backoffMaxMillis,
        int breakerFailures,
        long breakerOpenMillis) {

    PublisherSettings {
        if (stream == null || stream.isBlank()) {
            throw new IllegalArgumentException("stream must name a Redis key, e.g. aw:hotplug");
        }
        if (maxLen < 0) {
            throw new IllegalArgumentException("maxLen must be >= 0 (0 disables trimming): " + maxLen);
        }
        if (batchMax < 1) {
            throw new IllegalArgumentException("batchMax must be >= 1: " + batchMax);
        }
    }
}
