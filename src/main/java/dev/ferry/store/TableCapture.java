package dev.ferry.store;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * A large hash, set or sorted set as a snapshot captures it: no copy at the key's barrier, but the value's
 * {@link HashTable} put in snapshot mode, and this object filled with references bucket by bucket, by the
 * executing loop's walk ({@link #step}) and by the table's barrier before a write changes a bucket not walked
 * yet (ARCHITECTURE.md, "Large values and snapshots"). What it holds per member: the field and value arrays of
 * a hash, the member array of a set, the member array and the score of a sorted set (from the table's nodes:
 * the sorted set's tree is derived and not needed). Element arrays are never changed in place, so the
 * references are the captured contents; the number of members is the table's size at the capture, and the
 * capture is complete once the walk has handed over every bucket.
 *
 * <p>Threads: the executing loop fills it; the snapshot's writer thread reads it only after {@link #await}
 * has seen it complete (the latch orders the loop's writes before the writer's reads). The references live in
 * blocks of {@value #BLOCK} so that no step allocates or copies more than one block, however large the value.
 */
public final class TableCapture implements Frozen {
    /** What kind of table it is: what each node contributes. */
    private static final int HASH = 0, SET = 1, ZSET = 2;
    static final int BLOCK = 1024;
    /** Array header plus reference, roughly, per captured element: the memory bound's unit besides the bytes. */
    private static final int PER_REF = 16;

    private final int kind;
    private final int size;
    private final HashTable<?> table;
    private final byte[][][] keys;
    private final byte[][][] values;
    private final double[][] scores;
    private int count;
    private long bytes;
    private LongConsumer meter;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile boolean complete, aborted;
    /** Why the capture stopped short of complete: cancelled, or a broken invariant (a bug, reported as one). */
    private volatile String failure;

    private TableCapture(int kind, HashTable<?> table) {
        this.kind = kind;
        this.table = table;
        this.size = table.size();
        int blocks = (size + BLOCK - 1) / BLOCK;
        keys = new byte[blocks][][];
        values = kind == HASH ? new byte[blocks][][] : null;
        scores = kind == ZSET ? new double[blocks][] : null;
        if (size == 0) finish();
        else table.beginSnapshot(this);
    }

    static TableCapture ofHash(HashTable<HashValue.Field> table) {
        return new TableCapture(HASH, table);
    }

    static TableCapture ofSet(HashTable<SetValue.Member> table) {
        return new TableCapture(SET, table);
    }

    static TableCapture ofZSet(HashTable<ZTree.Node> table) {
        return new TableCapture(ZSET, table);
    }

    @Override
    public int rdbType() {
        return kind == HASH ? RdbType.HASH : kind == SET ? RdbType.SET : RdbType.ZSET_2;
    }

    /** Members at the capture's instant: what the RDB length prefix says. */
    public int size() {
        return size;
    }

    // ---- the executing loop's side -----------------------------------------------------------------------

    /**
     * Where the capture reports the bytes it comes to hold, as it fills (the snapshot's in-flight count); what
     * it holds already is reported at once. Executing loop only.
     */
    public void meter(LongConsumer meter) {
        this.meter = meter;
        if (bytes > 0) meter.accept(bytes);
    }

    /** A bucket's chain, from the table (walk or barrier): its members' references are appended. */
    void take(HashTable.Node chain) {
        long added = 0;
        for (HashTable.Node n = chain; n != null; n = n.next) {
            if (count == size) {
                // a broken invariant: fail the snapshot, never the command that is writing
                fail("a table capture was handed more members than the table had at its epoch");
                return;
            }
            int b = count / BLOCK, i = count % BLOCK;
            if (i == 0) {
                int len = Math.min(BLOCK, size - count);
                keys[b] = new byte[len][];
                if (values != null) values[b] = new byte[len][];
                if (scores != null) scores[b] = new double[len];
                added += (long) len * (values != null ? 2 * PER_REF : PER_REF) + (scores != null ? 8L * len : 0);
            }
            keys[b][i] = n.key;
            added += n.key.length;
            if (kind == HASH) {
                byte[] v = ((HashValue.Field) n).value();
                values[b][i] = v;
                added += v.length;
            } else if (kind == ZSET) {
                scores[b][i] = ((ZTree.Node) n).score;
            }
            count++;
        }
        bytes += added;
        if (meter != null && added > 0) meter.accept(added);
    }

    /**
     * Walks up to maxBuckets more buckets of the table; returns true once the capture is complete (the table
     * has left snapshot mode and the writer may read it). Executing loop only.
     */
    public boolean step(int maxBuckets) {
        if (complete || aborted) return true;
        if (!table.snapshotStep(maxBuckets)) return false;
        if (count != size) fail("a table capture got " + count + " of its " + size + " members");
        else finish();
        return true;
    }

    /** The snapshot is cancelled: the table leaves snapshot mode and a waiting writer wakes up. Executing loop. */
    public void abort() {
        fail("snapshot cancelled");
    }

    private void fail(String why) {
        if (complete || aborted) return;
        failure = why;
        aborted = true;
        table.endSnapshot();
        done.countDown();
    }

    /** Why the capture is not complete after {@link #await} returned false, or null while it may still be. */
    public String failure() {
        return failure;
    }

    private void finish() {
        complete = true;
        done.countDown();
    }

    // ---- the writer's side -------------------------------------------------------------------------------

    /** Whether every member is in (any thread). */
    public boolean complete() {
        return complete;
    }

    /**
     * Waits up to the timeout for the capture to be complete; true when it is (its contents are then visible to
     * the caller), false on timeout or when the capture failed ({@link #failure}).
     */
    public boolean await(long millis) throws InterruptedException {
        return done.await(millis, TimeUnit.MILLISECONDS) && complete;
    }

    private void checkComplete() {
        if (!complete) throw new IllegalStateException("a table capture read before it is complete");
    }

    /** Member i's key (hash field, set or sorted-set member), 0 <= i < size; complete captures only. */
    public byte[] key(int i) {
        return keys[i / BLOCK][i % BLOCK];
    }

    /** A hash field's value. */
    public byte[] value(int i) {
        return values[i / BLOCK][i % BLOCK];
    }

    /** A sorted-set member's score. */
    public double score(int i) {
        return scores[i / BLOCK][i % BLOCK];
    }

    /** Checks completeness once before a reader's loop over {@link #key} and friends. */
    public TableCapture read() {
        checkComplete();
        return this;
    }

    /** What it holds so far: reference blocks and the bytes of the elements they keep alive. */
    @Override
    public long approximateBytes() {
        return bytes;
    }

    @Override
    public String toString() {
        return "TableCapture[" + (kind == HASH ? "hash" : kind == SET ? "set" : "zset") + ", " + count + " of " + size + "]";
    }
}
