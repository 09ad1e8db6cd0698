package dev.ferry.command.zset;

import dev.ferry.engine.*;
import dev.ferry.protocol.Ascii;
import dev.ferry.protocol.Reply;
import dev.ferry.store.Database;
import dev.ferry.store.Dict;
import dev.ferry.store.ZSetValue;

import java.util.Arrays;

import static dev.ferry.engine.CommandFlags.*;

/**
 * The sorted-set pops (t_zset.c's genericZpopCommand, zmpopCommand, blockingGenericZpopCommand): ZPOPMIN and
 * ZPOPMAX propagate as themselves, ZMPOP as ZPOPMIN/ZPOPMAX key popped-count. The blocking BZPOPMIN, BZPOPMAX
 * and BZMPOP (blocked.c's serveClientsBlockedOnSortedSetKey) go through {@link BlockedClients}; served at once or
 * woken, they propagate as ZPOPMIN/ZPOPMAX key (BZPOPMIN/BZPOPMAX) or ZPOPMIN/ZPOPMAX key popped-count (BZMPOP).
 */
public final class ZPopFamily implements CommandFamily {
    private static final byte[] ZPOPMIN = Ascii.bytes("ZPOPMIN"), ZPOPMAX = Ascii.bytes("ZPOPMAX");
    private static final ReplyError POSITIVE = ZSetFamily.POSITIVE;

    /** Writes popped members to the reply; reused (one executing thread), so popping allocates nothing. */
    private final ZSetFamily.ReplySink out = new ZSetFamily.ReplySink();

    @Override
    public void register(CommandTable t) {
        t.add("zpopmin", -2, WRITE | FAST, 1, 1, 1, "sorted-set", c -> zpop(c, false));
        t.add("zpopmax", -2, WRITE | FAST, 1, 1, 1, "sorted-set", c -> zpop(c, true));
        t.add("zmpop", -4, WRITE, 0, 0, 0, "sorted-set", this::zmpop);
        t.add("bzpopmin", -3, WRITE | NOSCRIPT | FAST | BLOCKING, 1, -2, 1, "sorted-set", c -> bzpop(c, false));
        t.add("bzpopmax", -3, WRITE | NOSCRIPT | FAST | BLOCKING, 1, -2, 1, "sorted-set", c -> bzpop(c, true));
        t.add("bzmpop", -5, WRITE | BLOCKING, 0, 0, 0, "sorted-set", this::bzmpop);
    }

    private static ZSetValue read(Call c, byte[] key) {
        return ZSetFamily.read(c, key);
    }

    // ---- pops ---------------------------------------------------------------------------------------------------

    /** ZPOPMIN / ZPOPMAX key [count]. */
    private void zpop(Call c, boolean max) {
        if (c.argc() > 3) throw Errors.syntax();
        long count = -1;
        if (c.argc() == 3) {
            count = c.longArg(2, POSITIVE.getMessage());
            if (count < 0) throw POSITIVE;
        }
        boolean nested = c.reply.resp3() && count != -1;
        genericPop(c, c.arg(1), max, count, false, nested, false);
    }

    /**
     * genericZpopCommand for one key: replies and pops. emitKey (ZMPOP) adds the key and nests the pairs;
     * nilWhenEmpty answers a missing key with the null array (ZMPOP) instead of an empty one.
     */
    private void genericPop(Call c, byte[] key, boolean max, long count, boolean emitKey, boolean nested, boolean nilWhenEmpty) {
        Database db = c.db();
        Dict.Entry e = db.lookupForWrite(key);
        if (e == null) {
            if (nilWhenEmpty) c.reply.nullArray();
            else c.reply.array(0);
            return;
        }
        if (!(e.value() instanceof ZSetValue z)) throw Errors.wrongType();
        popFrom(c, e, z, key, max, count, emitKey, nested);
    }

    /** Pops up to count members (-1: one, flat reply); returns how many it popped. */
    private long popFrom(Call c, Dict.Entry e, ZSetValue z, byte[] key, boolean max, long count, boolean emitKey, boolean nested) {
        if (count == 0) {
            c.reply.array(0);
            return 0;
        }
        if (count == -1) count = 1;
        long n = Math.min(count, z.size());
        Reply r = c.reply;
        if (!nested && !emitKey) {
            r.array((int) (n * 2));
        } else if (nested && !emitKey) {
            r.array((int) n);
        } else if (!nested) {
            // BZPOPMIN / BZPOPMAX: key, member, score
            r.array((int) (n * 2 + 1));
            r.bulk(key);
        } else {
            r.array(2);
            r.bulk(key);
            r.array((int) n);
        }
        ZSetFamily.ReplySink sink = out.to(r, true, nested);
        for (long i = 0; i < n; i++) z.pop(max, sink);
        Database db = c.db();
        if (z.size() == 0) db.delete(key);
        else db.replaceValue(e, z);
        c.keyspace().dirty(n);
        return n;
    }

    /** ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]: propagated as ZPOPMIN/ZPOPMAX key count. */
    private void zmpop(Call c) {
        MpopArgs a = parseMpop(c, 1);
        int numkeys = a.numKeys;
        boolean max = a.max;
        long count = a.count;
        Database db = c.db();
        for (int i = 0; i < numkeys; i++) {
            byte[] key = c.arg(2 + i);
            Dict.Entry e = db.lookupForWrite(key);
            if (e == null) continue;
            if (!(e.value() instanceof ZSetValue z)) throw Errors.wrongType();
            long popped = popFrom(c, e, z, key, max, count, true, true);
            // Redis 7.0 replicates the pops as ZPOPMIN/ZPOPMAX with the count actually popped
            c.propagateAs(max ? ZPOPMAX : ZPOPMIN, key, Ascii.toBytes(popped));
            return;
        }
        c.reply.nullArray();
    }

    /** ZMPOP's and BZMPOP's arguments after the timeout: keys at numkeysIdx + 1, MIN|MAX, COUNT (default 1). */
    private record MpopArgs(int numKeys, boolean max, long count) {}

    /** zmpopGenericCommand's parsing, in its order (numkeys, where, COUNT). */
    private static MpopArgs parseMpop(Call c, int numkeysIdx) {
        long numkeys = c.longArg(numkeysIdx, "ERR numkeys should be greater than 0");
        if (numkeys < 1) throw new ReplyError("ERR numkeys should be greater than 0");
        // whereIdx = numkeysIdx + numkeys + 1 must be an argument (compared without overflowing)
        if (numkeys >= c.argc() - numkeysIdx - 1) throw Errors.syntax();
        int whereIdx = numkeysIdx + (int) numkeys + 1;
        boolean max;
        if (c.argIs(whereIdx, "min")) max = false;
        else if (c.argIs(whereIdx, "max")) max = true;
        else throw Errors.syntax();
        long count = -1;
        for (int j = whereIdx + 1; j < c.argc(); j++) {
            int more = c.argc() - 1 - j;
            if (count == -1 && c.argIs(j, "count") && more > 0) {
                j++;
                count = c.longArg(j, "ERR count should be greater than 0");
                if (count < 1) throw new ReplyError("ERR count should be greater than 0");
            } else {
                throw Errors.syntax();
            }
        }
        if (count == -1) count = 1;
        return new MpopArgs((int) numkeys, max, count);
    }

    // ---- BZPOPMIN / BZPOPMAX / BZMPOP -----------------------------------------------------------------------------

    /** BZPOPMIN / BZPOPMAX key [key ...] timeout: [key, member, score]. */
    private void bzpop(Call c, boolean max) {
        int argc = c.argc();
        long timeout = BlockedClients.parseTimeout(c.arg(argc - 1));
        blockingPop(c, Arrays.copyOfRange(c.argv(), 1, argc - 1), max, -1, timeout);
    }

    /** BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]: its arguments are read before the timeout. */
    private void bzmpop(Call c) {
        MpopArgs a = parseMpop(c, 2);
        long timeout = BlockedClients.parseTimeout(c.arg(1));
        blockingPop(c, Arrays.copyOfRange(c.argv(), 3, 3 + a.numKeys), a.max, a.count, timeout);
    }

    /**
     * blockingGenericZpopCommand: the first sorted set of the keys is popped as ZPOPMIN/ZPOPMAX would (a key of
     * another type before it answers WRONGTYPE); otherwise the client blocks (inside MULTI: the null array).
     * count -1 is BZPOPMIN/BZPOPMAX (flat reply, propagated without a count), else BZMPOP (nested reply).
     */
    private void blockingPop(Call c, byte[][] keys, boolean max, long count, long timeout) {
        Database db = c.db();
        for (byte[] key : keys) {
            Dict.Entry e = db.lookupForWrite(key);
            if (e == null) continue;
            if (!(e.value() instanceof ZSetValue z)) throw Errors.wrongType();
            servePop(c, e, z, key, max, count);
            return;
        }
        if (!c.mayBlock()) {
            c.reply.nullArray();
            return;
        }
        c.block(keys, timeout, (call, key) -> {
            Dict.Entry e = call.db().lookupForWrite(key);
            if (e == null || !(e.value() instanceof ZSetValue z)) return false;
            servePop(call, e, z, key, max, count);
            return true;
        });
    }

    /**
     * Pops for a blocking command and propagates ZPOPMIN/ZPOPMAX key (BZPOPMIN/BZPOPMAX) or ZPOPMIN/ZPOPMAX key
     * and the count it popped (BZMPOP), as Redis 7.0.15 replicates them, served at once or woken.
     */
    private void servePop(Call c, Dict.Entry e, ZSetValue z, byte[] key, boolean max, long count) {
        boolean mpop = count != -1;
        long popped = popFrom(c, e, z, key, max, count, true, mpop);
        byte[] word = max ? ZPOPMAX : ZPOPMIN;
        if (mpop) c.propagateAs(word, key, Ascii.toBytes(popped));
        else c.propagateAs(word, key);
    }
}
