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
        if (isCanonicalLong(element)) appendInteger(dev.ferry.protocol.Ascii.parseLongOr(element, 0));
        else appendString(element);
    }

    public void appendInteger(long v) {
        room(10); // the widest integer entry: 9 bytes and a 1-byte backlen
        used = writeInteger(buf, used, v);
        count++;
    }

    public void appendString(byte[] s) {
        room(5 + s.length + 5);
        used = writeString(buf, used, s);
        count++;
    }

    /** Writes the entry (encoding, data, backlen) of the integer v at off; returns the offset after it. */
    static int writeInteger(byte[] out, int off, long v) {
        int p = off;
        if (v >= 0 && v <= 127) {
            out[p++] = (byte) v;
        } else if (v >= -4096 && v <= 4095) {
            long u = v < 0 ? (1 << 13) + v : v;
            out[p++] = (byte) (0xC0 | (u >> 8));
            out[p++] = (byte) u;
        } else {
            int width, encoding;
            if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
                encoding = 0xF1;
                width = 2;
            } else if (v >= -(1 << 23) && v <= (1 << 23) - 1) {
                encoding = 0xF2;
                width = 3;
            } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                encoding = 0xF3;
                width = 4;
            } else {
                encoding = 0xF4;
                width = 8;
            }
            out[p++] = (byte) encoding;
            for (int i = 0; i < width; i++) out[p++] = (byte) (v >>> (8 * i));
        }
        return writeBacklen(out, p, p - off);
    }

    /** Writes the entry (encoding, data, backlen) of the string s at off; returns the offset after it. */
    static int writeString(byte[] out, int off, byte[] s) {
        int p = off;
        int n = s.length;
        if (n < 64) {
            out[p++] = (byte) (0x80 | n);
        } else if (n < 4096) {
            out[p++] = (byte) (0xE0 | (n >> 8));
            out[p++] = (byte) n;
        } else {
            out[p++] = (byte) 0xF0;
            for (int i = 0; i < 4; i++) out[p++] = (byte) (n >>> (8 * i));
        }
        System.arraycopy(s, 0, out, p, n);
        p += n;
        return writeBacklen(out, p, p - off);
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

    // ---- a finished listpack as an immutable value: reading by offset, and edits that build a new array ------
    //
    // An element is addressed by the offset of its first byte; offsets come from first() and next() and are
    // valid only for the array they were read from. Every edit returns a new array (copy-on-write): a value
    // holding a listpack can be captured by keeping its reference (ARCHITECTURE.md rule 3).

    /** An empty listpack: header (7 bytes total, 0 elements) and the EOF byte, as lpNew makes. */
    public static byte[] empty() {
        byte[] lp = new byte[HEADER + 1];
        lp[HEADER] = (byte) EOF;
        setHeader(lp, 0);
        return lp;
    }

    /** The element count of the header (65535 when too many to count there). */
    public static int headerCount(byte[] lp) {
        return (lp[4] & 0xFF) | (lp[5] & 0xFF) << 8;
    }

    /** Offset of the first element, -1 when there is none (lpFirst). */
    public static int first(byte[] lp) {
        return (lp[HEADER] & 0xFF) == EOF ? -1 : HEADER;
    }

    /** Offset of the element after the one at p, -1 at the end (lpNext). */
    public static int next(byte[] lp, int p) {
        int q = p + entrySize(lp, p);
        return (lp[q] & 0xFF) == EOF ? -1 : q;
    }

    /** True when the element at p is a string (else an integer). */
    public static boolean isString(byte[] lp, int p) {
        int b = lp[p] & 0xFF;
        return (b & 0xC0) == 0x80 || (b & 0xF0) == 0xE0 || b == 0xF0;
    }

    /** Offset of the data of the string element at p. */
    public static int stringOffset(byte[] lp, int p) {
        int b = lp[p] & 0xFF;
        return (b & 0xC0) == 0x80 ? p + 1 : (b & 0xF0) == 0xE0 ? p + 2 : p + 5;
    }

    /** Length of the string element at p. */
    public static int stringLength(byte[] lp, int p) {
        int b = lp[p] & 0xFF;
        if ((b & 0xC0) == 0x80) return b & 0x3F;
        if ((b & 0xF0) == 0xE0) return (b & 0x0F) << 8 | (lp[p + 1] & 0xFF);
        return (lp[p + 1] & 0xFF) | (lp[p + 2] & 0xFF) << 8 | (lp[p + 3] & 0xFF) << 16 | (lp[p + 4] & 0xFF) << 24;
    }

    /** Value of the integer element at p. */
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

    /** Length of the element at p as text: a string's length, an integer's decimal digits. */
    public static int textLength(byte[] lp, int p) {
        return isString(lp, p) ? stringLength(lp, p) : dev.ferry.protocol.Ascii.digits(integer(lp, p));
    }

    /** The element at p as a new array: a string's bytes, an integer's decimal text. */
    public static byte[] text(byte[] lp, int p) {
        if (!isString(lp, p)) return dev.ferry.protocol.Ascii.toBytes(integer(lp, p));
        int off = stringOffset(lp, p);
        return Arrays.copyOfRange(lp, off, off + stringLength(lp, p));
    }

    /** True when the element at p equals s (an integer element equals its canonical text). */
    public static boolean equalsAt(byte[] lp, int p, byte[] s) {
        if (isString(lp, p)) {
            int off = stringOffset(lp, p), len = stringLength(lp, p);
            return len == s.length && Arrays.equals(lp, off, off + len, s, 0, len);
        }
        return isCanonicalLong(s) && dev.ferry.protocol.Ascii.parseLongOr(s, 0) == integer(lp, p);
    }

    /**
     * Offset of the first element equal to s among the elements at p, p + 1 + skip, ... (lpFind with a skip:
     * skip 1 looks at the fields of a field/value listpack only); -1 when absent.
     */
    public static int find(byte[] lp, int p, byte[] s, int skip) {
        boolean canonical = isCanonicalLong(s);
        long v = canonical ? dev.ferry.protocol.Ascii.parseLongOr(s, 0) : 0;
        while (p >= 0) {
            if (isString(lp, p)) {
                if (!canonical) {
                    int off = stringOffset(lp, p), len = stringLength(lp, p);
                    if (len == s.length && Arrays.equals(lp, off, off + len, s, 0, len)) return p;
                }
            } else if (canonical && integer(lp, p) == v) {
                return p;
            }
            p = next(lp, p);
            for (int i = 0; i < skip && p >= 0; i++) p = next(lp, p);
        }
        return -1;
    }

    /** A new listpack: lp with the elements a and b appended (two lpAppend calls). */
    public static byte[] append2(byte[] lp, byte[] a, byte[] b) {
        int end = lp.length - 1;
        byte[] out = new byte[lp.length + sizeOf(a) + sizeOf(b)];
        System.arraycopy(lp, 0, out, 0, end);
        int q = writeElement(out, end, a);
        q = writeElement(out, q, b);
        out[q] = (byte) EOF;
        setHeader(out, addToCount(headerCount(lp), 2));
        return out;
    }

    /** A new listpack: lp with the element at p replaced by s (lpReplace). */
    public static byte[] replace(byte[] lp, int p, byte[] s) {
        int old = entrySize(lp, p), size = sizeOf(s);
        byte[] out = new byte[lp.length - old + size];
        System.arraycopy(lp, 0, out, 0, p);
        writeElement(out, p, s);
        System.arraycopy(lp, p + old, out, p + size, lp.length - p - old);
        setHeader(out, headerCount(lp));
        return out;
    }

    /** A new listpack: lp without the n elements from p (lpDeleteRangeWithEntry). */
    public static byte[] delete(byte[] lp, int p, int n) {
        int q = p;
        for (int i = 0; i < n; i++) q += entrySize(lp, q);
        byte[] out = new byte[lp.length - (q - p)];
        System.arraycopy(lp, 0, out, 0, p);
        System.arraycopy(lp, q, out, p, lp.length - q);
        int count = headerCount(lp);
        setHeader(out, count == COUNT_UNKNOWN ? COUNT_UNKNOWN : count - n);
        return out;
    }

    private static int addToCount(int count, int n) {
        return count == COUNT_UNKNOWN ? COUNT_UNKNOWN : Math.min(COUNT_UNKNOWN, count + n);
    }

    private static void setHeader(byte[] lp, int count) {
        int total = lp.length;
        for (int i = 0; i < 4; i++) lp[i] = (byte) (total >>> (8 * i));
        lp[4] = (byte) count;
        lp[5] = (byte) (count >>> 8);
    }

    // ---- walking to the EOF byte and splicing, as the sorted-set listpack code reads it ----------------

    /** Offset of the first entry (the EOF byte when empty). */
    public static final int FIRST = HEADER;

    /** True when p is the EOF byte (past the last entry). */
    public static boolean atEnd(byte[] lp, int p) {
        return (lp[p] & 0xFF) == EOF;
    }

    /** The offset after the entry at p: the next entry, or the EOF byte ({@link #next} answers -1 there). */
    public static int skip(byte[] lp, int p) {
        return p + entrySize(lp, p);
    }

    /** The element count in the header, or the entries walked when it says 65535. */
    public static int count(byte[] lp) {
        int declared = (lp[4] & 0xFF) | (lp[5] & 0xFF) << 8;
        if (declared != COUNT_UNKNOWN) return declared;
        int n = 0;
        for (int p = FIRST; !atEnd(lp, p); p = skip(lp, p)) n++;
        return n;
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
                for (int p = FIRST; !atEnd(out, p); p = skip(out, p)) c++;
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

    /** Bytes of the entry at p: encoding, data and backlen. */
    static int entrySize(byte[] lp, int p) {
        int b = lp[p] & 0xFF;
        int encoded;
        if ((b & 0x80) == 0) encoded = 1;
        else if ((b & 0xC0) == 0x80) encoded = 1 + (b & 0x3F);
        else if ((b & 0xE0) == 0xC0) encoded = 2;
        else if ((b & 0xF0) == 0xE0) encoded = 2 + stringLength(lp, p);
        else if (b == 0xF0) encoded = 5 + stringLength(lp, p);
        else encoded = 1 + (b == 0xF1 ? 2 : b == 0xF2 ? 3 : b == 0xF3 ? 4 : 8);
        return encoded + backlenSize(encoded);
    }

    /** Bytes the element s takes as an entry (encoding, data, backlen), integer-encoded when canonical. */
    static int sizeOf(byte[] s) {
        int encoded;
        if (isCanonicalLong(s)) {
            long v = dev.ferry.protocol.Ascii.parseLongOr(s, 0);
            encoded = v >= 0 && v <= 127 ? 1 : v >= -4096 && v <= 4095 ? 2 : v >= Short.MIN_VALUE && v <= Short.MAX_VALUE ? 3
                : v >= -(1 << 23) && v <= (1 << 23) - 1 ? 4 : v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE ? 5 : 9;
        } else {
            int n = s.length;
            encoded = (n < 64 ? 1 : n < 4096 ? 2 : 5) + n;
        }
        return encoded + backlenSize(encoded);
    }

    /** Writes the entry of s at off (as {@link #append} would); returns the offset after it. */
    static int writeElement(byte[] out, int off, byte[] s) {
        if (isCanonicalLong(s)) return writeInteger(out, off, dev.ferry.protocol.Ascii.parseLongOr(s, 0));
        return writeString(out, off, s);
    }

    private static int backlenSize(long l) {
        return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
    }

    private static boolean isCanonicalLong(byte[] s) {
        int n = s.length;
        if (n == 0 || n > 20) return false;
        if (n == 1 && s[0] == '0') return true;
        int p = s[0] == '-' ? 1 : 0;
        if (p == n || s[p] < '1' || s[p] > '9') return false;
        for (int i = p; i < n; i++) if (s[i] < '0' || s[i] > '9') return false;
        if (n - p < 19) return true;
        return parseCanonicalLong(s, new long[1]);
    }

    /**
     * The entry's length (encoding + data) after it, written so that a reader walking backwards finds it:
     * 7 bits per byte, the byte nearest the entry's start carrying the highest bits, every byte but that
     * one flagged with 128 (lpEncodeBacklen). Returns the offset after it.
     */
    private static int writeBacklen(byte[] out, int p, long l) {
        int n = backlenSize(l);
        for (int i = 0; i < n; i++) {
            int shift = 7 * (n - 1 - i);
            int b = (int) ((l >>> shift) & 127);
            out[p++] = (byte) (i == 0 ? b : b | 128);
        }
        return p;
    }

    private void room(int n) {
        if (used + n + 1 > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, used + n + 1));
    }

    /**
     * The bytes one element takes in a listpack (encoding, data and backlen), as {@link #append} would write
     * it: what a quicklist node's size grows by. No allocation.
     */
    public static int entryBytes(byte[] element) {
        int n = element.length;
        int enc;
        if (n > 0 && n <= 20 && isCanonicalLong(element)) {
            long v = parseLongUnchecked(element);
            if (v >= 0 && v <= 127) enc = 1;
            else if (v >= -4096 && v <= 4095) enc = 2;
            else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) enc = 3;
            else if (v >= -(1 << 23) && v <= (1 << 23) - 1) enc = 4;
            else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) enc = 5;
            else enc = 9;
        } else {
            enc = n < 64 ? 1 + n : n < 4096 ? 2 + n : 5 + n;
        }
        return enc + (enc <= 127 ? 1 : enc < 16383 ? 2 : enc < 2097151 ? 3 : enc < 268435455 ? 4 : 5);
    }

    /** The value of text {@link #isCanonicalLong} accepted. */
    private static long parseLongUnchecked(byte[] s) {
        boolean negative = s[0] == '-';
        long v = 0;
        for (int p = negative ? 1 : 0; p < s.length; p++) v = v * 10 - (s[p] - '0');
        return negative ? v : -v;
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
