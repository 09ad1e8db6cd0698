package dev.ferry.store;

import java.util.Arrays;
import java.util.function.Consumer;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The table inside a large hash, set or sorted set (Redis's dict for OBJ_ENCODING_HT and the dict of a
 * skiplist zset): chained buckets, incremental rehashing in steps paid by each operation, Redis's reverse-binary
 * SCAN cursor and fair random picks.
 *
 * <p>The nodes are the caller's own subclasses of {@link Node}, so a member costs one object (plus its bytes):
 * a hash field node holds its value, a set member node nothing more, a sorted-set node its score and skiplist
 * links. Why not {@link Dict}: its entries carry what only keys need (TTL, LRU clock, a {@link Value}).
 *
 * <p>Snapshots: the table's buckets are the unit a point-in-time snapshot of a large value will capture
 * incrementally (ARCHITECTURE.md, "Large values and snapshots"); every structural change goes through
 * {@link #add} and {@link #remove}, and the owners change a node's fields only through their own methods.
 */
public final class HashTable<N extends HashTable.Node> {

    /** A member of the table: its key bytes (never changed) and the chain link. */
    public abstract static class Node {
        public final byte[] key;
        final int hash;
        Node next;

        protected Node(byte[] key) {
            this.key = key;
            this.hash = Dict.hash(key);
        }

        /** A node whose key's hash the caller has already computed ({@link Dict#hash}). */
        protected Node(byte[] key, int hash) {
            this.key = key;
            this.hash = hash;
        }
    }

    private static final int INITIAL_SIZE = 4;

    private Node[] t0 = new Node[INITIAL_SIZE];
    private Node[] t1;
    private int used0, used1;
    /** Next bucket of t0 to move into t1; -1 when not rehashing. */
    private int rehashIdx = -1;

    public int size() {
        return used0 + used1;
    }

    /** Buckets in both tables (what Redis's dictSlots reports, and what bounds a SCAN walk). */
    public int buckets() {
        return t0.length + (t1 == null ? 0 : t1.length);
    }

    @SuppressWarnings("unchecked")
    public N find(byte[] key) {
        if (size() == 0) return null;
        int h = Dict.hash(key);
        rehashStep();
        for (Node e = t0[h & (t0.length - 1)]; e != null; e = e.next) {
            if (e.hash == h && Arrays.equals(e.key, key)) return (N) e;
        }
        if (t1 != null) {
            for (Node e = t1[h & (t1.length - 1)]; e != null; e = e.next) {
                if (e.hash == h && Arrays.equals(e.key, key)) return (N) e;
            }
        }
        return null;
    }

    /** Adds a node whose key the caller knows to be absent. */
    public void add(N node) {
        rehashStep();
        if (t1 == null && used0 >= t0.length && t0.length < (1 << 30)) startRehash(t0.length * 2);
        Node[] tab;
        if (t1 != null) {
            tab = t1;
            used1++;
        } else {
            tab = t0;
            used0++;
        }
        int idx = node.hash & (tab.length - 1);
        node.next = tab[idx];
        tab[idx] = node;
    }

    /** Removes the member; returns its node, or null when absent. Shrinks a table that became sparse. */
    @SuppressWarnings("unchecked")
    public N remove(byte[] key) {
        if (size() == 0) return null;
        int h = Dict.hash(key);
        rehashStep();
        Node removed = unlink(t0, h, key);
        if (removed != null) used0--;
        else if (t1 != null && (removed = unlink(t1, h, key)) != null) used1--;
        if (removed != null) shrinkIfSparse();
        return (N) removed;
    }

    /**
     * Puts {@code replacement} where {@code old} is (same key, so same bucket): one chain walk, no resize
     * (a sorted set's score change, which replaces the member's node).
     */
    public void replace(N old, N replacement) {
        rehashStep();
        if (!replaceIn(t0, old, replacement) && (t1 == null || !replaceIn(t1, old, replacement))) {
            throw new IllegalStateException("replace of a node that is not in the table");
        }
    }

    private static boolean replaceIn(Node[] tab, Node old, Node replacement) {
        int idx = old.hash & (tab.length - 1);
        Node prev = null;
        for (Node e = tab[idx]; e != null; prev = e, e = e.next) {
            if (e == old) {
                replacement.next = old.next;
                if (prev == null) tab[idx] = replacement;
                else prev.next = replacement;
                old.next = null;
                return true;
            }
        }
        return false;
    }

    private static Node unlink(Node[] tab, int h, byte[] key) {
        int idx = h & (tab.length - 1);
        Node prev = null;
        for (Node e = tab[idx]; e != null; prev = e, e = e.next) {
            if (e.hash == h && Arrays.equals(e.key, key)) {
                if (prev == null) tab[idx] = e.next;
                else prev.next = e.next;
                e.next = null;
                return e;
            }
        }
        return null;
    }

    /**
     * Redis's dictScan: visits the buckets at the cursor and returns the next cursor (0 when done). The cursor's
     * bits are incremented from the high end, so members present for the whole walk are reported at least once
     * even across a resize.
     */
    @SuppressWarnings("unchecked")
    public long scan(long cursor, Consumer<N> fn) {
        if (size() == 0) return 0;
        long v = cursor;
        if (t1 == null) {
            long m0 = t0.length - 1;
            visitChain(t0[(int) (v & m0)], fn);
            v = Long.reverse(Long.reverse(v | ~m0) + 1);
        } else {
            Node[] small = t0, large = t1;
            if (small.length > large.length) {
                small = t1;
                large = t0;
            }
            long m0 = small.length - 1, m1 = large.length - 1;
            visitChain(small[(int) (v & m0)], fn);
            do {
                visitChain(large[(int) (v & m1)], fn);
                v = Long.reverse(Long.reverse(v | ~m1) + 1);
            } while ((v & (m0 ^ m1)) != 0);
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    private void visitChain(Node e, Consumer<N> fn) {
        while (e != null) {
            Node next = e.next;
            fn.accept((N) e);
            e = next;
        }
    }

    /** Visits every node; fn must not change the table. */
    @SuppressWarnings("unchecked")
    public void forEach(Consumer<N> fn) {
        for (Node head : t0) for (Node e = head; e != null; e = e.next) fn.accept((N) e);
        if (t1 != null) for (Node head : t1) for (Node e = head; e != null; e = e.next) fn.accept((N) e);
    }

    /** The nodes in table order, for loops that throw (writers); the table must not change during the walk. */
    public Iterable<N> nodes() {
        return () -> new java.util.Iterator<N>() {
            private Node[] tab = t0;
            private int bucket = -1;
            private Node next = advance(null);

            private Node advance(Node from) {
                if (from != null && from.next != null) return from.next;
                while (tab != null) {
                    while (++bucket < tab.length) if (tab[bucket] != null) return tab[bucket];
                    tab = tab == t0 ? t1 : null;
                    bucket = -1;
                }
                return null;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            @SuppressWarnings("unchecked")
            public N next() {
                if (next == null) throw new java.util.NoSuchElementException();
                Node n = next;
                next = advance(n);
                return (N) n;
            }
        };
    }

    /**
     * A random member, or null when empty: a random non-empty bucket, then a random node of its chain (Redis's
     * dictGetFairRandomKey is fairer for long chains; chains here stay short because the table doubles at
     * load factor 1).
     */
    @SuppressWarnings("unchecked")
    public N random() {
        if (size() == 0) return null;
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        Node head;
        do {
            if (t1 != null) {
                int n0 = t0.length, n1 = t1.length;
                int i = rehashIdx + rnd.nextInt(n0 + n1 - rehashIdx);
                head = i >= n0 ? t1[i - n0] : t0[i];
            } else {
                head = t0[rnd.nextInt(t0.length)];
            }
        } while (head == null);
        int len = 0;
        for (Node e = head; e != null; e = e.next) len++;
        Node e = head;
        for (int pick = rnd.nextInt(len); pick > 0; pick--) e = e.next;
        return (N) e;
    }

    // ---- resizing: grow at load factor 1, shrink under 10%, one bucket moved per operation ----------------

    private void shrinkIfSparse() {
        if (t1 != null) return;
        int size = t0.length;
        if (size > INITIAL_SIZE && (long) used0 * 100 / size < 10) {
            startRehash(Math.max(INITIAL_SIZE, Integer.highestOneBit(Math.max(1, used0)) * 2));
        }
    }

    private void startRehash(int newSize) {
        if (newSize == t0.length) return;
        t1 = new Node[newSize];
        used1 = 0;
        rehashIdx = 0;
    }

    private void rehashStep() {
        if (t1 == null) return;
        Node[] from = t0, to = t1;
        int mask = to.length - 1;
        for (int emptyVisits = 10; used0 != 0 && from[rehashIdx] == null; rehashIdx++) {
            if (--emptyVisits == 0) return;
        }
        if (used0 != 0) {
            Node e = from[rehashIdx];
            while (e != null) {
                Node next = e.next;
                int idx = e.hash & mask;
                e.next = to[idx];
                to[idx] = e;
                used0--;
                used1++;
                e = next;
            }
            from[rehashIdx++] = null;
        }
        if (used0 == 0) {
            t0 = to;
            used0 = used1;
            t1 = null;
            used1 = 0;
            rehashIdx = -1;
            // removals during a shrink may have left the new table sparse too
            shrinkIfSparse();
        }
    }
}
