package dev.ferry.engine;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One row of the command table: what Redis's commands.def holds for a command (name, arity, flags, key
 * positions, group) plus the handler. A container command (CONFIG, CLIENT, OBJECT, COMMAND) holds its
 * subcommands; the dispatcher resolves them and checks their own arity.
 */
public final class CommandSpec {
    public final String name;
    /** "config|get" for subcommands, as Redis names them in errors, INFO commandstats and ACLs. */
    public final String fullName;
    /** Exact argument count when positive, minimum when negative (the name counts). */
    public final int arity;
    public final int flags;
    public final int firstKey, lastKey, keyStep;
    public final String group;
    public final CommandHandler handler;
    final Map<String, CommandSpec> subcommands = new LinkedHashMap<>();
    final CommandSpec parent;

    /** Calls and microseconds, for INFO commandstats. */
    public long calls, micros, failedCalls, rejectedCalls;

    public CommandSpec(CommandSpec parent, String name, int arity, int flags, int firstKey, int lastKey, int keyStep,
                String group, CommandHandler handler) {
        this.parent = parent;
        this.name = name;
        this.fullName = parent == null ? name : parent.name + "|" + name;
        this.arity = arity;
        this.flags = flags;
        this.firstKey = firstKey;
        this.lastKey = lastKey;
        this.keyStep = keyStep;
        this.group = group;
        this.handler = handler;
    }

    public boolean is(int flag) {
        return (flags & flag) != 0;
    }

    public boolean arityOk(int argc) {
        return arity > 0 ? argc == arity : argc >= -arity;
    }

    public boolean hasSubcommands() {
        return !subcommands.isEmpty();
    }

    public Map<String, CommandSpec> subcommands() {
        return subcommands;
    }

    public CommandSpec parent() {
        return parent;
    }

    /** Adds a subcommand row (name in lowercase). */
    public CommandSpec sub(String subName, int subArity, int subFlags, int first, int last, int step, CommandHandler h) {
        CommandSpec s = new CommandSpec(this, subName, subArity, subFlags, first, last, step, group, h);
        subcommands.put(subName, s);
        return this;
    }
}
