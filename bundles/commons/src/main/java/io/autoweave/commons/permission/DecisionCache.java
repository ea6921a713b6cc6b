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

    private record Last<T>(long generation, T target, boolean answer) {
    }

    private static final class Slot<T> {
        final long generation;
        final Map<T, Boolean> answers = new ConcurrentHashMap<>();

        Slot(long generation) {
            this.generation = generation;
        }
    }

    /**
     * The answers of one bundle: hold on to it (one per bundle) to spare the lookup by bundle id on every decision.
     */
    public final class Decider {
        private volatile Slot<T> slot;
        /** The last answer given: events come in runs of one device kind, so most decisions are this one. */
        private volatile Last<T> last;

        private Decider() {
        }

        /** As {@link DecisionCache#decide}, for this decider's bundle. */
        public boolean decide(T target, Predicate<? super T> check) {
            return decide(generation.getAsLong(), target, check);
        }

        /**
         * As {@link #decide(Object, Predicate)} with the generation the caller read (by {@link
         * DecisionCache#generation()}) just before: one read per event for all the bundles it goes to.
         */
        public boolean decide(long g, T target, Predicate<? super T> check) {
            if (g == UNKNOWN) {
                return check.test(target);
            }
            Last<T> l = last;
            if (l != null && l.generation == g && (l.target == target || l.target.equals(target))) {
                return l.answer;
            }
            boolean answer = lookUp(g, target, check);
            last = new Last<>(g, target, answer);
            return answer;
        }

        private boolean lookUp(long g, T target, Predicate<? super T> check) {
            Slot<T> s = slot;
            if (s == null || s.generation != g) {
                // a racing thread may put back an older slot: its next call sees the newer generation and replaces
                // it; answers are only ever stored under the generation read before their check ran
                s = new Slot<>(g);
                slot = s;
            }
            Boolean known = s.answers.get(target);
            if (known != null) {
                return known;
            }
            boolean answer = check.test(target);
            if (s.answers.size() >= maxTargetsPerBundle) {
                s.answers.clear();
            }
            s.answers.put(target, answer);
            return answer;
        }

        int size() {
            Slot<T> s = slot;
            return s == null ? 0 : s.answers.size();
        }
    }

    private final LongSupplier generation;
    private final int maxTargetsPerBundle;
    private final Map<Long, Decider> deciders = new ConcurrentHashMap<>();
    private final Map<T, T> canonical = new ConcurrentHashMap<>();

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

    /** The current generation, {@link #UNKNOWN} when there is none; read it before deciding, never after. */
    public long generation() {
        return generation.getAsLong();
    }

    /**
     * An instance equal to {@code target} that this cache has seen before, or {@code target} itself: callers that
     * build a new target per event pass it through here once, so each bundle's decision is an identity check.
     */
    public T canonical(T target) {
        T known = canonical.putIfAbsent(target, target);
        if (known != null) {
            return known;
        }
        if (canonical.size() > maxTargetsPerBundle) {
            canonical.clear();
        }
        return target;
    }

    /** The decider of bundle {@code bundleId} (the same one until {@link #forget}). */
    public Decider decider(long bundleId) {
        return deciders.computeIfAbsent(bundleId, id -> new Decider());
    }

    /**
     * The answer of {@code check} for {@code target} in bundle {@code bundleId}: the cached one when it was made in
     * the current generation, otherwise {@code check}'s, remembered.
     */
    public boolean decide(long bundleId, T target, Predicate<? super T> check) {
        return decider(bundleId).decide(target, check);
    }

    /** Drops what is known about {@code bundleId} (its last user of the cache left). */
    public void forget(long bundleId) {
        deciders.remove(bundleId);
    }

    /** Answers currently kept, over every bundle (for metrics and tests). */
    public int size() {
        return deciders.values().stream().mapToInt(Decider::size).sum();
    }
}
