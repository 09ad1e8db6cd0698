package dev.ferry.command.hll;

import dev.ferry.engine.Call;
import dev.ferry.engine.CommandFamily;
import dev.ferry.engine.CommandTable;
import dev.ferry.engine.Errors;
import dev.ferry.engine.ReplyError;
import dev.ferry.store.Database;
import dev.ferry.store.Dict;
import dev.ferry.store.StringValue;

import static dev.ferry.engine.CommandFlags.*;

/**
 * The HyperLogLog commands (Redis 7.0's hyperloglog.c): PFADD, PFCOUNT, PFMERGE, on strings holding {@link Hll}'s
 * layout. Every change is made on a private copy of the value's bytes and stored as a new raw string through
 * an entry looked up for write ({@link Database#replaceValue} / {@link Database#add}: ARCHITECTURE.md rule 3),
 * so a value is never written in place.
 *
 * <p>As in Redis 7.0, PFCOUNT of a single key whose cached cardinality is stale writes the new cardinality
 * back into the value, and that counts as a write (signalModifiedKey, server.dirty++): it is propagated as
 * PFCOUNT key. Like Redis's dbUnshareStringValue, PFADD, PFCOUNT of one key and PFMERGE's destination leave
 * their string raw even when they change nothing.
 */
public final class HyperLogLogFamily implements CommandFamily {

    private static final ReplyError NOT_HLL =
        new ReplyError("WRONGTYPE Key is not a valid HyperLogLog string value.");
    private static final ReplyError INVALID = new ReplyError("INVALIDOBJ Corrupted HLL object detected");

    @Override
    public void register(CommandTable t) {
        // name, arity, flags, first key, last key, key step: as COMMAND INFO prints them in Redis 7.0
        t.add("pfadd", -2, WRITE | DENYOOM | FAST, 1, 1, 1, "hyperloglog", this::pfadd);
        t.add("pfcount", -2, READONLY, 1, -1, 1, "hyperloglog", this::pfcount);
        t.add("pfmerge", -2, WRITE | DENYOOM, 1, -1, 1, "hyperloglog", this::pfmerge);
    }

    /** isHLLObjectOrReply: the ordinary WRONGTYPE for another type, the HLL one for a string that is no HLL. */
    private static StringValue hllValue(Dict.Entry e) {
        if (!(e.value() instanceof StringValue v)) throw Errors.wrongType();
        if (!Hll.isHll(v)) throw NOT_HLL;
        return v;
    }

    /** dbUnshareStringValue without a change of contents: a non-raw string becomes a raw copy (WATCH not told). */
    private static void unshare(Database db, Dict.Entry e, StringValue v) {
        StringValue raw = v.unshared();
        if (raw != v) db.overwriteSameContents(e, raw);
    }

    /** PFADD key [element ...]: 1 when a register changed (or the key was created), else 0. */
    private void pfadd(Call c) {
        byte[] key = c.arg(1);
        Database db = c.db();
        Dict.Entry e = db.lookupForWrite(key);
        Hll h;
        StringValue old = null;
        int updated = 0;
        if (e == null) {
            h = Hll.empty();
            updated++;
        } else {
            old = hllValue(e);
            h = Hll.copyOf(old);
        }
        long maxBytes = c.server.settings().hllSparseMaxBytes;
        for (int j = 2; j < c.argc(); j++) {
            int r = h.add(c.arg(j), maxBytes);
            if (r == 1) {
                updated++;
            } else if (r < 0) {
                // Redis keeps what the earlier elements changed, without telling WATCH or the replicas
                db.overwriteSameContents(e, h.toValue());
                throw INVALID;
            }
        }
        if (updated > 0) {
            h.invalidateCache();
            if (e == null) db.add(key, h.toValue());
            else db.replaceValue(e, h.toValue());
            c.keyspace().dirty(updated);
        } else {
            unshare(db, e, old);
        }
        c.reply.integer(updated > 0 ? 1 : 0);
    }

    /**
     * PFCOUNT key [key ...]: one key answers its cached cardinality, recomputing and storing it when stale;
     * several keys answer the cardinality of their union, changing none of them.
     */
    private void pfcount(Call c) {
        Database db = c.db();
        if (c.argc() > 2) {
            byte[] max = new byte[Hll.REGISTERS];
            for (int j = 1; j < c.argc(); j++) {
                Dict.Entry e = db.lookupRead(c.arg(j));
                if (e == null) continue;
                if (!Hll.merge(max, hllValue(e))) throw INVALID;
            }
            c.reply.integer(Hll.countRaw(max));
            return;
        }
        byte[] key = c.arg(1);
        Dict.Entry e = db.lookupRead(key);
        if (e == null) {
            c.reply.integer(0);
            return;
        }
        StringValue v = hllValue(e);
        if (Hll.validCache(v)) {
            if (!v.encodingName().equals("raw")) unshare(db, db.lookupForWrite(key), v);
            c.reply.integer(Hll.cachedCardinality(v));
            return;
        }
        Dict.Entry w = db.lookupForWrite(key);
        long card = Hll.count(v);
        if (card < 0) {
            unshare(db, w, v);
            throw INVALID;
        }
        Hll h = Hll.copyOf(v);
        h.setCachedCardinality(card);
        db.replaceValue(w, h.toValue());
        c.keyspace().dirty(1);
        c.reply.integer(card);
    }

    /**
     * PFMERGE destkey [sourcekey ...]: destkey becomes the union of itself and the sources. It turns dense
     * when one of the inputs is dense, else stays sparse (promoted only past hll-sparse-max-bytes).
     */
    private void pfmerge(Call c) {
        Database db = c.db();
        byte[] max = new byte[Hll.REGISTERS];
        boolean useDense = false;
        for (int j = 1; j < c.argc(); j++) {
            Dict.Entry e = db.lookupRead(c.arg(j));
            if (e == null) continue;
            StringValue v = hllValue(e);
            if (Hll.encoding(v) == Hll.DENSE) useDense = true;
            if (!Hll.merge(max, v)) throw INVALID;
        }
        byte[] dest = c.arg(1);
        Dict.Entry e = db.lookupForWrite(dest);
        Hll h = e == null ? Hll.empty() : Hll.copyOf((StringValue) e.value());
        // the destination was merged above, so its sparse code is valid and the conversion cannot fail
        if (useDense && !h.sparseToDense()) throw INVALID;
        long maxBytes = c.server.settings().hllSparseMaxBytes;
        for (int j = 0; j < Hll.REGISTERS; j++) {
            if (max[j] != 0) h.set(j, max[j], maxBytes);
        }
        h.invalidateCache();
        if (e == null) db.add(dest, h.toValue());
        else db.replaceValue(e, h.toValue());
        c.keyspace().dirty(1);
        c.reply.ok();
    }
}
