package io.autoweave.redis.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.resps.StreamEntry;

/** Counts what consumers processed, per event id, and reads streams whole. */
final class BridgeFixture {
    /** event id → how many times a handler accepted it, across every bridge sharing this fixture. */
    final Map<String, AtomicInteger> accepted = new ConcurrentHashMap<>();

    ConsumerBridge.EntryHandler recorder() {
        return (id, fields) -> accepted.computeIfAbsent(StreamEntries.toEvent(fields).eventId(),
                k -> new AtomicInteger()).incrementAndGet();
    }

    int acceptedTotal() {
        return accepted.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** Event ids accepted other than exactly once. */
    Map<String, Integer> notExactlyOnce(List<String> expected) {
        Map<String, Integer> wrong = new java.util.TreeMap<>();
        for (String id : expected) {
            AtomicInteger n = accepted.get(id);
            if (n == null || n.get() != 1) {
                wrong.put(id, n == null ? 0 : n.get());
            }
        }
        return wrong;
    }

    static BridgeSettings settings(String stream, String consumer, long claimIdleMillis, int maxDeliveries) {
        return new BridgeSettings(stream, "itest-group", consumer, 50, 200, claimIdleMillis, maxDeliveries,
                stream + ":dead");
    }

    static List<StreamEntry> readAll(UnifiedJedis jedis, String stream) {
        List<StreamEntry> all = new ArrayList<>();
        StreamEntryID from = new StreamEntryID(0, 0);
        while (true) {
            List<StreamEntry> page = jedis.xrange(stream, from, (StreamEntryID) null, 5000);
            if (page.isEmpty()) {
                return all;
            }
            all.addAll(page);
            StreamEntryID last = page.get(page.size() - 1).getID();
            from = new StreamEntryID(last.getTime(), last.getSequence() + 1);
        }
    }
}
