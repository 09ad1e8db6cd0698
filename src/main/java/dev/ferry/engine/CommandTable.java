package dev.ferry.engine;

import dev.ferry.engine.info.InfoWriter;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every command Ferry knows, looked up by its name as the client sent it (any case) without making a
 * String: an open-addressing table hashed over the lower-cased bytes.
 */
public final class CommandTable {
    private final Map<String, CommandSpec> byName = new LinkedHashMap<>();
    private CommandSpec[] slots = new CommandSpec[512];

    /** Adds a command row and returns it (to chain subcommands). */
    public CommandSpec add(String name, int arity, int flags, int firstKey, int lastKey, int keyStep,
                           String group, CommandHandler handler) {
        CommandSpec spec = new CommandSpec(null, name, arity, flags, firstKey, lastKey, keyStep, group, handler);
        if (byName.put(name, spec) != null) throw new IllegalArgumentException("duplicate command " + name);
        if (byName.size() * 2 > slots.length) rebuild(slots.length * 2);
        else insert(spec);
        return spec;
    }

    /** Finds a command by the bytes of its name, case-insensitively; null when unknown. */
    public CommandSpec lookup(byte[] name) {
        int mask = slots.length - 1;
        for (int i = hash(name) & mask; ; i = (i + 1) & mask) {
            CommandSpec s = slots[i];
            if (s == null) return null;
            if (equalsIgnoreCase(s.name, name)) return s;
        }
    }

    /** Resolves a subcommand of a container command; null when unknown. */
    public static CommandSpec subcommand(CommandSpec container, byte[] name) {
        for (CommandSpec s : container.subcommands.values()) if (equalsIgnoreCase(s.name, name)) return s;
        return null;
    }

    public CommandSpec get(String name) {
        return byName.get(name);
    }

    public Collection<CommandSpec> all() {
        return Collections.unmodifiableCollection(byName.values());
    }

    public int size() {
        return byName.size();
    }

    /** Every command and subcommand, for COMMAND LIST / DOCS. */
    public List<CommandSpec> allWithSubcommands() {
        List<CommandSpec> out = new ArrayList<>();
        for (CommandSpec c : byName.values()) {
            out.add(c);
            out.addAll(c.subcommands.values());
        }
        return out;
    }

    private void rebuild(int size) {
        slots = new CommandSpec[size];
        for (CommandSpec s : byName.values()) insert(s);
    }

    private void insert(CommandSpec spec) {
        byte[] b = spec.name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int mask = slots.length - 1;
        int i = hash(b) & mask;
        while (slots[i] != null) i = (i + 1) & mask;
        slots[i] = spec;
    }

    private static int hash(byte[] name) {
        int h = 0;
        for (byte b : name) {
            int c = b;
            if (c >= 'A' && c <= 'Z') c += 32;
            h = h * 31 + c;
        }
        return h ^ (h >>> 16);
    }

    private static boolean equalsIgnoreCase(String lower, byte[] name) {
        if (lower.length() != name.length) return false;
        for (int i = 0; i < name.length; i++) {
            int c = name[i];
            if (c >= 'A' && c <= 'Z') c += 32;
            if (c != lower.charAt(i)) return false;
        }
        return true;
    }

    /** INFO commandstats: the commands and subcommands called, failed or rejected at least once. */
    void writeInfo(InfoWriter out) {
        for (CommandSpec c : allWithSubcommands()) {
            if (c.calls == 0 && c.failedCalls == 0 && c.rejectedCalls == 0) continue;
            out.field("cmdstat_" + c.fullName, "calls=" + c.calls + ",usec=" + c.micros
                + ",usec_per_call=" + InfoWriter.fixed2(c.calls == 0 ? 0 : (double) c.micros / c.calls)
                + ",rejected_calls=" + c.rejectedCalls + ",failed_calls=" + c.failedCalls);
        }
    }
}
