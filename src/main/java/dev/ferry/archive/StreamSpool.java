package dev.ferry.archive;

import java.util.ArrayDeque;

/**
 * The replication stream not yet archived, copied as it is appended: the bytes after offset {@link #from()}, in
 * chunks of 1 MB (no copy of what is already there when it grows), bounded: past {@code max} bytes it takes no
 * more and says it {@link #overflowed()} (the archive is down or too slow; the stream archive then has a gap).
 * On the executing loop only, except the bytes it {@link #lend}s.
 */
final class StreamSpool {
    private static final int CHUNK = 1 << 20;
    /** Chunks kept for reuse once their bytes are archived, the last freed first (the likeliest in cache): a steady stream allocates nothing. */
    private static final int FREE_CHUNKS = 64;
    private static final byte[][] NONE = new byte[0][];

    private final long max;
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private final ArrayDeque<byte[]> free = new ArrayDeque<>();
    /** The chunks lent to a worker (see {@link #lend}), never reused until released. */
    private byte[][] lent = NONE;
    /** Where the first chunk's unread bytes start, and where the last chunk's free space starts. */
    private int head, tail;
    private long from;
    private long size;
    private boolean overflowed;

    StreamSpool(long max) {
        this.max = max;
    }

    /** Empties it: the next byte appended is the one after offset. */
    void reset(long offset) {
        while (!chunks.isEmpty()) recycle(chunks.removeFirst());
        head = tail = 0;
        size = 0;
        from = offset;
        overflowed = false;
    }

    void append(byte[] b, int off, int len) {
        if (overflowed) return;
        if (size + len > max) {
            overflowed = true;
            return;
        }
        size += len;
        while (len > 0) {
            if (chunks.isEmpty() || tail == CHUNK) {
                chunks.addLast(free.isEmpty() ? new byte[CHUNK] : free.removeFirst());
                tail = 0;
            }
            int n = Math.min(len, CHUNK - tail);
            System.arraycopy(b, off, chunks.peekLast(), tail, n);
            tail += n;
            off += n;
            len -= n;
        }
    }

    /**
     * The first n bytes (n at most {@link #size}) as pieces of its own chunks, for a worker to read while appends go
     * on after them: the chunks keep those bytes until {@link #release}, even across a {@link #reset} (which then
     * lets them go instead of reusing them). No copy on the executing loop: copying a segment of megabytes there every
     * interval cost the loop as much as the appends did.
     */
    StreamSegment.Payload lend(int n) {
        int count = n == 0 ? 0 : (head + n - 1) / CHUNK + 1; // the chunks are full from head on, but for the last
        byte[][] arrays = new byte[count][];
        int[] offsets = new int[count], lengths = new int[count];
        int done = 0, at = head, i = 0;
        for (byte[] c : chunks) {
            if (done == n) break;
            int k = Math.min(n - done, CHUNK - at);
            arrays[i] = c;
            offsets[i] = at;
            lengths[i++] = k;
            done += k;
            at = 0;
        }
        lent = arrays;
        return new StreamSegment.Payload(arrays, offsets, lengths);
    }

    /** The worker is done with what was lent: those chunks may be reused once dropped. */
    void release() {
        lent = NONE;
    }

    /** Forgets the first n bytes (archived now). */
    void drop(long n) {
        size -= n;
        from += n;
        while (n > 0) {
            int inFirst = (chunks.size() == 1 ? tail : CHUNK) - head;
            if (n < inFirst) {
                head += (int) n;
                return;
            }
            n -= inFirst;
            recycle(chunks.removeFirst());
            head = 0;
            if (chunks.isEmpty()) tail = 0;
        }
    }

    private void recycle(byte[] chunk) {
        for (byte[] c : lent) if (c == chunk) return; // a worker may be reading it: it goes to the garbage collector instead
        if (free.size() < FREE_CHUNKS) free.addFirst(chunk);
    }

    /** The offset of the byte before the first one held. */
    long from() {
        return from;
    }

    long size() {
        return size;
    }

    boolean overflowed() {
        return overflowed;
    }
}
