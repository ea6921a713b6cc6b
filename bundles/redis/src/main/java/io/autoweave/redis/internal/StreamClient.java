package io.autoweave.redis.internal;

import java.io.Closeable;
import java.util.List;
import java.util.Map;

/**
 * The little the publisher needs from Redis, so single-node and cluster deployments share one publisher.
 * Implementations throw {@link redis.clients.jedis.exceptions.JedisException} (unchecked) when Redis cannot be
 * reached or refuses a command.
 */
interface StreamClient extends Closeable {

    /**
     * Appends {@code entries} to {@code stream} in order, in one round trip: a single XADD for one entry, one
     * atomic batch otherwise. If it fails, Redis holds none or a prefix of {@code entries}, never a later entry
     * without an earlier one. Returns only when Redis has answered.
     *
     * @param maxLen approximate {@code MAXLEN ~} bound applied with each XADD; 0 or less for none
     * @return the entry ids Redis assigned, in order
     */
    List<String> xadd(String stream, List<Map<String, String>> entries, long maxLen);

    /**
     * Appends those {@code entries} whose seq is above the seq stored at {@code seqKey}, in order, atomically, and
     * stores the highest seq: exactly once per seq, however often a round is retried.
     *
     * @return how many entries were added (the others were there already)
     */
    int appendOnce(String stream, String seqKey, List<Long> seqs, List<Map<String, String>> entries, long maxLen);

    @Override
    void close();
}
