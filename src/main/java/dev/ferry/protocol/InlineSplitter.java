package dev.ferry.protocol;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Splits an inline command line like Redis's sdssplitargs: quotes, escapes, whitespace. */
final class InlineSplitter {
    private InlineSplitter() {}

    /** Returns null on unbalanced quotes. */
    static List<byte[]> split(byte[] s, int off, int end) {
        List<byte[]> out = new ArrayList<>();
        int p = off;
        byte[] cur = new byte[Math.max(16, end - off)];
        while (true) {
            while (p < end && isSpace(s[p])) p++;
            if (p >= end) return out;
            int n = 0;
            boolean inDq = false, inSq = false, done = false;
            while (!done) {
                if (inDq) {
                    if (p >= end) return null;
                    if (s[p] == '\\' && p + 3 < end && s[p + 1] == 'x' && isHex(s[p + 2]) && isHex(s[p + 3])) {
                        cur[n++] = (byte) (hex(s[p + 2]) * 16 + hex(s[p + 3]));
                        p += 3;
                    } else if (s[p] == '\\' && p + 1 < end) {
                        p++;
                        byte c = switch (s[p]) {
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            case 'b' -> '\b';
                            case 'a' -> 7;
                            default -> s[p];
                        };
                        cur[n++] = c;
                    } else if (s[p] == '"') {
                        // a closing quote must be followed by a space or the end
                        if (p + 1 < end && !isSpace(s[p + 1])) return null;
                        done = true;
                    } else {
                        cur[n++] = s[p];
                    }
                } else if (inSq) {
                    if (p >= end) return null;
                    if (s[p] == '\\' && p + 1 < end && s[p + 1] == '\'') {
                        p++;
                        cur[n++] = '\'';
                    } else if (s[p] == '\'') {
                        if (p + 1 < end && !isSpace(s[p + 1])) return null;
                        done = true;
                    } else {
                        cur[n++] = s[p];
                    }
                } else {
                    if (p >= end) {
                        done = true;
                        continue;
                    }
                    switch (s[p]) {
                        case ' ', '\n', '\r', '\t', 0 -> done = true;
                        case '"' -> inDq = true;
                        case '\'' -> inSq = true;
                        default -> cur[n++] = s[p];
                    }
                }
                if (p < end) p++;
            }
            out.add(Arrays.copyOf(cur, n));
        }
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t' || b == 0x0b || b == '\f';
    }

    private static boolean isHex(byte b) {
        return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') return b - '0';
        if (b >= 'a' && b <= 'f') return b - 'a' + 10;
        return b - 'A' + 10;
    }
}
