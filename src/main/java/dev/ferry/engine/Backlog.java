package dev.ferry.engine;

import java.util.Arrays;

/**
 * The replication backlog: the newest bytes of the replication stream, up to repl-backlog-size, so that a
 * replica that lost its link, or a replica that loaded a snapshot taken a while ago, can ask for the bytes
 * after its offset (PSYNC) instead of a full resync. It exists from start-up (ARCHITECTURE.md rule 4: a
 * snapshot's offset must stay PSYNC-able), unlike Redis's, which is created for the first replica.
 *
 * <p>A ring over one array that grows with the stream up to the configured size, so an idle server holds
 * little. Offsets are Redis's: the stream's bytes are numbered from 1, {@link #endOffset} is the number of the
 * last byte (master_repl_offset) and a PSYNC asks for the first byte it still needs.
 */
public final class Backlog {
    /** resizeReplicationBacklog raises anything below 16 KiB to it. */
    public static final long MIN_SIZE = 16 * 1024;
    /** Java arrays stop short of 2 GiB: a larger repl-backlog-size holds this much. */
    static final long MAX_RING = Integer.MAX_VALUE - 16;
    private static final int FIRST_RING = 64 * 1024;

    private long size;
    private byte[] ring = new byte[0];
    /** Index of the next byte to write. */
    private int head;
    private long histlen;
    private long endOffset;

    public Backlog(long size, long endOffset) {
        this.size = Math.min(Math.max(size, MIN_SIZE), MAX_RING);
        this.endOffset = endOffset;
    }

    /** repl-backlog-size as configured (INFO repl_backlog_size). */
    public long size() {
        return size;
    }

    /** Bytes held (INFO repl_backlog_histlen). */
    public long histlen() {
        return histlen;
    }

    /** The offset of the oldest byte held (INFO repl_backlog_first_byte_offset); endOffset + 1 when empty. */
    public long firstByteOffset() {
        return endOffset - histlen + 1;
    }

    public long endOffset() {
        return endOffset;
    }

    /** Whether a PSYNC for the bytes from {@code offset} on can be served (offset = endOffset + 1: nothing to send). */
    public boolean covers(long offset) {
        return offset >= firstByteOffset() && offset <= endOffset + 1;
    }

    public void append(byte[] b, int off, int len) {
        if (len == 0) return;
        if (len >= size) {
            // only the newest size bytes stay
            ensureCapacity(size);
            int keep = (int) size;
            System.arraycopy(b, off + len - keep, ring, 0, keep);
            head = keep == ring.length ? 0 : keep;
            histlen = keep;
            endOffset += len;
            return;
        }
        if (histlen + len > ring.length && ring.length < size) ensureCapacity(Math.min(size, histlen + len));
        int first = Math.min(len, ring.length - head);
        System.arraycopy(b, off, ring, head, first);
        if (first < len) System.arraycopy(b, off + first, ring, 0, len - first);
        head = (head + len) % ring.length;
        histlen = Math.min(ring.length, histlen + len);
        endOffset += len;
    }

    /** The bytes from {@code offset} to the end; call only when {@link #covers} says so. */
    public byte[] copyFrom(long offset) {
        if (!covers(offset)) throw new IllegalArgumentException("offset " + offset + " is not in the backlog");
        int n = (int) (endOffset + 1 - offset);
        byte[] out = new byte[n];
        if (n == 0) return out;
        int start = Math.floorMod(head - n, ring.length);
        int first = Math.min(n, ring.length - start);
        System.arraycopy(ring, start, out, 0, first);
        if (first < n) System.arraycopy(ring, 0, out, first, n - first);
        return out;
    }

    /** length bytes from {@code offset} on; call only when {@link #covers} says so and they are all here. */
    public byte[] copyRange(long offset, int length) {
        if (!covers(offset) || offset + length - 1 > endOffset) {
            throw new IllegalArgumentException(length + " bytes from offset " + offset + " are not in the backlog");
        }
        byte[] out = new byte[length];
        if (length == 0) return out;
        int behind = (int) (endOffset + 1 - offset);
        int start = Math.floorMod(head - behind, ring.length);
        int first = Math.min(length, ring.length - start);
        System.arraycopy(ring, start, out, 0, first);
        if (first < length) System.arraycopy(ring, 0, out, first, length - first);
        return out;
    }

    /** Empties the backlog, which goes on after {@code endOffset} (a full sync, a new replication id). */
    public void reset(long endOffset) {
        this.endOffset = endOffset;
        histlen = 0;
        head = 0;
    }

    /** CONFIG SET repl-backlog-size: keeps the newest bytes that fit. */
    public void resize(long newSize) {
        newSize = Math.min(Math.max(newSize, MIN_SIZE), MAX_RING);
        if (newSize == size) return;
        byte[] kept = copyFrom(endOffset + 1 - Math.min(histlen, newSize));
        size = newSize;
        ring = Arrays.copyOf(kept, (int) Math.min(size, Math.max(kept.length, FIRST_RING)));
        histlen = kept.length;
        head = kept.length == ring.length ? 0 : kept.length;
    }

    /** Grows the ring (doubling, up to size) to hold at least {@code want} bytes, oldest byte first. */
    private void ensureCapacity(long want) {
        if (ring.length >= want) return;
        long cap = Math.max(ring.length, FIRST_RING);
        while (cap < want) cap *= 2;
        cap = Math.min(cap, size);
        byte[] kept = copyFrom(firstByteOffset());
        ring = Arrays.copyOf(kept, (int) cap);
        head = kept.length == ring.length ? 0 : kept.length;
    }
}
