package dev.ferry.command.introspection;

import dev.ferry.engine.*;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The documentation of each command, read once from command-docs.txt: what COMMAND DOCS returns (and
 * redis-cli builds its hints from), plus the facts of COMMAND INFO that the command table does not hold
 * (tips, key specs, explicit ACL categories). Keyed by full name: "get", "client|list".
 */
public final class CommandDocs {
    static final String RESOURCE = "command-docs.txt";

    record History(String version, String text) { }

    /**
     * A Redis 7 key spec: flags, where the search begins ("index" {index} / "keyword" {keyword, startfrom})
     * and how keys are found from there ("range" {lastkey, keystep, limit} / "keynum" {keynumidx, firstkey,
     * keystep}). Spec values are Integer or String, in the order Redis replies with them.
     */
    record KeySpec(String notes, List<String> flags, String beginType, Map<String, Object> begin,
                   String findType, Map<String, Object> find) { }

    static final class Doc {
        String summary, since, group, complexity, deprecatedSince, replacedBy;
        final List<History> history = new ArrayList<>();
        final List<String> docFlags = new ArrayList<>();
        final List<String> tips = new ArrayList<>();
        /** The ACL categories Redis declares for the command; null = decided by the group. */
        List<String> acl;
        final List<KeySpec> keySpecs = new ArrayList<>();
        List<DocSyntax.Arg> args = List.of();
    }

    private static volatile CommandDocs instance;
    private final Map<String, Doc> byName;

    private CommandDocs(Map<String, Doc> byName) {
        this.byName = byName;
    }

    public static CommandDocs get() {
        CommandDocs d = instance;
        if (d == null) {
            synchronized (CommandDocs.class) {
                if (instance == null) instance = load();
                d = instance;
            }
        }
        return d;
    }

    /** The doc of a command by full name, or null when the file has none. */
    public Doc of(String fullName) {
        return byName.get(fullName);
    }

    /** Every documented full name. */
    java.util.Set<String> names() {
        return byName.keySet();
    }

    private static CommandDocs load() {
        try (InputStream in = CommandDocs.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.ISO_8859_1));
            List<String> lines = new ArrayList<>();
            for (String line; (line = r.readLine()) != null; ) lines.add(line);
            return new CommandDocs(parse(lines));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, Doc> parse(List<String> lines) {
        Map<String, Doc> out = new HashMap<>();
        Doc current = null;
        int n = 0;
        for (String line : lines) {
            n++;
            if (line.isBlank() || line.startsWith("#")) continue;
            try {
                if (line.startsWith(" ")) {
                    if (current == null) throw new IllegalArgumentException("detail before any command");
                    detail(current, line.trim());
                    continue;
                }
                String[] f = line.split("\\|", 6);
                if (f.length < 5) throw new IllegalArgumentException("expected name|since|group|summary|complexity|args");
                current = new Doc();
                current.since = f[1];
                current.group = f[2];
                current.summary = f[3];
                current.complexity = f[4];
                current.args = f.length == 6 ? DocSyntax.parse(f[5].trim()) : List.of();
                out.put(f[0].trim().replace(' ', '|'), current);
            } catch (RuntimeException e) {
                throw new IllegalStateException(RESOURCE + " line " + n + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    private static void detail(Doc d, String line) {
        int sp = line.indexOf(' ');
        String kind = sp < 0 ? line : line.substring(0, sp);
        String rest = sp < 0 ? "" : line.substring(sp + 1).trim();
        switch (kind) {
            case "history" -> {
                int s = rest.indexOf(' ');
                d.history.add(new History(rest.substring(0, s), rest.substring(s + 1)));
            }
            case "deprecated" -> {
                int s = rest.indexOf(' ');
                d.deprecatedSince = s < 0 ? rest : rest.substring(0, s);
                d.replacedBy = s < 0 ? null : rest.substring(s + 1);
                d.docFlags.add(0, "deprecated");
            }
            case "docflags" -> d.docFlags.addAll(words(rest));
            case "tips" -> d.tips.addAll(words(rest));
            case "acl" -> d.acl = rest.equals("-") ? List.of() : words(rest);
            case "keys" -> d.keySpecs.add(keySpec(rest));
            default -> throw new IllegalArgumentException("unknown detail '" + kind + "'");
        }
    }

    /** "RW access update; index 1; range 0 1 0; notes text". */
    private static KeySpec keySpec(String s) {
        String[] parts = s.split("; ", 4);
        if (parts.length < 3) throw new IllegalArgumentException("key spec needs flags; begin; find");
        String notes = parts.length == 4 && parts[3].startsWith("notes ") ? parts[3].substring(6) : null;
        List<String> begin = words(parts[1]);
        List<String> find = words(parts[2]);
        Map<String, Object> b = new LinkedHashMap<>();
        switch (begin.get(0)) {
            case "index" -> b.put("index", Integer.parseInt(begin.get(1)));
            case "keyword" -> {
                b.put("keyword", begin.get(1));
                b.put("startfrom", Integer.parseInt(begin.get(2)));
            }
            case "unknown" -> { }
            default -> throw new IllegalArgumentException("begin_search " + begin.get(0));
        }
        Map<String, Object> k = new LinkedHashMap<>();
        switch (find.get(0)) {
            case "range" -> {
                k.put("lastkey", Integer.parseInt(find.get(1)));
                k.put("keystep", Integer.parseInt(find.get(2)));
                k.put("limit", Integer.parseInt(find.get(3)));
            }
            case "keynum" -> {
                k.put("keynumidx", Integer.parseInt(find.get(1)));
                k.put("firstkey", Integer.parseInt(find.get(2)));
                k.put("keystep", Integer.parseInt(find.get(3)));
            }
            case "unknown" -> { }
            default -> throw new IllegalArgumentException("find_keys " + find.get(0));
        }
        return new KeySpec(notes, words(parts[0]), begin.get(0), b, find.get(0), k);
    }

    private static List<String> words(String s) {
        return s.isBlank() ? List.of() : Arrays.asList(s.trim().split(" +"));
    }
}
