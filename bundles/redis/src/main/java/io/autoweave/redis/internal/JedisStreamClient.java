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

    /**
     * Like {@link #BATCH_XADD}, but each entry carries its event log seq and is added only when it is newer than the
     * seq stored in KEYS[2] (this instance's last published seq), which the script then moves: a round retried after
     * Redis applied it (the answer was lost, the runtime was killed before its cursor was saved) adds nothing twice.
     * KEYS[2] shares the stream's hash slot, so a cluster runs it on one node. ARGV: maxLen, then per entry the seq,
     * the count of field/value strings, and them. Returns how many entries were added.
     */
    static final String BATCH_XADD_ONCE = String.join("\n",
            "local maxlen = ARGV[1]",
            "local trim = tonumber(maxlen) > 0",
            "local last = tonumber(redis.call('GET', KEYS[2]) or '0')",
            "local added = 0",
            "local i = 2",
            "while i <= #ARGV do",
            "  local seq = tonumber(ARGV[i])",
            "  local n = tonumber(ARGV[i + 1])",
            "  if seq > last then",
            "    local cmd = {'XADD', KEYS[1]}",
            "    if trim then cmd[3] = 'MAXLEN'; cmd[4] = '~'; cmd[5] = maxlen end",
            "    cmd[#cmd + 1] = '*'",
            "    for j = i + 2, i + 1 + n do cmd[#cmd + 1] = ARGV[j] end",
            "    redis.call(unpack(cmd))",
            "    last = seq",
            "    added = added + 1",
            "  end",
            "  i = i + n + 2",
            "end",
            "redis.call('SET', KEYS[2], tostring(last))",
            "return added");

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
    public int appendOnce(String stream, String seqKey, List<Long> seqs, List<Map<String, String>> entries,
            long maxLen) {
        List<String> args = new ArrayList<>(1 + entries.size() * 42);
        args.add(Long.toString(maxLen));
        for (int k = 0; k < entries.size(); k++) {
            Map<String, String> entry = entries.get(k);
            args.add(Long.toString(seqs.get(k)));
            args.add(Integer.toString(entry.size() * 2));
            for (Map.Entry<String, String> field : entry.entrySet()) {
                args.add(field.getKey());
                args.add(field.getValue());
            }
        }
        Object reply = connection.get().eval(BATCH_XADD_ONCE, List.of(stream, seqKey), args);
        return reply instanceof Number n ? n.intValue() : Integer.parseInt(String.valueOf(reply));
    }

    @Override
    public void close() {
        connection.close();
    }
}
