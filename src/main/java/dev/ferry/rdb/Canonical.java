package dev.ferry.rdb;

/** Redis's string2ll (util.c) over a slice of an array: the test of "this string is an integer" everywhere in RDB. */
final class Canonical {
    private Canonical() {}

    /**
     * True, with the value in out[0], when the len bytes at off are a canonical 64-bit integer: at most 20
     * bytes, an optional '-', digits without a leading zero ("0" itself allowed, "-0" not).
     */
    static boolean parseLong(byte[] s, int off, int len, long[] out) {
        if (len == 0 || len > 20) return false;
        if (len == 1 && s[off] == '0') {
            out[0] = 0;
            return true;
        }
        int p = off, end = off + len;
        boolean negative = s[p] == '-';
        if (negative && ++p == end) return false;
        if (s[p] < '1' || s[p] > '9') return false;
        long v = 0; // accumulated negatively, so that Long.MIN_VALUE fits
        for (; p < end; p++) {
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

    /** The decimal text of v in a new array of its exact length (no String on the way: int-encoded set members). */
    static byte[] text(long v) {
        if (v == Long.MIN_VALUE) return "-9223372036854775808".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        boolean negative = v < 0;
        long u = negative ? -v : v;
        int digits = 1;
        for (long t = u; t >= 10; t /= 10) digits++;
        byte[] out = new byte[digits + (negative ? 1 : 0)];
        for (int i = out.length - 1; i >= (negative ? 1 : 0); i--) {
            out[i] = (byte) ('0' + u % 10);
            u /= 10;
        }
        if (negative) out[0] = '-';
        return out;
    }
}
