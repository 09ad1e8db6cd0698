package dev.ferry.command.introspection;

import dev.ferry.engine.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Turns the argument syntax of command-docs.txt (what redis-cli shows, plus types and group names, e.g.
 * {@code key value [condition: NX | XX] [EX seconds:integer]}) into the argument tree COMMAND DOCS replies
 * with, Redis 7's redisCommandArg: name, type, key_spec_index, token, flags, nested arguments. The file's
 * header describes the conventions.
 */
final class DocSyntax {
    /** One documented argument (type key, string, integer, double, unix-time, pattern, pure-token, oneof or block). */
    static final class Arg {
        final String name;
        final String type;
        String token;
        int keySpecIndex = -1;
        boolean optional, multiple, multipleToken;
        final List<Arg> args;

        Arg(String name, String type, List<Arg> args) {
            this.name = name;
            this.type = type;
            this.args = args;
        }

        @Override
        public String toString() {
            return name + ":" + type + (token == null ? "" : "/" + token) + (optional ? "?" : "")
                + (multiple ? "*" : "") + (args == null ? "" : args.toString());
        }
    }

    private static final Set<String> TYPES = Set.of("key", "string", "integer", "double", "unix-time", "pattern");

    private final List<String> tokens;
    private int pos;
    private int nextKeySpec;

    private DocSyntax(List<String> tokens) {
        this.tokens = tokens;
    }

    /** Parses one command's argument syntax; an empty text has no arguments. */
    static List<Arg> parse(String syntax) {
        DocSyntax p = new DocSyntax(tokenize(syntax));
        List<Arg> out = p.sequence();
        if (p.pos < p.tokens.size()) throw p.error("unexpected '" + p.tokens.get(p.pos) + "'");
        return out;
    }

    private static List<String> tokenize(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char ch = s.charAt(i);
            if (ch == ' ') {
                i++;
            } else if ("[]()|".indexOf(ch) >= 0) {
                out.add(String.valueOf(ch));
                i++;
            } else {
                int start = i;
                while (i < s.length() && " []()|".indexOf(s.charAt(i)) < 0) i++;
                out.add(s.substring(start, i));
            }
        }
        return out;
    }

    private List<Arg> sequence() {
        List<Arg> out = new ArrayList<>();
        while (pos < tokens.size() && !isOneOf(tokens.get(pos), "]", ")", "|")) out.add(element());
        return out;
    }

    private Arg element() {
        String t = tokens.get(pos++);
        Arg arg;
        String bare = stripSuffix(t);
        int eq = bare.indexOf('=');
        if (eq > 0 && isToken(bare.substring(eq + 1))) {
            // name=TOKEN: a pure token whose name is not its lowercase token (ZADD's change=CH)
            arg = new Arg(bare.substring(0, eq), "pure-token", null);
            arg.token = bare.substring(eq + 1);
            suffix(arg, t);
        } else if (isToken(t) && pos < tokens.size() && isOperand(tokens.get(pos))) {
            arg = operand(tokens.get(pos++));
            arg.token = t;
        } else if (isToken(stripSuffix(t))) {
            arg = new Arg(stripSuffix(t).toLowerCase(Locale.ROOT), "pure-token", null);
            arg.token = stripSuffix(t);
            suffix(arg, t);
        } else {
            arg = operand(t);
        }
        // "..." written apart, after a group: [x]... (x)...
        while (pos < tokens.size() && (tokens.get(pos).equals("...") || tokens.get(pos).equals("+..."))) {
            suffix(arg, tokens.get(pos++));
        }
        return arg;
    }

    private boolean isOperand(String t) {
        return t.equals("(") || (!isToken(stripSuffix(t)) && !isOneOf(t, "[", "]", ")", "|", "...", "+..."));
    }

    /** A word or a group (the opening bracket already taken when t is one). */
    private Arg operand(String t) {
        if (t.equals("(") || t.equals("[")) return group(t.equals("["));
        String w = stripSuffix(t);
        int explicitSpec = -1;
        int hash = w.indexOf('#');
        if (hash > 0) {
            explicitSpec = Integer.parseInt(w.substring(hash + 1));
            w = w.substring(0, hash);
        }
        String name = w;
        String type = "string";
        int colon = w.lastIndexOf(':');
        if (colon > 0 && TYPES.contains(w.substring(colon + 1))) {
            name = w.substring(0, colon);
            type = w.substring(colon + 1);
        } else if (w.equals("key")) {
            type = "key";
        }
        Arg a = new Arg(name, type, null);
        if (type.equals("key")) a.keySpecIndex = explicitSpec >= 0 ? explicitSpec : nextKeySpec++;
        else if (explicitSpec >= 0) a.keySpecIndex = explicitSpec;   // SORT's BY/GET patterns name keys
        suffix(a, t);
        return a;
    }

    private Arg group(boolean optional) {
        String label = null;
        String first = pos < tokens.size() ? tokens.get(pos) : "";
        if (first.length() > 1 && first.endsWith(":")) {
            label = first.substring(0, first.length() - 1);
            pos++;
        }
        List<List<Arg>> alternatives = new ArrayList<>();
        alternatives.add(sequence());
        while (pos < tokens.size() && tokens.get(pos).equals("|")) {
            pos++;
            alternatives.add(sequence());
        }
        String close = optional ? "]" : ")";
        if (pos >= tokens.size() || !tokens.get(pos).equals(close)) throw error("expected " + close);
        pos++;
        Arg g;
        if (alternatives.size() > 1) {
            if (label == null) throw error("a oneof needs a label");
            List<Arg> choices = new ArrayList<>();
            for (List<Arg> alt : alternatives) {
                if (alt.size() != 1) throw error("each alternative of '" + label + "' must be one element");
                choices.add(alt.get(0));
            }
            g = new Arg(label, "oneof", choices);
        } else if (label != null) {
            g = new Arg(label, "block", alternatives.get(0));
        } else if (alternatives.get(0).size() == 1) {
            g = alternatives.get(0).get(0);
        } else {
            throw error("a group of several arguments needs a label");
        }
        if (optional) g.optional = true;
        return g;
    }

    private static void suffix(Arg a, String t) {
        if (t.endsWith("+...")) {
            a.multiple = true;
            a.multipleToken = true;
        } else if (t.endsWith("...")) {
            a.multiple = true;
        }
    }

    private static String stripSuffix(String t) {
        if (t.endsWith("+...")) return t.substring(0, t.length() - 4);
        if (t.endsWith("...")) return t.substring(0, t.length() - 3);
        return t;
    }

    /** Upper-case words are tokens: NX, EX, LIB-NAME, NO-EVICT. */
    private static boolean isToken(String t) {
        if (t.isEmpty() || t.charAt(0) < 'A' || t.charAt(0) > 'Z') return false;
        for (int i = 0; i < t.length(); i++) {
            char ch = t.charAt(i);
            if (!(ch >= 'A' && ch <= 'Z') && !(ch >= '0' && ch <= '9') && ch != '-' && ch != '_') return false;
        }
        return true;
    }

    private static boolean isOneOf(String t, String... options) {
        for (String o : options) if (t.equals(o)) return true;
        return false;
    }

    private IllegalArgumentException error(String why) {
        return new IllegalArgumentException(why + " at token " + pos + " of " + String.join(" ", tokens));
    }
}
