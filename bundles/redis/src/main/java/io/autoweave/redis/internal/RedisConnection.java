package io.autoweave.redis.internal;

import java.io.Closeable;
import java.util.Set;
import java.util.function.Supplier;

import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * One Redis client ({@link JedisPooled} for a node, {@link JedisCluster} for a cluster), created on first use.
 * Creating a {@link JedisCluster} contacts the seeds, so it fails while the cluster is down: doing that lazily
 * keeps components activating (and the runtime ready) without Redis, and the first use that succeeds connects.
 */
final class RedisConnection implements Closeable {
    private final Supplier<UnifiedJedis> factory;
    private UnifiedJedis jedis;
    private boolean closed;

    RedisConnection(Supplier<UnifiedJedis> factory) {
        this.factory = factory;
    }

    static RedisConnection single(HostAndPort node, JedisClientConfig config) {
        return new RedisConnection(() -> new JedisPooled(node, config));
    }

    static RedisConnection cluster(Set<HostAndPort> seeds, JedisClientConfig config) {
        return new RedisConnection(() -> new JedisCluster(seeds, config));
    }

    /** The client, created now if needed; throws {@link JedisException} when Redis cannot be reached yet. */
    synchronized UnifiedJedis get() {
        if (closed) {
            throw new JedisException("connection closed");
        }
        if (jedis == null) {
            jedis = factory.get();
        }
        return jedis;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (jedis != null) {
            jedis.close();
            jedis = null;
        }
    }
}
