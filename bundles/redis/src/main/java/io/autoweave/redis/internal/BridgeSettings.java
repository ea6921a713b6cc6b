package io.autoweave.redis.internal;

/**
 * What the consumer-group bridge needs; defaults live in {@link RedisSinkConfig}.
 *
 * @param stream stream key read
 * @param group consumer group name (created at the start of the stream if missing)
 * @param consumer this member's name in the group, unique per runtime instance
 * @param batchSize most entries read or claimed per command
 * @param blockMillis how long one XREADGROUP waits for new entries
 * @param claimIdleMillis entries pending (read, unacknowledged) longer than this are claimed from whichever
 *        consumer holds them: that consumer is presumed dead, or processing failed and must be retried
 * @param maxDeliveries deliveries after which an entry is moved to the dead-letter stream instead of processed
 * @param deadLetterStream stream key for entries that exceeded {@code maxDeliveries}
 */
record BridgeSettings(
        String stream,
        String group,
        String consumer,
        int batchSize,
        int blockMillis,
        long claimIdleMillis,
        int maxDeliveries,
        String deadLetterStream) {

    BridgeSettings {
        requireName(stream, "stream", "aw:hotplug");
        requireName(group, "group", "autoweave");
        requireName(consumer, "consumer", "the instance id");
        requireName(deadLetterStream, "dead-letter stream", "aw:hotplug:dead");
        if (deadLetterStream.equals(stream)) {
            throw new IllegalArgumentException("the dead-letter stream must differ from the stream: " + stream);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1: " + batchSize);
        }
        if (blockMillis < 1) {
            throw new IllegalArgumentException("block time must be >= 1 ms: " + blockMillis);
        }
        if (claimIdleMillis < 1) {
            throw new IllegalArgumentException("claim idle time must be >= 1 ms: " + claimIdleMillis);
        }
        if (maxDeliveries < 1) {
            throw new IllegalArgumentException("max deliveries must be >= 1: " + maxDeliveries);
        }
    }

    private static void requireName(String value, String what, String example) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be empty, e.g. " + example);
        }
    }
}
