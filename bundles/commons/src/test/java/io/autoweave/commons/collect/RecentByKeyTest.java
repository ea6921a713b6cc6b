package io.autoweave.commons.collect;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.Optional;

import org.junit.Test;

public class RecentByKeyTest {

    @Test
    public void keepsAtMostTheCapacityForgettingTheLeastRecentlyUsed() {
        RecentByKey<String, Integer> m = new RecentByKey<>(3);
        m.put("1-1", 1);
        m.put("1-2", 2);
        m.put("1-3", 3);
        assertEquals(Optional.of(1), m.get("1-1")); // used: now the most recent
        m.put("1-4", 4);
        assertEquals(3, m.size());
        assertTrue("the least recently used went", m.get("1-2").isEmpty());
        assertEquals(Optional.of(1), m.get("1-1"));
        for (int i = 0; i < 100_000; i++) {
            m.put("9-" + i, i);
        }
        assertEquals(3, m.size());
        assertEquals(Optional.of(99_999), m.get("9-99999"));
    }

    @Test
    public void aNullValueForgetsTheKeyAndABadCapacityIsRefused() {
        RecentByKey<String, String> m = new RecentByKey<>(2);
        m.put("a", "x");
        m.put("a", null);
        assertTrue(m.get("a").isEmpty());
        assertEquals(0, m.size());
        assertThrows(IllegalArgumentException.class, () -> new RecentByKey<String, String>(0));
    }
}
