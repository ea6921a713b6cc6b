package io.autoweave.commons.permission;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.Test;

public class DecisionCacheTest {

    private final AtomicLong generation = new AtomicLong(7);
    private final AtomicBoolean allowed = new AtomicBoolean(true);
    private final AtomicInteger asked = new AtomicInteger();
    private final DecisionCache<String> cache = new DecisionCache<>(generation::get, 4);

    private boolean check(String target) {
        asked.incrementAndGet();
        return allowed.get();
    }

    @Test
    public void anAnswerIsAskedOncePerBundleAndTargetWhileTheGenerationStays() {
        for (int i = 0; i < 100; i++) {
            assertTrue(cache.decide(1, "a", this::check));
        }
        assertEquals(1, asked.get());
        cache.decide(2, "a", this::check);
        cache.decide(1, "b", this::check);
        assertEquals(3, asked.get());
    }

    @Test
    public void aNewGenerationIsSeenByTheVeryNextDecision() {
        assertTrue(cache.decide(1, "a", this::check));
        allowed.set(false);
        assertTrue("same generation: the remembered answer", cache.decide(1, "a", this::check));
        generation.incrementAndGet();
        assertFalse(cache.decide(1, "a", this::check));
    }

    @Test
    public void anAnswerComputedAcrossAChangeIsNeverServedAfterIt() {
        // the check runs while the policy changes: its (old) answer is stored under the old generation
        assertTrue(cache.decide(1, "a", t -> {
            boolean old = allowed.get();
            allowed.set(false);
            generation.incrementAndGet();
            return old;
        }));
        assertFalse(cache.decide(1, "a", this::check));
    }

    @Test
    public void withoutAGenerationEveryDecisionIsAsked() {
        generation.set(DecisionCache.UNKNOWN);
        cache.decide(1, "a", this::check);
        cache.decide(1, "a", this::check);
        assertEquals(2, asked.get());
        assertEquals(0, cache.size());
    }

    @Test
    public void aBundleKeepsAtMostTheGivenNumberOfAnswers() {
        for (int i = 0; i < 10; i++) {
            cache.decide(1, "t" + i, this::check);
        }
        assertTrue(cache.size() <= 4);
        cache.forget(1);
        assertEquals(0, cache.size());
    }

    @Test
    public void equalTargetsAreHandedBackAsTheFirstInstanceSoDecisionsCompareIdentity() {
        String first = new String("kind");
        String second = new String("kind");
        assertTrue(first == cache.canonical(first));
        assertTrue(first == cache.canonical(second));
    }

    @Test
    public void aDecisionWithTheCallersGenerationReadIsValidOnlyForThatGeneration() {
        DecisionCache<String>.Decider d = cache.decider(1);
        long g = cache.generation();
        assertTrue(d.decide(g, "a", this::check));
        allowed.set(false);
        assertTrue(d.decide(g, "a", this::check));
        generation.incrementAndGet();
        assertFalse(d.decide(cache.generation(), "a", this::check));
        assertEquals(2, asked.get());
    }
}
