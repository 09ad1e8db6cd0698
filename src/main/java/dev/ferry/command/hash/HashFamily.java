package dev.ferry.command.hash;

import dev.ferry.command.keys.KeyFamily;
import dev.ferry.command.keys.ScanOptions;
import dev.ferry.command.string.LongDouble;
import dev.ferry.engine.*;
import dev.ferry.engine.config.ServerSettings;
import dev.ferry.protocol.Ascii;
import dev.ferry.protocol.Reply;
import dev.ferry.store.Database;
import dev.ferry.store.Dict;
import dev.ferry.store.Glob;
import dev.ferry.store.HashTable;
import dev.ferry.store.HashValue;
import dev.ferry.store.Listpack;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static dev.ferry.engine.CommandFlags.*;

/**
 * Hash commands (Redis 7.0's t_hash.c): argument order, error words, encoding conversions and the
 * replication rewrite of HINCRBYFLOAT (HSET key field result, as Redis 7.0 propagates it).
 *
 * <p>Values are {@link HashValue}s. Replies come straight from the listpack bytes or the table's value arrays;
 * HSET, the command redis-benchmark measures, builds no String and boxes nothing.
 */
public final class HashFamily implements CommandFamily {

    private static final ReplyError NOT_INTEGER_VALUE = new ReplyError("ERR hash value is not an integer");
    private static final ReplyError NOT_FLOAT_VALUE = new ReplyError("ERR hash value is not a float");
    private static final ReplyError OVERFLOW = new ReplyError(Errors.OVERFLOW);
    private static final ReplyError NOT_FLOAT = new ReplyError(Errors.NOT_FLOAT);
    private static final ReplyError NAN_OR_INFINITY_ARG = new ReplyError("ERR value is NaN or Infinity");
    private static final ReplyError NAN_OR_INFINITY = new ReplyError("ERR increment would produce NaN or Infinity");
    private static final ReplyError OUT_OF_RANGE = new ReplyError("ERR value is out of range");
    private static final ReplyError COUNT_RANGE = new ReplyError(
        "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");

    private static final byte[] HSET_WORD = Ascii.bytes("HSET");
    /** HRANDFIELD_SUB_STRATEGY_MUL and HRANDFIELD_RANDOM_SAMPLE_LIMIT of t_hash.c. */
    private static final int SUB_STRATEGY_MUL = 3;

    @Override
    public void register(CommandTable t) {
        t.add("hset", -4, WRITE | DENYOOM | FAST, 1, 1, 1, "hash", c -> hset(c, true));
        t.add("hmset", -4, WRITE | DENYOOM | FAST, 1, 1, 1, "hash", c -> hset(c, false));
        t.add("hsetnx", 4, WRITE | DENYOOM | FAST, 1, 1, 1, "hash", this::hsetnx);
        t.add("hget", 3, READONLY | FAST, 1, 1, 1, "hash", this::hget);
        t.add("hmget", -3, READONLY | FAST, 1, 1, 1, "hash", this::hmget);
        t.add("hdel", -3, WRITE | FAST, 1, 1, 1, "hash", this::hdel);
        t.add("hlen", 2, READONLY | FAST, 1, 1, 1, "hash", this::hlen);
        t.add("hstrlen", 3, READONLY | FAST, 1, 1, 1, "hash", this::hstrlen);
        t.add("hexists", 3, READONLY | FAST, 1, 1, 1, "hash", this::hexists);
        t.add("hkeys", 2, READONLY, 1, 1, 1, "hash", c -> getAll(c, true, false));
        t.add("hvals", 2, READONLY, 1, 1, 1, "hash", c -> getAll(c, false, true));
        t.add("hgetall", 2, READONLY, 1, 1, 1, "hash", c -> getAll(c, true, true));
        t.add("hincrby", 4, WRITE | DENYOOM | FAST, 1, 1, 1, "hash", this::hincrby);
        t.add("hincrbyfloat", 4, WRITE | DENYOOM | FAST, 1, 1, 1, "hash", this::hincrbyfloat);
        t.add("hrandfield", -2, READONLY, 1, 1, 1, "hash", this::hrandfield);
        t.add("hscan", -3, READONLY, 1, 1, 1, "hash", this::hscan);
    }

    // ---- lookups ----------------------------------------------------------------------------------------

    /** The hash at key for reading, null when absent; WRONGTYPE for another type. */
    private static HashValue read(Call c, byte[] key) {
        Dict.Entry e = c.db().lookupRead(key);
        if (e == null) return null;
        if (e.value() instanceof HashValue h) return h;
        throw Errors.wrongType();
    }

    private static HashValue hashOf(Dict.Entry e) {
        if (e.value() instanceof HashValue h) return h;
        throw Errors.wrongType();
    }

    /** hashTypeLookupWriteOrCreate: the entry of the hash at key, added empty when absent. */
    private static Dict.Entry writeOrCreate(Call c, byte[] key) {
        Database db = c.db();
        Dict.Entry e = db.lookupForWrite(key);
        if (e == null) return db.add(key, HashValue.create());
        hashOf(e);
        return e;
    }

    // ---- replies ------------------------------------------------------------------------------------------

    /** The listpack element at p as a bulk string (an integer as its decimal text). */
    static void replyElement(Reply r, byte[] lp, int p) {
        if (Listpack.isString(lp, p)) r.bulk(lp, Listpack.stringOffset(lp, p), Listpack.stringLength(lp, p));
        else r.bulk(Listpack.integer(lp, p));
    }

    // ---- HSET and friends -----------------------------------------------------------------------------------

    /** HSET key field value [field value ...] (the count of new fields) and HMSET (OK). */
    private void hset(Call c, boolean countReply) {
        int argc = c.argc();
        if ((argc & 1) == 1) throw Errors.of(Errors.wrongArgs(countReply ? "hset" : "hmset"));
        Dict.Entry e = writeOrCreate(c, c.arg(1));
        HashValue h = (HashValue) e.value();
        ServerSettings s = c.server.settings();
        byte[][] argv = c.argv();
        h.tryConversion(argv, 2, argc - 1, s.hashMaxListpackValue);
        int created = 0;
        for (int i = 2; i < argc; i += 2) {
            if (!h.set(argv[i], argv[i + 1], s.hashMaxListpackEntries, s.hashMaxListpackValue)) created++;
        }
        c.db().replaceValue(e, h);
        c.keyspace().dirty((argc - 2) / 2);
        if (countReply) c.reply.integer(created);
        else c.reply.ok();
    }

    private void hsetnx(Call c) {
        Dict.Entry e = writeOrCreate(c, c.arg(1));
        HashValue h = (HashValue) e.value();
        if (h.contains(c.arg(2))) {
            c.reply.integer(0);
            return;
        }
        ServerSettings s = c.server.settings();
        h.tryConversion(c.argv(), 2, 3, s.hashMaxListpackValue);
        h.set(c.arg(2), c.arg(3), s.hashMaxListpackEntries, s.hashMaxListpackValue);
        c.db().replaceValue(e, h);
        c.keyspace().dirty(1);
        c.reply.integer(1);
    }

    private void hdel(Call c) {
        byte[] key = c.arg(1);
        Database db = c.db();
        Dict.Entry e = db.lookupForWrite(key);
        if (e == null) {
            c.reply.integer(0);
            return;
        }
        HashValue h = hashOf(e);
        int deleted = 0;
        boolean removed = false;
        for (int i = 2; i < c.argc(); i++) {
            if (h.delete(c.arg(i))) {
                deleted++;
                if (h.size() == 0) {
                    removed = true;
                    break;
                }
            }
        }
        if (deleted > 0) {
            if (removed) db.delete(key);
            else db.replaceValue(e, h);
            c.keyspace().dirty(deleted);
        }
        c.reply.integer(deleted);
    }

    private void hincrby(Call c) {
        long incr = c.longArg(3);
        Dict.Entry e = writeOrCreate(c, c.arg(1));
        HashValue h = (HashValue) e.value();
        byte[] field = c.arg(2);
        long value = 0;
        byte[] old = h.get(field);
        if (old != null) {
            if (!Ascii.isLong(old)) throw NOT_INTEGER_VALUE;
            value = Ascii.parseLongOr(old, 0);
        }
        if ((incr < 0 && value < 0 && incr < Long.MIN_VALUE - value)
            || (incr > 0 && value > 0 && incr > Long.MAX_VALUE - value)) {
            throw OVERFLOW;
        }
        value += incr;
        ServerSettings s = c.server.settings();
        h.set(field, Ascii.toBytes(value), s.hashMaxListpackEntries, s.hashMaxListpackValue);
        c.db().replaceValue(e, h);
        c.keyspace().dirty(1);
        c.reply.integer(value);
    }

    /** HINCRBYFLOAT in C long double (see LongDouble); replicas get HSET key field result. */
    private void hincrbyfloat(Call c) {
        LongDouble incr = LongDouble.parse(c.arg(3));
        if (incr == null) throw NOT_FLOAT;
        if (incr.isInfinite()) throw NAN_OR_INFINITY_ARG;
        byte[] key = c.arg(1);
        Dict.Entry e = writeOrCreate(c, key);
        HashValue h = (HashValue) e.value();
        byte[] field = c.arg(2);
        LongDouble value = LongDouble.ZERO;
        byte[] old = h.get(field);
        if (old != null) {
            value = old.length >= LongDouble.MAX_CHARS ? null : LongDouble.parse(old);
            if (value == null) throw NOT_FLOAT_VALUE;
        }
        LongDouble sum = value.add(incr);
        if (sum.isInfinite()) throw NAN_OR_INFINITY;
        byte[] text = sum.toHumanBytes();
        ServerSettings s = c.server.settings();
        h.set(field, text, s.hashMaxListpackEntries, s.hashMaxListpackValue);
        c.db().replaceValue(e, h);
        c.keyspace().dirty(1);
        c.propagateAs(HSET_WORD, key, field, text);
        c.reply.bulk(text);
    }

    // ---- reads ----------------------------------------------------------------------------------------------

    /** addHashFieldToReply: the value of field, or the null reply. */
    private static void replyField(Call c, HashValue h, byte[] field) {
        if (h == null) {
            c.reply.nullBulk();
        } else if (h.isListpack()) {
            int v = h.findInListpack(field);
            if (v < 0) c.reply.nullBulk();
            else replyElement(c.reply, h.listpack(), v);
        } else {
            HashValue.Field f = h.table().find(field);
            if (f == null) c.reply.nullBulk();
            else c.reply.bulk(f.value());
        }
    }

    private void hget(Call c) {
        HashValue h = read(c, c.arg(1));
        replyField(c, h, c.arg(2));
    }

    private void hmget(Call c) {
        HashValue h = read(c, c.arg(1));
        c.reply.array(c.argc() - 2);
        for (int i = 2; i < c.argc(); i++) replyField(c, h, c.arg(i));
    }

    private void hlen(Call c) {
        HashValue h = read(c, c.arg(1));
        c.reply.integer(h == null ? 0 : h.size());
    }

    private void hstrlen(Call c) {
        HashValue h = read(c, c.arg(1));
        if (h == null) {
            c.reply.integer(0);
        } else if (h.isListpack()) {
            int v = h.findInListpack(c.arg(2));
            c.reply.integer(v < 0 ? 0 : Listpack.textLength(h.listpack(), v));
        } else {
            HashValue.Field f = h.table().find(c.arg(2));
            c.reply.integer(f == null ? 0 : f.value().length);
        }
    }

    private void hexists(Call c) {
        HashValue h = read(c, c.arg(1));
        c.reply.integer(h != null && h.contains(c.arg(2)) ? 1 : 0);
    }

    /** genericHgetallCommand: HKEYS and HVALS a flat array, HGETALL a map (RESP3) of the pairs. */
    private void getAll(Call c, boolean keys, boolean values) {
        HashValue h = read(c, c.arg(1));
        boolean both = keys && values;
        if (h == null) {
            if (both) c.reply.map(0);
            else c.reply.array(0);
            return;
        }
        if (both) c.reply.map(h.size());
        else c.reply.array(h.size());
        Reply r = c.reply;
        if (h.isListpack()) {
            byte[] lp = h.listpack();
            for (int p = Listpack.first(lp); p >= 0; ) {
                int v = Listpack.next(lp, p);
                if (keys) replyElement(r, lp, p);
                if (values) replyElement(r, lp, v);
                p = Listpack.next(lp, v);
            }
        } else {
            h.table().forEach(f -> {
                if (keys) r.bulk(f.key);
                if (values) r.bulk(f.value());
            });
        }
    }

    // ---- HRANDFIELD -----------------------------------------------------------------------------------------

    private void hrandfield(Call c) {
        if (c.argc() >= 3) {
            long l = c.longArg(2);
            if (l == Long.MIN_VALUE) throw COUNT_RANGE;
            boolean withValues = false;
            if (c.argc() > 4 || (c.argc() == 4 && !c.argIs(3, "withvalues"))) {
                throw Errors.syntax();
            } else if (c.argc() == 4) {
                withValues = true;
                if (l < -Long.MAX_VALUE / 2 || l > Long.MAX_VALUE / 2) throw OUT_OF_RANGE;
            }
            withCount(c, l, withValues);
            return;
        }
        HashValue h = read(c, c.arg(1));
        if (h == null) {
            c.reply.nullBulk();
            return;
        }
        if (h.isListpack()) {
            byte[] lp = h.listpack();
            replyElement(c.reply, lp, pairAt(lp, ThreadLocalRandom.current().nextInt(h.size())));
        } else {
            c.reply.bulk(h.table().random().key);
        }
    }

    /** Offset of the field of pair i of a listpack hash. */
    private static int pairAt(byte[] lp, int i) {
        int p = Listpack.first(lp);
        for (int k = 0; k < 2 * i; k++) p = Listpack.next(lp, p);
        return p;
    }

    /** hrandfieldWithCountCommand: Redis 7.0's four cases. */
    private void withCount(Call c, long l, boolean withValues) {
        HashValue h = read(c, c.arg(1));
        Reply r = c.reply;
        if (h == null) {
            r.array(0);
            return;
        }
        long size = h.size();
        boolean unique = l >= 0;
        long count = unique ? l : -l;
        if (count == 0) {
            r.array(0);
            return;
        }
        boolean resp3 = r.resp3();
        // CASE 1: a negative count (or 1): count independent picks, repetitions allowed
        if (!unique || count == 1) {
            long items = withValues && !resp3 ? count * 2 : count;
            r.array((int) Math.min(items, Integer.MAX_VALUE));
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            if (h.isListpack()) {
                byte[] lp = h.listpack();
                int[] fields = fieldOffsets(lp, (int) size);
                for (long i = 0; i < count; i++) {
                    int p = fields[rnd.nextInt((int) size)];
                    replyPair(r, lp, p, withValues, resp3);
                }
            } else {
                for (long i = 0; i < count; i++) replyPair(r, h.table().random(), withValues, resp3);
            }
            return;
        }
        int replySize = (int) Math.min(count, size);
        r.array(withValues && !resp3 ? replySize * 2 : replySize);
        // CASE 2: count >= size: the whole hash
        if (count >= size) {
            if (h.isListpack()) {
                byte[] lp = h.listpack();
                for (int p = Listpack.first(lp); p >= 0; p = Listpack.next(lp, Listpack.next(lp, p))) {
                    replyPair(r, lp, p, withValues, resp3);
                }
            } else {
                h.table().forEach(f -> replyPair(r, f, withValues, resp3));
            }
            return;
        }
        // CASES 3 and 4: count distinct fields picked at random (a partial Fisher-Yates shuffle picks a uniform
        // subset, as Redis's subtract-from-a-copy and pick-until-enough strategies do)
        int n = (int) size, k = (int) count;
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        if (h.isListpack() && (long) k * SUB_STRATEGY_MUL <= n) {
            // CASE 4 on a listpack: lpRandomPairsUnique's selection sampling, picks in listpack order
            byte[] lp = h.listpack();
            int needed = k, left = n;
            for (int p = Listpack.first(lp); p >= 0 && needed > 0; p = Listpack.next(lp, Listpack.next(lp, p)), left--) {
                if (rnd.nextInt(left) < needed) {
                    replyPair(r, lp, p, withValues, resp3);
                    needed--;
                }
            }
        } else if (h.isListpack()) {
            // CASE 3: a random subset (Redis removes random members from a copy and replies in its dict's order)
            byte[] lp = h.listpack();
            int[] fields = fieldOffsets(lp, n);
            for (int i = 0; i < k; i++) {
                int j = i + rnd.nextInt(n - i);
                int t = fields[i];
                fields[i] = fields[j];
                fields[j] = t;
                replyPair(r, lp, fields[i], withValues, resp3);
            }
        } else if ((long) k * SUB_STRATEGY_MUL > n) {
            List<HashValue.Field> all = new ArrayList<>(n);
            h.table().forEach(all::add);
            for (int i = 0; i < k; i++) {
                int j = i + rnd.nextInt(n - i);
                HashValue.Field t = all.get(i);
                all.set(i, all.get(j));
                all.set(j, t);
                replyPair(r, all.get(i), withValues, resp3);
            }
        } else {
            java.util.IdentityHashMap<HashValue.Field, Boolean> picked = new java.util.IdentityHashMap<>(2 * k);
            HashTable<HashValue.Field> table = h.table();
            while (picked.size() < k) {
                HashValue.Field f = table.random();
                if (picked.put(f, Boolean.TRUE) == null) replyPair(r, f, withValues, resp3);
            }
        }
    }

    private static int[] fieldOffsets(byte[] lp, int pairs) {
        int[] out = new int[pairs];
        int i = 0;
        for (int p = Listpack.first(lp); p >= 0; p = Listpack.next(lp, Listpack.next(lp, p))) out[i++] = p;
        return out;
    }

    private static void replyPair(Reply r, byte[] lp, int p, boolean withValues, boolean resp3) {
        if (withValues && resp3) r.array(2);
        replyElement(r, lp, p);
        if (withValues) replyElement(r, lp, Listpack.next(lp, p));
    }

    private static void replyPair(Reply r, HashValue.Field f, boolean withValues, boolean resp3) {
        if (withValues && resp3) r.array(2);
        r.bulk(f.key);
        if (withValues) r.bulk(f.value());
    }

    // ---- HSCAN ---------------------------------------------------------------------------------------------

    /**
     * HSCAN key cursor [MATCH pattern] [COUNT count] (scanGenericCommand): a listpack hash answers every pair
     * at once with cursor 0; a hashtable is walked with the table's reverse-binary cursor, up to COUNT pairs
     * (at most 10*COUNT buckets), then filtered by the pattern.
     */
    private void hscan(Call c) {
        long cursor = KeyFamily.parseCursor(c.arg(2));
        HashValue h = read(c, c.arg(1));
        Reply r = c.reply;
        if (h == null) {
            ScanOptions.replyEmpty(r);
            return;
        }
        ScanOptions options = ScanOptions.parse(c, 3, false);
        long count = options.count;
        byte[] pattern = options.pattern;
        List<byte[]> out = new ArrayList<>();
        if (h.isListpack()) {
            byte[] lp = h.listpack();
            for (int p = Listpack.first(lp); p >= 0; ) {
                int v = Listpack.next(lp, p);
                byte[] field = Listpack.text(lp, p);
                if (pattern == null || Glob.matches(pattern, field)) {
                    out.add(field);
                    out.add(Listpack.text(lp, v));
                }
                p = Listpack.next(lp, v);
            }
            cursor = 0;
        } else {
            List<HashValue.Field> found = new ArrayList<>();
            long maxIterations = count * 10;
            HashTable<HashValue.Field> table = h.table();
            do {
                cursor = table.scan(cursor, found::add);
            } while (cursor != 0 && maxIterations-- != 0 && found.size() < count);
            for (HashValue.Field f : found) {
                if (pattern != null && !Glob.matches(pattern, f.key)) continue;
                out.add(f.key);
                out.add(f.value());
            }
        }
        r.array(2);
        r.bulk(Ascii.bytes(Long.toUnsignedString(cursor)));
        r.array(out.size());
        for (byte[] b : out) r.bulk(b);
    }
}
