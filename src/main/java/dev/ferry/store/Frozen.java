package dev.ferry.store;

/**
 * A value as a snapshot captured it ({@link Value#frozen}): what the snapshot's writer thread encodes while
 * commands go on changing the live value. Nothing the executing loop does after the capture changes what a
 * frozen value holds, except that a {@link TableCapture} is still being filled by the loop until it reports
 * itself complete (the writer waits for that).
 *
 * <p>The forms, by what the live value is (ARCHITECTURE.md, "Large values and snapshots"):
 * <ul>
 *   <li>a string: the {@link StringValue} itself, marked captured, so that its next write makes a new value;</li>
 *   <li>a compact encoding (a listpack hash or sorted set, an intset): {@link Blob}, the immutable byte array in
 *   Redis's layout, shared with the live value until its next write replaces it;</li>
 *   <li>a large hash, set or sorted set: {@link TableCapture}, reference arrays filled bucket by bucket while the
 *   value's {@link HashTable} is in snapshot mode;</li>
 *   <li>a list: {@link ListCapture}, the sequence of its nodes, which the list copies before changing
 *   (node-level copy-on-write).</li>
 * </ul>
 * {@code rdb.RdbValueWriter} encodes each form; it is the one encoder of values, for DUMP and snapshots.
 */
public sealed interface Frozen permits StringValue, Frozen.Blob, TableCapture, ListCapture {

    /** The RDB object type byte written before it. */
    int rdbType();

    /**
     * Roughly what holding this capture costs beyond the live dataset, in bytes (the snapshot's memory bound);
     * for a {@link TableCapture} what it holds so far.
     */
    long approximateBytes();

    /** A compact encoding: an immutable listpack or intset array, written as one RDB string. */
    record Blob(int rdbType, byte[] bytes) implements Frozen {
        @Override
        public long approximateBytes() {
            return bytes.length;
        }
    }
}
