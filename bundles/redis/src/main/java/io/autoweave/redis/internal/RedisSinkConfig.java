package io.autoweave.redis.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the Redis stream sink: the single home of its defaults. */
@ObjectClassDefinition(name = "AutoWeave Redis stream sink",
        description = "Journals every USB event to a local outbox and publishes it to a Redis stream, at least once.")
@interface RedisSinkConfig {

    @AttributeDefinition(name = "Endpoints", description = "host:port of the Redis node, or cluster seed nodes")
    String[] endpoints() default {"127.0.0.1:6379"};

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

    @AttributeDefinition(name = "Outbox directory",
            description = "Where the journal lives; empty for the bundle's persistent data area")
    String outboxDir() default "";

    @AttributeDefinition(name = "Outbox size bound (bytes)",
            description = "Appends are rejected (and counted) while the journal holds this much")
    long outboxMaxBytes() default 256L * 1024 * 1024;

    @AttributeDefinition(name = "Segment size (bytes)", description = "Journal segment file size; at most half the bound")
    long segmentBytes() default 16L * 1024 * 1024;

    @AttributeDefinition(name = "First retry delay (ms)")
    long backoffBaseMillis() default 100;

    @AttributeDefinition(name = "Retry delay cap (ms)")
    long backoffMaxMillis() default 30_000;

    @AttributeDefinition(name = "Breaker threshold", description = "Consecutive failures that open the breaker")
    int breakerFailures() default 5;

    @AttributeDefinition(name = "Breaker open time (ms)")
    long breakerOpenMillis() default 5_000;
}
