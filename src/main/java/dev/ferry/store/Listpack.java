package dev.ferry.store;

import java.util.Arrays;

/**
 * A listpack: Redis's compact sequence of strings and integers in one byte array (listpack.c), byte for
 * byte as Redis lays it out, so that small hashes, sets, sorted sets and list nodes can later go to an RDB
 * file, or come from one, without re-encoding.
 *
 * <pre>
 * total bytes (uint32 LE) | element count (uint16 LE, 65535 = count it) | entry ... | 0xFF
 * entry = encoding byte(s) + data + backlen (the length of encoding + data, 1-5 bytes, readable backwards)
 * </pre>
 *
 * An element that is a canonical 64-bit integer (as Redis's string2ll reads it: no sign but '-', no
 * leading zeros, no spaces) is stored as an integer in the smallest of 7 bits (0..127), 13 bits, 16, 24,
 * 32 or 64 bits; any other as a string with a 6-bit, 12-bit or 32-bit length.
 *
 * <p>An instance appends; the array it fills has room to spare, and {@link #toBytes()} gives the exact
 * listpack. {@link #forEach} reads one, checking every length against the bytes there are first, so that
 * it can read what an RDB file or a RESTORE payload claims is a listpack.
 */
public final class Listpack {
    static final int HEADER = 6;
    static final int EOF = 0xFF;
    /** The count field's value when the count does not fit 16 bits: readers then walk the entries. */
    static final int COUNT_UNKNOWN = 65535;

    private byte[] buf;
    /** Bytes used, header included, the EOF byte not (it is written by toBytes). */
    private int used = HEADER;
    private int count;

    public Listpack() {
        buf = new byte[64];
    }

    public int size() {
        return count;
    }

    /** Bytes of the finished listpack, header and EOF byte included. */
    public int bytes() {
        return used + 1;
    }

    /** Appends an element: an integer encoding when it is a canonical 64-bit integer, else a string. */
    public void append(byte[] element) {
        long[] v = new long[1];
        if (parseCanonicalLong(element, v)) appendInteger(v[0]);
        else appendString(element);
    }

    public void appendInteger(long v) {
        int start = used;
        if (v >= 0 && v <= 127) {
            room(2);
            buf[used++] = (byte) v;
        } else if (v >= -4096 && v <= 4095) {
            room(3);
            long u = v < 0 ? (1 << 13) + v : v;
            buf[used++] = (byte) (0xC0 | (u >> 8));
            buf[used++] = (byte) u;
        } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
            littleEndian(0xF1, v, 2);
        } else if (v >= -(1 << 23) && v <= (1 << 23) - 1) {
            littleEndian(0xF2, v, 3);
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            littleEndian(0xF3, v, 4);
        } else {
            littleEndian(0xF4, v, 8);
        }
        backlen(used - start);
        count++;
    }

    public void appendString(byte[] s) {
        int start = used;
        int n = s.length;
        if (n < 64) {
            room(1 + n + 5);
            buf[used++] = (byte) (0x80 | n);
        } else if (n < 4096) {
            room(2 + n + 5);
            buf[used++] = (byte) (0xE0 | (n >> 8));
            buf[used++] = (byte) n;
        } else {
            room(5 + n + 5);
            buf[used++] = (byte) 0xF0;
            for (int i = 0; i < 4; i++) buf[used++] = (byte) (n >>> (8 * i));
        }
        System.arraycopy(s, 0, buf, used, n);
        used += n;
        backlen(used - start);
        count++;
    }

    /** The listpack as Redis stores it: header with total bytes and count, entries, EOF byte. */
    public byte[] toBytes() {
        byte[] out = Arrays.copyOf(buf, used + 1);
        int total = used + 1;
        for (int i = 0; i < 4; i++) out[i] = (byte) (total >>> (8 * i));
        int c = count < COUNT_UNKNOWN ? count : COUNT_UNKNOWN;
        out[4] = (byte) c;
        out[5] = (byte) (c >>> 8);
        out[used] = (byte) EOF;
        return out;
    }

    /** Receives a listpack's elements in order. */
    public interface Visitor {
        /** A string element: {@code len} bytes of {@code lp} from {@code off}. */
        void string(byte[] lp, int off, int len);

        void integer(long v);
    }

    /**
     * Hands every element of {@code lp} to the visitor, in order. Returns false, having stopped at the
     * first fault, when the bytes are not a whole listpack: a header whose total is not the array's
     * length, an unknown encoding, an entry or backlen running past the end, a backlen that does not give
     * the entry's length, a count that differs from the entries (unless 65535), or no EOF byte at the end.
     */
    public static boolean forEach(byte[] lp, Visitor visitor) {
        int n = lp.length;
        if (n < HEADER + 1) return false;
        long total = (lp[0] & 0xFFL) | (lp[1] & 0xFFL) << 8 | (lp[2] & 0xFFL) << 16 | (lp[3] & 0xFFL) << 24;
        if (total != n || (lp[n - 1] & 0xFF) != EOF) return false;
        int declared = (lp[4] & 0xFF) | (lp[5] & 0xFF) << 8;
        int p = HEADER, seen = 0;
        while (p < n - 1) {
            int b = lp[p] & 0xFF;
            int header, dataLen = 0;
            long value = 0;
            boolean isString = false;
            if ((b & 0x80) == 0) {
                header = 1;
                value = b;
            } else if ((b & 0xC0) == 0x80) {
                header = 1;
                dataLen = b & 0x3F;
                isString = true;
            } else if ((b & 0xE0) == 0xC0) {
                if (p + 1 >= n) return false;
                header = 2;
                int u = (b & 0x1F) << 8 | (lp[p + 1] & 0xFF);
                value = u >= 4096 ? u - 8192 : u;
            } else if ((b & 0xF0) == 0xE0) {
                if (p + 1 >= n) return false;
                header = 2;
                dataLen = (b & 0x0F) << 8 | (lp[p + 1] & 0xFF);
                isString = true;
            } else if (b == 0xF0) {
                if (p + 4 >= n) return false;
                header = 5;
                long len = (lp[p + 1] & 0xFFL) | (lp[p + 2] & 0xFFL) << 8 | (lp[p + 3] & 0xFFL) << 16 | (lp[p + 4] & 0xFFL) << 24;
                if (len > n) return false;
                dataLen = (int) len;
                isString = true;
            } else if (b >= 0xF1 && b <= 0xF4) {
                int width = b == 0xF1 ? 2 : b == 0xF2 ? 3 : b == 0xF3 ? 4 : 8;
                if (p + width >= n) return false;
                header = 1 + width;
                for (int i = width - 1; i >= 0; i--) value = value << 8 | (lp[p + 1 + i] & 0xFF);
                int unused = 64 - 8 * width;
                value = value << unused >> unused; // sign-extend
            } else {
                return false; // 0xF5-0xFE are not encodings; 0xFF is the end, only at the end
            }
            long entry = (long) header + dataLen;
            int backlen = entry <= 127 ? 1 : entry < 16383 ? 2 : entry < 2097151 ? 3 : entry < 268435455 ? 4 : 5;
            if (p + entry + backlen > n - 1) return false;
            long decoded = 0;
            for (int i = 0; i < backlen; i++) decoded = decoded << 7 | (lp[(int) (p + entry) + i] & 127);
            if (decoded != entry) return false;
            if (isString) visitor.string(lp, p + header, dataLen);
            else visitor.integer(value);
            p += (int) entry + backlen;
            seen++;
        }
        return declared == COUNT_UNKNOWN || declared == seen;
    }

    // ---- reading and splicing in place, for the types whose small encoding is a listpack -----------------

    /** Offset of the first entry (the EOF byte when empty). */
    public static final int FIRST = HEADER;

    /** True when p is the EOF byte (past the last entry). */
    public static boolean atEnd(byte[] lp, int p) {
        return (lp[p] & 0xFF) == EOF;
    }

    /** The offset of the entry after the one at p (of a listpack this class built or checked). */
    public static int next(byte[] lp, int p) {
        int b = lp[p] & 0xFF;
        long entry;
        if ((b & 0x80) == 0) entry = 1;
        else if ((b & 0xC0) == 0x80) entry = 1 + (b & 0x3F);
        else if ((b & 0xE0) == 0xC0) entry = 2;
        else if ((b & 0xF0) == 0xE0) entry = 2 + ((b & 0x0F) << 8 | (lp[p + 1] & 0xFF));
        else if (b == 0xF0) entry = 5 + ((lp[p + 1] & 0xFFL) | (lp[p + 2] & 0xFFL) << 8 | (lp[p + 3] & 0xFFL) << 16 | (lp[p + 4] & 0xFFL) << 24);
        else if (b == 0xF1) entry = 3;
        else if (b == 0xF2) entry = 4;
        else if (b == 0xF3) entry = 5;
        else entry = 9;
        int backlen = entry <= 127 ? 1 : entry < 16383 ? 2 : entry < 2097151 ? 3 : entry < 268435455 ? 4 : 5;
        return (int) (p + entry + backlen);
    }

    /** True when the entry at p is a string, false when it is an integer. */
    public static boolean isString(byte[] lp, int p) {
        int b = lp[p] & 0xFF;
        return (b & 0xC0) == 0x80 || (b & 0xF0) == 0xE0 || b == 0xF0;
    }

    /** Where the bytes of the string entry at p start. */
    public static int stringOffset(byte[] lp, int p) {
        int b = lp[p] & 0xFF;
        return (b & 0xC0) == 0x80 ? p + 1 : (b & 0xF0) == 0xE0 ? p + 2 : p + 5;
    }

    /** The length of the string entry at p. */
    public static int stringLength(byte[] lp, int p) {
        int b = lp[p] & 0xFF;
        if ((b & 0xC0) == 0x80) return b & 0x3F;
        if ((b & 0xF0) == 0xE0) return (b & 0x0F) << 8 | (lp[p + 1] & 0xFF);
        return (int) ((lp[p + 1] & 0xFFL) | (lp[p + 2] & 0xFFL) << 8 | (lp[p + 3] & 0xFFL) << 16 | (lp[p + 4] & 0xFFL) << 24);
    }

    /** The value of the integer entry at p. */
    public static long integer(byte[] lp, int p) {
        int b = lp[p] & 0xFF;
        if ((b & 0x80) == 0) return b;
        if ((b & 0xE0) == 0xC0) {
            int u = (b & 0x1F) << 8 | (lp[p + 1] & 0xFF);
            return u >= 4096 ? u - 8192 : u;
        }
        int width = b == 0xF1 ? 2 : b == 0xF2 ? 3 : b == 0xF3 ? 4 : 8;
        long value = 0;
        for (int i = width - 1; i >= 0; i--) value = value << 8 | (lp[p + 1 + i] & 0xFF);
        int unused = 64 - 8 * width;
        return value << unused >> unused;
    }

    /** The element at p as bytes (an integer as its decimal text): a copy. */
    public static byte[] element(byte[] lp, int p) {
        if (isString(lp, p)) {
            int off = stringOffset(lp, p);
            return Arrays.copyOfRange(lp, off, off + stringLength(lp, p));
        }
        return Long.toString(integer(lp, p)).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** The element count in the header, or the entries walked when it says 65535. */
    public static int count(byte[] lp) {
        int declared = (lp[4] & 0xFF) | (lp[5] & 0xFF) << 8;
        if (declared != COUNT_UNKNOWN) return declared;
        int n = 0;
        for (int p = FIRST; !atEnd(lp, p); p = next(lp, p)) n++;
        return n;
    }

    /** An empty listpack: header and EOF byte. */
    public static byte[] empty() {
        return new Listpack().toBytes();
    }

    /**
     * A new listpack: {@code lp} with its entries in [from, to) (which are {@code removed} elements) replaced by
     * the elements appended to {@code insert} (null for none). {@code lp} itself is not changed.
     */
    public static byte[] splice(byte[] lp, int from, int to, int removed, Listpack insert) {
        int insLen = insert == null ? 0 : insert.used - HEADER;
        int total = lp.length - (to - from) + insLen;
        byte[] out = new byte[total];
        System.arraycopy(lp, 0, out, 0, from);
        if (insLen > 0) System.arraycopy(insert.buf, HEADER, out, from, insLen);
        System.arraycopy(lp, to, out, from + insLen, lp.length - to);
        for (int i = 0; i < 4; i++) out[i] = (byte) (total >>> (8 * i));
        int declared = (lp[4] & 0xFF) | (lp[5] & 0xFF) << 8;
        int c = declared == COUNT_UNKNOWN ? -1 : declared - removed + (insert == null ? 0 : insert.count);
        if (c < 0 || c >= COUNT_UNKNOWN) {
            // walk when the old count was unknown; a known count past 65534 stays unknown
            if (c < 0) {
                c = 0;
                out[4] = (byte) 0xFF;
                out[5] = (byte) 0xFF;
                for (int p = FIRST; !atEnd(out, p); p = next(out, p)) c++;
            }
            if (c >= COUNT_UNKNOWN) c = COUNT_UNKNOWN;
        }
        out[4] = (byte) c;
        out[5] = (byte) (c >>> 8);
        return out;
    }

    /** Forgets the elements appended so far (to reuse the instance for the next splice). */
    public void clear() {
        used = HEADER;
        count = 0;
    }

    private void littleEndian(int encoding, long v, int width) {
        room(1 + width + 1);
        buf[used++] = (byte) encoding;
        for (int i = 0; i < width; i++) buf[used++] = (byte) (v >>> (8 * i));
    }

    /**
     * The entry's length (encoding + data) after it, written so that a reader walking backwards finds it:
     * 7 bits per byte, the byte nearest the entry's start carrying the highest bits, every byte but that
     * one flagged with 128 (lpEncodeBacklen).
     */
    private void backlen(long l) {
        int n = l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
        room(n);
        for (int i = 0; i < n; i++) {
            int shift = 7 * (n - 1 - i);
            int b = (int) ((l >>> shift) & 127);
            buf[used++] = (byte) (i == 0 ? b : b | 128);
        }
    }

    private void room(int n) {
        if (used + n + 1 > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, used + n + 1));
    }

    /**
     * Redis's string2ll (util.c), which lpStringToInt64 applies: at most 20 bytes, an optional '-', digits
     * without a leading zero ("0" itself allowed, "-0" not), within 64 bits.
     */
    static boolean parseCanonicalLong(byte[] s, long[] out) {
        int n = s.length;
        if (n == 0 || n > 20) return false;
        if (n == 1 && s[0] == '0') {
            out[0] = 0;
            return true;
        }
        int p = 0;
        boolean negative = s[0] == '-';
        if (negative) {
            p = 1;
            if (n == 1) return false;
        }
        if (s[p] < '1' || s[p] > '9') return false;
        long v = 0; // accumulated negatively, so that Long.MIN_VALUE fits
        for (; p < n; p++) {
            int d = s[p] - '0';
            if (d < 0 || d > 9) return false;
            if (v < (Long.MIN_VALUE + d) / 10) return false;
            v = v * 10 - d;
        }
        if (!negative) {
            if (v == Long.MIN_VALUE) return false;
            v = -v;
        }
        out[0] = v;
        return true;
    }
}
