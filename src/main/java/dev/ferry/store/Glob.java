package dev.ferry.store;

import java.nio.charset.StandardCharsets;

/**
 * Redis's glob matcher ({@code stringmatchlen} in util.c, as in redis-server 7.0.15): {@code *}, {@code ?},
 * {@code [abc]}, {@code [^a]}, {@code [a-z]} and backslash escapes, over bytes. Used by KEYS, SCAN MATCH,
 * CONFIG GET and COMMAND LIST FILTERBY PATTERN.
 *
 * <p>The work is bounded. Redis's matcher recurses at every {@code *} and, since CVE-2022-36021, stops the
 * whole search as soon as the part of the pattern after one {@code *} has failed at every remaining position
 * of the string ({@code skipLongerMatches}): letting an earlier {@code *} swallow more bytes could only start
 * that same tail later in the string, where it has just been shown not to match. So only the most recent
 * {@code *} is ever retried, and this class does exactly that in a loop, without recursion: one retry point
 * (the last star), advanced one byte per failure. {@code a*a*...a*b} against a long run of {@code a}s costs
 * (pattern length x string length) steps instead of an exponential number, and a pattern of any size cannot
 * overflow the stack.
 *
 * <p>Quirks kept byte for byte, because clients see them:
 * <ul>
 *   <li>The subject must not be empty for anything but the empty pattern to match: {@code *} does not match
 *       the empty string (KEYS and SCAN short-circuit the bare {@code *}, see {@link #matchesAll}).</li>
 *   <li>An unterminated class takes the rest of the pattern as its members: {@code [abc} is {@code [abc]};
 *       a lone {@code [} at the end matches nothing, a lone {@code [^} matches any byte.</li>
 *   <li>{@code ]} right after {@code [} closes an empty class ({@code []} matches nothing, {@code [^]} any
 *       byte); {@code [a-]} is the range from {@code ]} to {@code a}, still unterminated.</li>
 *   <li>Range bounds may be reversed ({@code [z-a]}), and bytes compare as C's signed {@code char}:
 *       {@code [a-\xff]} is the range -1..97, which holds 0x00-0x61 and 0xff but not 0x80-0xfe.</li>
 *   <li>A backslash escapes the next byte; a trailing backslash is a literal one. Inside a class an escaped
 *       byte compares exactly, even when case is ignored.</li>
 *   <li>Ignoring case folds only ASCII A-Z (the C locale's {@code tolower}); in a range the bounds are swapped
 *       first and folded after, so {@code [A-z]} without case holds {@code a-z} but not {@code _}.</li>
 *   <li>At most 1000 stars may be passed: a pattern that reaches its 1001st run of stars before its end does
 *       not match (Redis's "protection against abusive patterns", nesting &gt; 1000 in stringmatchlen_impl; a final
 *       run of stars still matches). The redis-server 7.0.15 that the oracle tests run has this limit.</li>
 * </ul>
 */
public final class Glob {
    /** Redis returns "no match" beyond this many nested star recursions. */
    static final int MAX_STARS = 1000;

    private Glob() {}

    /** Text made from a client's bytes holds one char per byte (protocol.Ascii#text), so this matches those bytes. */
    public static boolean matches(String pattern, String s, boolean nocase) {
        return matches(pattern.getBytes(StandardCharsets.ISO_8859_1), s.getBytes(StandardCharsets.ISO_8859_1), nocase);
    }

    public static boolean matches(byte[] pattern, byte[] s) {
        return matches(pattern, s, false);
    }

    /** True when the pattern is "*", which matches everything (KEYS skips matching then). */
    public static boolean matchesAll(byte[] pattern) {
        return pattern.length == 1 && pattern[0] == '*';
    }

    public static boolean matches(byte[] p, byte[] s, boolean nocase) {
        final int plen = p.length;
        final int slen = s.length;
        int pi = 0;
        int si = 0;
        // The retry point: where the pattern resumes after the last star, and the string offset that star's
        // tail was last tried at. -1: no star passed yet, a failure is final.
        int retryP = -1;
        int retryS = 0;
        int stars = 0;
        while (true) {
            boolean failed;
            if (pi < plen && si < slen) {
                failed = false;
                switch (p[pi]) {
                    case '*' -> {
                        while (pi + 1 < plen && p[pi + 1] == '*') pi++;
                        if (pi + 1 == plen) return true; // a final star takes whatever is left
                        if (++stars > MAX_STARS) return false;
                        // Try the tail at the current offset first (the star takes nothing), later ones on failure.
                        retryP = pi + 1;
                        retryS = si;
                        pi++;
                        continue;
                    }
                    case '?' -> si++;
                    case '[' -> {
                        pi = matchClass(p, pi + 1, s[si], nocase);
                        if (pi < 0) {
                            failed = true;
                        } else {
                            si++;
                        }
                    }
                    case '\\' -> {
                        if (plen - pi >= 2) pi++;
                        if (eq(p[pi], s[si], nocase)) si++;
                        else failed = true;
                    }
                    default -> {
                        if (eq(p[pi], s[si], nocase)) si++;
                        else failed = true;
                    }
                }
                if (!failed) {
                    pi++;
                    // With the string used up, stars left in the pattern can only match nothing.
                    if (si == slen) while (pi < plen && p[pi] == '*') pi++;
                    continue;
                }
            } else if (pi == plen && si == slen) {
                return true;
            }
            // This attempt failed: let the last star take one more byte, if it can.
            if (retryP < 0) return false;
            retryS++;
            if (retryS >= slen) return false; // that star's tail fits nowhere: no earlier star can help either
            pi = retryP;
            si = retryS;
        }
    }

    /**
     * Matches byte c against the class whose members start at pi (just after the '['). Returns the index of
     * the class's last byte (its ']' or, unterminated, the pattern's last byte), or -1 when c is not in it.
     */
    private static int matchClass(byte[] p, int pi, byte c, boolean nocase) {
        final int plen = p.length;
        boolean not = pi < plen && p[pi] == '^';
        if (not) pi++;
        boolean match = false;
        while (true) {
            int left = plen - pi;
            if (left >= 2 && p[pi] == '\\') {
                pi++;
                if (p[pi] == c) match = true; // exact even when case is ignored, as in Redis
            } else if (left >= 1 && p[pi] == ']') {
                break;
            } else if (left == 0) {
                pi--; // unterminated: the class ends with the pattern
                break;
            } else if (left >= 3 && p[pi + 1] == '-') {
                // Signed, as C's char: Java's byte has the same values.
                int start = p[pi];
                int end = p[pi + 2];
                int x = c;
                if (start > end) {
                    int t = start;
                    start = end;
                    end = t;
                }
                if (nocase) {
                    start = lower(start);
                    end = lower(end);
                    x = lower(x);
                }
                pi += 2;
                if (x >= start && x <= end) match = true;
            } else if (eq(p[pi], c, nocase)) {
                match = true;
            }
            pi++;
        }
        return match != not ? pi : -1;
    }

    private static boolean eq(byte a, byte b, boolean nocase) {
        return a == b || nocase && lower(a) == lower(b);
    }

    /** C's tolower in the "C" locale (Redis never sets LC_CTYPE): only ASCII A-Z fold. */
    private static int lower(int c) {
        return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    }
}
