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

    /** The empty intset (width 2, no members): what createIntsetObject makes. */
    public static byte[] empty() {
        byte[] out = new byte[HEADER];
        out[0] = 2;
        return out;
    }

    /** The byte width of every member (2, 4 or 8). */
    public static int width(byte[] is) {
        return is[0] & 0xFF;
    }

    /** The number of members. */
    public static int length(byte[] is) {
        return (int) getLe(is, 4, 4);
    }

    /** Member i (0-based, ascending order). */
    public static long get(byte[] is, int i) {
        int w = width(is);
        return getLe(is, HEADER + i * w, w);
    }

    /**
     * Redis's intsetSearch: the position of v when present (&gt;= 0), else -(insertion point) - 1, with Redis's
     * shortcuts for values outside the range of the members.
     */
    public static int search(byte[] is, long v) {
        int n = length(is);
        if (n == 0) return -1;
        int w = width(is);
        if (widthOf(v) > w) return v < 0 ? -1 : -(n) - 1;
        int lo = 0, hi = n - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long m = getLe(is, HEADER + mid * w, w);
            if (m < v) lo = mid + 1;
            else if (m > v) hi = mid - 1;
            else return mid;
        }
        return -lo - 1;
    }

    /** intsetFind: whether v is a member. */
    public static boolean contains(byte[] is, long v) {
        return search(is, v) >= 0;
    }

    /**
     * intsetAdd as copy-on-write: a new intset holding v as well (widened when v needs more bytes, as
     * intsetUpgradeAndAdd does), or {@code is} itself when v is already a member.
     */
    public static byte[] add(byte[] is, long v) {
        int w = width(is), n = length(is);
        int vw = widthOf(v);
        if (vw > w) {
            // upgrade: every member is re-encoded at the new width; v goes first or last (it is out of range)
            byte[] out = new byte[HEADER + (n + 1) * vw];
            putLe(out, 0, vw, 4);
            putLe(out, 4, n + 1, 4);
            int shift = v < 0 ? 1 : 0;
            for (int i = 0; i < n; i++) putLe(out, HEADER + (i + shift) * vw, getLe(is, HEADER + i * w, w), vw);
            putLe(out, HEADER + (v < 0 ? 0 : n) * vw, v, vw);
            return out;
        }
        int pos = search(is, v);
        if (pos >= 0) return is;
        pos = -pos - 1;
        byte[] out = new byte[is.length + w];
        System.arraycopy(is, 0, out, 0, HEADER + pos * w);
        putLe(out, HEADER + pos * w, v, w);
        System.arraycopy(is, HEADER + pos * w, out, HEADER + (pos + 1) * w, (n - pos) * w);
        putLe(out, 4, n + 1, 4);
        return out;
    }

    /** intsetRemove as copy-on-write: a new intset without v (same width, as Redis never narrows), or {@code is}. */
    public static byte[] remove(byte[] is, long v) {
        int pos = search(is, v);
        if (pos < 0) return is;
        return removeAt(is, pos);
    }

    /** A new intset without member {@code pos}. */
    public static byte[] removeAt(byte[] is, int pos) {
        int w = width(is), n = length(is);
        byte[] out = new byte[is.length - w];
        System.arraycopy(is, 0, out, 0, HEADER + pos * w);
        System.arraycopy(is, HEADER + (pos + 1) * w, out, HEADER + pos * w, (n - pos - 1) * w);
        putLe(out, 4, n - 1, 4);
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
