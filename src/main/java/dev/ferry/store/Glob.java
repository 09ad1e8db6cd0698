package dev.ferry.store;

/**
 * Redis's glob matcher (stringmatchlen in util.c): *, ?, [abc], [^a], [a-z] and backslash escapes,
 * over bytes. Used by KEYS, SCAN MATCH and CONFIG GET.
 */
public final class Glob {
    private Glob() {}

    public static boolean matches(String pattern, String s, boolean nocase) {
        return matches(pattern.getBytes(java.nio.charset.StandardCharsets.UTF_8), 0,
            s.getBytes(java.nio.charset.StandardCharsets.UTF_8), 0, nocase, 0);
    }

    public static boolean matches(byte[] pattern, byte[] s) {
        return matches(pattern, 0, s, 0, false, 0);
    }

    /** True when the pattern is "*", which matches everything (KEYS skips matching then). */
    public static boolean matchesAll(byte[] pattern) {
        return pattern.length == 1 && pattern[0] == '*';
    }

    private static boolean matches(byte[] p, int pi, byte[] s, int si, boolean nocase, int depth) {
        // Redis caps recursion to protect the stack from patterns like "a*a*a*...".
        if (depth > 1000) return false;
        while (pi < p.length && si < s.length) {
            switch (p[pi]) {
                case '*' -> {
                    while (pi + 1 < p.length && p[pi + 1] == '*') pi++;
                    if (pi + 1 == p.length) return true;
                    for (int k = si; k < s.length; k++) {
                        if (matches(p, pi + 1, s, k, nocase, depth + 1)) return true;
                    }
                    return false;
                }
                case '?' -> si++;
                case '[' -> {
                    pi++;
                    boolean not = pi < p.length && p[pi] == '^';
                    if (not) pi++;
                    boolean match = false;
                    while (true) {
                        if (pi >= p.length) {
                            pi--;
                            break;
                        }
                        if (p[pi] == '\\' && pi + 1 < p.length) {
                            pi++;
                            if (p[pi] == s[si]) match = true;
                        } else if (p[pi] == ']') {
                            break;
                        } else if (pi + 2 < p.length && p[pi + 1] == '-') {
                            int start = p[pi] & 0xff, end = p[pi + 2] & 0xff, c = s[si] & 0xff;
                            if (start > end) {
                                int t = start;
                                start = end;
                                end = t;
                            }
                            if (nocase) {
                                start = Character.toLowerCase(start);
                                end = Character.toLowerCase(end);
                                c = Character.toLowerCase(c);
                            }
                            pi += 2;
                            if (c >= start && c <= end) match = true;
                        } else if (eq(p[pi], s[si], nocase)) {
                            match = true;
                        }
                        pi++;
                    }
                    if (not) match = !match;
                    if (!match) return false;
                    si++;
                }
                case '\\' -> {
                    if (pi + 1 < p.length) pi++;
                    if (!eq(p[pi], s[si], nocase)) return false;
                    si++;
                }
                default -> {
                    if (!eq(p[pi], s[si], nocase)) return false;
                    si++;
                }
            }
            pi++;
        }
        if (si == s.length) {
            while (pi < p.length && p[pi] == '*') pi++;
        }
        return pi == p.length && si == s.length;
    }

    private static boolean eq(byte a, byte b, boolean nocase) {
        if (a == b) return true;
        return nocase && Character.toLowerCase(a & 0xff) == Character.toLowerCase(b & 0xff);
    }
}
