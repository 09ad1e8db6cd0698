package dev.ferry.engine;

import dev.ferry.protocol.Ascii;
import dev.ferry.protocol.Reply;
import dev.ferry.engine.Client;
import dev.ferry.engine.ServerContext;
import dev.ferry.store.Database;
import dev.ferry.store.Dict;
import dev.ferry.store.Keyspace;
import dev.ferry.store.StringValue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

/**
 * What a handler sees of one command being executed: the arguments, the client, the reply writer, the
 * keyspace. One instance per client, reused for every command, so executing allocates nothing here.
 */
public final class Call {
    public final ServerContext server;
    public final Client client;
    public final Reply reply;
    byte[][] argv;
    CommandSpec spec;
    /** What to send to replicas instead of argv (ARCHITECTURE.md rule 5); null = argv itself. */
    byte[][] propagateAs;
    /** Effects after the first, for commands that propagate several (SPOP with a count); null = none. */
    private java.util.ArrayList<byte[][]> moreEffects;
    private boolean propagateNothing;
    /** Propagated even though it changed no key (Redis's forceCommandPropagation: PUBLISH). */
    private boolean forcePropagation;
    /** Set by the executor: inside EXEC (or a served wake-up) a blocking command must not block. */
    boolean denyBlocking;
    /** Set by {@link #block}: the command is waiting, not done. */
    boolean blocked;
    /** Arguments MONITOR shows as "(redacted)" (Redis's redactClientCommandArgument); null when none. */
    java.util.BitSet redacted;

    public Call(ServerContext server, Client client, Reply reply) {
        this.server = server;
        this.client = client;
        this.reply = reply;
    }

    void begin(CommandSpec spec, byte[][] argv) {
        this.spec = spec;
        this.argv = argv;
        this.propagateAs = null;
        this.moreEffects = null;
        this.propagateNothing = false;
        this.forcePropagation = false;
        this.blocked = false;
        this.redacted = null;
    }

    /** MONITOR shows argument i of this command as "(redacted)" (a password). */
    public void redact(int i) {
        if (redacted == null) redacted = new java.util.BitSet();
        redacted.set(i);
    }

    public CommandSpec spec() {
        return spec;
    }

    public byte[][] argv() {
        return argv;
    }

    public int argc() {
        return argv.length;
    }

    public byte[] arg(int i) {
        return argv[i];
    }

    public String argString(int i) {
        return Ascii.text(argv[i]);
    }

    /** True when argument i equals the lowercase keyword, ignoring case. */
    public boolean argIs(int i, String lowerKeyword) {
        return Ascii.is(argv[i], lowerKeyword);
    }

    public Keyspace keyspace() {
        return server.keyspace();
    }

    public Database db() {
        return client.db();
    }

    /** Replaces what replicas receive for this command (EXPIRE -> PEXPIREAT and the like). */
    public void propagateAs(byte[]... args) {
        this.propagateAs = args;
    }

    public void propagateAs(String... args) {
        byte[][] b = new byte[args.length][];
        for (int i = 0; i < args.length; i++) b[i] = Ascii.bytes(args[i]);
        this.propagateAs = b;
    }

    /**
     * Adds one more effect: the first call replaces argv (as {@link #propagateAs}), later calls append. Several
     * effects of one command reach replicas inside MULTI/EXEC, as Redis 7.0's propagatePendingCommands wraps
     * them.
     */
    public void addEffect(byte[]... args) {
        if (propagateAs == null) {
            propagateAs = args;
        } else {
            if (moreEffects == null) moreEffects = new java.util.ArrayList<>(4);
            moreEffects.add(args);
        }
    }

    /**
     * Redis's forceCommandPropagation(c, PROPAGATE_REPL): the command reaches replicas although it changed
     * no key (PUBLISH, which Sentinel and replicas' subscribers rely on).
     */
    public void forcePropagation() {
        forcePropagation = true;
    }

    boolean forcePropagationSet() {
        return forcePropagation;
    }

    /**
     * Whether a blocking command may block now: not inside MULTI/EXEC (Redis's CLIENT_DENY_BLOCKING), where
     * it answers as if its keys stayed empty until the timeout.
     */
    public boolean mayBlock() {
        return !denyBlocking;
    }

    /**
     * Blocks this client on keys (see {@link BlockedClients}): the command writes no reply now; the waiter
     * serves it when a key is added, or its timeout (ms, 0 = forever) replies.
     */
    public void block(byte[][] keys, long timeoutMs, BlockedClients.Waiter waiter) {
        if (denyBlocking) throw new IllegalStateException("blocking denied here");
        blocked = true;
        server.blocked().block(this, keys, timeoutMs, waiter);
    }

    /**
     * The command answers later through the returned reply (SAVE): nothing is written now and the client's
     * further input waits until then. Not inside MULTI (such commands are NO_MULTI).
     */
    public DeferredReply defer() {
        if (denyBlocking) throw new IllegalStateException("deferring denied here");
        blocked = true;
        client.channel().blockInput();
        return new DeferredReply(server, client, spec());
    }

    /** The command changed nothing worth replicating even though it counted as dirty. */
    public void propagateNothing() {
        propagateNothing = true;
    }

    boolean propagateNothingSet() {
        return propagateNothing;
    }

    byte[][] effect() {
        return propagateAs != null ? propagateAs : argv;
    }

    /** Effects added by {@link #addEffect} after the first; null when there are none. */
    java.util.List<byte[][]> moreEffects() {
        return moreEffects;
    }

    // ---- argument parsing (errors become replies through ReplyError) -----------------------------------

    public long longArg(int i) {
        return parseLong(argv[i]);
    }

    public static long parseLong(byte[] a) {
        if (!Ascii.isLong(a)) throw Errors.notInteger();
        return Ascii.parseLongOr(a, 0);
    }

    /** A long argument with a custom error message (Redis varies it by command). */
    public long longArg(int i, String error) {
        byte[] a = argv[i];
        if (!Ascii.isLong(a)) throw new ReplyError(error);
        return Ascii.parseLongOr(a, 0);
    }

    public int intArg(int i) {
        long v = longArg(i);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) throw Errors.notInteger();
        return (int) v;
    }

    public double doubleArg(int i) {
        Double d = parseDouble(argv[i]);
        if (d == null) throw new ReplyError(Errors.NOT_FLOAT);
        return d;
    }

    /**
     * Redis's string2d / getDoubleFromObject: no spaces, no empty string, NaN refused; "inf" and
     * "-inf" accepted.
     */
    public static Double parseDouble(byte[] a) {
        if (a.length == 0 || a.length > 5000) return null;
        if (a[0] == ' ' || a[a.length - 1] == ' ' || a[0] == '\t' || a[a.length - 1] == '\t') return null;
        String s = new String(a, StandardCharsets.US_ASCII);
        String lower = s.toLowerCase();
        switch (lower) {
            case "inf", "+inf", "infinity", "+infinity": return Double.POSITIVE_INFINITY;
            case "-inf", "-infinity": return Double.NEGATIVE_INFINITY;
            default:
        }
        if (lower.contains("nan") || lower.endsWith("d") || lower.endsWith("f")) return null;
        try {
            double d = Double.parseDouble(s);
            return Double.isNaN(d) ? null : d;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Exact decimal parse for INCRBYFLOAT (Redis uses long double; decimal arithmetic matches it in practice). */
    public static BigDecimal parseDecimal(byte[] a) {
        Double d = parseDouble(a);
        if (d == null || d.isInfinite()) return null;
        try {
            return new BigDecimal(new String(a, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            return BigDecimal.valueOf(d);
        }
    }

    // ---- keyspace helpers shared by the families ------------------------------------------------------

    /**
     * The string value of a key for reading, null when absent; WRONGTYPE for other types. The value is the
     * stored one, not a copy: reply from it (its array up to its length), never change it.
     */
    public StringValue readString(byte[] key) {
        Dict.Entry e = db().lookupRead(key);
        if (e == null) return null;
        if (e.value() instanceof StringValue s) return s;
        throw Errors.wrongType();
    }

    /** A string value as a bulk reply, straight from its buffer; the null reply when absent. */
    public void replyString(StringValue v) {
        if (v == null) reply.nullBulk();
        else reply.bulk(v.array(), 0, v.length());
    }
}
