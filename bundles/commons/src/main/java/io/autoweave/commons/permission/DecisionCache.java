package io.autoweave.commons.permission;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Permission answers per (bundle, target), each valid while the generation it was made in is current.
 *
 * <p>Why it is correct: the generation is read <em>before</em> the check runs, and its provider moves it only
 * <em>after</em> a change took effect. An answer computed across a change is therefore stored under the old
 * generation and never served once the change is visible: the very next {@link #decide} after the move asks again.
 *
 * <p>Targets must have value equality (equals/hashCode) over exactly what the check depends on, e.g. a
 * {@link java.security.Permission} whose equality is its name and actions. A bundle keeps at most
 * {@code maxTargetsPerBundle} answers; when it would hold more, its answers are dropped and collected again (the
 * set of targets is small in practice: device kinds, topics).
 *
 * @param <T> the permission target
 */
public final class DecisionCache<T> {

    /** What {@link LongSupplier generation} returns when no generation is known: nothing is cached. */
    public static final long UNKNOWN = Long.MIN_VALUE;

    private static final class Slot<T> {
        final long generation;
        final Map<T, Boolean> answers = new ConcurrentHashMap<>();

        Slot(long generation) {
            this.generation = generation;
        }
    }

    private final LongSupplier generation;
    private final int maxTargetsPerBundle;
    private final Map<Long, Slot<T>> slots = new ConcurrentHashMap<>();

    /**
     * @param generation the current generation, {@link #UNKNOWN} when there is none (then every decision is asked)
     * @param maxTargetsPerBundle answers kept per bundle before they are dropped and collected again
     */
    public DecisionCache(LongSupplier generation, int maxTargetsPerBundle) {
        if (maxTargetsPerBundle < 1) {
            throw new IllegalArgumentException("maxTargetsPerBundle must be >= 1: " + maxTargetsPerBundle);
        }
        this.generation = Objects.requireNonNull(generation, "generation");
        this.maxTargetsPerBundle = maxTargetsPerBundle;
    }

    /**
     * The answer of {@code check} for {@code target} in bundle {@code bundleId}: the cached one when it was made in
     * the current generation, otherwise {@code check}'s, remembered.
     */
    public boolean decide(long bundleId, T target, Predicate<? super T> check) {
        long g = generation.getAsLong();
        if (g == UNKNOWN) {
            return check.test(target);
        }
        Slot<T> slot = slots.get(bundleId);
        if (slot == null || slot.generation != g) {
            Slot<T> fresh = new Slot<>(g);
            // keep whichever slot is newer if another thread raced us to replace it
            slot = slots.merge(bundleId, fresh, (old, mine) -> old.generation == g ? old : mine);
        }
        Boolean known = slot.answers.get(target);
        if (known != null) {
            return known;
        }
        boolean answer = check.test(target);
        if (slot.answers.size() >= maxTargetsPerBundle) {
            slot.answers.clear();
        }
        slot.answers.put(target, answer);
        return answer;
    }

    /** Drops what is known about {@code bundleId} (its last user of the cache left). */
    public void forget(long bundleId) {
        slots.remove(bundleId);
    }

    /** Answers currently kept, over every bundle (for metrics and tests). */
    public int size() {
        return slots.values().stream().mapToInt(s -> s.answers.size()).sum();
    }
}
