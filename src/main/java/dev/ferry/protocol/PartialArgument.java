package dev.ferry.protocol;

import java.util.Arrays;

/**
 * The bulk argument being received across reads. Its array follows the bytes that arrived, never the
 * length the header declared (see {@link #capacityFor}), so a connection that declares a 500 MB bulk and
 * sends nothing costs nothing.
 */
final class PartialArgument {

    /** First capacity of the array, unless more than that has already arrived. */
    static final int MIN_CAPACITY = 256;

    /** Bytes copied per arraycopy when growing off the executing thread (see {@link #grown}). */
    private static final int COPY_STEP = 1 << 20;

    private static final byte[] EMPTY = new byte[0];

    /** Null until the first byte arrives. */
    private byte[] bytes;
    private int length;
    private int received;
    /** Bytes still to skip after the data (Redis skips two, whatever they are). */
    private int trailer;
    /** After the parser answered GROW: the capacity the next array must have, else 0. */
    private int pendingCapacity;

    /** Expects {@code declared} bytes and the two after them. Allocates nothing. */
    void start(int declared) {
        length = declared;
        received = 0;
        trailer = 2;
    }

    int missing() {
        return length - received;
    }

    int received() {
        return received;
    }

    int capacity() {
        return bytes == null ? 0 : bytes.length;
    }

    /**
     * The capacity the array needs to take {@code n} more bytes, or 0 when it has room. In proportion to
     * what arrived: the capacity doubles (from MIN_CAPACITY, or what arrived in one read) up to half the
     * argument, then becomes exactly the argument's length once more than half of it has arrived. So the
     * array never exceeds twice the bytes received or MIN_CAPACITY (a declared length alone reserves
     * nothing), the copies add up to at most 1.5x the argument (linear time), and the peak during the
     * last copy, old array plus new, is at most 1.5x the argument. Measured (old + new at each step, bytes
     * copied) for 300 MB and 512 MB arguments in 64 KB reads: plain doubling peaks at 1.89x for 300 MB
     * (an old 268 MB array next to the new 300 MB one) and copies 1.79x; growing by 1.5x peaks at 1.97x
     * and 1.81x and copies 2.9x and 2.4x; this policy peaks at 1.50x for both and copies 1.39x and 1.00x.
     */
    int capacityFor(int n) {
        int need = received + n;
        int cap = capacity();
        if (need <= cap) return 0;
        int half = length / 2;
        return need > half ? length : (int) Math.min(half, Math.max(need, Math.max(2L * cap, MIN_CAPACITY)));
    }

    /** Grows the array here, on the calling thread. Nothing changes if the allocation fails. */
    void growTo(int capacity) {
        // Arrays.copyOf: the JIT then skips zeroing the part it copies (it zeroes only the new tail)
        bytes = bytes == null ? new byte[capacity] : Arrays.copyOf(bytes, capacity);
    }

    /** Leaves the growth to {@code capacity} to {@link #grown} and {@link #install} (the parser's GROW). */
    void deferGrowth(int capacity) {
        pendingCapacity = capacity;
    }

    /** On any thread, after deferGrowth: the bytes received in an array of the pending capacity. */
    byte[] grown() {
        // in steps: one arraycopy of hundreds of MB has no safepoint poll, so a collection would wait for
        // it with every other thread stopped, the executing loop included
        byte[] grown = new byte[pendingCapacity];
        for (int off = 0; off < received; off += COPY_STEP) System.arraycopy(bytes, off, grown, off, Math.min(COPY_STEP, received - off));
        return grown;
    }

    /** Adopts the array {@link #grown} made. */
    void install(byte[] grown) {
        if (pendingCapacity == 0 || grown.length != pendingCapacity) throw new IllegalStateException("no growth pending for this array");
        bytes = grown;
        pendingCapacity = 0;
    }

    /** Takes {@code n} bytes (that the array has room for) from the read. */
    void append(ReadBytes in, int n) {
        in.readBytes(bytes, received, n);
        received += n;
    }

    /** Skips what is readable of the two bytes after the data; true once both are gone. */
    boolean skipTrailer(ReadBytes in) {
        while (trailer > 0 && in.isReadable()) {
            in.skipBytes(1);
            trailer--;
        }
        return trailer == 0;
    }

    /** The complete argument (its array is exactly its length); the partial argument is empty again. */
    byte[] take() {
        byte[] arg = bytes == null ? EMPTY : bytes;
        bytes = null;
        received = 0;
        return arg;
    }
}
