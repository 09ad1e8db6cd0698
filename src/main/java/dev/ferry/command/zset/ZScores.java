package dev.ferry.command.zset;

import dev.ferry.engine.Errors;
import dev.ferry.engine.ReplyError;
import dev.ferry.protocol.Ascii;
import dev.ferry.store.ZLexRange;
import dev.ferry.store.ZScoreRange;
import dev.ferry.store.ZSetValue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Scores and ranges as the sorted-set commands read them (Redis 7.0's getDoubleFromObject, zslParseRange,
 * zslParseLexRange): C's strtod rules, exclusive "(" bounds, "[" "-" "+" lex bounds, and Redis's error words.
 */
final class ZScores {
    static final ReplyError NOT_FLOAT_RANGE = new ReplyError("ERR min or max is not a float");
    static final ReplyError NOT_LEX_RANGE = new ReplyError("ERR min or max not valid string range item");
    static final ReplyError NOT_FLOAT = new ReplyError(Errors.NOT_FLOAT);

    private ZScores() {}

    static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == 0x0B || b == '\f' || b == '\r';
    }

    /**
     * A score argument as getDoubleFromObject reads it: strtod over the whole argument, no leading space, not
     * NaN, not out of range (ERANGE: overflow to infinity or underflow to zero). Integers take a path that
     * builds nothing (redis-benchmark's ZADD).
     */
    static double parseScore(byte[] a) {
        int n = a.length;
        if (n > 0 && n < 16 && Ascii.isLong(a)) return Ascii.parseLongOr(a, 0);
        if (n == 0 || isSpace(a[0])) throw NOT_FLOAT;
        double plain = plainDigits(a);
        if (!Double.isNaN(plain)) return plain;
        double d = strtod(a, 0, n, true);
        if (Double.isNaN(d)) throw NOT_FLOAT;
        return d;
    }

    /**
     * An optionally signed run of at most 15 decimal digits, leading zeros allowed (redis-benchmark's ZADD
     * scores are zero-padded: "000000054321"): exact in a double, parsed without building a String. NaN
     * for anything else.
     */
    private static double plainDigits(byte[] a) {
        int i = a[0] == '-' || a[0] == '+' ? 1 : 0;
        if (a.length - i == 0 || a.length - i > 15) return Double.NaN;
        long v = 0;
        for (int j = i; j < a.length; j++) {
            int d = a[j] - '0';
            if (d < 0 || d > 9) return Double.NaN;
            v = v * 10 + d;
        }
        return a[0] == '-' ? (v == 0 ? -0.0 : -v) : v;
    }

    /** Whether the mantissa (before the exponent letter) has a digit other than 0 (an underflow check). */
    private static boolean hasNonZeroDigit(String s, char exponent) {
        for (int i = 0; i < s.length() && s.charAt(i) != exponent; i++) {
            char ch = s.charAt(i);
            if (ch != '0' && ch != '.') return true;
        }
        return false;
    }

    private static final java.util.regex.Pattern HEX_FLOAT =
        java.util.regex.Pattern.compile("([0-9a-f]+\\.?[0-9a-f]*|\\.[0-9a-f]+)(p[+-]?[0-9]+)?");
    private static final java.util.regex.Pattern DECIMAL_FLOAT =
        java.util.regex.Pattern.compile("([0-9]+\\.?[0-9]*|\\.[0-9]+)(e[+-]?[0-9]+)?");

    /**
     * C's strtod over bytes [off, off+len), which must all be consumed: optional spaces (zslParseRange lets
     * them through), sign, decimal or hexadecimal digits with exponent, inf / infinity; NaN for anything else
     * (and for "nan", which callers refuse too). With checkRange, an overflow or an underflow to zero is NaN too.
     */
    static double strtod(byte[] a, int off, int len, boolean checkRange) {
        int i = off, end = off + len;
        while (i < end && isSpace(a[i])) i++;
        if (i == end) return len == 0 && !checkRange ? 0 : Double.NaN;
        String s = new String(a, i, end - i, StandardCharsets.ISO_8859_1);
        String body = s;
        boolean neg = false;
        if (body.startsWith("+") || body.startsWith("-")) {
            neg = body.charAt(0) == '-';
            body = body.substring(1);
        }
        String lower = body.toLowerCase();
        if (lower.equals("inf") || lower.equals("infinity")) return neg ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        double d;
        boolean nonZeroDigit = false;
        if (lower.startsWith("0x")) {
            String h = lower.substring(2);
            if (!HEX_FLOAT.matcher(h).matches()) return Double.NaN;
            nonZeroDigit = hasNonZeroDigit(h, 'p');
            d = Double.parseDouble((neg ? "-" : "") + "0x" + (h.contains("p") ? h : h + "p0"));
        } else {
            if (!DECIMAL_FLOAT.matcher(lower).matches()) return Double.NaN;
            nonZeroDigit = hasNonZeroDigit(lower, 'e');
            d = Double.parseDouble((neg ? "-" : "") + lower);
        }
        if (checkRange && (Double.isInfinite(d) || (d == 0 && nonZeroDigit))) return Double.NaN;
        return d;
    }

    /** zslParseRange: "(" for exclusive, strtod for the rest (spaces before the number allowed). */
    static ZScoreRange parseScoreRange(byte[] min, byte[] max) {
        ZScoreRange r = new ZScoreRange();
        r.minex = min.length > 0 && min[0] == '(';
        r.maxex = max.length > 0 && max[0] == '(';
        r.min = bound(min, r.minex);
        r.max = bound(max, r.maxex);
        return r;
    }

    private static double bound(byte[] a, boolean ex) {
        int off = ex ? 1 : 0;
        int len = a.length - off;
        // strtod stops at a NUL byte: what follows it is not seen
        for (int i = off; i < a.length; i++) if (a[i] == 0) { len = i - off; break; }
        if (len == 0 && a.length - off > 0) throw NOT_FLOAT_RANGE;
        double d = strtod(a, off, len, false);
        if (Double.isNaN(d)) throw NOT_FLOAT_RANGE;
        return d;
    }

    /** zslParseLexRange. */
    static ZLexRange parseLexRange(byte[] min, byte[] max) {
        ZLexRange r = new ZLexRange();
        if (min.length == 0 || max.length == 0) throw NOT_LEX_RANGE;
        switch (min[0]) {
            case '+' -> { if (min.length != 1) throw NOT_LEX_RANGE; r.minInf = 1; r.minex = true; }
            case '-' -> { if (min.length != 1) throw NOT_LEX_RANGE; r.minInf = -1; r.minex = true; }
            case '(' -> { r.minex = true; r.min = Arrays.copyOfRange(min, 1, min.length); }
            case '[' -> r.min = Arrays.copyOfRange(min, 1, min.length);
            default -> throw NOT_LEX_RANGE;
        }
        switch (max[0]) {
            case '+' -> { if (max.length != 1) throw NOT_LEX_RANGE; r.maxInf = 1; r.maxex = true; }
            case '-' -> { if (max.length != 1) throw NOT_LEX_RANGE; r.maxInf = -1; r.maxex = true; }
            case '(' -> { r.maxex = true; r.max = Arrays.copyOfRange(max, 1, max.length); }
            case '[' -> r.max = Arrays.copyOfRange(max, 1, max.length);
            default -> throw NOT_LEX_RANGE;
        }
        return r;
    }
}
