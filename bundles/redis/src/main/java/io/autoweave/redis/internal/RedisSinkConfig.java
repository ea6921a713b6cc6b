package io.autoweave.redis.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of the Redis stream sink and of the consumer-group bridge (PID {@code io.autoweave.redis}, shared
 * by both components): the single home of their defaults. With no endpoints (the default) events are journaled
 * locally only and nothing talks to Redis.
 */
@ObjectClassDefinition(name = "AutoWeave Redis stream sink",
        description = "Journals every USB event to a local outbox and publishes it to a Redis stream, at least once; "
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
    int timeoutMillis() default 2000;

    @AttributeDefinition(name = "Stream", description = "Stream key the events are added to")
    String stream() default "aw:hotplug";

    @AttributeDefinition(name = "Approximate MAXLEN", description = "XADD MAXLEN ~ bound; 0 keeps everything")
    long maxLen() default 100_000;

    @AttributeDefinition(name = "Batch size", description = "Most events sent in one round trip")
    int batchMax() default 256;


    @AttributeDefinition(name = "First retry delay (ms)")
    long backoffBaseMillis() default 100;

    @AttributeDefinition(name = "Retry delay cap (ms)")
    long backoffMaxMillis() default 30_000;

    @AttributeDefinition(name = "Breaker threshold", description = "Consecutive failures that open the breaker")
    int breakerFailures() default 5;

    @AttributeDefinition(name = "Breaker open time (ms)")
    long breakerOpenMillis() default 5_000;

    @AttributeDefinition(name = "Consumer group", description = "Consumer group the bridge reads the stream in; "
            + "every runtime instance sharing it splits the entries")
    String consumerGroup() default "autoweave";

    @AttributeDefinition(name = "Consumer name", required = false,
            description = "This instance's name in the group; empty for the instance id")
    String consumerName() default "";

    @AttributeDefinition(name = "Consumer batch size", description = "Most entries read or claimed per command")
    int consumerBatchSize() default 64;

    @AttributeDefinition(name = "Consumer block time (ms)",
            description = "How long one read waits for new entries; below the socket time-out")
    int consumerBlockMillis() default 1_000;

    @AttributeDefinition(name = "Claim idle time (ms)", description = "Entries pending longer than this are "
            + "claimed from the consumer holding them (dead, or its processing failed) and processed again")
    long claimIdleMillis() default 30_000;

    @AttributeDefinition(name = "Deliveries before dead letter",
            description = "An entry delivered this often without being acknowledged goes to the dead-letter stream")
    int maxDeliveries() default 5;

    @AttributeDefinition(name = "Dead-letter stream", required = false,
            description = "Stream for entries that exceeded the deliveries; empty for the stream key + ':dead'")
    String deadLetterStream() default "";
}
