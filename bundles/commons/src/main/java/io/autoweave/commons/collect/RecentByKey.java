package io.autoweave.commons.collect;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The value last put for each key, for at most {@code capacity} keys: when a new key would exceed it, the key used
 * least recently (put or read) is forgotten. For memories whose keys come from outside and are not bounded by the
 * code, such as the last device seen on each USB port (a port path per enumeration of virtual or USB/IP buses would
 * otherwise grow it without end). Thread-safe; every operation takes one lock.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class RecentByKey<K, V> {
    private final int capacity;
    private final LinkedHashMap<K, V> map;

    public RecentByKey(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.map = new LinkedHashMap<>(Math.min(capacity, 64), 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > RecentByKey.this.capacity;
            }
        };
    }

    /** Remembers {@code value} for {@code key} (null values are not kept: the key is forgotten). */
    public synchronized void put(K key, V value) {
        if (value == null) {
            map.remove(key);
        } else {
            map.put(key, value);
        }
    }

    /** The value last put for {@code key}, if it is still remembered. */
    public synchronized Optional<V> get(K key) {
        return Optional.ofNullable(map.get(key));
    }

    /** Keys remembered now (at most the capacity). */
    public synchronized int size() {
        return map.size();
    }

    public int capacity() {
        return capacity;
    }
}
