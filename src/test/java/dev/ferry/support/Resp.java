package dev.ferry.support;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Splits raw reply bytes (as {@link RawClient} returns them, ISO-8859-1 text) into their parts, for replies
 * whose element order is not deterministic (members of a hashtable-encoded set, random picks): the header
 * line and the raw text of each top-level element.
 */
public final class Resp {
    private Resp() {}

    /** A reply split into its header line (with CRLF) and its top-level elements' raw texts. */
    public record Parts(String header, List<String> elements) {
        /** The same reply with its elements sorted: equal for two replies that differ only in order. */
        public Parts sorted() {
            List<String> s = new ArrayList<>(elements);
            Collections.sort(s);
            return new Parts(header, s);
        }

        /** The elements' payloads (bulk strings without their framing). */
        public List<String> values() {
            List<String> out = new ArrayList<>(elements.size());
            for (String e : elements) out.add(bulkValue(e));
            return out;
        }
    }

    public static Parts split(String reply) {
        int[] pos = {0};
        String header = line(reply, pos);
        List<String> elements = new ArrayList<>();
        char t = header.charAt(0);
        if (t == '*' || t == '~' || t == '%' || t == '>') {
            long n = Long.parseLong(header.substring(1, header.length() - 2));
            if (t == '%') n *= 2;
            for (long i = 0; i < n; i++) {
                int start = pos[0];
                skipValue(reply, pos);
                elements.add(reply.substring(start, pos[0]));
            }
        }
        return new Parts(header, elements);
    }

    /** The payload of one bulk string element ("$3\r\nabc\r\n" -> "abc"); other elements as they are. */
    public static String bulkValue(String element) {
        if (element.charAt(0) != '$') return element;
        int crlf = element.indexOf("\r\n");
        return element.substring(crlf + 2, element.length() - 2);
    }

    private static String line(String s, int[] pos) {
        int crlf = s.indexOf("\r\n", pos[0]);
        String l = s.substring(pos[0], crlf + 2);
        pos[0] = crlf + 2;
        return l;
    }

    private static void skipValue(String s, int[] pos) {
        String l = line(s, pos);
        char t = l.charAt(0);
        long n = switch (t) {
            case '$', '=', '!', '*', '~', '>', '%', '|' -> Long.parseLong(l.substring(1, l.length() - 2));
            default -> 0;
        };
        switch (t) {
            case '$', '=', '!' -> {
                if (n >= 0) pos[0] += (int) n + 2;
            }
            case '*', '~', '>' -> {
                for (long i = 0; i < n; i++) skipValue(s, pos);
            }
            case '%', '|' -> {
                for (long i = 0; i < 2 * n; i++) skipValue(s, pos);
            }
            default -> { }
        }
    }
}
