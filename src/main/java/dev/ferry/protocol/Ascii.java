package dev.ferry.protocol;

import java.nio.charset.StandardCharsets;

/**
 * Number <-> byte conversions without String on the hot path, with Redis's rules
 * (string2ll / ll2string in util.c): an integer is canonical only when it would print back the same.
 */
public final class Ascii {
    private Ascii() {}

    /** True when {@code s[off, off+len)} is a canonical integer that fits a signed 64-bit value. */
    public static boolean isLong(byte[] s, int off, int len) {
        // 0 is canonical only as "0", so a 0 result from any other text means "not a number"
        return parseLongOr(s, off, len, 0L) != 0L || (len == 1 && s[off] == '0');
    }

    public static boolean isLong(byte[] s) {
        return s.length <= 20 && isLong(s, 0, s.length);
    }

    /**
     * Parses like Redis's string2ll: optional '-', no '+', no spaces, no leading zeros ("0" itself is fine),
     * no overflow. Returns {@code fallback} when it is not such a number.
     */
    public static long parseLongOr(byte[] s, long fallback) {
        return parseLongOr(s, 0, s.length, fallback);
    }

    public static long parseLongOr(byte[] s, int off, int len, long fallback) {
        if (len <= 0 || len > 20) return fallback;
        int p = off, end = off + len;
        if (len == 1 && s[p] == '0') return 0;
        boolean negative = false;
        if (s[p] == '-') {
            negative = true;
            p++;
            if (p == end) return fallback;
        }
        int d = s[p] - '0';
        if (d < 1 || d > 9) return fallback;
        // accumulate as a negative number so that Long.MIN_VALUE fits
        long v = -d;
        p++;
        while (p < end) {
            d = s[p] - '0';
            if (d < 0 || d > 9) return fallback;
            if (v < Long.MIN_VALUE / 10) return fallback;
            v *= 10;
            if (v < Long.MIN_VALUE + d) return fallback;
            v -= d;
            p++;
        }
        if (negative) return v;
        if (v == Long.MIN_VALUE) return fallback;
        return -v;
    }

    /** Number of decimal characters of v, sign included. */
    public static int digits(long v) {
        if (v < 0) return v == Long.MIN_VALUE ? 20 : 1 + digits(-v);
        int n = 1;
        long p = 10;
        while (n < 19 && v >= p) {
            n++;
            p *= 10;
        }
        return n;
    }

    /** Decimal text of v as bytes (a small cache spares allocation for the common small values). */
    public static byte[] toBytes(long v) {
        if (v >= 0 && v < SMALL.length) return SMALL[(int) v];
        byte[] out = new byte[digits(v)];
        write(v, out, 0, out.length);
        return out;
    }

    /** Writes v right-aligned into out[off, off+width) where width == digits(v). */
    public static void write(long v, byte[] out, int off, int width) {
        int p = off + width;
        if (v == Long.MIN_VALUE) {
            byte[] m = "-9223372036854775808".getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(m, 0, out, off, m.length);
            return;
        }
        boolean negative = v < 0;
        if (negative) v = -v;
        do {
            out[--p] = (byte) ('0' + (v % 10));
            v /= 10;
        } while (v != 0);
        if (negative) out[--p] = '-';
    }

    private static final byte[][] SMALL = new byte[10000][];

    static {
        for (int i = 0; i < SMALL.length; i++) SMALL[i] = Integer.toString(i).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Text to bytes under Ferry's one convention for text made from a client's bytes: such a String holds
     * one char per byte (ISO-8859-1, see {@link #text}), so chars up to 0xFF become that byte again and
     * arguments echoed in replies and errors come back byte for byte, as Redis echoes them. A char above
     * 0xFF can only come from Java text (a resource, a message) and is written as UTF-8; it never yields
     * a CR or LF byte.
     */
    public static byte[] bytes(String s) {
        int n = s.length();
        boolean narrow = true;
        for (int i = 0; i < n && narrow; i++) narrow = s.charAt(i) <= 0xFF;
        if (narrow) return s.getBytes(StandardCharsets.ISO_8859_1);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(n + 16);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c <= 0xFF) {
                out.write(c);
                continue;
            }
            int end = Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1)) ? i + 2 : i + 1;
            out.writeBytes(s.substring(i, end).getBytes(StandardCharsets.UTF_8));
            i = end - 1;
        }
        return out.toByteArray();
    }

    /** A client's bytes as text, one char per byte (the inverse of {@link #bytes}). */
    public static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** ASCII case-insensitive comparison of an argument with a lowercase keyword. */
    public static boolean is(byte[] arg, String lowerKeyword) {
        int n = lowerKeyword.length();
        if (arg.length != n) return false;
        for (int i = 0; i < n; i++) {
            int c = arg[i];
            if (c >= 'A' && c <= 'Z') c += 32;
            if (c != lowerKeyword.charAt(i)) return false;
        }
        return true;
    }
}
