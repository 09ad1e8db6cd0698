package dev.ferry.command.list;

import dev.ferry.engine.Call;
import dev.ferry.engine.CommandFamily;
import dev.ferry.engine.CommandTable;
import dev.ferry.engine.Errors;
import dev.ferry.engine.ReplyError;
import dev.ferry.protocol.Ascii;
import dev.ferry.store.Database;
import dev.ferry.store.Dict;
import dev.ferry.store.ListValue;

import java.util.Arrays;

import static dev.ferry.engine.CommandFlags.*;

/**
 * List commands (Redis 7.0's t_list.c): argument parsing order, error words, RESP2/RESP3 null forms and
 * replication rewrites as Redis 7.0 has them (LMPOP reaches replicas as LPOP/RPOP key count).
 *
 * <p>Values are {@link ListValue}s. Every change goes through an entry looked up for write and ends in
 * {@link Database#replaceValue}, {@link Database#add} or, when the list empties, {@link Database#delete}
 * (Redis deletes empty lists). LPUSH, RPUSH, LPOP, RPOP and LRANGE are what redis-benchmark measures:
 * their paths allocate nothing but the stored elements and reply straight from the element arrays.
 */
public final class ListFamily implements CommandFamily {
    static final byte[] LPOP_WORD = Ascii.bytes("LPOP");
    static final byte[] RPOP_WORD = Ascii.bytes("RPOP");
    static final byte[] LMOVE_WORD = Ascii.bytes("LMOVE");
    static final byte[] RPOPLPUSH_WORD = Ascii.bytes("RPOPLPUSH");

    static final String MUST_BE_POSITIVE = Errors.MUST_BE_POSITIVE;
    static final ReplyError INDEX_OUT_OF_RANGE = new ReplyError("ERR index out of range");
    static final ReplyError NO_SUCH_KEY = new ReplyError(Errors.NO_SUCH_KEY);
    private static final String RANK_ZERO = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the "
        + "second ... or use negative to start from the end of the list";

    private final BlockingLists blocking = new BlockingLists(this);

    @Override
    public void register(CommandTable t) {
        t.add("lpush", -3, WRITE | DENYOOM | FAST, 1, 1, 1, "list", c -> push(c, true, false));
        t.add("rpush", -3, WRITE | DENYOOM | FAST, 1, 1, 1, "list", c -> push(c, false, false));
        t.add("lpushx", -3, WRITE | DENYOOM | FAST, 1, 1, 1, "list", c -> push(c, true, true));
        t.add("rpushx", -3, WRITE | DENYOOM | FAST, 1, 1, 1, "list", c -> push(c, false, true));
        t.add("lpop", -2, WRITE | FAST, 1, 1, 1, "list", c -> pop(c, true));
        t.add("rpop", -2, WRITE | FAST, 1, 1, 1, "list", c -> pop(c, false));
        t.add("llen", 2, READONLY | FAST, 1, 1, 1, "list", this::llen);
        t.add("lrange", 4, READONLY, 1, 1, 1, "list", this::lrange);
        t.add("lindex", 3, READONLY, 1, 1, 1, "list", this::lindex);
        t.add("lset", 4, WRITE | DENYOOM, 1, 1, 1, "list", this::lset);
        t.add("linsert", 5, WRITE | DENYOOM, 1, 1, 1, "list", this::linsert);
        t.add("lrem", 4, WRITE, 1, 1, 1, "list", this::lrem);
        t.add("ltrim", 4, WRITE, 1, 1, 1, "list", this::ltrim);
        t.add("lpos", -3, READONLY, 1, 1, 1, "list", this::lpos);
        t.add("lmove", 5, WRITE | DENYOOM, 1, 2, 1, "list", this::lmove);
        t.add("rpoplpush", 3, WRITE | DENYOOM, 1, 2, 1, "list", c -> lmoveGeneric(c, false, true));
        t.add("lmpop", -4, WRITE | MOVABLE_KEYS, 0, 0, 0, "list", this::lmpop);
        blocking.register(t);
    }

    // ---- lookups ------------------------------------------------------------------------------------------

    /** A list for reading; null when absent, WRONGTYPE for another type. */
    static ListValue readList(Call c, byte[] key) {
        Dict.Entry e = c.db().lookupRead(key);
        if (e == null) return null;
        if (e.value() instanceof ListValue l) return l;
        throw Errors.wrongType();
    }

    /** An entry holding a list, looked up for write; null when absent, WRONGTYPE for another type. */
    static Dict.Entry writeEntry(Call c, byte[] key) {
        Dict.Entry e = c.db().lookupForWrite(key);
        if (e != null && !(e.value() instanceof ListValue)) throw Errors.wrongType();
        return e;
    }

    /** Ends a change to a list: deleted when it emptied (as Redis deletes empty lists), else recorded. */
    static void changed(Call c, Dict.Entry e, ListValue l) {
        if (l.size() == 0) c.db().delete(e.key());
        else c.db().replaceValue(e, l);
    }

    static ListValue newList(Call c) {
        return new ListValue(c.server.settings().listMaxListpackSize);
    }

    /** "left" / "right" (getListPositionFromObjectOrReply): true for left; syntax error otherwise. */
    static boolean side(Call c, int i) {
        if (c.argIs(i, "left")) return true;
        if (c.argIs(i, "right")) return false;
        throw Errors.syntax();
    }

    /** getPositiveLongFromObjectOrReply with Redis's default words. */
    static long positiveLong(Call c, int i) {
        return rangeLong(c, i, 0, Long.MAX_VALUE, MUST_BE_POSITIVE);
    }

    /** getRangeLongFromObjectOrReply with a message: the same words for a non-integer and an out-of-range value. */
    static long rangeLong(Call c, int i, long min, long max, String message) {
        long v = c.longArg(i, message);
        if (v < min || v > max) throw Errors.of(message);
        return v;
    }

    // ---- pushes -------------------------------------------------------------------------------------------

    private void push(Call c, boolean head, boolean onlyIfExists) {
        byte[] key = c.arg(1);
        Dict.Entry e = writeEntry(c, key);
        int argc = c.argc();
        ListValue l;
        if (e == null) {
            if (onlyIfExists) {
                c.reply.integer(0);
                return;
            }
            l = newList(c);
            for (int j = 2; j < argc; j++) l.push(c.arg(j), head);
            c.db().add(key, l);
        } else {
            l = (ListValue) e.value();
            for (int j = 2; j < argc; j++) l.push(c.arg(j), head);
            c.db().replaceValue(e, l);
        }
        c.keyspace().dirty(argc - 2);
        c.reply.integer(l.size());
    }

    // ---- pops ---------------------------------------------------------------------------------------------

    private void pop(Call c, boolean head) {
        int argc = c.argc();
        boolean hasCount = argc == 3;
        long count = 0;
        if (argc > 3) throw Errors.of(Errors.wrongArgs(c.spec().fullName));
        if (hasCount) count = positiveLong(c, 2);
        byte[] key = c.arg(1);
        Dict.Entry e = writeEntry(c, key);
        if (e == null) {
            if (hasCount) c.reply.nullArray();
            else c.reply.nullBulk();
            return;
        }
        if (hasCount && count == 0) {
            c.reply.array(0);
            return;
        }
        ListValue l = (ListValue) e.value();
        if (!hasCount) {
            byte[] v = l.pop(head);
            c.reply.bulk(v, 0, v.length);
            changed(c, e, l);
            c.keyspace().dirty(1);
            return;
        }
        long n = popRangeReply(c, l, head, count);
        changed(c, e, l);
        c.keyspace().dirty(n);
    }

    /** Replies with up to count elements from one end (an array, in pop order) and removes them. */
    static long popRangeReply(Call c, ListValue l, boolean head, long count) {
        long n = Math.min(count, l.size());
        c.reply.array((int) n);
        if (head) {
            l.replyRange(c.reply, 0, n, false);
            l.removeHead(n);
        } else {
            l.replyRange(c.reply, l.size() - 1, n, true);
            l.removeTail(n);
        }
        return n;
    }

    // ---- reads --------------------------------------------------------------------------------------------

    private void llen(Call c) {
        ListValue l = readList(c, c.arg(1));
        c.reply.integer(l == null ? 0 : l.size());
    }

    private void lrange(Call c) {
        long start = c.longArg(2), end = c.longArg(3);
        ListValue l = readList(c, c.arg(1));
        if (l == null) {
            c.reply.array(0);
            return;
        }
        long llen = l.size();
        if (start < 0) start = llen + start;
        if (end < 0) end = llen + end;
        if (start < 0) start = 0;
        if (start > end || start >= llen) {
            c.reply.array(0);
            return;
        }
        if (end >= llen) end = llen - 1;
        long n = end - start + 1;
        c.reply.array((int) n);
        l.replyRange(c.reply, start, n, false);
    }

    private void lindex(Call c) {
        ListValue l = readList(c, c.arg(1));
        if (l == null) {
            c.reply.nullBulk();
            return;
        }
        byte[] v = l.get(c.longArg(2));
        if (v == null) c.reply.nullBulk();
        else c.reply.bulk(v, 0, v.length);
    }

    private void lpos(Call c) {
        byte[] element = c.arg(2);
        long rank = 1, count = -1, maxlen = 0;
        int argc = c.argc();
        for (int j = 3; j < argc; j++) {
            boolean more = argc - 1 - j > 0;
            if (c.argIs(j, "rank") && more) {
                rank = c.longArg(++j);
                if (rank == 0) throw Errors.of(RANK_ZERO);
            } else if (c.argIs(j, "count") && more) {
                count = rangeLong(c, ++j, 0, Long.MAX_VALUE, "ERR COUNT can't be negative");
            } else if (c.argIs(j, "maxlen") && more) {
                maxlen = rangeLong(c, ++j, 0, Long.MAX_VALUE, "ERR MAXLEN can't be negative");
            } else {
                throw Errors.syntax();
            }
        }
        boolean fromHead = true;
        if (rank < 0) {
            rank = -rank;
            fromHead = false;
        }
        ListValue l = readList(c, c.arg(1));
        if (l == null) {
            if (count != -1) c.reply.array(0);
            else c.reply.nullBulk();
            return;
        }
        long llen = l.size();
        ListValue.Cursor it = l.cursor(fromHead);
        long index = 0, matches = 0, matchIndex = -1;
        long[] found = count != -1 ? new long[8] : null;
        int foundCount = 0;
        while (it.hasNext() && (maxlen == 0 || index < maxlen)) {
            if (Arrays.equals(it.next(), element)) {
                matches++;
                matchIndex = fromHead ? index : llen - index - 1;
                if (matches >= rank) {
                    if (found != null) {
                        if (foundCount == found.length) found = Arrays.copyOf(found, foundCount * 2);
                        found[foundCount++] = matchIndex;
                        if (count != 0 && matches - rank + 1 >= count) break;
                    } else {
                        break;
                    }
                }
            }
            index++;
            matchIndex = -1;
        }
        if (found != null) {
            c.reply.array(foundCount);
            for (int i = 0; i < foundCount; i++) c.reply.integer(found[i]);
        } else if (matchIndex != -1) {
            c.reply.integer(matchIndex);
        } else {
            c.reply.nullBulk();
        }
    }

    // ---- changes in the middle ----------------------------------------------------------------------------

    private void lset(Call c) {
        byte[] key = c.arg(1);
        Dict.Entry e = writeEntry(c, key);
        if (e == null) throw NO_SUCH_KEY;
        long index = c.longArg(2);
        ListValue l = (ListValue) e.value();
        if (!l.set(index, c.arg(3))) throw INDEX_OUT_OF_RANGE;
        c.db().replaceValue(e, l);
        c.keyspace().dirty(1);
        c.reply.ok();
    }

    private void linsert(Call c) {
        boolean after;
        if (c.argIs(2, "after")) after = true;
        else if (c.argIs(2, "before")) after = false;
        else throw Errors.syntax();
        Dict.Entry e = writeEntry(c, c.arg(1));
        if (e == null) {
            c.reply.integer(0);
            return;
        }
        ListValue l = (ListValue) e.value();
        if (!l.insertAtPivot(c.arg(3), c.arg(4), after)) {
            c.reply.integer(-1);
            return;
        }
        c.db().replaceValue(e, l);
        c.keyspace().dirty(1);
        c.reply.integer(l.size());
    }

    private void lrem(Call c) {
        long toRemove = c.longArg(2);
        Dict.Entry e = writeEntry(c, c.arg(1));
        if (e == null) {
            c.reply.integer(0);
            return;
        }
        ListValue l = (ListValue) e.value();
        long removed = l.removeMatching(c.arg(3), toRemove);
        if (removed > 0) {
            changed(c, e, l);
            c.keyspace().dirty(removed);
        }
        c.reply.integer(removed);
    }

    private void ltrim(Call c) {
        long start = c.longArg(2), end = c.longArg(3);
        Dict.Entry e = writeEntry(c, c.arg(1));
        if (e == null) {
            c.reply.ok();
            return;
        }
        ListValue l = (ListValue) e.value();
        long llen = l.size();
        if (start < 0) start = llen + start;
        if (end < 0) end = llen + end;
        if (start < 0) start = 0;
        long ltrim, rtrim;
        if (start > end || start >= llen) {
            ltrim = llen;
            rtrim = 0;
        } else {
            if (end >= llen) end = llen - 1;
            ltrim = start;
            rtrim = llen - end - 1;
        }
        l.removeHead(ltrim);
        l.removeTail(rtrim);
        changed(c, e, l);
        c.keyspace().dirty(ltrim + rtrim);
        c.reply.ok();
    }

    // ---- moves --------------------------------------------------------------------------------------------

    private void lmove(Call c) {
        boolean from = side(c, 3);
        boolean to = side(c, 4);
        lmoveGeneric(c, from, to);
    }

    /**
     * LMOVE / RPOPLPUSH (lmoveGenericCommand): replies with the moved element, or null when the source is
     * missing. Returns false when there was nothing to move.
     */
    boolean lmoveGeneric(Call c, boolean fromHead, boolean toHead) {
        byte[] src = c.arg(1), dst = c.arg(2);
        Dict.Entry se = writeEntry(c, src);
        if (se == null) {
            c.reply.nullBulk();
            return false;
        }
        ListValue sl = (ListValue) se.value();
        moveOne(c, se, sl, dst, fromHead, toHead);
        return true;
    }

    /**
     * Pops one element of a non-empty source list and pushes it onto dst (created when missing), replying
     * with the element: the common part of LMOVE and a served BLMOVE. WRONGTYPE when dst is not a list.
     */
    static void moveOne(Call c, Dict.Entry se, ListValue sl, byte[] dst, boolean fromHead, boolean toHead) {
        Database db = c.db();
        Dict.Entry de = writeEntry(c, dst);
        byte[] v = sl.pop(fromHead);
        if (de == se) {
            // a rotation: one list, popped and pushed
            sl.push(v, toHead);
            db.replaceValue(se, sl);
        } else {
            if (de == null) {
                ListValue dl = newList(c);
                dl.push(v, toHead);
                db.add(dst, dl);
            } else {
                ListValue dl = (ListValue) de.value();
                dl.push(v, toHead);
                db.replaceValue(de, dl);
            }
            changed(c, se, sl);
        }
        c.reply.bulk(v, 0, v.length);
        c.keyspace().dirty(1);
    }

    // ---- LMPOP --------------------------------------------------------------------------------------------

    /** Parsed LMPOP / BLMPOP arguments. */
    record MpopArgs(int firstKey, int numKeys, boolean head, long count) { }

    /** lmpopGenericCommand's parsing; numkeysIndex is 1 for LMPOP, 2 for BLMPOP. */
    static MpopArgs parseMpop(Call c, int numkeysIndex) {
        long numKeys = rangeLong(c, numkeysIndex, 1, Long.MAX_VALUE, "ERR numkeys should be greater than 0");
        int argc = c.argc();
        if (numKeys >= argc - numkeysIndex - 1) throw Errors.syntax();
        int whereIndex = numkeysIndex + (int) numKeys + 1;
        boolean head = side(c, whereIndex);
        long count = -1;
        for (int j = whereIndex + 1; j < argc; j++) {
            boolean more = argc - 1 - j > 0;
            if (count == -1 && c.argIs(j, "count") && more) {
                count = rangeLong(c, ++j, 1, Long.MAX_VALUE, "ERR count should be greater than 0");
            } else {
                throw Errors.syntax();
            }
        }
        if (count == -1) count = 1;
        return new MpopArgs(numkeysIndex + 1, (int) numKeys, head, count);
    }

    private void lmpop(Call c) {
        MpopArgs a = parseMpop(c, 1);
        if (!mpopFirstNonEmpty(c, a)) c.reply.nullArray();
    }

    /**
     * mpopGenericCommand: pops from the first non-empty list among the keys, replying [key, [elements]] and
     * propagating LPOP/RPOP key count; false (nothing replied) when every key is missing.
     */
    static boolean mpopFirstNonEmpty(Call c, MpopArgs a) {
        for (int j = 0; j < a.numKeys(); j++) {
            byte[] key = c.arg(a.firstKey() + j);
            Dict.Entry e = writeEntry(c, key);
            if (e == null) continue;
            popWithKey(c, e, key, a.head(), a.count());
            return true;
        }
        return false;
    }

    /** listPopRangeAndReplyWithKey plus the LPOP/RPOP key count effect. */
    static void popWithKey(Call c, Dict.Entry e, byte[] key, boolean head, long count) {
        ListValue l = (ListValue) e.value();
        c.reply.array(2);
        c.reply.bulk(key);
        long n = popRangeReply(c, l, head, count);
        changed(c, e, l);
        c.keyspace().dirty(n);
        c.propagateAs(head ? LPOP_WORD : RPOP_WORD, key, Ascii.toBytes(n));
    }
}
