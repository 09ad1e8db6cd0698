package dev.ferry.command.set;

import dev.ferry.command.keys.KeyFamily;
import dev.ferry.command.keys.ScanOptions;
import dev.ferry.engine.Call;
import dev.ferry.engine.CommandFamily;
import dev.ferry.engine.CommandTable;
import dev.ferry.engine.Errors;
import dev.ferry.engine.ReplyError;
import dev.ferry.protocol.Ascii;
import dev.ferry.store.Database;
import dev.ferry.store.Dict;
import dev.ferry.store.Glob;
import dev.ferry.store.Intset;
import dev.ferry.store.SetValue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static dev.ferry.engine.CommandFlags.*;

/**
 * Set commands (Redis 7.0's t_set.c) over {@link SetValue}: its two encodings and their conversions, the
 * algorithms whose choice shows in replies or encodings (SPOP and SRANDMEMBER with a count, SDIFF's two
 * algorithms, the *STORE results built from an empty intset as sinterGenericCommand and
 * sunionDiffGenericCommand build them), and the replication rewrites: SPOP reaches replicas as SREM (one
 * per member, inside MULTI/EXEC when there are several) or as DEL when it takes the whole set.
 *
 * <p>SADD and SPOP are what redis-benchmark measures: they build no String, box nothing, and reply from the
 * stored bytes (an intset member is formatted once, for the reply and the SREM that replicas get).
 */
public final class SetFamily implements CommandFamily {

    private static final byte[] SREM_WORD = Ascii.bytes("SREM");
    private static final byte[] DEL_WORD = Ascii.bytes("DEL");

    private static final ReplyError MUST_BE_POSITIVE = new ReplyError(Errors.MUST_BE_POSITIVE);
    private static final ReplyError COUNT_RANGE = new ReplyError(
        "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
    private static final ReplyError NUMKEYS = new ReplyError("ERR numkeys should be greater than 0");
    private static final ReplyError TOO_MANY_KEYS = new ReplyError("ERR Number of keys can't be greater than number of args");
    private static final ReplyError LIMIT_NEGATIVE = new ReplyError("ERR LIMIT can't be negative");

    /** SPOP_MOVE_STRATEGY_MUL and SRANDMEMBER_SUB_STRATEGY_MUL of t_set.c. */
    private static final long SPOP_MOVE_STRATEGY_MUL = 5, SRANDMEMBER_SUB_STRATEGY_MUL = 3;

    @Override
    public void register(CommandTable t) {
        // name, arity, flags, first key, last key, key step: as COMMAND INFO prints them in Redis 7.0
        t.add("sadd", -3, WRITE | DENYOOM | FAST, 1, 1, 1, "set", this::sadd);
        t.add("srem", -3, WRITE | FAST, 1, 1, 1, "set", this::srem);
        t.add("scard", 2, READONLY | FAST, 1, 1, 1, "set", this::scard);
        t.add("sismember", 3, READONLY | FAST, 1, 1, 1, "set", this::sismember);
        t.add("smismember", -3, READONLY | FAST, 1, 1, 1, "set", this::smismember);
        t.add("smembers", 2, READONLY, 1, 1, 1, "set", c -> sinter(c, 1, 1, null, false, 0));
        t.add("spop", -2, WRITE | FAST, 1, 1, 1, "set", this::spop);
        t.add("srandmember", -2, READONLY, 1, 1, 1, "set", this::srandmember);
        t.add("smove", 4, WRITE | FAST, 1, 2, 1, "set", this::smove);
        t.add("sinter", -2, READONLY, 1, -1, 1, "set", c -> sinter(c, 1, c.argc() - 1, null, false, 0));
        t.add("sintercard", -3, READONLY, 0, 0, 0, "set", this::sintercard);
        t.add("sinterstore", -3, WRITE | DENYOOM, 1, -1, 1, "set", c -> sinter(c, 2, c.argc() - 2, c.arg(1), false, 0));
        t.add("sunion", -2, READONLY, 1, -1, 1, "set", c -> sunionDiff(c, 1, c.argc() - 1, null, false));
        t.add("sunionstore", -3, WRITE | DENYOOM, 1, -1, 1, "set", c -> sunionDiff(c, 2, c.argc() - 2, c.arg(1), false));
        t.add("sdiff", -2, READONLY, 1, -1, 1, "set", c -> sunionDiff(c, 1, c.argc() - 1, null, true));
        t.add("sdiffstore", -3, WRITE | DENYOOM, 1, -1, 1, "set", c -> sunionDiff(c, 2, c.argc() - 2, c.arg(1), true));
        t.add("sscan", -3, READONLY, 1, 1, 1, "set", this::sscan);
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /** The set of a live entry, or WRONGTYPE: the one type check of this family. */
    private static SetValue setValue(Dict.Entry e) {
        if (e.value() instanceof SetValue s) return s;
        throw Errors.wrongType();
    }

    /** The set under a key for reading (keyspace hit or miss), null when absent; WRONGTYPE for another type. */
    private static SetValue readSet(Call c, byte[] key) {
        Dict.Entry e = c.db().lookupRead(key);
        return e == null ? null : setValue(e);
    }

    private static long maxIntsetEntries(Call c) {
        return c.server.settings().setMaxIntsetEntries;
    }

    /** Every member of a set as a bulk reply, in the set's own order. */
    private static void replyMembers(Call c, SetValue s) {
        if (s.isIntset()) {
            byte[] is = s.intset();
            for (int i = 0, n = Intset.length(is); i < n; i++) c.reply.bulk(Intset.get(is, i));
        } else {
            s.table().forEach(m -> c.reply.bulk(m.key));
        }
    }

    /** Whether a set holds the integer v (an intset member of another set). */
    private static boolean containsLong(SetValue s, long v) {
        if (s.isIntset()) return Intset.contains(s.intset(), v);
        return s.table().find(Ascii.toBytes(v)) != null;
    }

    // ---- single-key commands -------------------------------------------------------------------------------

    private void sadd(Call c) {
        byte[] key = c.arg(1);
        Database db = c.db();
        Dict.Entry e = db.lookupForWrite(key);
        SetValue set = e == null ? SetValue.create(c.arg(2)) : setValue(e);
        long max = maxIntsetEntries(c);
        int added = 0;
        for (int j = 2, argc = c.argc(); j < argc; j++) if (set.add(c.arg(j), max)) added++;
        if (e == null) db.add(key, set);
        else if (added > 0) db.replaceValue(e, set);
        c.keyspace().dirty(added);
        c.reply.integer(added);
    }

    private void srem(Call c) {
        byte[] key = c.arg(1);
        Database db = c.db();
        Dict.Entry e = db.lookupForWrite(key);
        if (e == null) {
            c.reply.integer(0);
            return;
        }
        SetValue set = setValue(e);
        int deleted = 0;
        boolean keyRemoved = false;
        for (int j = 2, argc = c.argc(); j < argc; j++) {
            if (set.remove(c.arg(j))) {
                deleted++;
                if (set.size() == 0) {
                    db.delete(key);
                    keyRemoved = true;
                    break;
                }
            }
        }
        if (deleted > 0) {
            if (!keyRemoved) db.replaceValue(e, set);
            c.keyspace().dirty(deleted);
        }
        c.reply.integer(deleted);
    }

    private void scard(Call c) {
        SetValue s = readSet(c, c.arg(1));
        c.reply.integer(s == null ? 0 : s.size());
    }

    private void sismember(Call c) {
        SetValue s = readSet(c, c.arg(1));
        c.reply.integer(s != null && s.contains(c.arg(2)) ? 1 : 0);
    }

    private void smismember(Call c) {
        SetValue s = readSet(c, c.arg(1));
        int argc = c.argc();
        c.reply.array(argc - 2);
        for (int j = 2; j < argc; j++) c.reply.integer(s != null && s.contains(c.arg(j)) ? 1 : 0);
    }

    /**
     * SMOVE source destination member. The same key for both answers membership and changes nothing; a
     * destination that already had the member still counts the move (dirty) but is not signalled.
     */
    private void smove(Call c) {
        byte[] srcKey = c.arg(1), dstKey = c.arg(2), member = c.arg(3);
        Database db = c.db();
        Dict.Entry srcE = db.lookupForWrite(srcKey);
        Dict.Entry dstE = db.lookupForWrite(dstKey);
        if (srcE == null) {
            c.reply.integer(0);
            return;
        }
        SetValue src = setValue(srcE);
        SetValue dst = dstE == null ? null : setValue(dstE);
        if (src == dst) {
            c.reply.integer(src.contains(member) ? 1 : 0);
            return;
        }
        if (!src.remove(member)) {
            c.reply.integer(0);
            return;
        }
        if (src.size() == 0) db.delete(srcKey);
        else db.replaceValue(srcE, src);
        c.keyspace().dirty(1);
        if (dst == null) {
            dst = SetValue.create(member);
            dst.add(member, maxIntsetEntries(c));
            db.add(dstKey, dst);
            c.keyspace().dirty(1);
        } else if (dst.add(member, maxIntsetEntries(c))) {
            db.replaceValue(dstE, dst);
            c.keyspace().dirty(1);
        }
        c.reply.integer(1);
    }

    // ---- SPOP / SRANDMEMBER --------------------------------------------------------------------------------

    private void spop(Call c) {
        if (c.argc() == 3) {
            spopWithCount(c);
            return;
        }
        if (c.argc() > 3) throw Errors.syntax();
        byte[] key = c.arg(1);
        Database db = c.db();
        Dict.Entry e = db.lookupForWrite(key);
        if (e == null) {
            c.reply.nullBulk();
            return;
        }
        SetValue set = setValue(e);
        byte[] member;
        if (set.isIntset()) {
            member = Ascii.toBytes(set.removeIntsetAt(set.randomIntsetIndex()));
        } else {
            member = set.randomMember().key;
            set.remove(member);
        }
        c.propagateAs(SREM_WORD, key, member);
        c.reply.bulk(member);
        if (set.size() == 0) db.delete(key);
        else db.replaceValue(e, set);
        c.keyspace().dirty(1);
    }

    /** SPOP key count (spopWithCountCommand): the three cases of Redis 7.0, with their propagation. */
    private void spopWithCount(Call c) {
        byte[] countArg = c.arg(2);
        long count = Ascii.isLong(countArg) ? Ascii.parseLongOr(countArg, -1) : -1;
        if (count < 0) throw MUST_BE_POSITIVE;
        byte[] key = c.arg(1);
        Database db = c.db();
        Dict.Entry e = db.lookupForWrite(key);
        if (e == null) {
            c.reply.set(0);
            return;
        }
        SetValue set = setValue(e);
        if (count == 0) {
            c.reply.set(0);
            return;
        }
        long size = set.size();
        c.keyspace().dirty(Math.min(count, size));

        // CASE 1: the whole set, as SUNION of the key would reply it; the key goes, replicas get DEL
        if (count >= size) {
            replyUnion(c, set);
            db.delete(key);
            c.propagateAs(DEL_WORD, key);
            return;
        }

        c.reply.set((int) count);
        long remaining = size - count;
        if (remaining * SPOP_MOVE_STRATEGY_MUL > count) {
            // CASE 2: pop random members one by one
            for (long i = 0; i < count; i++) {
                byte[] member;
                if (set.isIntset()) {
                    member = Ascii.toBytes(set.removeIntsetAt(set.randomIntsetIndex()));
                } else {
                    member = set.randomMember().key;
                    set.remove(member);
                }
                c.reply.bulk(member);
                c.addEffect(SREM_WORD, key, member);
            }
            db.replaceValue(e, set);
        } else {
            // CASE 3: move the members that stay into a new set, then pop what is left of the old one
            SetValue kept = null;
            long max = maxIntsetEntries(c);
            for (long i = 0; i < remaining; i++) {
                byte[] member = set.isIntset()
                    ? Ascii.toBytes(Intset.get(set.intset(), set.randomIntsetIndex()))
                    : set.randomMember().key;
                if (kept == null) kept = SetValue.create(member);
                kept.add(member, max);
                set.remove(member);
            }
            set.forEachMember(member -> {
                c.reply.bulk(member);
                c.addEffect(SREM_WORD, key, member);
            });
            db.replaceValue(e, kept);
        }
    }

    /** The reply of SUNION over one set: its members through a fresh intset-first set, as Redis builds it. */
    private static void replyUnion(Call c, SetValue set) {
        SetValue union = SetValue.emptyIntset();
        long max = maxIntsetEntries(c);
        set.forEachMember(m -> union.add(m, max));
        c.reply.set(union.size());
        replyMembers(c, union);
    }

    private void srandmember(Call c) {
        if (c.argc() == 3) {
            srandmemberWithCount(c);
            return;
        }
        if (c.argc() > 3) throw Errors.syntax();
        SetValue set = readSet(c, c.arg(1));
        if (set == null) {
            c.reply.nullBulk();
            return;
        }
        if (set.isIntset()) c.reply.bulk(Intset.get(set.intset(), set.randomIntsetIndex()));
        else c.reply.bulk(set.randomMember().key);
    }

    /** SRANDMEMBER key count (srandmemberWithCountCommand): Redis 7.0's four cases; replies are arrays. */
    private void srandmemberWithCount(Call c) {
        long l = c.longArg(2);
        if (l == Long.MIN_VALUE) throw COUNT_RANGE;
        boolean unique = l >= 0;
        long count = Math.abs(l);
        SetValue set = readSet(c, c.arg(1));
        if (set == null || count == 0) {
            c.reply.array(0);
            return;
        }
        long size = set.size();

        // CASE 1: a negative count (or 1): independent picks, repeats allowed
        if (!unique || count == 1) {
            c.reply.array((int) Math.min(count, Integer.MAX_VALUE));
            for (long i = 0; i < count; i++) {
                if (set.isIntset()) c.reply.bulk(Intset.get(set.intset(), set.randomIntsetIndex()));
                else c.reply.bulk(set.randomMember().key);
            }
            return;
        }
        // CASE 2: the whole set
        if (count >= size) {
            c.reply.array((int) size);
            replyMembers(c, set);
            return;
        }
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        byte[][] picked;
        if (count * SRANDMEMBER_SUB_STRATEGY_MUL > size) {
            // CASE 3: all members, then random ones removed down to count
            byte[][] all = new byte[(int) size][];
            int[] n = {0};
            set.forEachMember(m -> all[n[0]++] = m);
            for (int left = (int) size; left > count; left--) {
                int i = rnd.nextInt(left);
                all[i] = all[left - 1];
            }
            picked = Arrays.copyOf(all, (int) count);
        } else {
            // CASE 4: random picks until count distinct ones
            SetValue distinct = SetValue.emptyHashtable();
            picked = new byte[(int) count][];
            int added = 0;
            while (added < count) {
                byte[] m = set.isIntset()
                    ? Ascii.toBytes(Intset.get(set.intset(), set.randomIntsetIndex()))
                    : set.randomMember().key;
                if (distinct.add(m, 0)) picked[added++] = m;
            }
        }
        c.reply.array(picked.length);
        for (byte[] m : picked) c.reply.bulk(m);
    }

    // ---- SINTER / SMEMBERS / SINTERCARD / SINTERSTORE ------------------------------------------------------

    private void sintercard(Call c) {
        byte[] numArg = c.arg(1);
        long numkeys = Ascii.isLong(numArg) ? Ascii.parseLongOr(numArg, 0) : 0;
        if (numkeys < 1) throw NUMKEYS;
        if (numkeys > c.argc() - 2) throw TOO_MANY_KEYS;
        long limit = 0;
        for (int j = 2 + (int) numkeys; j < c.argc(); j++) {
            boolean more = c.argc() - 1 - j > 0;
            if (c.argIs(j, "limit") && more) {
                j++;
                byte[] a = c.arg(j);
                limit = Ascii.isLong(a) ? Ascii.parseLongOr(a, -1) : -1;
                if (limit < 0) throw LIMIT_NEGATIVE;
            } else {
                throw Errors.syntax();
            }
        }
        sinter(c, 2, (int) numkeys, null, true, limit);
    }

    /**
     * sinterGenericCommand: keys argv[first, first + n); dst for SINTERSTORE; cardinalityOnly for
     * SINTERCARD (stopping at limit, 0 = none). A missing key makes the result empty; WRONGTYPE wins over
     * that when a later key holds another type.
     */
    private static void sinter(Call c, int first, int n, byte[] dst, boolean cardinalityOnly, long limit) {
        SetValue[] sets = new SetValue[n];
        boolean empty = false;
        for (int j = 0; j < n; j++) {
            sets[j] = readSet(c, c.arg(first + j));
            if (sets[j] == null) empty = true;
        }
        if (empty) {
            if (dst != null) {
                if (c.db().delete(dst)) c.keyspace().dirty(1);
                c.reply.integer(0);
            } else if (cardinalityOnly) {
                c.reply.integer(0);
            } else {
                c.reply.set(0);
            }
            return;
        }
        Arrays.sort(sets, (a, b) -> Integer.compare(a.size(), b.size()));
        SetValue smallest = sets[0];
        long max = maxIntsetEntries(c);
        List<byte[]> out = dst == null && !cardinalityOnly ? new ArrayList<>() : null;
        SetValue result = dst != null ? SetValue.emptyIntset() : null;
        long cardinality = 0;
        if (smallest.isIntset()) {
            byte[] is = smallest.intset();
            for (int i = 0, len = Intset.length(is); i < len; i++) {
                long v = Intset.get(is, i);
                int j = 1;
                for (; j < n; j++) {
                    if (sets[j] == smallest) continue;
                    if (!containsLong(sets[j], v)) break;
                }
                if (j < n) continue;
                cardinality++;
                if (cardinalityOnly) {
                    if (limit != 0 && cardinality >= limit) break;
                } else if (result != null) {
                    result.add(Ascii.toBytes(v), max);
                } else {
                    out.add(Ascii.toBytes(v));
                }
            }
        } else {
            // the table is not changed while walking it: collect, then act
            List<byte[]> members = new ArrayList<>(smallest.size());
            smallest.table().forEach(m -> members.add(m.key));
            for (byte[] m : members) {
                int j = 1;
                for (; j < n; j++) {
                    if (sets[j] == smallest) continue;
                    if (!sets[j].contains(m)) break;
                }
                if (j < n) continue;
                cardinality++;
                if (cardinalityOnly) {
                    if (limit != 0 && cardinality >= limit) break;
                } else if (result != null) {
                    result.add(m, max);
                } else {
                    out.add(m);
                }
            }
        }
        if (cardinalityOnly) {
            c.reply.integer(cardinality);
        } else if (dst != null) {
            store(c, dst, result);
        } else {
            c.reply.set(out.size());
            for (byte[] m : out) c.reply.bulk(m);
        }
    }

    /**
     * The end of every *STORE: a non-empty result replaces the destination whatever it held (setKey: its
     * TTL goes too); an empty one deletes it. Counted dirty (and so propagated as the command itself) only
     * when something changed.
     */
    private static void store(Call c, byte[] dst, SetValue result) {
        if (result.size() > 0) {
            c.db().set(dst, result, false);
            c.keyspace().dirty(1);
            c.reply.integer(result.size());
        } else {
            c.reply.integer(0);
            if (c.db().delete(dst)) c.keyspace().dirty(1);
        }
    }

    // ---- SUNION / SDIFF and their STORE forms --------------------------------------------------------------

    /** sunionDiffGenericCommand, with Redis's choice between its two SDIFF algorithms. */
    private static void sunionDiff(Call c, int first, int n, byte[] dst, boolean diff) {
        SetValue[] sets = new SetValue[n];
        boolean sameSet = false;
        for (int j = 0; j < n; j++) {
            sets[j] = readSet(c, c.arg(first + j));
            if (j > 0 && sets[j] != null && sets[j] == sets[0]) sameSet = true;
        }
        int algo = 1;
        if (diff && sets[0] != null && !sameSet) {
            long one = 0, two = 0;
            for (SetValue s : sets) {
                if (s == null) continue;
                one += sets[0].size();
                two += s.size();
            }
            one /= 2;
            algo = one <= two ? 1 : 2;
            if (algo == 1 && n > 1) {
                // by decreasing size, missing keys (empty) last
                Arrays.sort(sets, 1, n, (a, b) -> Integer.compare(b == null ? 0 : b.size(), a == null ? 0 : a.size()));
            }
        }
        SetValue result = SetValue.emptyIntset();
        long max = maxIntsetEntries(c);
        if (!diff) {
            for (SetValue s : sets) if (s != null) s.forEachMember(m -> result.add(m, max));
        } else if (sameSet || sets[0] == null) {
            // a key diffed with itself, or nothing to diff from: empty
        } else if (algo == 1) {
            SetValue from = sets[0];
            from.forEachMember(m -> {
                for (int j = 1; j < n; j++) {
                    if (sets[j] == null) continue;
                    if (sets[j] == from || sets[j].contains(m)) return;
                }
                result.add(m, max);
            });
        } else {
            for (int j = 0; j < n; j++) {
                if (sets[j] == null) continue;
                if (j == 0) sets[0].forEachMember(m -> result.add(m, max));
                else sets[j].forEachMember(result::remove);
                if (result.size() == 0) break;
            }
        }
        if (dst == null) {
            c.reply.set(result.size());
            replyMembers(c, result);
        } else {
            store(c, dst, result);
        }
    }

    // ---- SSCAN ---------------------------------------------------------------------------------------------

    /**
     * SSCAN key cursor [MATCH pattern] [COUNT count] (scanGenericCommand): the cursor is read first, then the
     * key (a missing key answers an empty scan before any option is looked at), then the options. An intset
     * answers all its members at once with cursor 0.
     */
    private void sscan(Call c) {
        long cursor = KeyFamily.parseCursor(c.arg(2));
        SetValue set = readSet(c, c.arg(1));
        if (set == null) {
            ScanOptions.replyEmpty(c.reply);
            return;
        }
        ScanOptions options = ScanOptions.parse(c, 3, false);
        long count = options.count;
        byte[] pattern = options.pattern;
        List<byte[]> found = new ArrayList<>();
        if (set.isIntset()) {
            set.forEachMember(found::add);
            cursor = 0;
        } else {
            long maxIterations = count * 10;
            do {
                cursor = set.table().scan(cursor, m -> found.add(m.key));
            } while (cursor != 0 && maxIterations-- != 0 && found.size() < count);
        }
        c.reply.array(2);
        c.reply.bulk(Ascii.toBytes(cursor));
        if (pattern == null) {
            c.reply.bulks(found);
            return;
        }
        List<byte[]> out = new ArrayList<>(found.size());
        for (byte[] m : found) if (Glob.matches(pattern, m)) out.add(m);
        c.reply.bulks(out);
    }
}
