package io.autoweave.redis.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.XAddParams;

/**
 * {@link StreamClient} over Jedis' {@link UnifiedJedis} (see {@link RedisConnection}: a pool for one node, a
 * cluster client for a cluster). A batch is one EVAL on the stream's key, which a cluster client routes by the key's slot.
 */
final class JedisStreamClient implements StreamClient {
    /**
     * XADDs a whole batch inside one script: one round trip, and atomic, so Redis applies either all of it or (if
     * a command fails midway) a prefix of it. A plain pipeline cannot promise that: right after a restart the first
     * XADDs of a pipeline can be refused with LOADING while later ones succeed, which reorders the stream (seen in
     * the kill -9 test). ARGV: maxLen, then per entry the count of field/value strings followed by them.
     */
    static final String BATCH_XADD = String.join("\n",
            "local maxlen = ARGV[1]",
            "local trim = tonumber(maxlen) > 0",
            "local ids = {}",
            "local i = 2",
            "while i <= #ARGV do",
            "  local n = tonumber(ARGV[i])",
            "  local cmd = {'XADD', KEYS[1]}",
            "  if trim then cmd[3] = 'MAXLEN'; cmd[4] = '~'; cmd[5] = maxlen end",
            "  cmd[#cmd + 1] = '*'",
            "  for j = i + 1, i + n do cmd[#cmd + 1] = ARGV[j] end",
            "  ids[#ids + 1] = redis.call(unpack(cmd))",
            "  i = i + n + 1",
            "end",
            "return ids");

    private final RedisConnection connection;

    JedisStreamClient(RedisConnection connection) {
        this.connection = connection;
    }

    static JedisStreamClient single(HostAndPort node, JedisClientConfig config) {
        return new JedisStreamClient(RedisConnection.single(node, config));
    }

    /** A cluster client; it connects on first use, so a cluster that is down now does not fail construction. */
    static JedisStreamClient cluster(Set<HostAndPort> seeds, JedisClientConfig config) {
        return new JedisStreamClient(RedisConnection.cluster(seeds, config));
    }

    static JedisClientConfig config(int timeoutMillis, String user, String password) {
        DefaultJedisClientConfig.Builder b = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(timeoutMillis)
                .socketTimeoutMillis(timeoutMillis)
                .clientName("autoweave-redis");
        if (password != null && !password.isEmpty()) {
            b.user(user == null || user.isEmpty() ? null : user).password(password);
        }
        return b.build();
    }

    private static XAddParams params(long maxLen) {
        XAddParams params = XAddParams.xAddParams();
        if (maxLen > 0) {
            params.maxLen(maxLen).approximateTrimming();
        }
        return params;
    }

    @Override
    public List<String> xadd(String stream, List<Map<String, String>> entries, long maxLen) {
        UnifiedJedis jedis = connection.get();
        if (entries.size() == 1) {
            return List.of(jedis.xadd(stream, params(maxLen), entries.get(0)).toString());
        }
        List<String> args = new ArrayList<>(1 + entries.size() * 40);
        args.add(Long.toString(maxLen));
        for (Map<String, String> entry : entries) {
            args.add(Integer.toString(entry.size() * 2));
            for (Map.Entry<String, String> field : entry.entrySet()) {
                args.add(field.getKey());
                args.add(field.getValue());
            }
        }
        Object reply = jedis.eval(BATCH_XADD, List.of(stream), args);
        List<String> ids = new ArrayList<>(entries.size());
        for (Object id : (List<?>) reply) {
            ids.add(id instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(id));
        }
        return ids;
    }

    @Override
    public void close() {
        connection.close();
    }
}
