package dev.ferry.command.introspection;

import dev.ferry.engine.*;

import dev.ferry.protocol.Ascii;
import dev.ferry.protocol.Reply;
import dev.ferry.store.Glob;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.ferry.engine.CommandFlags.*;

/**
 * COMMAND and its subcommands (server.c commandCommand and friends): the command table as Redis 7.0
 * describes itself. Arity, flags and key positions come from the table; summaries, argument trees, tips,
 * key specs and explicit ACL categories from {@link CommandDocs}. redis-cli 7 builds its help and its
 * interactive hints from COMMAND DOCS.
 */
public final class IntrospectionFamily implements CommandFamily {
    static final String INVALID_COMMAND = "ERR Invalid command specified";
    static final String NO_KEYS = "ERR The command has no key arguments";
    static final String BAD_ARITY = "ERR Invalid number of arguments specified for command";
    static final String BAD_ARGS = "ERR Invalid arguments specified for command";

    /** Redis's ACL categories in the order COMMAND INFO lists them (ACLCommandCategories in acl.c). */
    static final List<String> CATEGORIES = List.of("keyspace", "read", "write", "set", "sortedset", "list",
        "hash", "string", "bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow",
        "blocking", "dangerous", "connection", "transaction", "scripting");

    private static final String[] HELP = {
        "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and the access flags from a full Redis command.",
        "HELP",
        "    Prints this help.",
    };

    private final CommandDocs docs = CommandDocs.get();

    @Override
    public void register(CommandTable t) {
        int f = LOADING | STALE;
        t.add("command", -1, f, 0, 0, 0, "server", this::all)
            .sub("docs", -2, f, 0, 0, 0, this::docs)
            .sub("count", 2, f, 0, 0, 0, c -> c.reply.integer(c.server.commands().size()))
            .sub("getkeys", -4, f, 0, 0, 0, c -> getKeys(c, false))
            .sub("getkeysandflags", -4, f, 0, 0, 0, c -> getKeys(c, true))
            .sub("help", 2, f, 0, 0, 0, c -> c.reply.help(HELP))
            .sub("info", -2, f, 0, 0, 0, this::info)
            .sub("list", -2, f, 0, 0, 0, this::list);
    }

    // ---- COMMAND / COMMAND INFO ----------------------------------------------------------------------------

    private void all(Call c) {
        CommandTable table = c.server.commands();
        c.reply.array(table.size());
        for (CommandSpec s : table.all()) writeInfo(c.reply, s);
    }

    private void info(Call c) {
        if (c.argc() == 2) {
            all(c);
            return;
        }
        c.reply.array(c.argc() - 2);
        for (int i = 2; i < c.argc(); i++) {
            CommandSpec s = byFullName(c.server.commands(), c.argString(i));
            if (s == null) c.reply.nullBulk();
            else writeInfo(c.reply, s);
        }
    }

    /** Redis's lookupCommandBySds: "get", or "config|get" for a subcommand; null when unknown. */
    static CommandSpec byFullName(CommandTable table, String name) {
        String[] parts = name.split("\\|", -1);
        if (parts.length > 2) return null;
        CommandSpec base = table.get(parts[0].toLowerCase(Locale.ROOT));
        if (base == null || parts.length == 1) return base;
        if (!base.hasSubcommands()) return null;
        return base.subcommands().get(parts[1].toLowerCase(Locale.ROOT));
    }

    /** Whether a command's keys move with its arguments (SINTERCARD's numkeys): CMD_MOVABLE_KEYS. */
    private static boolean movableKeys(CommandDocs.Doc d) {
        if (d == null) return false;
        for (CommandDocs.KeySpec k : d.keySpecs) {
            if (!k.beginType().equals("index") || !k.findType().equals("range")) return true;
        }
        return false;
    }

    /** One entry of COMMAND INFO (server.c addReplyCommandInfo): ten fields. */
    void writeInfo(Reply r, CommandSpec s) {
        CommandDocs.Doc d = docs.of(s.fullName);
        r.array(10);
        r.bulk(s.fullName);
        r.integer(s.arity);
        List<String> flags = CommandFlags.names(s.flags);
        if (movableKeys(d) && !flags.contains("movablekeys")) {
            // Redis's populateCommandMovableKeys: a key spec other than index + range; listed before allow_busy
            flags = new ArrayList<>(flags);
            int busy = flags.indexOf("allow_busy");
            flags.add(busy < 0 ? flags.size() : busy, "movablekeys");
        }
        r.set(flags.size());
        for (String f : flags) r.simple(f);
        r.integer(s.firstKey);
        r.integer(s.lastKey);
        r.integer(s.keyStep);
        List<String> cats = categories(s, d);
        r.set(cats.size());
        for (String cat : cats) r.simple("@" + cat);
        List<String> tips = d == null ? List.of() : d.tips;
        r.set(tips.size());
        for (String tip : tips) r.bulk(tip);
        List<CommandDocs.KeySpec> specs = keySpecs(s, d);
        r.set(specs.size());
        for (CommandDocs.KeySpec k : specs) writeKeySpec(r, k);
        if (s.hasSubcommands()) {
            r.array(s.subcommands().size());
            for (CommandSpec sub : s.subcommands().values()) writeInfo(r, sub);
        } else {
            r.set(0);
        }
    }

    private static void writeKeySpec(Reply r, CommandDocs.KeySpec k) {
        r.map(k.notes() == null ? 3 : 4);
        if (k.notes() != null) {
            r.bulk("notes");
            r.bulk(k.notes());
        }
        r.bulk("flags");
        r.set(k.flags().size());
        for (String f : k.flags()) r.simple(f);
        r.bulk("begin_search");
        writeSearch(r, k.beginType(), k.begin());
        r.bulk("find_keys");
        writeSearch(r, k.findType(), k.find());
    }

    private static void writeSearch(Reply r, String type, Map<String, Object> spec) {
        r.map(2);
        r.bulk("type");
        r.bulk(type);
        r.bulk("spec");
        r.map(spec.size());
        for (Map.Entry<String, Object> e : spec.entrySet()) {
            r.bulk(e.getKey());
            if (e.getValue() instanceof Integer i) r.integer(i);
            else r.bulk((String) e.getValue());
        }
    }

    /**
     * The key specs of a command: those Redis documents, or, for a command with key positions but no
     * documented spec, one derived from them (index first, range to last by step).
     */
    static List<CommandDocs.KeySpec> keySpecs(CommandSpec s, CommandDocs.Doc d) {
        if (d != null && !d.keySpecs.isEmpty()) return d.keySpecs;
        if (s.firstKey <= 0) return List.of();
        List<String> flags = s.is(WRITE) ? List.of("RW", "access", "update") : List.of("RO", "access");
        Map<String, Object> begin = new LinkedHashMap<>();
        begin.put("index", s.firstKey);
        Map<String, Object> find = new LinkedHashMap<>();
        find.put("lastkey", s.lastKey < 0 ? s.lastKey : s.lastKey - s.firstKey);
        find.put("keystep", s.keyStep);
        find.put("limit", 0);
        return List.of(new CommandDocs.KeySpec(null, flags, "index", begin, "range", find));
    }

    /**
     * The ACL categories, as Redis computes them: those declared for the command (by default the one its
     * group stands for; none for a container) plus the implicit ones of setImplicitACLCategories.
     */
    static List<String> categories(CommandSpec s, CommandDocs.Doc d) {
        List<String> declared;
        if (d != null && d.acl != null) declared = d.acl;
        else if (s.hasSubcommands()) declared = List.of();
        else declared = groupCategory(s.group);
        List<String> cats = new ArrayList<>(declared);
        if (s.is(WRITE)) cats.add("write");
        if (s.is(READONLY) && !declared.contains("scripting")) cats.add("read");
        if (s.is(ADMIN)) {
            cats.add("admin");
            cats.add("dangerous");
        }
        if (s.is(PUBSUB)) cats.add("pubsub");
        if (s.is(FAST)) cats.add("fast");
        if (s.is(BLOCKING)) cats.add("blocking");
        if (!cats.contains("fast")) cats.add("slow");
        List<String> ordered = new ArrayList<>();
        for (String cat : CATEGORIES) if (cats.contains(cat)) ordered.add(cat);
        return ordered;
    }

    private static List<String> groupCategory(String group) {
        return switch (group == null ? "" : group) {
            case "string" -> List.of("string");
            case "generic" -> List.of("keyspace");
            case "connection" -> List.of("connection");
            case "transactions" -> List.of("transaction");
            case "list", "set", "hash", "stream", "bitmap", "hyperloglog", "geo", "pubsub", "scripting" -> List.of(group);
            case "sorted-set" -> List.of("sortedset");
            default -> List.of();
        };
    }

    // ---- COMMAND LIST / COUNT ------------------------------------------------------------------------------

    private void list(Call c) {
        String filter = null, value = null;
        if (c.argc() == 5 && c.argIs(2, "filterby")) {
            filter = c.argString(3).toLowerCase(Locale.ROOT);
            value = c.argString(4);
            if (!filter.equals("module") && !filter.equals("aclcat") && !filter.equals("pattern")) throw Errors.syntax();
        } else if (c.argc() != 2) {
            throw Errors.syntax();
        }
        List<String> names = new ArrayList<>();
        for (CommandSpec s : c.server.commands().allWithSubcommands()) {
            if (filter == null || matches(s, filter, value)) names.add(s.fullName);
        }
        c.reply.bulkStrings(names);
    }

    private boolean matches(CommandSpec s, String filter, String value) {
        return switch (filter) {
            case "pattern" -> Glob.matches(value, s.fullName, true);
            case "aclcat" -> categories(s, docs.of(s.fullName)).contains(value.toLowerCase(Locale.ROOT));
            default -> false; // MODULE: Ferry has no modules
        };
    }

    // ---- COMMAND GETKEYS / GETKEYSANDFLAGS -----------------------------------------------------------------

    private void getKeys(Call c, boolean withFlags) {
        int argc = c.argc() - 2;
        CommandSpec cmd = c.server.commands().lookup(c.arg(2));
        if (cmd != null && argc > 1 && cmd.hasSubcommands()) cmd = CommandTable.subcommand(cmd, c.arg(3));
        if (cmd == null) throw Errors.of(INVALID_COMMAND);
        List<CommandDocs.KeySpec> specs = keySpecs(cmd, docs.of(cmd.fullName));
        if (specs.isEmpty()) throw Errors.of(NO_KEYS);
        if (!cmd.arityOk(argc)) throw Errors.of(BAD_ARITY);
        List<int[]> keys = keyPositions(specs, c, 2, argc);
        if (keys.isEmpty()) throw Errors.of(BAD_ARGS);
        c.reply.array(keys.size());
        for (int[] k : keys) {
            if (!withFlags) {
                c.reply.bulk(c.arg(k[0] + 2));
                continue;
            }
            c.reply.array(2);
            c.reply.bulk(c.arg(k[0] + 2));
            List<String> flags = keyFlags(cmd, specs.get(k[1]), c, 2);
            c.reply.set(flags.size());
            for (String f : flags) c.reply.simple(f);
        }
    }

    /**
     * The flags of one key. A spec with variable_flags has them decided by the arguments; of Ferry's
     * commands that is SET, whose key is RW/access only with GET (t_string.c setGetKeys).
     */
    private static List<String> keyFlags(CommandSpec cmd, CommandDocs.KeySpec spec, Call c, int off) {
        if (!spec.flags().contains("variable_flags") || !cmd.fullName.equals("set")) return spec.flags();
        for (int i = off + 3; i < c.argc(); i++) {
            if (c.argIs(i, "get")) return List.of("RW", "access", "update");
        }
        return List.of("OW", "update");
    }

    /**
     * Redis's getKeysUsingKeySpecs over the command's arguments (argv[off..off+argc)): each key as
     * {position, key spec}. Positions past the end are skipped, as Redis does for variadic commands.
     */
    static List<int[]> keyPositions(List<CommandDocs.KeySpec> specs, Call c, int off, int argc) {
        List<int[]> out = new ArrayList<>();
        for (int j = 0; j < specs.size(); j++) {
            CommandDocs.KeySpec k = specs.get(j);
            int first;
            switch (k.beginType()) {
                case "index" -> first = (Integer) k.begin().get("index");
                case "keyword" -> {
                    first = keyword(c, off, argc, (String) k.begin().get("keyword"), (Integer) k.begin().get("startfrom"));
                    if (first < 0) continue;
                }
                default -> {
                    continue;
                }
            }
            int last, step;
            switch (k.findType()) {
                case "range" -> {
                    int lastKey = (Integer) k.find().get("lastkey");
                    int limit = (Integer) k.find().get("limit");
                    step = (Integer) k.find().get("keystep");
                    if (lastKey >= 0) last = first + lastKey;
                    else if (limit == 0) last = argc + lastKey;
                    else last = first + ((argc - first) / limit + lastKey);
                }
                case "keynum" -> {
                    int idx = first + (Integer) k.find().get("keynumidx");
                    if (idx >= argc) continue;
                    byte[] num = c.arg(off + idx);
                    long n = Ascii.isLong(num) ? Ascii.parseLongOr(num, -1) : -1;
                    if (n < 0) continue;
                    step = (Integer) k.find().get("keystep");
                    first += (Integer) k.find().get("firstkey");
                    last = first + (int) n - 1;
                }
                default -> {
                    continue;
                }
            }
            for (int i = first; i <= last && step > 0; i += step) {
                if (i >= argc || i < first) continue;
                out.add(new int[] {i, j});
            }
        }
        return out;
    }

    private static int keyword(Call c, int off, int argc, String keyword, int startFrom) {
        String lower = keyword.toLowerCase(Locale.ROOT);
        if (startFrom >= 0) {
            for (int i = startFrom; i < argc; i++) if (c.argIs(off + i, lower)) return i + 1;
        } else {
            for (int i = argc + startFrom; i > 0; i--) if (c.argIs(off + i, lower)) return i + 1;
        }
        return -1;
    }

    // ---- COMMAND DOCS --------------------------------------------------------------------------------------

    private void docs(Call c) {
        List<CommandSpec> found = new ArrayList<>();
        if (c.argc() == 2) {
            found.addAll(c.server.commands().all());
        } else {
            for (int i = 2; i < c.argc(); i++) {
                CommandSpec s = byFullName(c.server.commands(), c.argString(i));
                if (s != null) found.add(s);
            }
        }
        c.reply.map(found.size());
        for (CommandSpec s : found) {
            c.reply.bulk(s.fullName);
            writeDocs(c.reply, s);
        }
    }

    /** One command's documentation (server.c addReplyCommandDocs); a command without docs gets its group. */
    void writeDocs(Reply r, CommandSpec s) {
        CommandDocs.Doc d = docs.of(s.fullName);
        String group = d != null ? d.group : s.group;
        int n = 1;
        if (d != null) {
            n += present(d.summary) + present(d.since) + present(d.complexity) + present(d.deprecatedSince)
                + present(d.replacedBy);
            if (!d.docFlags.isEmpty()) n++;
            if (!d.history.isEmpty()) n++;
            if (!d.args.isEmpty()) n++;
        }
        if (s.hasSubcommands()) n++;
        r.map(n);
        if (d != null) {
            field(r, "summary", d.summary);
            field(r, "since", d.since);
        }
        field(r, "group", group);
        if (d != null) {
            field(r, "complexity", d.complexity);
            if (!d.docFlags.isEmpty()) {
                r.bulk("doc_flags");
                r.set(d.docFlags.size());
                for (String f : d.docFlags) r.simple(f);
            }
            field(r, "deprecated_since", d.deprecatedSince);
            field(r, "replaced_by", d.replacedBy);
            if (!d.history.isEmpty()) {
                r.bulk("history");
                r.set(d.history.size());
                for (CommandDocs.History h : d.history) {
                    r.array(2);
                    r.bulk(h.version());
                    r.bulk(h.text());
                }
            }
            if (!d.args.isEmpty()) {
                r.bulk("arguments");
                writeArgs(r, d.args);
            }
        }
        if (s.hasSubcommands()) {
            r.bulk("subcommands");
            r.map(s.subcommands().size());
            for (CommandSpec sub : s.subcommands().values()) {
                r.bulk(sub.fullName);
                writeDocs(r, sub);
            }
        }
    }

    /** server.c addReplyCommandArgList (without per-argument since, which the docs file does not keep). */
    private static void writeArgs(Reply r, List<DocSyntax.Arg> args) {
        r.array(args.size());
        for (DocSyntax.Arg a : args) {
            int flagCount = (a.optional ? 1 : 0) + (a.multiple ? 1 : 0) + (a.multipleToken ? 1 : 0);
            boolean nested = a.args != null;
            r.map(2 + (a.keySpecIndex >= 0 ? 1 : 0) + (a.token != null ? 1 : 0) + (flagCount > 0 ? 1 : 0)
                + (nested ? 1 : 0));
            field(r, "name", a.name);
            field(r, "type", a.type);
            if (a.keySpecIndex >= 0) {
                r.bulk("key_spec_index");
                r.integer(a.keySpecIndex);
            }
            field(r, "token", a.token);
            if (flagCount > 0) {
                r.bulk("flags");
                r.set(flagCount);
                if (a.optional) r.simple("optional");
                if (a.multiple) r.simple("multiple");
                if (a.multipleToken) r.simple("multiple_token");
            }
            if (nested) {
                r.bulk("arguments");
                writeArgs(r, a.args);
            }
        }
    }

    private static int present(String s) {
        return s == null || s.isEmpty() ? 0 : 1;
    }

    private static void field(Reply r, String name, String value) {
        if (value == null || value.isEmpty()) return;
        r.bulk(name);
        r.bulk(value);
    }
}
