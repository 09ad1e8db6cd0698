package dev.ferry.engine;

import dev.ferry.engine.info.InfoWriter;
import dev.ferry.store.Database;
import dev.ferry.store.Keyspace;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Clients blocked on keys (Redis's blocked.c): BLPOP and the other blocking commands of any type.
 *
 * <p>A blocking command that finds nothing to serve calls {@link Call#block}: the client is registered, in
 * FIFO order, on every key it waits for (per database and key), its connection stops executing its further
 * input (the socket is not read; replies already written still leave), and a timer is set when the timeout
 * is not 0. When a key is added to a database ({@link Keyspace.KeyAddedListener}: a push creating a list, a
 * ZADD creating a sorted set, RENAME, MOVE...), and someone waits on it, it is marked ready. After the
 * top-level command that made it ready completes (the whole EXEC for a transaction), {@link Executor} calls
 * {@link #handleReadyKeys}, which offers each ready key to its waiting clients in the order they blocked,
 * each served client's command running in its own execution unit (its own Call, statistics and propagated
 * effects, as Redis's handleClientsBlockedOnKeys serves them after the command that signalled the keys).
 * A served command may add keys in turn (BLMOVE's push), which are served in the same loop.
 *
 * <p>How a data type plugs in: its blocking command parses its arguments (timeout with
 * {@link #parseTimeout}), tries to serve at once, and otherwise (outside MULTI, see {@link Call#mayBlock})
 * calls {@code c.block(keys, deadline, waiter)} with a {@link Waiter} whose {@code tryServe} re-checks the
 * ready key with the client's own {@link Call} (same argv, same selected database), replies and records its
 * effects (propagateAs / addEffect) exactly as the command would, and returns true; or returns false
 * when the key is missing or holds another type (the client stays blocked). Nothing else is needed:
 * keys created by any command signal through the keyspace. Sorted sets' BZPOPMIN/BZPOPMAX/BZMPOP use
 * exactly this.
 */
public final class BlockedClients implements Keyspace.KeyAddedListener {

    /** What a blocked command supplies: how to serve it once one of its keys may be ready. */
    public interface Waiter {
        /**
         * Tries to serve the blocked command now that {@code key} was added, with the client's Call set up
         * as for its command (argv, spec, database). Replies and records effects when it serves; returns
         * false, having written nothing, to stay blocked. A thrown ReplyError is the command's error reply.
         */
        boolean tryServe(Call call, byte[] key);

        /** The reply when the timeout passes: Redis answers a null array for lists, sorted sets and streams. */
        default void timedOut(Call call) {
            call.reply.nullArray();
        }
    }

    /** One database and key, compared by contents. */
    private record Key(int db, byte[] key) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.db == db && Arrays.equals(k.key, key);
        }

        @Override
        public int hashCode() {
            return db * 31 + Arrays.hashCode(key);
        }
    }

    /** A blocked client and what it waits for. */
    static final class Blocked {
        final Client client;
        final CommandSpec spec;
        final byte[][] argv;
        final List<Key> keys = new ArrayList<>(2);
        final Waiter waiter;
        long timer = -1;
        boolean timeoutSet;
        boolean active = true;

        Blocked(Client client, CommandSpec spec, byte[][] argv, Waiter waiter) {
            this.client = client;
            this.spec = spec;
            this.argv = argv;
            this.waiter = waiter;
        }
    }

    private final ServerContext server;
    private final Map<Key, ArrayDeque<Blocked>> byKey = new HashMap<>();
    private LinkedHashSet<Key> ready = new LinkedHashSet<>();
    private int blockedCount;
    private int withTimeout;
    private boolean handling;

    BlockedClients(ServerContext server) {
        this.server = server;
    }

    /** INFO clients' blocked_clients. */
    public int blockedCount() {
        return blockedCount;
    }

    void writeInfo(InfoWriter out) {
        out.field("blocked_clients", blockedCount);
    }

    int inTimeoutTable() {
        return withTimeout;
    }

    /**
     * Redis's getTimeoutFromObjectOrReply in seconds: the text read as a long double (strtold), times 1000
     * in long double, truncated to long long as x86 does (out of range = LLONG_MIN, hence "negative"). So
     * "-0.001" is 0 (forever), as in Redis, and 1e16 is negative. Returns the timeout in ms (0 = forever).
     */
    public static long parseTimeout(byte[] arg) {
        Double d = Call.parseDouble(arg);
        if (d == null) throw Errors.of("ERR timeout is not a float or out of range");
        long tval;
        if (d.isInfinite()) {
            tval = Long.MIN_VALUE;
        } else {
            BigDecimal x;
            try {
                x = new BigDecimal(new String(arg, StandardCharsets.US_ASCII).trim());
            } catch (NumberFormatException e) {
                x = new BigDecimal(d);
            }
            BigDecimal ms = longDouble(longDouble(x).multiply(BigDecimal.valueOf(1000)));
            BigInteger whole = ms.toBigInteger(); // truncation toward zero
            tval = whole.bitLength() > 63 ? Long.MIN_VALUE : whole.longValue();
        }
        if (tval < 0) throw Errors.of("ERR timeout is negative");
        if (tval > 0 && tval > Long.MAX_VALUE - System.currentTimeMillis()) throw Errors.of("ERR timeout is out of range");
        return tval;
    }

    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    /** v rounded to the nearest number with a 64-bit mantissa (x87 long double), ties to even. */
    static BigDecimal longDouble(BigDecimal v) {
        if (v.signum() == 0) return v;
        BigDecimal a = v.abs();
        // k such that a * 2^k has 64 integer bits
        int log2 = (int) Math.floor((a.unscaledValue().bitLength() - 1) - a.scale() * 3.321928094887362);
        int k = 63 - log2;
        BigInteger m;
        while (true) {
            BigDecimal scaled = k >= 0 ? a.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(k)))
                : a.divide(new BigDecimal(BigInteger.ONE.shiftLeft(-k)));
            m = scaled.setScale(0, RoundingMode.HALF_EVEN).unscaledValue();
            if (m.compareTo(TWO_64) >= 0) {
                k--;
            } else if (m.bitLength() < 64) {
                k++;
            } else {
                break;
            }
        }
        BigDecimal r = k >= 0 ? new BigDecimal(m).divide(new BigDecimal(BigInteger.ONE.shiftLeft(k)))
            : new BigDecimal(m.shiftLeft(-k));
        return v.signum() < 0 ? r.negate() : r;
    }

    /** Blocks the call's client on keys (see the class comment); timeoutMs 0 = forever. */
    void block(Call call, byte[][] keys, long timeoutMs, Waiter waiter) {
        Client c = call.client;
        Blocked b = new Blocked(c, call.spec, call.argv, waiter);
        int db = c.db().index();
        for (byte[] k : keys) {
            Key key = new Key(db, k);
            if (b.keys.contains(key)) continue; // BLPOP k k: one place in the queue
            b.keys.add(key);
            byKey.computeIfAbsent(key, x -> new ArrayDeque<>()).addLast(b);
        }
        c.blocked(b);
        blockedCount++;
        if (timeoutMs > 0) {
            withTimeout++;
            b.timeoutSet = true;
            b.timer = server.vertx().setTimer(timeoutMs, id -> {
                b.timer = -1;
                timeOut(b);
            });
        }
        c.channel().blockInput();
    }

    private void timeOut(Blocked b) {
        if (!b.active) return;
        Client c = b.client;
        remove(b);
        Call call = c.call();
        call.begin(b.spec, b.argv);
        b.waiter.timedOut(call);
        b.spec.calls++;
        server.stats().commandsProcessed++;
        c.channel().flush();
        c.channel().unblockInput();
    }

    /**
     * CLIENT UNBLOCK: ends a client's wait with its timeout reply, or with the UNBLOCKED error; false when
     * the client is not blocked.
     */
    public boolean unblock(Client c, boolean error) {
        Blocked b = c.blocked();
        if (b == null) return false;
        remove(b);
        Call call = c.call();
        call.begin(b.spec, b.argv);
        if (error) {
            call.reply.error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
            server.stats().errorReply("UNBLOCKED client unblocked via CLIENT UNBLOCK");
            b.spec.failedCalls++;
        } else {
            b.waiter.timedOut(call);
        }
        b.spec.calls++;
        server.stats().commandsProcessed++;
        c.channel().flush();
        c.channel().unblockInput();
        return true;
    }

    /** Forgets a blocked client without a reply (its connection closed). */
    void clientClosed(Client c) {
        Blocked b = c.blocked();
        if (b != null) remove(b);
    }

    private void remove(Blocked b) {
        if (!b.active) return;
        b.active = false;
        for (Key k : b.keys) {
            ArrayDeque<Blocked> q = byKey.get(k);
            if (q == null) continue;
            q.remove(b);
            if (q.isEmpty()) byKey.remove(k);
        }
        if (b.timer >= 0) {
            server.vertx().cancelTimer(b.timer);
            b.timer = -1;
        }
        blockedCount--;
        if (b.timeoutSet) withTimeout--;
        b.client.blocked(null);
    }

    @Override
    public void keyAdded(Database db, byte[] key) {
        if (blockedCount == 0) return;
        Key k = new Key(db.index(), key);
        if (byKey.containsKey(k)) ready.add(k);
    }

    @Override
    public void databasesSwapped(Database a, Database b) {
        if (blockedCount == 0) return;
        for (Key k : byKey.keySet()) {
            if (k.db() != a.index() && k.db() != b.index()) continue;
            if (server.keyspace().db(k.db()).peek(k.key()) != null) ready.add(k);
        }
    }

    boolean hasReadyKeys() {
        return !ready.isEmpty();
    }

    /**
     * Serves the clients blocked on the keys made ready by the command that just completed, key by key in
     * the order they became ready, clients in the order they blocked; keys made ready meanwhile are served
     * in the same loop (handleClientsBlockedOnKeys).
     */
    void handleReadyKeys(Executor executor) {
        if (handling) return;
        handling = true;
        try {
            while (!ready.isEmpty()) {
                LinkedHashSet<Key> batch = ready;
                ready = new LinkedHashSet<>();
                for (Key k : batch) {
                    ArrayDeque<Blocked> q = byKey.get(k);
                    if (q == null) continue;
                    for (Blocked b : new ArrayList<>(q)) {
                        if (!b.active) continue;
                        Client c = b.client;
                        if (c.channel().closed()) {
                            remove(b);
                            continue;
                        }
                        if (c.db().index() != k.db()) continue;
                        if (executor.serveBlocked(c.call(), b.spec, b.argv, b.waiter, k.key())) {
                            remove(b);
                            c.channel().flush();
                            c.channel().unblockInput();
                        }
                    }
                }
            }
        } finally {
            handling = false;
        }
    }
}
