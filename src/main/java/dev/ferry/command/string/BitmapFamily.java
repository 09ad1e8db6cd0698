package dev.ferry.command.string;

import dev.ferry.engine.*;

import dev.ferry.protocol.Ascii;
import dev.ferry.store.Database;
import dev.ferry.store.Dict;
import dev.ferry.store.StringValue;

import java.util.Arrays;

import static dev.ferry.engine.CommandFlags.*;

/**
 * The bitmap commands on strings (Redis's bitops.c): SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, with Redis
 * 7.0's argument order, error words and replies. SETBIT grows its string in place like SETRANGE (through an
 * entry looked up for write, ending in {@link Database#replaceValue}: ARCHITECTURE.md rule 3); both writes
 * propagate as themselves. SETBIT that changes nothing (same bit, no growth) is not a write, as in Redis.
 */
public final class BitmapFamily implements CommandFamily {

    private static final ReplyError BAD_OFFSET = new ReplyError("ERR bit offset is not an integer or out of range");
    private static final String BAD_BIT = "ERR bit is not an integer or out of range";
    private static final ReplyError BIT_NOT_0_OR_1 = new ReplyError("ERR The bit argument must be 1 or 0.");
    private static final ReplyError NOT_SINGLE_SOURCE =
        new ReplyError("ERR BITOP NOT must be called with a single source key.");
    private static final ReplyError TOO_LONG = new ReplyError(Errors.STRING_TOO_LONG);

    private static final int AND = 0, OR = 1, XOR = 2, NOT = 3;

    @Override
    public void register(CommandTable t) {
        // name, arity, flags, first key, last key, key step: as COMMAND INFO prints them in Redis 7.0
        t.add("setbit", 4, WRITE | DENYOOM, 1, 1, 1, "bitmap", this::setbit);
        t.add("getbit", 3, READONLY | FAST, 1, 1, 1, "bitmap", this::getbit);
        t.add("bitcount", -2, READONLY, 1, 1, 1, "bitmap", this::bitcount);
        t.add("bitpos", -3, READONLY, 1, 1, 1, "bitmap", this::bitpos);
        t.add("bitop", -4, WRITE | DENYOOM, 2, -1, 1, "bitmap", this::bitop);
    }

    /**
     * Redis's getBitOffsetFromArgument: a non-negative integer whose byte is below proto-max-bulk-len.
     */
    private static long bitOffset(Call c, int i) {
        byte[] a = c.arg(i);
        if (!Ascii.isLong(a)) throw BAD_OFFSET;
        long offset = Ascii.parseLongOr(a, 0);
        if (offset < 0 || (offset >>> 3) >= c.server.settings().protoMaxBulkLen) throw BAD_OFFSET;
        return offset;
    }

    /** SETBIT key offset value: replies with the bit's old value; zero-pads the string to reach the offset. */
    private void setbit(Call c) {
        long offset = bitOffset(c, 2);
        long on = c.longArg(3, BAD_BIT);
        if ((on & ~1L) != 0) throw new ReplyError(BAD_BIT);
        long index = offset >>> 3;
        // a Java array stops short of 2 GB even where proto-max-bulk-len allows more
        if (index + 1 > StringValue.MAX_LENGTH) throw TOO_LONG;
        byte[] key = c.arg(1);
        Database db = c.db();
        Dict.Entry e = db.lookupForWrite(key);
        if (e == null) {
            byte[] b = new byte[(int) index + 1];
            if (on == 1) b[(int) index] = (byte) (1 << (7 - (int) (offset & 7)));
            db.add(key, StringValue.ofRaw(b));
            c.keyspace().dirty(1);
            c.reply.integer(0);
            return;
        }
        if (!(e.value() instanceof StringValue old)) throw Errors.wrongType();
        int oldBit = bitAt(old, offset);
        // Redis counts a write only when the string grows or the bit changes
        if (index >= old.length() || oldBit != on) {
            db.replaceValue(e, old.withBit(offset, on == 1, c.server.settings().protoMaxBulkLen));
            c.keyspace().dirty(1);
        } else {
            // Redis unshares the string before looking at the bit: it ends raw even when nothing changed
            StringValue raw = old.unshared();
            if (raw != old) db.overwriteSameContents(e, raw);
        }
        c.reply.integer(oldBit);
    }

    private static int bitAt(StringValue v, long offset) {
        long index = offset >>> 3;
        if (index >= v.length()) return 0;
        return (v.array()[(int) index] >> (7 - (int) (offset & 7))) & 1;
    }

    /** GETBIT key offset: the offset is checked before the key is looked up. */
    private void getbit(Call c) {
        long offset = bitOffset(c, 2);
        StringValue v = c.readString(c.arg(1));
        c.reply.integer(v == null ? 0 : bitAt(v, offset));
    }

    /**
     * BITCOUNT key [start end [BYTE|BIT]]. As in Redis 7.0 the key is looked up first: a missing key answers 0
     * whatever the other arguments are.
     */
    private void bitcount(Call c) {
        StringValue v = c.readString(c.arg(1));
        if (v == null) {
            c.reply.integer(0);
            return;
        }
        long len = v.length();
        long start, end;
        boolean isBit = false;
        if (c.argc() == 4 || c.argc() == 5) {
            start = c.longArg(2);
            end = c.longArg(3);
            // both negative and start after end: zero, before the unit is even read
            if (start < 0 && end < 0 && start > end) {
                c.reply.integer(0);
                return;
            }
            if (c.argc() == 5) isBit = unit(c, 4);
            long total = isBit ? len << 3 : len;
            start = clampStart(start, total);
            end = clampEnd(end, total);
        } else if (c.argc() == 2) {
            start = 0;
            end = len - 1;
        } else {
            throw Errors.syntax();
        }
        if (start > end) {
            c.reply.integer(0);
            return;
        }
        c.reply.integer(isBit ? Bits.count(v.array(), start, end) : Bits.count(v.array(), start << 3, (end << 3) + 7));
    }

    /** A range's start in a string of total bytes or bits: negative counts from the end, then at least 0. */
    private static long clampStart(long start, long total) {
        if (start < 0) start += total;
        return Math.max(start, 0);
    }

    /** A range's end: negative counts from the end, then within [0, total - 1] (-1 for an empty string). */
    private static long clampEnd(long end, long total) {
        if (end < 0) end += total;
        if (end < 0) end = 0;
        return end >= total ? total - 1 : end;
    }

    /** BYTE or BIT at argument i: true for BIT. */
    private static boolean unit(Call c, int i) {
        if (c.argIs(i, "bit")) return true;
        if (c.argIs(i, "byte")) return false;
        throw Errors.syntax();
    }

    /**
     * BITPOS key bit [start [end [BYTE|BIT]]]. A missing key is an endless run of zeros (0 for a clear bit,
     * -1 for a set one). Looking for a clear bit in a string of ones answers the first bit after the range's
     * last byte, unless an end was given (-1 then).
     */
    private void bitpos(Call c) {
        long bit = c.longArg(2);
        if (bit != 0 && bit != 1) throw BIT_NOT_0_OR_1;
        StringValue v = c.readString(c.arg(1));
        if (v == null) {
            c.reply.integer(bit == 1 ? -1 : 0);
            return;
        }
        long len = v.length();
        long start, end;
        boolean isBit = false, endGiven = false;
        int argc = c.argc();
        if (argc >= 4 && argc <= 6) {
            start = c.longArg(3);
            if (argc == 6) isBit = unit(c, 5);
            if (argc >= 5) {
                end = c.longArg(4);
                endGiven = true;
            } else {
                end = isBit ? (len << 3) + 7 : len - 1;
            }
            long total = isBit ? len << 3 : len;
            start = clampStart(start, total);
            end = clampEnd(end, total);
        } else if (argc == 3) {
            start = 0;
            end = len - 1;
        } else {
            throw Errors.syntax();
        }
        if (start > end) {
            c.reply.integer(-1);
            return;
        }
        long from = isBit ? start : start << 3, to = isBit ? end : (end << 3) + 7;
        long pos = Bits.first(v.array(), from, to, (int) bit);
        if (pos < 0 && bit == 0 && !endGiven) pos = ((to >>> 3) + 1) << 3;  // the zero padding after the string
        c.reply.integer(pos);
    }

    /**
     * BITOP AND|OR|XOR|NOT destkey key [key ...]: missing sources are empty strings, shorter ones are padded
     * with zeros; the result is as long as the longest source. An empty result deletes destkey (a write only
     * if it existed). The reply is the result's length.
     */
    private void bitop(Call c) {
        int op;
        if (c.argIs(1, "and")) op = AND;
        else if (c.argIs(1, "or")) op = OR;
        else if (c.argIs(1, "xor")) op = XOR;
        else if (c.argIs(1, "not")) op = NOT;
        else throw Errors.syntax();
        if (op == NOT && c.argc() != 4) throw NOT_SINGLE_SOURCE;

        int n = c.argc() - 3;
        StringValue[] sources = new StringValue[n];
        int maxLen = 0;
        for (int j = 0; j < n; j++) {
            sources[j] = c.readString(c.arg(j + 3));
            if (sources[j] != null) maxLen = Math.max(maxLen, sources[j].length());
        }
        byte[] dest = c.arg(2);
        Database db = c.db();
        if (maxLen == 0) {
            if (db.delete(dest)) c.keyspace().dirty(1);
            c.reply.integer(0);
            return;
        }
        byte[] res = new byte[maxLen];
        StringValue s0 = sources[0];
        int len0 = s0 == null ? 0 : s0.length();
        if (op == NOT) {
            byte[] a = s0.array();
            for (int i = 0; i < len0; i++) res[i] = (byte) ~a[i];
        } else {
            if (s0 != null) System.arraycopy(s0.array(), 0, res, 0, len0);
            for (int j = 1; j < n; j++) {
                StringValue s = sources[j];
                int len = s == null ? 0 : s.length();
                byte[] a = s == null ? null : s.array();
                switch (op) {
                    case AND -> {
                        for (int i = 0; i < len; i++) res[i] &= a[i];
                        Arrays.fill(res, len, maxLen, (byte) 0);
                    }
                    case OR -> {
                        for (int i = 0; i < len; i++) res[i] |= a[i];
                    }
                    default -> {
                        for (int i = 0; i < len; i++) res[i] ^= a[i];
                    }
                }
            }
        }
        db.set(dest, StringValue.ofRaw(res), false);
        c.keyspace().dirty(1);
        c.reply.integer(maxLen);
    }
}
