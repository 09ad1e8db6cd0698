package dev.ferry.command.keys;

import dev.ferry.engine.*;

import dev.ferry.protocol.Ascii;
import dev.ferry.engine.config.ServerSettings;
import dev.ferry.store.Database;
import dev.ferry.store.Dict;
import dev.ferry.store.Glob;
import dev.ferry.store.Keyspace;
import dev.ferry.store.Value;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.ferry.engine.CommandFlags.*;

/**
 * The keyspace family: keys as a whole, whatever their type (db.c, expire.c, object.c). What depends on the
 * type (TYPE's name, OBJECT ENCODING and REFCOUNT, COPY's copy) is asked of the {@link Value} itself, so new
 * value types need nothing here.
 *
 * <p>Lookups follow Redis's flags: commands that only inspect a key (EXISTS, TYPE, TTL, OBJECT) leave its LRU
 * clock alone; commands that change a key look it up for write (the snapshot barrier); expired keys are
 * deleted on a master when met, and never listed by KEYS or SCAN.
 */
public final class KeyFamily implements CommandFamily {
    static final String NX_AND_OTHERS = "ERR NX and XX, GT or LT options at the same time are not compatible";
    static final String GT_AND_LT = "ERR GT and LT options at the same time are not compatible";
    static final String UNSUPPORTED_OPTION = "ERR Unsupported option ";
    static final String INT_RANGE = "ERR value is out of range, value must between -2147483648 and 2147483647";
    static final String FIRST_DB = "ERR invalid first DB index";
    static final String SECOND_DB = "ERR invalid second DB index";
    static final String NO_LFU = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. "
        + "Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";

    /** OBJECT HELP, word for word as Redis 7.0 prints it. */
    private static final String[] OBJECT_HELP = {
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Prints this help.",
    };

    private static final int EXPIRE_NX = 1, EXPIRE_XX = 2, EXPIRE_GT = 4, EXPIRE_LT = 8;
    private static final long MAX_CURSOR_DIV_10 = Long.divideUnsigned(-1L, 10);
    private static final byte[] DEL = Ascii.bytes("DEL");
    private static final byte[] UNLINK = Ascii.bytes("UNLINK");
    private static final byte[] PEXPIREAT = Ascii.bytes("PEXPIREAT");

    @Override
    public void register(CommandTable t) {
        t.add("del", -2, WRITE, 1, -1, 1, "generic", this::del);
        t.add("unlink", -2, WRITE | FAST, 1, -1, 1, "generic", this::del);
        t.add("exists", -2, READONLY | FAST, 1, -1, 1, "generic", this::exists);
        t.add("type", 2, READONLY | FAST, 1, 1, 1, "generic", this::type);
        t.add("keys", 2, READONLY, 0, 0, 0, "generic", this::keys);
        t.add("scan", -2, READONLY, 0, 0, 0, "generic", this::scan);
        t.add("randomkey", 1, READONLY, 0, 0, 0, "generic", this::randomKey);
        t.add("rename", 3, WRITE, 1, 2, 1, "generic", c -> rename(c, false));
        t.add("renamenx", 3, WRITE | FAST, 1, 2, 1, "generic", c -> rename(c, true));
        t.add("move", 3, WRITE | FAST, 1, 1, 1, "generic", this::move);
        t.add("copy", -3, WRITE | DENYOOM, 1, 2, 1, "generic", this::copy);
        t.add("touch", -2, READONLY | FAST, 1, -1, 1, "generic", this::touch);
        t.add("expire", -3, WRITE | FAST, 1, 1, 1, "generic", c -> expire(c, true, true));
        t.add("pexpire", -3, WRITE | FAST, 1, 1, 1, "generic", c -> expire(c, true, false));
        t.add("expireat", -3, WRITE | FAST, 1, 1, 1, "generic", c -> expire(c, false, true));
        t.add("pexpireat", -3, WRITE | FAST, 1, 1, 1, "generic", c -> expire(c, false, false));
        t.add("ttl", 2, READONLY | FAST, 1, 1, 1, "generic", c -> ttl(c, false, false));
        t.add("pttl", 2, READONLY | FAST, 1, 1, 1, "generic", c -> ttl(c, true, false));
        t.add("expiretime", 2, READONLY | FAST, 1, 1, 1, "generic", c -> ttl(c, false, true));
        t.add("pexpiretime", 2, READONLY | FAST, 1, 1, 1, "generic", c -> ttl(c, true, true));
        t.add("persist", 2, WRITE | FAST, 1, 1, 1, "generic", this::persist);
        // a container: the dispatcher resolves the subcommand and checks its arity, so "OBJECT" alone never
        // reaches a handler (arity -2)
        t.add("object", -2, 0, 0, 0, 0, "generic", c -> { throw Errors.of(Errors.wrongArgs("object")); })
            .sub("encoding", 3, READONLY, 2, 2, 1, this::objectEncoding)
            .sub("freq", 3, READONLY, 2, 2, 1, this::objectFreq)
            .sub("idletime", 3, READONLY, 2, 2, 1, this::objectIdletime)
            .sub("refcount", 3, READONLY, 2, 2, 1, this::objectRefcount)
            .sub("help", 2, LOADING | STALE, 0, 0, 0, this::objectHelp);
        t.add("dbsize", 1, READONLY | FAST, 0, 0, 0, "server", c -> c.reply.integer(c.db().size()));
        t.add("flushdb", -1, WRITE, 0, 0, 0, "server", this::flushdb);
        t.add("flushall", -1, WRITE, 0, 0, 0, "server", this::flushall);
        t.add("swapdb", 3, WRITE | FAST, 0, 0, 0, "server", this::swapdb);
    }

    // ---- DEL, UNLINK, EXISTS, TYPE, TOUCH ----------------------------------------------------------------

    /** DEL and UNLINK: Ferry frees memory through the GC either way, so the two are the same here. */
    private void del(Call c) {
        Database db = c.db();
        int deleted = 0;
        for (int i = 1; i < c.argc(); i++) {
            byte[] key = c.arg(i);
            // an expired key goes away as an expiry (its own propagated DEL) and does not count as deleted
            db.expireIfNeeded(key);
            if (db.delete(key)) deleted++;
        }
        c.keyspace().dirty(deleted);
        c.reply.integer(deleted);
    }

    private void exists(Call c) {
        Database db = c.db();
        int found = 0;
        for (int i = 1; i < c.argc(); i++) if (db.lookupReadNoTouch(c.arg(i)) != null) found++;
        c.reply.integer(found);
    }

    private void type(Call c) {
        Dict.Entry e = c.db().lookupReadNoTouch(c.arg(1));
        c.reply.simple(e == null ? "none" : e.value().typeName());
    }

    /** TOUCH is a read that counts: it updates the LRU clock of each existing key. */
    private void touch(Call c) {
        Database db = c.db();
        int touched = 0;
        for (int i = 1; i < c.argc(); i++) if (db.lookupRead(c.arg(i)) != null) touched++;
        c.reply.integer(touched);
    }

    // ---- KEYS, SCAN, RANDOMKEY, DBSIZE -------------------------------------------------------------------

    /** KEYS skips expired keys without deleting them (keyIsExpired in keysCommand). */
    private void keys(Call c) {
        byte[] pattern = c.arg(1);
        boolean all = Glob.matchesAll(pattern);
        long now = c.keyspace().now();
        List<byte[]> out = new ArrayList<>();
        c.db().table().forEach(e -> {
            if (e.expireAt() >= 0 && e.expireAt() <= now) return;
            if (all || Glob.matches(pattern, e.key())) out.add(e.key());
        });
        c.reply.bulks(out);
    }

    /**
     * SCAN cursor [MATCH pattern] [COUNT count] [TYPE type] (scanGenericCommand in db.c). The table's
     * reverse-binary cursor guarantees that a key present for the whole walk is returned at least once,
     * however the table grows or shrinks meanwhile. Redis visits buckets until it holds COUNT keys (at most
     * 10*COUNT visits), then filters them: pattern, type, expiry.
     */
    private void scan(Call c) {
        long cursor = parseCursor(c.arg(1));
        ScanOptions options = ScanOptions.parse(c, 2, true);
        long count = options.count;
        byte[] pattern = options.pattern;
        byte[] typeName = options.type;

        Database db = c.db();
        List<byte[]> found = new ArrayList<>();
        long maxIterations = count * 10;
        do {
            cursor = db.scan(cursor, e -> found.add(e.key()));
        } while (cursor != 0 && maxIterations-- != 0 && found.size() < count);

        List<byte[]> out = new ArrayList<>(found.size());
        for (byte[] key : found) {
            if (pattern != null && !Glob.matches(pattern, key)) continue;
            if (typeName != null) {
                // Redis looks the key up here (counting a hit or miss, expiring it if due). A key that expired
                // is filtered out even for TYPE none, where Redis 7.0 would let it through.
                Dict.Entry e = db.lookupReadNoTouch(key);
                if (e == null || !Ascii.is(typeName, e.value().typeName())) continue;
            } else if (db.expireIfNeeded(key)) {
                continue;
            }
            out.add(key);
        }
        c.reply.array(2);
        // Redis prints the unsigned cursor through a signed long long: the same bits, the same text
        c.reply.bulk(Ascii.toBytes(cursor));
        c.reply.bulks(out);
    }

    /**
     * Redis parses the cursor with strtoul (parseScanCursorOrReply): a leading space is refused, a sign is
     * allowed ("-1" is 2^64-1), an empty string is 0, anything after the digits or an overflow is refused.
     * The argument is read as a C string, up to its first NUL byte.
     */
    public static long parseCursor(byte[] arg) {
        byte[] a = cString(arg);
        int n = a.length;
        if (n == 0) return 0;
        if (isSpace(a[0])) throw Errors.of(Errors.INVALID_CURSOR);
        int i = 0;
        boolean negative = false;
        if (a[i] == '+' || a[i] == '-') {
            negative = a[i] == '-';
            i++;
        }
        if (i == n || a[i] < '0' || a[i] > '9') throw Errors.of(Errors.INVALID_CURSOR);
        long v = 0;
        for (; i < n; i++) {
            int d = a[i] - '0';
            if (d < 0 || d > 9) throw Errors.of(Errors.INVALID_CURSOR);
            // beyond 2^64-1: strtoul's ERANGE
            if (Long.compareUnsigned(v, MAX_CURSOR_DIV_10) > 0) throw Errors.of(Errors.INVALID_CURSOR);
            long next = v * 10 + d;
            if (Long.compareUnsigned(next, v * 10) < 0) throw Errors.of(Errors.INVALID_CURSOR);
            v = next;
        }
        return negative ? -v : v;
    }

    /**
     * RANDOMKEY (dbRandomKey): a random key, skipping expired ones. On a replica, where expired keys stay
     * until the master's DEL, a database holding only keys with a TTL may be all logically expired: give up
     * after 100 tries and return one of them, as Redis does, rather than loop forever.
     */
    private void randomKey(Call c) {
        Database db = c.db();
        boolean allVolatile = db.size() == db.volatileKeys();
        boolean replica = !c.keyspace().ownsExpiry();
        int tries = 100;
        while (true) {
            Dict.Entry e = db.randomEntry();
            if (e == null) {
                c.reply.nullBulk();
                return;
            }
            if (e.expireAt() >= 0) {
                if (allVolatile && replica && --tries == 0) {
                    c.reply.bulk(e.key());
                    return;
                }
                if (db.expireIfNeeded(e.key())) continue;
            }
            c.reply.bulk(e.key());
            return;
        }
    }

    // ---- RENAME, RENAMENX, MOVE, COPY --------------------------------------------------------------------

    private void rename(Call c, boolean nx) {
        byte[] from = c.arg(1), to = c.arg(2);
        Database db = c.db();
        Dict.Entry e = db.lookupForWrite(from);
        if (e == null) throw Errors.of(Errors.NO_SUCH_KEY);
        if (Arrays.equals(from, to)) {
            // same key: nothing changes, but a missing key was still an error above
            if (nx) c.reply.integer(0);
            else c.reply.ok();
            return;
        }
        Value value = e.value();
        long expireAt = e.expireAt();
        if (db.lookupForWrite(to) != null) {
            if (nx) {
                c.reply.integer(0);
                return;
            }
            db.delete(to);
        }
        Dict.Entry moved = db.add(to, value);
        if (expireAt >= 0) db.setExpire(moved, expireAt);
        db.delete(from);
        c.keyspace().dirty(1);
        if (nx) c.reply.integer(1);
        else c.reply.ok();
    }

    private void move(Call c) {
        Keyspace ks = c.keyspace();
        int target = intArg(c, 2, null);
        if (target < 0 || target >= ks.databases()) throw Errors.of(Errors.DB_INDEX);
        Database src = c.db(), dst = ks.db(target);
        if (src == dst) throw Errors.of(Errors.SAME_OBJECT);
        byte[] key = c.arg(1);
        Dict.Entry e = src.lookupForWrite(key);
        if (e == null) {
            c.reply.integer(0);
            return;
        }
        Value value = e.value();
        long expireAt = e.expireAt();
        if (dst.lookupForWrite(key) != null) {
            c.reply.integer(0);
            return;
        }
        Dict.Entry moved = dst.add(key, value);
        if (expireAt >= 0) dst.setExpire(moved, expireAt);
        src.delete(key);
        ks.dirty(1);
        c.reply.integer(1);
    }

    /** COPY source destination [DB destination-db] [REPLACE]; options are checked before any key. */
    private void copy(Call c) {
        Keyspace ks = c.keyspace();
        Database src = c.db(), dst = src;
        boolean replace = false;
        for (int i = 3; i < c.argc(); i++) {
            int more = c.argc() - i - 1;
            if (c.argIs(i, "replace")) {
                replace = true;
            } else if (c.argIs(i, "db") && more >= 1) {
                int target = intArg(c, i + 1, null);
                if (target < 0 || target >= ks.databases()) throw Errors.of(Errors.DB_INDEX);
                dst = ks.db(target);
                i++;
            } else {
                throw Errors.syntax();
            }
        }
        byte[] key = c.arg(1), newKey = c.arg(2);
        if (src == dst && Arrays.equals(key, newKey)) throw Errors.of(Errors.SAME_OBJECT);
        Dict.Entry e = src.lookupRead(key);
        if (e == null) {
            c.reply.integer(0);
            return;
        }
        Value value = e.value();
        long expireAt = e.expireAt();
        boolean exists = dst.lookupForWrite(newKey) != null;
        if (exists && !replace) {
            c.reply.integer(0);
            return;
        }
        Value copy = value.duplicate();
        if (exists) dst.delete(newKey);
        Dict.Entry added = dst.add(newKey, copy);
        if (expireAt >= 0) dst.setExpire(added, expireAt);
        ks.dirty(1);
        c.reply.integer(1);
    }

    // ---- EXPIRE family, TTL family, PERSIST --------------------------------------------------------------

    /**
     * EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (expireGenericCommand in expire.c). The order of the checks is
     * Redis's: options, then the number, then overflow, then the key. A time already past deletes the key
     * (on a master) and reaches replicas as DEL (UNLINK with lazyfree-lazy-expire); any other reaches them as
     * PEXPIREAT with the absolute time, the options kept (ARCHITECTURE.md rule 5).
     */
    private void expire(Call c, boolean relative, boolean seconds) {
        int flags = expireFlags(c);
        long when = c.longArg(2);
        if (seconds) {
            if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000) throw invalidExpire(c);
            when *= 1000;
        }
        Keyspace ks = c.keyspace();
        long base = relative ? ks.now() : 0;
        if (when > Long.MAX_VALUE - base) throw invalidExpire(c);
        when += base;

        Database db = c.db();
        byte[] key = c.arg(1);
        Dict.Entry e = db.lookupForWrite(key);
        if (e == null || !expireFlagsAllow(flags, e.expireAt(), when)) {
            c.reply.integer(0);
            return;
        }
        if (when <= ks.now() && ks.ownsExpiry()) {
            db.delete(key);
            ks.dirty(1);
            c.propagateAs(lazyExpire(c) ? UNLINK : DEL, key);
            c.reply.integer(1);
            return;
        }
        // a replica keeps a key whose time has passed until its master's DEL; Ferry marks "no TTL" with a
        // negative time, so a time before the epoch is kept as 0 (expired all the same)
        db.setExpire(e, Math.max(0, when));
        ks.dirty(1);
        if (relative || seconds) {
            byte[][] effect = c.argv().clone();
            effect[0] = PEXPIREAT;
            effect[2] = Ascii.toBytes(when);
            c.propagateAs(effect);
        }
        c.reply.integer(1);
    }

    /** NX / XX / GT / LT (parseExtendedExpireArgumentsOrReply): options are read as C strings. */
    private static int expireFlags(Call c) {
        int flags = 0;
        for (int i = 3; i < c.argc(); i++) {
            byte[] opt = cString(c.arg(i));
            if (Ascii.is(opt, "nx")) flags |= EXPIRE_NX;
            else if (Ascii.is(opt, "xx")) flags |= EXPIRE_XX;
            else if (Ascii.is(opt, "gt")) flags |= EXPIRE_GT;
            else if (Ascii.is(opt, "lt")) flags |= EXPIRE_LT;
            else throw Errors.of(UNSUPPORTED_OPTION + new String(opt, StandardCharsets.ISO_8859_1));
        }
        if ((flags & EXPIRE_NX) != 0 && (flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT)) != 0) {
            throw Errors.of(NX_AND_OTHERS);
        }
        if ((flags & EXPIRE_GT) != 0 && (flags & EXPIRE_LT) != 0) throw Errors.of(GT_AND_LT);
        return flags;
    }

    /** Whether the options let a new expiry replace the current one (-1 = none, an infinite TTL). */
    private static boolean expireFlagsAllow(int flags, long current, long when) {
        if ((flags & EXPIRE_NX) != 0 && current != -1) return false;
        if ((flags & EXPIRE_XX) != 0 && current == -1) return false;
        if ((flags & EXPIRE_GT) != 0 && (current == -1 || when <= current)) return false;
        return (flags & EXPIRE_LT) == 0 || current == -1 || when < current;
    }

    private static ReplyError invalidExpire(Call c) {
        return Errors.of(Errors.invalidExpire(c.spec().fullName));
    }

    private static boolean lazyExpire(Call c) {
        return c.server.settings().bool("lazyfree-lazy-expire");
    }

    /**
     * TTL, PTTL, EXPIRETIME, PEXPIRETIME (ttlGenericCommand): -2 without the key, -1 without a TTL; seconds
     * are rounded to the nearest ((ms + 500) / 1000), as Redis does.
     */
    private void ttl(Call c, boolean millis, boolean absolute) {
        Dict.Entry e = c.db().lookupReadNoTouch(c.arg(1));
        if (e == null) {
            c.reply.integer(-2);
            return;
        }
        long expireAt = e.expireAt();
        if (expireAt < 0) {
            c.reply.integer(-1);
            return;
        }
        long ttl = absolute ? expireAt : expireAt - c.keyspace().now();
        if (ttl < 0) ttl = 0;
        // ttl >= 0, so ttl + 500 read as unsigned is exact even near Long.MAX_VALUE (what Redis prints)
        c.reply.integer(millis ? ttl : Long.divideUnsigned(ttl + 500, 1000));
    }

    private void persist(Call c) {
        Database db = c.db();
        Dict.Entry e = db.lookupForWrite(c.arg(1));
        if (e != null && db.persist(e)) {
            c.keyspace().dirty(1);
            c.reply.integer(1);
        } else {
            c.reply.integer(0);
        }
    }

    // ---- OBJECT ------------------------------------------------------------------------------------------

    /** OBJECT looks keys up without touching them (objectCommandLookup); a missing key is a null reply. */
    private static Dict.Entry objectLookup(Call c) {
        return c.db().lookupReadNoTouch(c.arg(2));
    }

    private void objectEncoding(Call c) {
        Dict.Entry e = objectLookup(c);
        if (e == null) c.reply.nullBulk();
        else c.reply.bulk(e.value().encodingName());
    }

    private void objectRefcount(Call c) {
        Dict.Entry e = objectLookup(c);
        if (e == null) c.reply.nullBulk();
        else c.reply.integer(e.value().refcount());
    }

    /** Ferry tracks access time (for IDLETIME) but has no LFU counters, as Redis without an LFU policy. */
    private void objectIdletime(Call c) {
        Dict.Entry e = objectLookup(c);
        if (e == null) c.reply.nullBulk();
        else c.reply.integer(c.keyspace().idleSeconds(e));
    }

    private void objectFreq(Call c) {
        Dict.Entry e = objectLookup(c);
        if (e == null) c.reply.nullBulk();
        else throw Errors.of(NO_LFU);
    }

    private void objectHelp(Call c) {
        c.reply.array(OBJECT_HELP.length);
        for (String line : OBJECT_HELP) c.reply.simple(line);
    }

    // ---- FLUSHDB, FLUSHALL, SWAPDB -----------------------------------------------------------------------

    /** [ASYNC | SYNC] (getFlushCommandFlags). Both free through the GC in Ferry, so both are immediate. */
    private static void flushOptions(Call c) {
        if (c.argc() == 1) return;
        if (c.argc() == 2 && (c.argIs(1, "sync") || c.argIs(1, "async"))) return;
        throw Errors.syntax();
    }

    private void flushdb(Call c) {
        flushOptions(c);
        long removed = c.keyspace().flush(c.db().index());
        // Redis forces FLUSHDB into the replication stream even when the database was already empty
        // (forceCommandPropagation); in Ferry a command reaches the stream when it counted a change
        if (removed == 0) c.keyspace().dirty(1);
        c.reply.ok();
    }

    private void flushall(Call c) {
        flushOptions(c);
        c.keyspace().flushAll();
        c.reply.ok();
    }

    private void swapdb(Call c) {
        Keyspace ks = c.keyspace();
        int a = intArg(c, 1, FIRST_DB);
        int b = intArg(c, 2, SECOND_DB);
        if (a < 0 || a >= ks.databases() || b < 0 || b >= ks.databases()) throw Errors.of(Errors.DB_INDEX);
        ks.swap(a, b);
        // swapping a database with itself changes nothing, but Redis still counts and propagates it
        if (a == b) ks.dirty(1);
        c.reply.ok();
    }

    // ---- helpers -----------------------------------------------------------------------------------------

    /**
     * Redis's getIntFromObjectOrReply: a canonical integer that fits an int. With a message, every failure
     * replies with it; without, the generic "not an integer" and "out of range" errors.
     */
    private static int intArg(Call c, int i, String message) {
        byte[] a = c.arg(i);
        if (!Ascii.isLong(a)) throw Errors.of(message != null ? message : Errors.NOT_INTEGER);
        long v = Ascii.parseLongOr(a, 0);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) throw Errors.of(message != null ? message : INT_RANGE);
        return (int) v;
    }

    /** The bytes before the first NUL: what Redis sees of an argument it reads with C string functions. */
    static byte[] cString(byte[] a) {
        for (int i = 0; i < a.length; i++) if (a[i] == 0) return Arrays.copyOf(a, i);
        return a;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\u000b' || b == '\f' || b == '\r';
    }
}
