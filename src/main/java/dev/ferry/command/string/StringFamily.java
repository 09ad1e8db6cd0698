package dev.ferry.command.string;

import dev.ferry.engine.*;

import dev.ferry.protocol.Ascii;
import dev.ferry.store.Database;
import dev.ferry.store.Dict;
import dev.ferry.store.StringValue;

import static dev.ferry.engine.CommandFlags.*;

/**
 * String commands (Redis's t_string.c), with Redis 7.0's option rules, error words and replication
 * rewrites (ARCHITECTURE.md rule 5: relative expiries reach replicas as absolute PXAT / PEXPIREAT, INCRBYFLOAT as
 * SET ... KEEPTTL, GETDEL as DEL).
 *
 * <p>Values are {@link StringValue}s, Redis's sds: replies come straight from their buffers, APPEND and
 * SETRANGE grow them in place, and each remembers the encoding Redis would report (OBJECT ENCODING). Every
 * change goes through an entry looked up for write and ends in {@link Database#replaceValue} or
 * {@link Database#add} (ARCHITECTURE.md rule 3); each allocates before it changes anything, so a command that
 * runs out of memory leaves the key as it was.
 *
 * <p>GET, SET, INCR, MSET and MGET are what redis-benchmark measures: their success paths allocate
 * nothing but the values they store and never build a String.
 */
public final class StringFamily implements CommandFamily {

    static final byte[] EMPTY = new byte[0];

    // Redis's OBJ_SET_* / OBJ_EX... flags of parseExtendedStringArgumentsOrReply
    private static final int NX = 1, XX = 1 << 1, EX = 1 << 2, PX = 1 << 3, KEEPTTL = 1 << 4, GET = 1 << 5,
        EXAT = 1 << 6, PXAT = 1 << 7, PERSIST = 1 << 8;
    private static final int SECONDS = EX | EXAT, RELATIVE = EX | PX;

    private static final ReplyError DECREMENT_OVERFLOW = new ReplyError("ERR decrement would overflow");
    private static final ReplyError OVERFLOW = new ReplyError(Errors.OVERFLOW);
    private static final ReplyError NOT_FLOAT = new ReplyError(Errors.NOT_FLOAT);
    private static final ReplyError NAN_OR_INFINITY = new ReplyError("ERR increment would produce NaN or Infinity");
    private static final ReplyError TOO_LONG = new ReplyError(Errors.STRING_TOO_LONG);
    private static final ReplyError OFFSET_OUT_OF_RANGE = new ReplyError(Errors.OUT_OF_RANGE_OFFSET);

    // the words of rewritten commands, as Redis's shared objects spell them
    private static final byte[] SET_WORD = Ascii.bytes("SET");
    private static final byte[] PXAT_WORD = Ascii.bytes("PXAT");
    private static final byte[] KEEPTTL_WORD = Ascii.bytes("KEEPTTL");
    private static final byte[] DEL_WORD = Ascii.bytes("DEL");
    private static final byte[] UNLINK_WORD = Ascii.bytes("UNLINK");
    private static final byte[] PEXPIREAT_WORD = Ascii.bytes("PEXPIREAT");
    private static final byte[] PERSIST_WORD = Ascii.bytes("PERSIST");

    @Override
    public void register(CommandTable t) {
        // name, arity, flags, first key, last key, key step: as COMMAND INFO prints them in Redis 7.0
        t.add("get", 2, READONLY | FAST, 1, 1, 1, "string", this::get);
        t.add("set", -3, WRITE | DENYOOM, 1, 1, 1, "string", this::set);
        t.add("setnx", 3, WRITE | DENYOOM | FAST, 1, 1, 1, "string", this::setnx);
        t.add("setex", 4, WRITE | DENYOOM, 1, 1, 1, "string", c -> setExpiring(c, EX));
        t.add("psetex", 4, WRITE | DENYOOM, 1, 1, 1, "string", c -> setExpiring(c, PX));
        t.add("mget", -2, READONLY | FAST, 1, -1, 1, "string", this::mget);
        t.add("mset", -3, WRITE | DENYOOM, 1, -1, 2, "string", this::mset);
        t.add("msetnx", -3, WRITE | DENYOOM, 1, -1, 2, "string", this::msetnx);
        t.add("getset", 3, WRITE | DENYOOM | FAST, 1, 1, 1, "string", this::getset);
        t.add("getdel", 2, WRITE | FAST, 1, 1, 1, "string", this::getdel);
        t.add("getex", -2, WRITE | FAST, 1, 1, 1, "string", this::getex);
        t.add("append", 3, WRITE | DENYOOM | FAST, 1, 1, 1, "string", this::append);
        t.add("strlen", 2, READONLY | FAST, 1, 1, 1, "string", this::strlen);
        t.add("incr", 2, WRITE | DENYOOM | FAST, 1, 1, 1, "string", c -> incrDecr(c, 1));
        t.add("decr", 2, WRITE | DENYOOM | FAST, 1, 1, 1, "string", c -> incrDecr(c, -1));
        t.add("incrby", 3, WRITE | DENYOOM | FAST, 1, 1, 1, "string", c -> incrDecr(c, c.longArg(2)));
        t.add("decrby", 3, WRITE | DENYOOM | FAST, 1, 1, 1, "string", this::decrby);
        t.add("incrbyfloat", 3, WRITE | DENYOOM | FAST, 1, 1, 1, "string", this::incrbyfloat);
        t.add("getrange", 4, READONLY, 1, 1, 1, "string", this::getrange);
        t.add("substr", 4, READONLY, 1, 1, 1, "string", this::getrange);
        t.add("setrange", 4, WRITE | DENYOOM, 1, 1, 1, "string", this::setrange);
        t.add("lcs", -3, READONLY, 1, 2, 1, "string", Lcs::execute);
    }

    // ---- GET / SET and their variants -------------------------------------------------------------------

    private void get(Call c) {
        c.replyString(c.readString(c.arg(1)));
    }

    private void set(Call c) {
        if (c.argc() == 3) {
            // the plain SET of redis-benchmark: one lookup, no option parsing
            c.db().setString(c.arg(1), StringValue.fromArgument(c.arg(2), shareIntegers(c)));
            c.keyspace().dirty(1);
            c.reply.ok();
            return;
        }
        long parsed = parseExtendedArguments(c, true);
        int expireIndex = (int) (parsed >>> 32);
        setGeneric(c, (int) parsed, c.arg(2), expireIndex > 0 ? c.arg(expireIndex) : null, false);
    }

    private void setnx(Call c) {
        setGeneric(c, NX, c.arg(2), null, true);
    }

    /** SETEX key seconds value / PSETEX key milliseconds value. */
    private void setExpiring(Call c, int unitFlag) {
        setGeneric(c, unitFlag, c.arg(3), c.arg(2), false);
    }

    /**
     * Redis's setGenericCommand: expire is the expire time argument (null = none) in the unit the flags
     * say; numericReply is SETNX's 1/0 instead of OK/nil.
     */
    private static void setGeneric(Call c, int flags, byte[] value, byte[] expire, boolean numericReply) {
        byte[] key = c.arg(1);
        long when = expire != null ? expireTime(c, expire, flags) : 0;
        boolean withGet = (flags & GET) != 0;
        // GET: the old value is read (and a non-string refused) before anything is set; setting replaces the
        // value object, so the old one is still intact for the reply
        StringValue old = withGet ? c.readString(key) : null;
        Database db = c.db();
        if ((flags & (NX | XX)) != 0) {
            boolean found = db.lookup(key) != null;
            if (((flags & NX) != 0 && found) || ((flags & XX) != 0 && !found)) {
                if (withGet) c.replyString(old);
                else if (numericReply) c.reply.integer(0);
                else c.reply.nullBulk();
                return;
            }
        }
        Dict.Entry e = db.set(key, StringValue.fromArgument(value, shareIntegers(c)), (flags & KEEPTTL) != 0);
        c.keyspace().dirty(1);
        if (expire != null) {
            db.setExpire(e, when);
            // replicas get the absolute time, whatever the unit the client used (NX/XX/GET dropped)
            c.propagateAs(SET_WORD, key, value, PXAT_WORD, Ascii.toBytes(when));
        } else if (withGet) {
            c.propagateAs(withoutGet(c.argv()));
        }
        if (withGet) c.replyString(old);
        else if (numericReply) c.reply.integer(1);
        else c.reply.ok();
    }

    /**
     * Whether integer values 0..9999 are Redis's shared objects: always, unless maxmemory is set with an LRU or
     * LFU policy (MAXMEMORY_FLAG_NO_SHARED_INTEGERS), where each key needs its own object. Decided when a
     * value is made, as in Redis.
     */
    static boolean shareIntegers(Call c) {
        return c.server.settings().shareIntegers();
    }

    /** SET ... GET reaches replicas without its GET arguments (all of them: GET may be repeated). */
    private static byte[][] withoutGet(byte[][] argv) {
        int n = 0;
        for (int j = 0; j < argv.length; j++) if (j < 3 || !Ascii.is(argv[j], "get")) n++;
        byte[][] out = new byte[n][];
        int k = 0;
        for (int j = 0; j < argv.length; j++) if (j < 3 || !Ascii.is(argv[j], "get")) out[k++] = argv[j];
        return out;
    }

    /**
     * Redis's parseExtendedStringArgumentsOrReply: SET takes NX XX GET KEEPTTL EX PX EXAT PXAT, GETEX
     * takes PERSIST EX PX EXAT PXAT. Conflicting options are a syntax error, but repeating the same one
     * is allowed (the last expire time wins). Returns the flags, with the index of the expire time
     * argument in the high 32 bits (0 = none).
     */
    private static long parseExtendedArguments(Call c, boolean setCommand) {
        int flags = 0;
        int expireIndex = 0;
        int argc = c.argc();
        for (int j = setCommand ? 3 : 2; j < argc; j++) {
            byte[] opt = c.arg(j);
            boolean hasNext = j < argc - 1;
            if (setCommand && Ascii.is(opt, "nx") && (flags & XX) == 0) {
                flags |= NX;
            } else if (setCommand && Ascii.is(opt, "xx") && (flags & NX) == 0) {
                flags |= XX;
            } else if (setCommand && Ascii.is(opt, "get")) {
                flags |= GET;
            } else if (setCommand && Ascii.is(opt, "keepttl") && (flags & (PERSIST | EX | EXAT | PX | PXAT)) == 0) {
                flags |= KEEPTTL;
            } else if (!setCommand && Ascii.is(opt, "persist") && (flags & (EX | EXAT | PX | PXAT | KEEPTTL)) == 0) {
                flags |= PERSIST;
            } else if (Ascii.is(opt, "ex") && (flags & (KEEPTTL | PERSIST | EXAT | PX | PXAT)) == 0 && hasNext) {
                flags |= EX;
                expireIndex = ++j;
            } else if (Ascii.is(opt, "px") && (flags & (KEEPTTL | PERSIST | EX | EXAT | PXAT)) == 0 && hasNext) {
                flags |= PX;
                expireIndex = ++j;
            } else if (Ascii.is(opt, "exat") && (flags & (KEEPTTL | PERSIST | EX | PX | PXAT)) == 0 && hasNext) {
                flags |= EXAT;
                expireIndex = ++j;
            } else if (Ascii.is(opt, "pxat") && (flags & (KEEPTTL | PERSIST | EX | EXAT | PX)) == 0 && hasNext) {
                flags |= PXAT;
                expireIndex = ++j;
            } else {
                throw Errors.syntax();
            }
        }
        return ((long) expireIndex << 32) | flags;
    }

    /**
     * Redis's getExpireMillisecondsOrReply: the absolute unix time in ms. Zero or negative times, and
     * times whose conversion to ms or to an absolute time overflows, are "invalid expire time".
     */
    private static long expireTime(Call c, byte[] arg, int flags) {
        long ms = Call.parseLong(arg);
        boolean seconds = (flags & SECONDS) != 0;
        if (ms <= 0 || (seconds && ms > Long.MAX_VALUE / 1000)) throw invalidExpire(c);
        if (seconds) ms *= 1000;
        if ((flags & RELATIVE) != 0) ms += c.keyspace().now();  // may wrap negative, like C, and is refused
        if (ms <= 0) throw invalidExpire(c);
        return ms;
    }

    private static ReplyError invalidExpire(Call c) {
        return Errors.of(Errors.invalidExpire(c.spec().fullName));
    }

    // ---- multi-key ---------------------------------------------------------------------------------------

    private void mget(Call c) {
        Database db = c.db();
        int argc = c.argc();
        c.reply.array(argc - 1);
        for (int j = 1; j < argc; j++) {
            Dict.Entry e = db.lookupRead(c.arg(j));
            // MGET answers nil for a key of another type instead of failing
            if (e != null && e.value() instanceof StringValue v) c.replyString(v);
            else c.reply.nullBulk();
        }
    }

    private void mset(Call c) {
        int argc = c.argc();
        if ((argc & 1) == 0) throw Errors.of(Errors.wrongArgs(c.spec().fullName));
        Database db = c.db();
        boolean share = shareIntegers(c);
        for (int j = 1; j < argc; j += 2) db.set(c.arg(j), StringValue.fromArgument(c.arg(j + 1), share), false);
        c.keyspace().dirty((argc - 1) / 2);
        c.reply.ok();
    }

    /** Sets every pair, or nothing at all when any of the keys exists. */
    private void msetnx(Call c) {
        int argc = c.argc();
        if ((argc & 1) == 0) throw Errors.of(Errors.wrongArgs(c.spec().fullName));
        Database db = c.db();
        for (int j = 1; j < argc; j += 2) {
            if (db.lookup(c.arg(j)) != null) {
                c.reply.integer(0);
                return;
            }
        }
        boolean share = shareIntegers(c);
        for (int j = 1; j < argc; j += 2) db.set(c.arg(j), StringValue.fromArgument(c.arg(j + 1), share), false);
        c.keyspace().dirty((argc - 1) / 2);
        c.reply.integer(1);
    }

    // ---- get-and-change ----------------------------------------------------------------------------------

    /** Redis 7.0 propagates GETSET as SET key value. */
    private void getset(Call c) {
        byte[] key = c.arg(1), value = c.arg(2);
        StringValue old = c.readString(key);
        c.db().set(key, StringValue.fromArgument(value, shareIntegers(c)), false);
        c.keyspace().dirty(1);
        c.propagateAs(SET_WORD, key, value);
        c.replyString(old);
    }

    private void getdel(Call c) {
        byte[] key = c.arg(1);
        StringValue old = c.readString(key);
        if (old != null && c.db().delete(key)) {
            c.keyspace().dirty(1);
            c.propagateAs(lazyfree(c, "lazyfree-lazy-user-del") ? UNLINK_WORD : DEL_WORD, key);
        }
        c.replyString(old);
    }

    /**
     * GETEX key [EX|PX|EXAT|PXAT time | PERSIST]. Never propagated as itself: an expire becomes
     * PEXPIREAT, an absolute time already in the past deletes the key (DEL), PERSIST stays PERSIST and
     * is sent only when there was a TTL to remove.
     */
    private void getex(Call c) {
        long parsed = parseExtendedArguments(c, false);
        int flags = (int) parsed;
        int expireIndex = (int) (parsed >>> 32);
        byte[] key = c.arg(1);
        StringValue value = c.readString(key);
        if (value == null) {
            c.reply.nullBulk();
            return;
        }
        // the expire time is validated only once the key is known to hold a string
        long when = expireIndex > 0 ? expireTime(c, c.arg(expireIndex), flags) : 0;
        Database db = c.db();
        if (expireIndex > 0 && (flags & (EXAT | PXAT)) != 0 && when <= c.keyspace().now()
            && c.keyspace().ownsExpiry()) {
            db.delete(key);
            c.keyspace().dirty(1);
            c.propagateAs(lazyfree(c, "lazyfree-lazy-expire") ? UNLINK_WORD : DEL_WORD, key);
        } else if (expireIndex > 0) {
            db.setExpire(db.lookupForWrite(key), when);
            c.keyspace().dirty(1);
            c.propagateAs(PEXPIREAT_WORD, key, Ascii.toBytes(when));
        } else if ((flags & PERSIST) != 0) {
            if (db.persist(db.lookupForWrite(key))) {
                c.keyspace().dirty(1);
                c.propagateAs(PERSIST_WORD, key);
            }
        }
        c.replyString(value);
    }

    /** Whether a lazyfree-* setting asks for UNLINK instead of DEL in the stream (read on rare paths only). */
    private static boolean lazyfree(Call c, String setting) {
        return c.server.settings().bool(setting);
    }

    // ---- lengths and ranges ------------------------------------------------------------------------------

    /**
     * APPEND key value. A new key stores the argument as SET would (tryObjectEncoding); an existing string
     * becomes raw and grows in place (amortized: see {@link StringValue}), so a run of appends to one key
     * costs what its bytes cost, not a copy of the whole value each time.
     */
    private void append(Call c) {
        byte[] key = c.arg(1), suffix = c.arg(2);
        Database db = c.db();
        Dict.Entry e = db.lookupForWrite(key);
        long total;
        if (e == null) {
            // a new key holds the argument itself, which the protocol already capped in size
            db.add(key, StringValue.fromArgument(suffix, shareIntegers(c)));
            total = suffix.length;
        } else {
            StringValue old = stringValue(e);
            total = (long) old.length() + suffix.length;
            checkLength(c, total);
            db.replaceValue(e, old.append(suffix, 0, suffix.length, maxLength(c)));
        }
        c.keyspace().dirty(1);
        c.reply.integer(total);
    }

    private void strlen(Call c) {
        StringValue v = c.readString(c.arg(1));
        c.reply.integer(v == null ? 0 : v.length());
    }

    /** GETRANGE / SUBSTR key start end: inclusive, negative indexes count from the end; replies from the buffer. */
    private void getrange(Call c) {
        long start = c.longArg(2);
        long end = c.longArg(3);
        StringValue v = c.readString(c.arg(1));
        if (v == null) {
            c.reply.bulk(EMPTY);
            return;
        }
        long len = v.length();
        // both negative and start after end: empty, even where clamping to 0 would select one byte
        if (start < 0 && end < 0 && start > end) {
            c.reply.bulk(EMPTY);
            return;
        }
        if (start < 0) start += len;
        if (end < 0) end += len;
        if (start < 0) start = 0;
        if (end < 0) end = 0;
        if (end >= len) end = len - 1;
        if (start > end || len == 0) c.reply.bulk(EMPTY);
        else c.reply.bulk(v.array(), (int) start, (int) (end - start + 1));
    }

    /**
     * SETRANGE key offset value: zero-pads as needed; an empty value changes nothing, not even a missing key.
     * A new key gets a raw string of exactly the size needed; an existing one becomes raw and grows in place.
     */
    private void setrange(Call c) {
        byte[] key = c.arg(1), patch = c.arg(3);
        long offset = c.longArg(2);
        if (offset < 0) throw OFFSET_OUT_OF_RANGE;
        Database db = c.db();
        Dict.Entry e = db.lookupForWrite(key);
        if (e == null) {
            if (patch.length == 0) {
                c.reply.integer(0);
                return;
            }
            checkLength(c, offset + patch.length);
            StringValue v = StringValue.ofRange((int) offset, patch);
            db.add(key, v);
            c.keyspace().dirty(1);
            c.reply.integer(v.length());
            return;
        }
        StringValue old = stringValue(e);
        if (patch.length == 0) {
            c.reply.integer(old.length());
            return;
        }
        checkLength(c, offset + patch.length);
        StringValue v = old.setRange((int) offset, patch, maxLength(c));
        db.replaceValue(e, v);
        c.keyspace().dirty(1);
        c.reply.integer(v.length());
    }

    /**
     * Redis's checkStringLength against proto-max-bulk-len; a Java array also stops short of 2 GB, so a larger
     * configured limit still ends at the same error rather than an allocation failure.
     */
    private static void checkLength(Call c, long size) {
        if (size > c.server.settings().protoMaxBulkLen || size > StringValue.MAX_LENGTH || size < 0) throw TOO_LONG;
    }

    /** The longest a string may grow: room reserved for appends never passes it. */
    private static long maxLength(Call c) {
        return c.server.settings().protoMaxBulkLen;
    }

    // ---- counters ----------------------------------------------------------------------------------------

    private void decrby(Call c) {
        long decrement = c.longArg(2);
        // negating LLONG_MIN would overflow (Redis 7.0.15 refuses it with its own words)
        if (decrement == Long.MIN_VALUE) throw DECREMENT_OVERFLOW;
        incrDecr(c, -decrement);
    }

    /** INCR, DECR, INCRBY, DECRBY: the value must be a canonical 64-bit integer; the TTL is kept. */
    private static void incrDecr(Call c, long increment) {
        byte[] key = c.arg(1);
        Database db = c.db();
        Dict.Entry e = db.lookupForWrite(key);
        long value = 0;
        StringValue old = null;
        if (e != null) {
            old = stringValue(e);
            byte[] a = old.array();
            int n = old.length();
            value = Ascii.parseLongOr(a, 0, n, 0);
            if (value == 0 && !(n == 1 && a[0] == '0')) throw Errors.notInteger();
        }
        if ((increment < 0 && value < 0 && increment < Long.MIN_VALUE - value)
            || (increment > 0 && value > 0 && increment > Long.MAX_VALUE - value)) {
            throw OVERFLOW;
        }
        value += increment;
        // an unshared int is updated in place, anything else replaced by an int (incrDecrCommand)
        boolean share = shareIntegers(c);
        if (e != null) db.replaceValue(e, old.withLong(value, share));
        else db.add(key, StringValue.ofLong(value, share));
        c.keyspace().dirty(1);
        c.reply.integer(value);
    }

    /**
     * INCRBYFLOAT in C long double arithmetic (see {@link LongDouble}); replicas get the resulting
     * text as SET key value KEEPTTL so that they never redo the floating point themselves.
     */
    private void incrbyfloat(Call c) {
        byte[] key = c.arg(1);
        Database db = c.db();
        Dict.Entry e = db.lookupForWrite(key);
        LongDouble value = LongDouble.ZERO;
        if (e != null) {
            StringValue old = stringValue(e);
            // string2ld refuses long inputs anyway: no copy of a large value just to refuse it
            if (old.length() >= LongDouble.MAX_CHARS) throw NOT_FLOAT;
            value = LongDouble.parse(old.toByteArray());
            if (value == null) throw NOT_FLOAT;
        }
        LongDouble increment = LongDouble.parse(c.arg(2));
        if (increment == null) throw NOT_FLOAT;
        LongDouble sum = value.add(increment);
        if (sum.isInfinite()) throw NAN_OR_INFINITY;
        byte[] text = sum.toHumanBytes();
        // createStringObjectFromLongDouble: embstr or raw by length, never int, even for "3"
        if (e != null) db.replaceValue(e, StringValue.ofText(text));
        else db.add(key, StringValue.ofText(text));
        c.keyspace().dirty(1);
        c.propagateAs(SET_WORD, key, text, KEEPTTL_WORD);
        c.reply.bulk(text);
    }

    /** The value of a live entry as a string, or WRONGTYPE: the one type check of this family. */
    private static StringValue stringValue(Dict.Entry e) {
        if (e.value() instanceof StringValue v) return v;
        throw Errors.wrongType();
    }
}
