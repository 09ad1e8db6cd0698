package dev.ferry.engine.config;

import dev.ferry.protocol.Ascii;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * CONFIG value parsing and formatting with the rules and reason words of Redis 7.0's config.c: booleans,
 * enums, integers (string2ll), memory values (memtoull), save points, percentages, keyspace event classes.
 */
public final class ConfigValues {
    private ConfigValues() {}

    public static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }

    public static boolean parseBool(String v) throws InvalidValue {
        if (v.equalsIgnoreCase("yes")) return true;
        if (v.equalsIgnoreCase("no")) return false;
        throw new InvalidValue("argument must be 'yes' or 'no'");
    }

    public static String parseEnum(String v, String[] values) throws InvalidValue {
        for (String s : values) if (s.equalsIgnoreCase(v)) return s;
        throw new InvalidValue("argument(s) must be one of the following: " + String.join(", ", values));
    }

    /** string2ll (no '+', spaces or leading zeros) and then the bounds check of numericConfig. */
    public static long parseInteger(String v, long min, long max) throws InvalidValue {
        byte[] b = v.getBytes(StandardCharsets.UTF_8);
        if (!Ascii.isLong(b)) throw new InvalidValue("argument couldn't be parsed into an integer");
        long n = Ascii.parseLongOr(b, 0);
        checkBounds(n, min, max);
        return n;
    }

    public static void checkBounds(long n, long min, long max) throws InvalidValue {
        if (n < min || n > max) throw new InvalidValue("argument must be between " + min + " and " + max + " inclusive");
    }

    /**
     * Redis's memtoull: digits then an optional unit (b, k, kb, m, mb, g, gb; any case), no sign. Like the C
     * code, a number too large saturates and the multiplication wraps; signed settings then see a negative
     * value and fail their bounds check.
     */
    public static long parseMemoryValue(String v) throws InvalidValue {
        int i = 0;
        if (!v.isEmpty() && v.charAt(0) == '-') throw new InvalidValue("argument must be a memory value");
        while (i < v.length() && v.charAt(i) >= '0' && v.charAt(i) <= '9') i++;
        String unit = v.substring(i).toLowerCase(Locale.ROOT);
        long mul = switch (unit) {
            case "", "b" -> 1;
            case "k" -> 1000;
            case "kb" -> 1024;
            case "m" -> 1000 * 1000;
            case "mb" -> 1024 * 1024;
            case "g" -> 1000L * 1000 * 1000;
            case "gb" -> 1024L * 1024 * 1024;
            default -> throw new InvalidValue("argument must be a memory value");
        };
        String digits = v.substring(0, i);
        if (digits.length() >= 128) throw new InvalidValue("argument must be a memory value");
        long n = 0;
        for (int k = 0; k < digits.length(); k++) {
            int d = digits.charAt(k) - '0';
            // strtoull saturates at ULLONG_MAX on overflow
            if (Long.compareUnsigned(n, Long.divideUnsigned(-1L - d, 10)) > 0) {
                n = -1L;
                break;
            }
            n = n * 10 + d;
        }
        return n * mul;
    }

    /**
     * A memory value or "N%" (returned as -N, Redis's PERCENT_CONFIG). Like Redis, any negative result, even
     * one that came from a wrapped memory value, is judged as a percentage.
     */
    public static long parseMemoryOrPercent(String v) throws InvalidValue {
        long n;
        try {
            n = parseMemoryValue(v);
        } catch (InvalidValue e) {
            byte[] b = v.substring(0, Math.max(0, v.length() - 1)).getBytes(StandardCharsets.UTF_8);
            if (v.length() <= 1 || !v.endsWith("%") || !Ascii.isLong(b) || Ascii.parseLongOr(b, -1) < 0) {
                throw new InvalidValue("argument must be a memory or percent value");
            }
            n = -Ascii.parseLongOr(b, 0);
        }
        if (n < -100) throw new InvalidValue("percentage argument must be less or equal to 100");
        return n;
    }

    /** A memory-or-percent value as CONFIG GET shows it. */
    public static String memoryOrPercentText(long n) {
        return n < 0 ? (-n) + "%" : Long.toString(n);
    }

    /** strtoll with a full-match check: leading blanks and a sign allowed, saturating; null on garbage. */
    public static Long strtoll(String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        boolean neg = false;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) neg = s.charAt(i++) == '-';
        int start = i;
        long n = 0;
        boolean overflow = false;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            int d = s.charAt(i++) - '0';
            if (n > (Long.MAX_VALUE - d) / 10) overflow = true;
            else n = n * 10 + d;
        }
        if (i != s.length()) return null;
        if (i == start) return 0L; // strtoll("") is 0 with nothing left over
        if (overflow) return neg ? Long.MIN_VALUE : Long.MAX_VALUE;
        return neg ? -n : n;
    }

    // ---- save -----------------------------------------------------------------------------------------

    /** Save points as CONFIG GET shows them: "seconds changes seconds changes ...". */
    public static String saveText(long[] save) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i + 1 < save.length; i += 2) {
            if (sb.length() > 0) sb.append(' ');
            sb.append(save[i]).append(' ').append(save[i + 1]);
        }
        return sb.toString();
    }

    /**
     * setConfigSaveOption: the value is split on single spaces, so "" clears the save points and every
     * field must be a number (seconds at least 1, changes at least 0), read with strtoll.
     */
    public static long[] parseSave(String v) throws InvalidValue {
        String[] parts = v.isEmpty() ? new String[0] : v.split(" ", -1);
        if (parts.length % 2 != 0) throw new InvalidValue("Invalid save parameters");
        long[] out = new long[parts.length];
        for (int j = 0; j < parts.length; j++) {
            Long n = strtoll(parts[j]);
            if (n == null || (j % 2 == 0 && n < 1) || (j % 2 == 1 && n < 0)) throw new InvalidValue("Invalid save parameters");
            out[j] = j % 2 == 1 ? (int) (long) n : n;
        }
        return out;
    }

    // ---- notify-keyspace-events ------------------------------------------------------------------------

    private static final String EVENT_CHARS = "g$lshzxetdnKEm";
    private static final int NOTIFY_ALL = 0x3FF; // g$lshzxetd

    /** keyspaceEventsStringToFlags: one bit per class character, 'A' for g$lshzxetd; -1 on a bad character. */
    public static int keyspaceEventsFromString(String s) {
        int flags = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 'A') {
                flags |= NOTIFY_ALL;
                continue;
            }
            int bit = EVENT_CHARS.indexOf(c);
            if (bit < 0) return -1;
            flags |= 1 << bit;
        }
        return flags;
    }

    /** keyspaceEventsFlagsToString: "A" when all of g$lshzxetd, then K, E, m in that order. */
    public static String keyspaceEventsToString(int flags) {
        StringBuilder sb = new StringBuilder();
        if ((flags & NOTIFY_ALL) == NOTIFY_ALL) sb.append('A');
        else for (int b = 0; b < 11; b++) if ((flags & (1 << b)) != 0) sb.append(EVENT_CHARS.charAt(b));
        for (int b = 11; b < 14; b++) if ((flags & (1 << b)) != 0) sb.append(EVENT_CHARS.charAt(b));
        return sb.toString();
    }
}
