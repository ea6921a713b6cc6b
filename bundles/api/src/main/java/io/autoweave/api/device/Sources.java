package io.autoweave.api.device;

import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * The source names of an event ({@link UsbEvent#sources()}): immutable sets that iterate in the order the sources
 * reported (first reporter first) and hold no null.
 * <p>
 * Every connected device keeps such a set in the registry, the merger and the event log's connected state, so they
 * are compact (an array, not a hash set) and the few combinations a runtime sees ({@code [libusb, udev]},
 * {@code [udev]}, ...) are shared instances: a small table (64 slots, by hash; a new ordering takes the slot of
 * an older one that hashes alike) remembers the orderings seen last, so arbitrary names (a replay file) cannot grow
 * it and the common ones stay shared. Equality is the {@link Set} contract (order does not matter).
 *
 * @since 1.4
 */
public final class Sources {

    /** Slots of the table of shared orderings (a power of two). */
    static final int SHARED = 64;

    private static final Ordered NONE = new Ordered(new String[0]);
    /**
     * Written and read without locks: an {@link Ordered} is immutable with a final array, so a racing reader sees
     * either a complete set or another one; a lost write only costs a copy.
     */
    private static final Ordered[] SHARED_SETS = new Ordered[SHARED];

    private Sources() {
    }

    /**
     * The names of {@code names} in their iteration order, each once.
     *
     * @throws NullPointerException if {@code names} or a name in it is null
     */
    public static Set<String> of(Collection<String> names) {
        if (names instanceof Ordered o) {
            return o;
        }
        String[] a = new String[names.size()];
        int n = 0;
        for (String s : names) {
            Objects.requireNonNull(s, "a source name is null");
            if (!contains(a, n, s)) {
                if (n == a.length) { // a concurrently growing collection
                    a = Arrays.copyOf(a, n + 1);
                }
                a[n++] = s;
            }
        }
        return shared(n == a.length ? a : Arrays.copyOf(a, n));
    }

    /** {@code first}'s names in their order, then those of {@code more} not in it yet, in {@code more}'s order. */
    public static Set<String> union(Set<String> first, Collection<String> more) {
        Set<String> base = of(first);
        int missing = 0;
        for (String s : more) {
            if (!base.contains(Objects.requireNonNull(s, "a source name is null"))) {
                missing++;
            }
        }
        if (missing == 0) {
            return base;
        }
        String[] a = Arrays.copyOf(((Ordered) base).names, base.size() + missing);
        int n = base.size();
        for (String s : more) {
            if (!contains(a, n, s) && n < a.length) {
                a[n++] = s;
            }
        }
        return shared(n == a.length ? a : Arrays.copyOf(a, n));
    }

    private static boolean contains(String[] a, int n, String s) {
        for (int i = 0; i < n; i++) {
            if (a[i].equals(s)) {
                return true;
            }
        }
        return false;
    }

    private static Ordered shared(String[] names) {
        if (names.length == 0) {
            return NONE;
        }
        int slot = Arrays.hashCode(names) & (SHARED - 1);
        Ordered known = SHARED_SETS[slot];
        if (known != null && Arrays.equals(known.names, names)) {
            return known;
        }
        Ordered fresh = new Ordered(names);
        SHARED_SETS[slot] = fresh;
        return fresh;
    }

    /** An immutable set over an array that is never written after construction. */
    private static final class Ordered extends AbstractSet<String> {
        final String[] names;

        Ordered(String[] names) {
            this.names = names;
        }

        @Override
        public int size() {
            return names.length;
        }

        @Override
        public boolean contains(Object o) {
            for (String s : names) {
                if (s.equals(o)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public Iterator<String> iterator() {
            return new Iterator<>() {
                private int i;

                @Override
                public boolean hasNext() {
                    return i < names.length;
                }

                @Override
                public String next() {
                    if (i >= names.length) {
                        throw new NoSuchElementException();
                    }
                    return names[i++];
                }
            };
        }

        @Override
        public boolean add(String s) {
            throw new UnsupportedOperationException("source sets are immutable");
        }

        @Override
        public boolean remove(Object o) {
            throw new UnsupportedOperationException("source sets are immutable");
        }

        @Override
        public void clear() {
            throw new UnsupportedOperationException("source sets are immutable");
        }

        @Override
        public boolean removeAll(Collection<?> c) {
            throw new UnsupportedOperationException("source sets are immutable");
        }

        @Override
        public boolean retainAll(Collection<?> c) {
            throw new UnsupportedOperationException("source sets are immutable");
        }

        @Override
        public boolean addAll(Collection<? extends String> c) {
            throw new UnsupportedOperationException("source sets are immutable");
        }
    }
}
