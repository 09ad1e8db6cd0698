package dev.ferry.command.string;

import dev.ferry.engine.*;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * The arithmetic of INCRBYFLOAT, exactly as Redis does it on x86-64 Linux: C {@code long double}, which
 * is the x87 80-bit extended format (64-bit significand, binary exponent down to 2^-16445 with
 * subnormals, largest finite value just under 2^16384).
 *
 * <p>Why not BigDecimal: the extended format keeps about 19 significant digits, and Redis prints the
 * result with {@code %.17Lf}, so digits beyond that precision show the binary value's expansion
 * ("12345678901.123456789" comes back as "12345678901.12345678918063641") and a small increment of a
 * large value is lost entirely. Only an exact model of the format reproduces those bytes. Values are
 * kept as {@code mantissa * 2^exponent} with the mantissa rounded to 64 bits, half to even, after every
 * operation, as the FPU does in its default rounding mode.
 */
public final class LongDouble {
    /** string2ld refuses inputs this long or longer (MAX_LONG_DOUBLE_CHARS). */
    public static final int MAX_CHARS = 5 * 1024;
    private static final int PRECISION = 64;
    /** Exponent of the least significant bit of the smallest subnormal. */
    private static final int MIN_LSB_EXPONENT = -16445;
    /** Finite values are below 2^(MAX_EXPONENT + 1). */
    private static final int MAX_EXPONENT = 16383;
    private static final BigInteger TEN_POW_17 = BigInteger.TEN.pow(17);

    public static final LongDouble ZERO = new LongDouble(BigInteger.ZERO, 0, false);
    private static final LongDouble POSITIVE_INFINITY = new LongDouble(BigInteger.ONE, 0, true);
    private static final LongDouble NEGATIVE_INFINITY = new LongDouble(BigInteger.ONE.negate(), 0, true);

    /** Signed significand; the value is mantissa * 2^exponent (for infinities only the sign counts). */
    private final BigInteger mantissa;
    private final int exponent;
    private final boolean infinite;

    private LongDouble(BigInteger mantissa, int exponent, boolean infinite) {
        this.mantissa = mantissa;
        this.exponent = exponent;
        this.infinite = infinite;
    }

    public boolean isInfinite() {
        return infinite;
    }

    // ---- parsing: Redis's string2ld (strtold, then refusals) -------------------------------------------

    /**
     * Parses like Redis's string2ld: the whole argument must be a number strtold accepts (decimal, hex
     * float, "inf"/"infinity"), with no leading space, shorter than MAX_CHARS; NaN is refused, and so is
     * any number strtold reports as out of range (overflow, or underflow to zero). Null when refused.
     */
    public static LongDouble parse(byte[] s) {
        int n = s.length;
        if (n == 0 || n >= MAX_CHARS) return null;
        int p = 0;
        boolean negative = false;
        if (s[p] == '+' || s[p] == '-') {
            negative = s[p] == '-';
            p++;
        }
        if (p == n) return null;
        if (s[p] == 'i' || s[p] == 'I') {
            if (!matchesIgnoreCase(s, p, "inf") && !matchesIgnoreCase(s, p, "infinity")) return null;
            return negative ? NEGATIVE_INFINITY : POSITIVE_INFINITY;
        }
        if (s[p] == '0' && p + 1 < n && (s[p + 1] == 'x' || s[p + 1] == 'X')) {
            LongDouble hex = parseHex(s, p + 2, negative);
            if (hex != null) return hex;
            // "0x" without hex digits: strtold stops after the 0 and the rest is garbage
            return null;
        }
        return parseDecimal(s, p, negative);
    }

    private static boolean matchesIgnoreCase(byte[] s, int from, String lower) {
        if (s.length - from != lower.length()) return false;
        for (int i = 0; i < lower.length(); i++) {
            int c = s[from + i];
            if (c >= 'A' && c <= 'Z') c += 32;
            if (c != lower.charAt(i)) return false;
        }
        return true;
    }

    private static LongDouble parseDecimal(byte[] s, int p, boolean negative) {
        int n = s.length;
        StringBuilder digits = new StringBuilder(n);
        int fractionDigits = 0;
        boolean any = false;
        while (p < n && isDigit(s[p])) {
            appendDigit(digits, s[p++]);
            any = true;
        }
        if (p < n && s[p] == '.') {
            p++;
            while (p < n && isDigit(s[p])) {
                appendDigit(digits, s[p++]);
                fractionDigits++;
                any = true;
            }
        }
        if (!any) return null;
        long exp10 = 0;
        if (p < n && (s[p] == 'e' || s[p] == 'E')) {
            long[] parsed = parseExponent(s, p + 1);
            if (parsed == null) return null;
            exp10 = parsed[0];
            p = (int) parsed[1];
        }
        if (p != n) return null;
        // digits holds the significant digits without leading zeros; scale = exp10 - fractionDigits
        if (digits.length() == 0) return ZERO;
        long scale = exp10 - fractionDigits;
        long magnitude = digits.length() + scale;  // the value lies in [10^(magnitude-1), 10^magnitude)
        if (magnitude > 4935) return null;          // overflow (max is about 1.19e4932)
        if (magnitude < -4955) return null;         // underflow to zero (min subnormal is about 3.6e-4951)
        BigInteger d = new BigInteger(digits.toString());
        LongDouble v;
        if (scale >= 0) {
            v = round(d.multiply(BigInteger.TEN.pow((int) scale)), 0);
        } else {
            // d / 10^k as a binary quotient with at least 67 bits, plus a sticky bit for the remainder:
            // enough to round exactly (the sticky bit sits at least 2 bits below the rounding point)
            BigInteger den = BigInteger.TEN.pow((int) -scale);
            int shift = Math.max(0, 68 + den.bitLength() - d.bitLength());
            BigInteger[] qr = d.shiftLeft(shift).divideAndRemainder(den);
            BigInteger m = qr[0].shiftLeft(1);
            if (qr[1].signum() != 0) m = m.setBit(0);
            v = round(m, -shift - 1);
        }
        if (v.infinite || v.mantissa.signum() == 0) return null;  // ERANGE
        return negative ? v.negate() : v;
    }

    private static LongDouble parseHex(byte[] s, int p, boolean negative) {
        int n = s.length;
        BigInteger m = BigInteger.ZERO;
        int fractionDigits = 0;
        boolean any = false;
        while (p < n && hexValue(s[p]) >= 0) {
            m = m.shiftLeft(4).add(BigInteger.valueOf(hexValue(s[p++])));
            any = true;
        }
        if (p < n && s[p] == '.') {
            p++;
            while (p < n && hexValue(s[p]) >= 0) {
                m = m.shiftLeft(4).add(BigInteger.valueOf(hexValue(s[p++])));
                fractionDigits++;
                any = true;
            }
        }
        if (!any) return null;
        long exp2 = 0;
        if (p < n && (s[p] == 'p' || s[p] == 'P')) {
            long[] parsed = parseExponent(s, p + 1);
            if (parsed == null) return null;
            exp2 = parsed[0];
            p = (int) parsed[1];
        }
        if (p != n) return null;
        if (m.signum() == 0) return ZERO;
        long e = exp2 - 4L * fractionDigits;
        long top = m.bitLength() + e;
        if (top > MAX_EXPONENT + 2) return null;
        if (top < MIN_LSB_EXPONENT - 2) return null;
        LongDouble v = round(m, (int) e);
        if (v.infinite || v.mantissa.signum() == 0) return null;
        return negative ? v.negate() : v;
    }

    /** [exponent, index after it], saturated far beyond any finite value; null when no digits follow. */
    private static long[] parseExponent(byte[] s, int p) {
        int n = s.length;
        boolean negative = false;
        if (p < n && (s[p] == '+' || s[p] == '-')) {
            negative = s[p] == '-';
            p++;
        }
        if (p >= n || !isDigit(s[p])) return null;
        long e = 0;
        while (p < n && isDigit(s[p])) {
            if (e < 100_000_000) e = e * 10 + (s[p] - '0');
            p++;
        }
        return new long[] {negative ? -e : e, p};
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static void appendDigit(StringBuilder digits, byte b) {
        if (b == '0' && digits.length() == 0) return;  // leading zeros carry no value
        digits.append((char) b);
    }

    private static int hexValue(byte b) {
        if (b >= '0' && b <= '9') return b - '0';
        if (b >= 'a' && b <= 'f') return b - 'a' + 10;
        if (b >= 'A' && b <= 'F') return b - 'A' + 10;
        return -1;
    }

    // ---- arithmetic --------------------------------------------------------------------------------------

    /** The sum, rounded to the format (an infinite result means overflow, NaN or an infinite operand). */
    public LongDouble add(LongDouble o) {
        if (infinite || o.infinite) {
            return infinite ? this : o;
        }
        if (mantissa.signum() == 0) return o;
        if (o.mantissa.signum() == 0) return this;
        int e = Math.min(exponent, o.exponent);
        BigInteger sum = mantissa.shiftLeft(exponent - e).add(o.mantissa.shiftLeft(o.exponent - e));
        return round(sum, e);
    }

    private LongDouble negate() {
        return new LongDouble(mantissa.negate(), exponent, infinite);
    }

    /** m * 2^e rounded to 64 significant bits, half to even, with subnormals and overflow to infinity. */
    private static LongDouble round(BigInteger m, int e) {
        int sign = m.signum();
        if (sign == 0) return ZERO;
        BigInteger mag = m.abs();
        int bits = mag.bitLength();
        int lsb = Math.max(e + bits - PRECISION, MIN_LSB_EXPONENT);
        if (lsb > e) {
            int drop = lsb - e;
            BigInteger q = mag.shiftRight(drop);
            BigInteger rem = mag.subtract(q.shiftLeft(drop));
            int cmp = rem.compareTo(BigInteger.ONE.shiftLeft(drop - 1));
            if (cmp > 0 || (cmp == 0 && q.testBit(0))) q = q.add(BigInteger.ONE);
            mag = q;
            e = lsb;
            if (mag.bitLength() > PRECISION) {
                mag = mag.shiftRight(1);
                e++;
            }
        }
        if (mag.signum() == 0) return ZERO;
        if (e + mag.bitLength() - 1 > MAX_EXPONENT) return sign > 0 ? POSITIVE_INFINITY : NEGATIVE_INFINITY;
        return new LongDouble(sign > 0 ? mag : mag.negate(), e, false);
    }

    // ---- formatting: ld2string(LD_STR_HUMAN) ------------------------------------------------------------

    /**
     * {@code %.17Lf} of the exact value (glibc rounds the decimal expansion half to even), then trailing
     * zeros of the fraction and a bare point removed, and "-0" turned into "0", as Redis's ld2string does
     * in human-friendly mode.
     */
    public byte[] toHumanBytes() {
        if (mantissa.signum() == 0) return new byte[] {'0'};
        BigInteger mag = mantissa.abs();
        String text;
        if (exponent >= 0) {
            text = mag.shiftLeft(exponent).toString();
        } else {
            BigInteger scaled = mag.multiply(TEN_POW_17);
            int drop = -exponent;
            BigInteger q = scaled.shiftRight(drop);
            BigInteger rem = scaled.subtract(q.shiftLeft(drop));
            int cmp = rem.compareTo(BigInteger.ONE.shiftLeft(drop - 1));
            if (cmp > 0 || (cmp == 0 && q.testBit(0))) q = q.add(BigInteger.ONE);
            StringBuilder digits = new StringBuilder(q.toString());
            while (digits.length() < 18) digits.insert(0, '0');
            int point = digits.length() - 17;
            int end = digits.length();
            while (end > point && digits.charAt(end - 1) == '0') end--;
            text = end == point ? digits.substring(0, point) : digits.substring(0, point) + "." + digits.substring(point, end);
        }
        if (mantissa.signum() < 0 && !text.equals("0")) text = "-" + text;
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
