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
 * <p>Snapshots (ARCHITECTURE.md rule 3, "Large values and snapshots"): a snapshot captures a large value without
 * copying it in one go. {@link #beginSnapshot} puts the table in snapshot mode, with a "seen" bit per bucket
 * (the per-bucket stamps of {@link Dict}, for one epoch: the mode lasts one capture and its bits are dropped at
 * its end). From then on every bucket's chain is handed to the {@link TableCapture} exactly once, as it was at
 * the epoch: either by {@link #snapshotStep}, the walk the executing loop runs in slices, or earlier by the
 * barrier, just before the first change to the bucket: {@link #add}, {@link #remove}, {@link #replace}, a node
 * found by {@link #findForWrite} whose fields the owner is about to change, and every rehash step, which hands
 * over the bucket it moves and each destination bucket before the first node lands in it (Dict's invariant:
 * a bucket whose bit is clear holds only members the capture has not seen; a table made during the mode holds
 * none and needs no bits). Worst case per write: one chain (load factor at most 1, so a few nodes). With no
 * snapshot running the barrier is one field test. The owners change a node's fields only after
 * {@link #findForWrite}, inside their own classes, so no command can skip the barrier.
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

    /** The capture being filled while the table is in snapshot mode; null otherwise (the hot paths' one test). */
    private TableCapture snapshot;
    /**
     * Per bucket of t0 / t1 in snapshot mode: set once the bucket was handed to the capture. Null for a table
     * that holds no member the capture has not seen (one made during the mode), and outside the mode.
     */
    private long[] seen0, seen1;
    /** The snapshot walk's position: table (0, 1; 2 when done) and bucket. */
    private int walkTable, walkBucket;

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

    /**
     * Like {@link #find}, for a caller about to change the node's fields in place (a hash field's value): a
     * running snapshot gets the node's bucket first.
     */
    @SuppressWarnings("unchecked")
    public N findForWrite(byte[] key) {
        if (size() == 0) return null;
        int h = Dict.hash(key);
        rehashStep();
        int idx = h & (t0.length - 1);
        for (Node e = t0[idx]; e != null; e = e.next) {
            if (e.hash == h && Arrays.equals(e.key, key)) {
                barrier(0, idx);
                return (N) e;
            }
        }
        if (t1 != null) {
            idx = h & (t1.length - 1);
            for (Node e = t1[idx]; e != null; e = e.next) {
                if (e.hash == h && Arrays.equals(e.key, key)) {
                    barrier(1, idx);
                    return (N) e;
                }
            }
        }
        return null;
    }

    /** Adds a node whose key the caller knows to be absent. */
    public void add(N node) {
        rehashStep();
        if (t1 == null && used0 >= t0.length && t0.length < (1 << 30)) startRehash(t0.length * 2);
        int t = t1 != null ? 1 : 0;
        Node[] tab = t == 1 ? t1 : t0;
        int idx = node.hash & (tab.length - 1);
        barrier(t, idx);
        node.next = tab[idx];
        tab[idx] = node;
        if (t == 1) used1++;
        else used0++;
    }

    /** Removes the member; returns its node, or null when absent. Shrinks a table that became sparse. */
    @SuppressWarnings("unchecked")
    public N remove(byte[] key) {
        if (size() == 0) return null;
        int h = Dict.hash(key);
        rehashStep();
        Node removed = unlink(0, h, key);
        if (removed != null) used0--;
        else if (t1 != null && (removed = unlink(1, h, key)) != null) used1--;
        if (removed != null) shrinkIfSparse();
        return (N) removed;
    }

    /**
     * Puts {@code replacement} where {@code old} is (same key, so same bucket): one chain walk, no resize
     * (a sorted set's score change, which replaces the member's node).
     */
    public void replace(N old, N replacement) {
        rehashStep();
        if (!replaceIn(0, old, replacement) && (t1 == null || !replaceIn(1, old, replacement))) {
            throw new IllegalStateException("replace of a node that is not in the table");
        }
    }

    private boolean replaceIn(int t, Node old, Node replacement) {
        Node[] tab = t == 0 ? t0 : t1;
        int idx = old.hash & (tab.length - 1);
        Node prev = null;
        for (Node e = tab[idx]; e != null; prev = e, e = e.next) {
            if (e == old) {
                barrier(t, idx);
                replacement.next = old.next;
                if (prev == null) tab[idx] = replacement;
                else prev.next = replacement;
                old.next = null;
                return true;
            }
        }
        return false;
    }

    private Node unlink(int t, int h, byte[] key) {
        Node[] tab = t == 0 ? t0 : t1;
        int idx = h & (tab.length - 1);
        Node prev = null;
        for (Node e = tab[idx]; e != null; prev = e, e = e.next) {
            if (e.hash == h && Arrays.equals(e.key, key)) {
                barrier(t, idx);
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
        // a table made during a snapshot holds only members the capture has seen (moved in after their bucket
        // was handed over) or that came after its epoch: no bits, no barrier, nothing to walk
        seen1 = null;
    }

    private void rehashStep() {
        if (t1 == null) return;
        Node[] from = t0, to = t1;
        int mask = to.length - 1;
        for (int emptyVisits = 10; used0 != 0 && from[rehashIdx] == null; rehashIdx++) {
            if (--emptyVisits == 0) return;
        }
        if (used0 != 0) {
            barrier(0, rehashIdx);
            Node e = from[rehashIdx];
            while (e != null) {
                Node next = e.next;
                int idx = e.hash & mask;
                barrier(1, idx);
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
            if (snapshot != null) {
                // every bucket of the old t0 was handed over as it moved; the walk goes on in the table that
                // remains if it holds unseen members: from where it was in it, or from its start
                seen0 = seen1;
                seen1 = null;
                if (walkTable == 1) walkTable = 0;
                else walkBucket = 0;
            }
            // removals during a shrink may have left the new table sparse too
            shrinkIfSparse();
        }
    }

    // ---- snapshot mode ---------------------------------------------------------------------------------------

    /**
     * Enters snapshot mode for the capture: from now on it receives every bucket's chain exactly once (walk or
     * barrier), as the bucket was at this instant. Called by {@link TableCapture} only.
     */
    void beginSnapshot(TableCapture capture) {
        if (snapshot != null) throw new IllegalStateException("the table is already being captured");
        snapshot = capture;
        seen0 = new long[(t0.length + 63) >>> 6];
        seen1 = t1 == null ? null : new long[(t1.length + 63) >>> 6];
        walkTable = 0;
        walkBucket = 0;
    }

    /** Whether a capture is being filled from this table. */
    public boolean inSnapshot() {
        return snapshot != null;
    }

    /**
     * Walks up to maxBuckets more buckets, handing the unseen ones to the capture; returns true once every
     * bucket has been handed over, and the table has left snapshot mode.
     */
    boolean snapshotStep(int maxBuckets) {
        if (snapshot == null) return true;
        while (maxBuckets > 0) {
            Node[] tab = walkTable == 0 ? t0 : walkTable == 1 ? t1 : null;
            long[] seen = walkTable == 0 ? seen0 : walkTable == 1 ? seen1 : null;
            if (walkTable > 1) {
                endSnapshot();
                return true;
            }
            if (tab == null || seen == null || walkBucket >= tab.length) {
                walkTable++;
                walkBucket = 0;
                continue;
            }
            // skip whole words of buckets already handed over by writes
            int w = walkBucket >>> 6;
            if ((walkBucket & 63) == 0 && seen[w] == -1L) {
                walkBucket += 64;
                maxBuckets--;
                continue;
            }
            barrier(walkTable, walkBucket++);
            maxBuckets--;
        }
        return false;
    }

    /** Leaves snapshot mode (the walk is over, or the snapshot was cancelled): writes no longer pay the barrier. */
    void endSnapshot() {
        snapshot = null;
        seen0 = seen1 = null;
    }

    /** Hands bucket idx of table t to the capture if it has not had it yet. The hot paths' cost: one field test. */
    private void barrier(int t, int idx) {
        if (snapshot != null) handOver(t, idx);
    }

    private void handOver(int t, int idx) {
        long[] seen = t == 0 ? seen0 : seen1;
        if (seen == null) return;
        int w = idx >>> 6;
        long bit = 1L << idx;
        if ((seen[w] & bit) != 0) return;
        seen[w] |= bit;
        snapshot.take((t == 0 ? t0 : t1)[idx]);
    }
}
