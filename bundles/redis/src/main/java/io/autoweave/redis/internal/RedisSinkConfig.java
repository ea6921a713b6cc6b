package io.autoweave.redis.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import io.autoweave.commons.config.OldName;

/**
 * Configuration of the Redis stream sink and of the consumer-group bridge (PID {@code io.autoweave.redis}, shared
 * by both components): the single home of their defaults. With no endpoints (the default) nothing talks to Redis
 * and events stay in the local event log. Keys are dotted ({@code max.len}); each camel-case name of earlier versions
 * ({@code maxLen}) is still read, with a warning ({@link OldName}).
 */
@ObjectClassDefinition(name = "AutoWeave Redis stream sink",
        description = "Publishes every USB event of the event log to a Redis stream, each once (a durable cursor); "
                + "a consumer group hands the stream to in-runtime consumers.")
@interface RedisSinkConfig {

    @AttributeDefinition(name = "Endpoints", required = false,
            description = "host:port of the Redis node, or cluster seed nodes; empty: journal locally only")
    String[] endpoints() default {};

    @AttributeDefinition(name = "Cluster", description = "Use a Redis Cluster client (JedisCluster)")
    boolean cluster() default false;

    @AttributeDefinition(name = "User", description = "ACL user; empty for the default user")
    String user() default "";

    @AttributeDefinition(name = "Password", type = AttributeType.PASSWORD, description = "Empty when none")
    String password() default "";

    @AttributeDefinition(name = "Connect and socket time-out (ms)")
    @OldName("timeoutMillis")
    int timeout_ms() default 2000;

    @AttributeDefinition(name = "Stream", description = "Stream key the events are added to")
    String stream() default "aw:hotplug";

    @AttributeDefinition(name = "Approximate MAXLEN", description = "XADD MAXLEN ~ bound; 0 keeps everything")
    @OldName("maxLen")
    long max_len() default 100_000;

    @AttributeDefinition(name = "Batch size", description = "Most events sent in one round trip")
    @OldName("batchMax")
    int batch_max() default 256;


    @AttributeDefinition(name = "First retry delay (ms)")
    @OldName("backoffBaseMillis")
    long backoff_base_ms() default 100;

    @AttributeDefinition(name = "Retry delay cap (ms)")
    @OldName("backoffMaxMillis")
    long backoff_max_ms() default 30_000;

    @AttributeDefinition(name = "Breaker threshold", description = "Consecutive failures that open the breaker")
    @OldName("breakerFailures")
    int breaker_failures() default 5;

    @AttributeDefinition(name = "Breaker open time (ms)")
    @OldName("breakerOpenMillis")
    long breaker_open_ms() default 5_000;

    @AttributeDefinition(name = "Consumer group", description = "Consumer group the bridge reads the stream in; "
            + "every runtime instance sharing it splits the entries")
    @OldName("consumerGroup")
    String consumer_group() default "autoweave";

    @AttributeDefinition(name = "Consumer name", required = false,
            description = "This instance's name in the group; empty for the instance id")
    @OldName("consumerName")
    String consumer_name() default "";

    @AttributeDefinition(name = "Consumer batch size", description = "Most entries read or claimed per command")
    @OldName("consumerBatchSize")
    int consumer_batch_size() default 64;

    @AttributeDefinition(name = "Consumer block time (ms)",
            description = "How long one read waits for new entries; below the socket time-out")
    @OldName("consumerBlockMillis")
    int consumer_block_ms() default 1_000;

    @AttributeDefinition(name = "Claim idle time (ms)", description = "Entries pending longer than this are "
            + "claimed from the consumer holding them (dead, or its processing failed) and processed again")
    @OldName("claimIdleMillis")
    long claim_idle_ms() default 30_000;

    @AttributeDefinition(name = "Deliveries before dead letter",
            description = "An entry delivered this often without being acknowledged goes to the dead-letter stream")
    @OldName("maxDeliveries")
    int max_deliveries() default 5;

    @AttributeDefinition(name = "Dead-letter stream", required = false,
            description = "Stream for entries that exceeded the deliveries; empty for the stream key + ':dead'")
    @OldName("deadLetterStream")
    String dead_letter_stream() default "";
}
