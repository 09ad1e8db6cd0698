package dev.ferry.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * The keyspace's hash table: chained buckets keyed by byte[], power-of-two sized, rehashed incrementally
 * (two tables while a resize runs, one bucket moved per operation, as in Redis's dict.c).
 *
 * <p>Why our own table and not a HashMap: a snapshot must walk it while writes go on (ARCHITECTURE.md rule 3).
 * <ul>
 *   <li>{@link #scan} is Redis's reverse-binary cursor: every entry present for the whole walk is
 *   returned at least once, even across resizes. SCAN and the active expiry cycle use it.</li>
 *   <li>Snapshot support: {@link #beginSnapshot} bumps an epoch. Each bucket carries the epoch it was last
 *   handed to the snapshot. Before any mutation of a bucket whose stamp is older, the bucket's chain is
 *   handed to the {@link BucketVisitor} first, so the snapshot sees the bucket as it was at the epoch.
 *   {@link #snapshotStep} walks the remaining buckets in slices between commands. The table keeps growing
 *   and rehashing during a snapshot (a paused table left chains of ~200 under heavy inserts): a rehash step
 *   hands the bucket it moves to the snapshot first, and every destination bucket too before the first
 *   entry lands in it, so a bucket is either unstamped and holds only entries the snapshot has not seen, or
 *   stamped and holds only entries it has seen or that came after the epoch.</li>
 * </ul>
 * Single-threaded: only the executing event loop touches it.
 */
public final class Dict {

    /**
     * One key. Fields are package-private: only the store mutates them, through the write paths. In the main
     * table the value is the key's {@link Value}; in a database's expiry index (a set of keys) it is null.
     */
    public static final class Entry {
        final byte[] key;
        final int hash;
        Value value;
        /** Absolute unix ms, or -1 without TTL. */
        long expireAt = -1;
        /** LRU clock (seconds) of the last access, for OBJECT IDLETIME. */
        int lruSeconds;
        Entry next;

        Entry(byte[] key, int hash, Value value) {
            this.key = key;
            this.hash = hash;
            this.value = value;
        }

        public byte[] key() {
            return key;
        }

        public Value value() {
            return value;
        }

        public long expireAt() {
            return expireAt;
        }

        public Entry next() {
            return next;
        }
    }

    /** Receives a bucket's chain (possibly null) before the bucket is first changed during a snapshot. */
    public interface BucketVisitor {
        void visit(Entry chain);
    }

    private static final int INITIAL_SIZE = 4;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long SEED = ThreadLocalRandom.current().nextLong() | 1;

    private final Entry[][] tables = new Entry[2][];
    private final int[] used = new int[2];
    /** Next bucket of table 0 to move into table 1; -1 when not rehashing. */
    private int rehashIdx = -1;

    private int epoch;
    private int[][] stamps;
    /** Per table: whether it may still hold entries from before the snapshot's epoch that the walk must visit. */
    private final boolean[] preEpoch = new boolean[2];
    private BucketVisitor snapshotVisitor;
    /** Snapshot cursor: table and bucket of the next bucket to walk. */
    private int snapTable, snapBucket;

    public Dict() {
        tables[0] = new Entry[INITIAL_SIZE];
    }

    public int size() {
        return used[0] + used[1];
    }

    public int buckets() {
        return tables[0].length + (tables[1] == null ? 0 : tables[1].length);
    }

    public boolean rehashing() {
        return rehashIdx >= 0;
    }

    public static int hash(byte[] key) {
        return hash(key, 0, key.length);
    }

    /** The hash of the key a[off, off + len). */
    static int hash(byte[] a, int off, int len) {
        // a seeded multiply-xorshift over 8-byte words: fast for short keys, and the random seed keeps
        // bucket placement unpredictable to clients
        long h = SEED ^ (len * 0x9E3779B97F4A7C15L);
        int i = off, n = off + len;
        for (; i + 8 <= n; i += 8) {
            h = (h ^ (long) LONGS.get(a, i)) * 0xBF58476D1CE4E5B9L;
            h ^= h >>> 31;
        }
        long tail = 0;
        for (int shift = 0; i < n; i++, shift += 8) tail |= (a[i] & 0xffL) << shift;
        h = (h ^ tail) * 0x94D049BB133111EBL;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        return (int) (h ^ (h >>> 32));
    }

    // ---- lookups ----------------------------------------------------------------------------------

    public Entry find(byte[] key) {
        if (size() == 0) return null;
        int h = hash(key);
        rehashStep();
        for (int t = 0; t <= 1; t++) {
            Entry[] tab = tables[t];
            if (tab == null) break;
            for (Entry e = tab[h & (tab.length - 1)]; e != null; e = e.next) {
                if (e.hash == h && Arrays.equals(e.key, key)) return e;
            }
            if (rehashIdx < 0) break;
        }
        return null;
    }

    /**
     * Reads, without changing anything, the memory that looking up these keys (a pipeline's, a[offs[i],
     * offs[i] + lens[i])) will touch: bucket heads, entries, key and value headers. Each pass's loads are
     * independent of each other, so the processor overlaps their cache misses, where the commands that follow,
     * one lookup after another, would wait for each miss alone (Valkey 8 prefetches a batch's keys likewise).
     */
    public void prefetch(byte[] a, int[] offs, int[] lens, int n, Entry[] scratch) {
        if (size() == 0) return;
        int[] hashes = prefetchHashes;
        if (hashes.length < n) hashes = prefetchHashes = new int[n];
        Entry[] tab = tables[rehashIdx >= 0 ? 1 : 0];
        int mask = tab.length - 1;
        for (int i = 0; i < n; i++) {
            int h = hash(a, offs[i], lens[i]);
            hashes[i] = h;
            scratch[i] = tab[h & mask];
        }
        if (rehashIdx >= 0) {
            // the key may still be in the old table: look there when the new one's bucket is empty
            Entry[] old = tables[0];
            int oldMask = old.length - 1;
            for (int i = 0; i < n; i++) {
                if (scratch[i] == null) scratch[i] = old[hashes[i] & oldMask];
            }
        }
        int sink = 0;
        for (int i = 0; i < n; i++) {
            Entry e = scratch[i];
            while (e != null && e.hash != hashes[i]) e = e.next;
            scratch[i] = e;
        }
        for (int i = 0; i < n; i++) {
            Entry e = scratch[i];
            if (e == null) continue;
            sink += e.key.length;
            Value v = e.value;
            if (v != null) sink += v.prefetchHint();
        }
        for (int i = 0; i < n; i++) scratch[i] = null;
        prefetchSink = sink;
    }

    private int[] prefetchHashes = new int[16];
    /** Keeps the prefetch's loads alive: the compiler may not drop reads whose sum is stored. */
    @SuppressWarnings("unused")
    private int prefetchSink;

    /** Like {@link #find} but first hands the entry's bucket to a running snapshot. */
    public Entry findForWrite(byte[] key) {
        if (size() == 0) return null;
        int h = hash(key);
        rehashStep();
        for (int t = 0; t <= 1; t++) {
            Entry[] tab = tables[t];
            if (tab == null) break;
            int idx = h & (tab.length - 1);
            for (Entry e = tab[idx]; e != null; e = e.next) {
                if (e.hash == h && Arrays.equals(e.key, key)) {
                    barrier(t, idx);
                    return e;
                }
            }
            if (rehashIdx < 0) break;
        }
        return null;
    }

    // ---- mutations --------------------------------------------------------------------------------

    /** Adds a key known to be absent and returns its new entry. */
    public Entry add(byte[] key, Value value) {
        int h = hash(key);
        rehashStep();
        expandIfNeeded();
        int t = rehashIdx >= 0 ? 1 : 0;
        Entry[] tab = tables[t];
        int idx = h & (tab.length - 1);
        barrier(t, idx);
        Entry e = new Entry(key, h, value);
        e.next = tab[idx];
        tab[idx] = e;
        used[t]++;
        return e;
    }

    /** Removes the key; returns its entry or null. */
    public Entry remove(byte[] key) {
        if (size() == 0) return null;
        int h = hash(key);
        rehashStep();
        for (int t = 0; t <= 1; t++) {
            Entry[] tab = tables[t];
            if (tab == null) break;
            int idx = h & (tab.length - 1);
            Entry prev = null;
            for (Entry e = tab[idx]; e != null; prev = e, e = e.next) {
                if (e.hash == h && Arrays.equals(e.key, key)) {
                    barrier(t, idx);
                    if (prev == null) tab[idx] = e.next;
                    else prev.next = e.next;
                    e.next = null;
                    used[t]--;
                    return e;
                }
            }
            if (rehashIdx < 0) break;
        }
        return null;
    }

    // ---- iteration --------------------------------------------------------------------------------

    /**
     * Visits the buckets at {@code cursor} and returns the next cursor (0 when the walk is complete).
     * Redis's dictScan: the cursor's bits are incremented from the high end, so buckets that split or
     * merge in a resize are neither skipped nor (mostly) repeated.
     */
    public long scan(long cursor, Consumer<Entry> fn) {
        if (size() == 0) return 0;
        long v = cursor;
        if (rehashIdx < 0) {
            Entry[] t0 = tables[0];
            long m0 = t0.length - 1;
            visitChain(t0[(int) (v & m0)], fn);
            v |= ~m0;
            v = Long.reverse(v);
            v++;
            v = Long.reverse(v);
        } else {
            Entry[] small = tables[0], large = tables[1];
            if (small.length > large.length) {
                Entry[] tmp = small;
                small = large;
                large = tmp;
            }
            long m0 = small.length - 1, m1 = large.length - 1;
            visitChain(small[(int) (v & m0)], fn);
            do {
                visitChain(large[(int) (v & m1)], fn);
                v |= ~m1;
                v = Long.reverse(v);
                v++;
                v = Long.reverse(v);
            } while ((v & (m0 ^ m1)) != 0);
        }
        return v;
    }

    private static void visitChain(Entry e, Consumer<Entry> fn) {
        while (e != null) {
            Entry next = e.next; // fn may delete e (active expiry)
            fn.accept(e);
            e = next;
        }
    }

    /** Visits every entry; fn must not change the table. */
    public void forEach(Consumer<Entry> fn) {
        for (Entry[] tab : tables) {
            if (tab == null) continue;
            for (Entry head : tab) {
                for (Entry e = head; e != null; e = e.next) fn.accept(e);
            }
        }
    }

    /** A random entry, or null when empty (RANDOMKEY, eviction and expiry sampling). */
    public Entry random() {
        if (size() == 0) return null;
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        Entry head;
        do {
            if (rehashIdx >= 0) {
                int n0 = tables[0].length, n1 = tables[1].length;
                int i = rehashIdx + rnd.nextInt(n0 + n1 - rehashIdx);
                head = i >= n0 ? tables[1][i - n0] : tables[0][i];
            } else {
                head = tables[0][rnd.nextInt(tables[0].length)];
            }
        } while (head == null);
        int len = 0;
        for (Entry e = head; e != null; e = e.next) len++;
        int pick = rnd.nextInt(len);
        Entry e = head;
        while (pick-- > 0) e = e.next;
        return e;
    }

    // ---- resizing ---------------------------------------------------------------------------------

    private void expandIfNeeded() {
        if (rehashIdx >= 0) return;
        int size = tables[0].length;
        if (used[0] >= size && size < (1 << 30)) startRehash(size * 2);
    }

    /** Called by the server cron: shrinks a table that has become sparse (under 10% full). */
    public void shrinkIfSparse() {
        if (rehashIdx >= 0) return;
        int size = tables[0].length;
        if (size > INITIAL_SIZE && (long) used[0] * 100 / size < 10) {
            startRehash(Math.max(INITIAL_SIZE, Integer.highestOneBit(Math.max(1, used[0])) * 2));
        }
    }

    /**
     * Sizes an empty table for this many keys at once (Redis's dictExpand on RESIZEDB when loading), so that a
     * load does not grow it step by step; capped at 2^28 buckets, as a file's claim must not size memory alone.
     */
    public void reserve(long keys) {
        if (size() != 0 || rehashIdx >= 0 || snapshotVisitor != null || keys <= tables[0].length) return;
        int n = INITIAL_SIZE;
        while (n < keys && n < (1 << 28)) n <<= 1;
        tables[0] = new Entry[n];
    }

    private void startRehash(int newSize) {
        if (newSize == tables[0].length) return;
        tables[1] = new Entry[newSize];
        used[1] = 0;
        rehashIdx = 0;
        // a table made during a snapshot holds only entries the snapshot has seen (moved in after their bucket
        // was handed over) or that came after its epoch: the walk need not visit it
        if (snapshotVisitor != null) {
            stamps[1] = new int[newSize];
            preEpoch[1] = false;
        }
    }

    private void rehashStep() {
        if (rehashIdx >= 0) rehash(1);
    }

    /** Moves up to n buckets from table 0 to table 1; returns true while more remain. */
    public boolean rehash(int n) {
        if (rehashIdx < 0) return false;
        Entry[] from = tables[0], to = tables[1];
        int emptyVisits = n * 10;
        int mask = to.length - 1;
        while (n-- > 0 && used[0] != 0) {
            while (from[rehashIdx] == null) {
                rehashIdx++;
                if (--emptyVisits == 0) return true;
            }
            barrier(0, rehashIdx);
            Entry e = from[rehashIdx];
            while (e != null) {
                Entry next = e.next;
                int idx = e.hash & mask;
                barrier(1, idx);
                e.next = to[idx];
                to[idx] = e;
                used[0]--;
                used[1]++;
                e = next;
            }
            from[rehashIdx] = null;
            rehashIdx++;
        }
        if (used[0] == 0) {
            tables[0] = to;
            used[0] = used[1];
            tables[1] = null;
            used[1] = 0;
            rehashIdx = -1;
            if (snapshotVisitor != null) {
                // every bucket of the old table was handed over as it moved; the walk goes on in the table that
                // remains if it predates the epoch: from where it was in it, or from its start
                stamps[0] = stamps[1];
                stamps[1] = null;
                preEpoch[0] = preEpoch[1];
                preEpoch[1] = false;
                if (snapTable == 1) snapTable = 0;
                else snapBucket = 0;
            }
            return false;
        }
        return true;
    }

    // ---- snapshot epoch and write barrier -----------------------------------------------------------

    /**
     * Starts a point-in-time walk: from now on the visitor receives every bucket exactly once, either
     * from {@link #snapshotStep} or, earlier, just before a write changes it.
     */
    public void beginSnapshot(BucketVisitor visitor) {
        if (snapshotVisitor != null) throw new IllegalStateException("a snapshot is already running");
        epoch++;
        if (stamps == null) stamps = new int[2][];
        for (int t = 0; t <= 1; t++) {
            Entry[] tab = tables[t];
            if (tab == null) stamps[t] = null;
            else if (stamps[t] == null || stamps[t].length != tab.length) stamps[t] = new int[tab.length];
            // stamps of a reused array hold older epochs only, which read as "not yet visited"
        }
        snapshotVisitor = visitor;
        preEpoch[0] = true;
        preEpoch[1] = tables[1] != null;
        snapTable = 0;
        snapBucket = 0;
    }

    public boolean snapshotRunning() {
        return snapshotVisitor != null;
    }

    /** Walks up to {@code maxBuckets} more buckets; returns true when the snapshot has seen them all. */
    public boolean snapshotStep(int maxBuckets) {
        if (snapshotVisitor == null) return true;
        while (maxBuckets-- > 0) {
            while (snapTable <= 1 && (tables[snapTable] == null || !preEpoch[snapTable] || snapBucket >= tables[snapTable].length)) {
                snapTable++;
                snapBucket = 0;
            }
            if (snapTable > 1) {
                snapshotVisitor = null;
                return true;
            }
            barrier(snapTable, snapBucket);
            snapBucket++;
        }
        return false;
    }

    /**
     * Hands the bucket holding e to a running snapshot if it has not seen it yet: called before an entry's value
     * or expiry changes, so that a write reaching an entry by any lookup is still captured first.
     */
    public void beforeChange(Entry e) {
        if (snapshotVisitor == null) return;
        int idx = e.hash & (tables[0].length - 1);
        // buckets of table 0 before the rehash index have moved to table 1
        if (rehashIdx >= 0 && idx < rehashIdx) barrier(1, e.hash & (tables[1].length - 1));
        else barrier(0, idx);
    }

    /** Ends a walk early (an aborted snapshot); writes no longer pay the barrier. */
    public void abortSnapshot() {
        snapshotVisitor = null;
    }

    private void barrier(int t, int idx) {
        if (snapshotVisitor == null) return;
        int[] s = stamps[t];
        if (s[idx] != epoch) {
            s[idx] = epoch;
            snapshotVisitor.visit(tables[t][idx]);
        }
    }
}
