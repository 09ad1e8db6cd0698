package dev.ferry.store;

import java.util.Arrays;

/**
 * An intset: Redis's compact set of integers (intset.c), byte for byte, so that small integer sets can go
 * to an RDB file (type 11) or come from one without re-encoding.
 *
 * <pre>
 * encoding (uint32 LE: 2, 4 or 8, the byte width of every member) | length (uint32 LE) | members, ascending, LE
 * </pre>
 *
 * The width is the smallest that holds every member (int16, int32, int64), as Redis upgrades it.
 */
public final class Intset {
    static final int HEADER = 8;

    private Intset() {}

    /** The intset of these members (any order, duplicates allowed: a set keeps one of each). */
    public static byte[] encode(long[] members) {
        long[] sorted = members.clone();
        Arrays.sort(sorted);
        int n = 0;
        for (int i = 0; i < sorted.length; i++) if (n == 0 || sorted[i] != sorted[n - 1]) sorted[n++] = sorted[i];
        int width = 2;
        for (int i = 0; i < n; i++) width = Math.max(width, widthOf(sorted[i]));
        byte[] out = new byte[HEADER + n * width];
        putLe(out, 0, width, 4);
        putLe(out, 4, n, 4);
        for (int i = 0; i < n; i++) putLe(out, HEADER + i * width, sorted[i], width);
        return out;
    }

    /**
     * The members of an intset in ascending order, or null when the bytes are not one: a width other than
     * 2, 4 or 8, a length that does not fill the array exactly, or members not strictly ascending.
     */
    public static long[] decode(byte[] is) {
        if (is.length < HEADER) return null;
        long width = getLe(is, 0, 4) & 0xFFFFFFFFL;
        long n = getLe(is, 4, 4) & 0xFFFFFFFFL;
        if (width != 2 && width != 4 && width != 8) return null;
        if (HEADER + n * width != is.length) return null;
        long[] out = new long[(int) n];
        for (int i = 0; i < n; i++) {
            out[i] = getLe(is, HEADER + i * (int) width, (int) width);
            if (i > 0 && out[i] <= out[i - 1]) return null;
        }
        return out;
    }

    static int widthOf(long v) {
        if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) return 2;
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) return 4;
        return 8;
    }

    private static void putLe(byte[] b, int off, long v, int width) {
        for (int i = 0; i < width; i++) b[off + i] = (byte) (v >>> (8 * i));
    }

    /** A little-endian signed number of {@code width} bytes. */
    private static long getLe(byte[] b, int off, int width) {
        long v = 0;
        for (int i = width - 1; i >= 0; i--) v = v << 8 | (b[off + i] & 0xFF);
        int unused = 64 - 8 * width;
        return v << unused >> unused;
    }
}
