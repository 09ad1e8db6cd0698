package dev.ferry.command.string;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Bit arithmetic on string buffers for the bitmap commands. Bits are numbered as Redis numbers them: bit 0 is
 * the most significant bit of byte 0. Ranges are inclusive bit positions inside the buffer; whole bytes are
 * read eight at a time, so a 512 MB string is counted or searched without a loop per byte.
 */
final class Bits {
    private Bits() {}

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /** The number of set bits among bits [from, to] of b (to >= from, both inside b). */
    static long count(byte[] b, long from, long to) {
        int first = (int) (from >>> 3), last = (int) (to >>> 3);
        if (first == last) return Integer.bitCount(b[first] & 0xff & rangeMask(from, to));
        long n = Integer.bitCount(b[first] & 0xff & rangeMask(from, ((long) first << 3) + 7));
        n += Integer.bitCount(b[last] & 0xff & rangeMask((long) last << 3, to));
        int i = first + 1;
        for (; i + 8 <= last; i += 8) n += Long.bitCount((long) LONGS.get(b, i));
        for (; i < last; i++) n += Integer.bitCount(b[i] & 0xff);
        return n;
    }

    /**
     * The position of the first bit equal to {@code bit} among bits [from, to] of b (to >= from, both inside
     * b), or -1 when there is none.
     */
    static long first(byte[] b, long from, long to, int bit) {
        int first = (int) (from >>> 3), last = (int) (to >>> 3);
        int flip = bit == 1 ? 0 : 0xff;
        long skip = bit == 1 ? 0L : -1L;
        int i = first;
        while (i <= last) {
            if (i > first && i < last && i + 8 <= last) {
                // whole bytes, eight at a time, while none holds what is looked for
                if ((long) LONGS.get(b, i) == skip) {
                    i += 8;
                    continue;
                }
            }
            long lo = Math.max(from, (long) i << 3), hi = Math.min(to, ((long) i << 3) + 7);
            int x = ((b[i] & 0xff) ^ flip) & rangeMask(lo, hi);
            if (x != 0) return ((long) i << 3) + Integer.numberOfLeadingZeros(x) - 24;
            i++;
        }
        return -1;
    }

    /** The 8-bit mask of bits [from, to] within their (single) byte, bit 0 being 0x80. */
    private static int rangeMask(long from, long to) {
        int lo = (int) (from & 7), hi = (int) (to & 7);
        return (0xff >>> lo) & (0xff << (7 - hi)) & 0xff;
    }
}
