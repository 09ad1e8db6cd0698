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

    private static final ReplyError BAD_TYPE = new ReplyError(
        "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.");
    private static final ReplyError BAD_OVERFLOW = new ReplyError("ERR Invalid OVERFLOW type specified");
    private static final ReplyError RO_ONLY_GET = new ReplyError("ERR BITFIELD_RO only supports the GET subcommand");

    private static final int AND = 0, OR = 1, XOR = 2, NOT = 3;
    private static final int GET = 0, SET = 1, INCRBY = 2;
    private static final int WRAP = 0, SAT = 1, FAIL = 2;

    @Override
    public void register(CommandTable t) {
        // name, arity, flags, first key, last key, key step: as COMMAND INFO prints them in Redis 7.0
        t.add("setbit", 4, WRITE | DENYOOM, 1, 1, 1, "bitmap", this::setbit);
        t.add("getbit", 3, READONLY | FAST, 1, 1, 1, "bitmap", this::getbit);
        t.add("bitcount", -2, READONLY, 1, 1, 1, "bitmap", this::bitcount);
        t.add("bitpos", -3, READONLY, 1, 1, 1, "bitmap", this::bitpos);
        t.add("bitop", -4, WRITE | DENYOOM, 2, -1, 1, "bitmap", this::bitop);
        t.add("bitfield", -2, WRITE | DENYOOM, 1, 1, 1, "bitmap", c -> bitfield(c, false));
        t.add("bitfield_ro", -2, READONLY | FAST, 1, 1, 1, "bitmap", c -> bitfield(c, true));
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

    /** One parsed BITFIELD operation. */
    private record FieldOp(int opcode, boolean signed, int bits, long offset, long value, int overflow) {}

    /**
     * BITFIELD key [GET type offset | [OVERFLOW WRAP|SAT|FAIL] SET type offset value | INCRBY type offset
     * increment]... and BITFIELD_RO (GETs only). As Redis's bitfieldGeneric: every operation is parsed (type,
     * offset, value, in that order per operation) before any runs, and BITFIELD_RO refuses a write only after
     * that. Only GETs: the key is read, a missing one reads as zeros. Any write: the string is looked up for
     * write, created or zero-grown to the highest written bit (even when every write then fails), and the
     * dirty count is the number of writes done (not FAIL-ed) that changed their field or came with a
     * created or grown string; the command propagates as itself only when that count is not zero.
     */
    private void bitfield(Call c, boolean readOnlyCommand) {
        int argc = c.argc();
        java.util.ArrayList<FieldOp> ops = new java.util.ArrayList<>();
        int overflow = WRAP;
        boolean onlyGets = true;
        long highestWriteBit = 0;
        for (int j = 2; j < argc; j++) {
            int remaining = argc - j - 1;
            int opcode;
            if (c.argIs(j, "get") && remaining >= 2) opcode = GET;
            else if (c.argIs(j, "set") && remaining >= 3) opcode = SET;
            else if (c.argIs(j, "incrby") && remaining >= 3) opcode = INCRBY;
            else if (c.argIs(j, "overflow") && remaining >= 1) {
                j++;
                if (c.argIs(j, "wrap")) overflow = WRAP;
                else if (c.argIs(j, "sat")) overflow = SAT;
                else if (c.argIs(j, "fail")) overflow = FAIL;
                else throw BAD_OVERFLOW;
                continue;
            } else {
                throw Errors.syntax();
            }
            byte[] type = c.arg(j + 1);
            boolean signed;
            // lower case only, unlike the subcommands
            if (type.length > 0 && type[0] == 'i') signed = true;
            else if (type.length > 0 && type[0] == 'u') signed = false;
            else throw BAD_TYPE;
            long bits = Ascii.isLong(type, 1, type.length - 1) ? Ascii.parseLongOr(type, 1, type.length - 1, 0) : -1;
            if (bits < 1 || bits > (signed ? 64 : 63)) throw BAD_TYPE;
            long offset = fieldOffset(c, j + 2, (int) bits);
            long value = 0;
            if (opcode != GET) {
                onlyGets = false;
                value = c.longArg(j + 3);
                highestWriteBit = Math.max(highestWriteBit, offset + bits - 1);
            }
            ops.add(new FieldOp(opcode, signed, (int) bits, offset, value, overflow));
            j += opcode == GET ? 2 : 3;
        }

        byte[] key = c.arg(1);
        StringValue v;
        Dict.Entry e = null;
        StringValue old = null;
        boolean grown = false;
        if (onlyGets) {
            v = c.readString(key);
        } else {
            if (readOnlyCommand) throw RO_ONLY_GET;
            long needed = (highestWriteBit >>> 3) + 1;
            if (needed > StringValue.MAX_LENGTH) throw TOO_LONG;
            Database db = c.db();
            e = db.lookupForWrite(key);
            if (e == null) {
                v = StringValue.ofRaw(new byte[(int) needed]);
                e = db.add(key, v);
                grown = true;
            } else {
                if (!(e.value() instanceof StringValue s)) throw Errors.wrongType();
                old = s;
                int oldLength = s.length();  // grownZero may grow s itself
                v = s.grownZero((int) needed, c.server.settings().protoMaxBulkLen);
                grown = v.length() > oldLength;
            }
        }

        long changes = 0;
        c.reply.array(ops.size());
        for (FieldOp op : ops) {
            long current = v == null ? 0 : readField(v, op.offset, op.bits, op.signed);
            if (op.opcode == GET) {
                c.reply.integer(current);
                continue;
            }
            long base = op.opcode == SET ? op.value : current;
            long incr = op.opcode == SET ? 0 : op.value;
            long[] result = new long[1];
            boolean overflowed = op.signed
                ? signedOverflow(base, incr, op.bits, op.overflow, result)
                : unsignedOverflow(base, incr, op.bits, op.overflow, result);
            long newValue = overflowed ? result[0] : base + incr;
            if (overflowed && op.overflow == FAIL) {
                c.reply.nullBulk();
                continue;
            }
            c.reply.integer(op.opcode == SET ? current : newValue);
            v.setBits(op.offset, op.bits, newValue);
            if (grown || current != newValue) changes++;
        }
        if (e == null) return;
        Database db = c.db();
        if (changes > 0) {
            db.replaceValue(e, v);
            c.keyspace().dirty(changes);
        } else if (v != old && old != null) {
            // unshared or grown, but no write counted: Redis neither signals the key nor propagates
            db.overwriteSameContents(e, v);
        }
    }

    /**
     * Redis's getBitOffsetFromArgument for BITFIELD: "#N" is N fields of the type's width; the bit offset
     * (not the field's end) must fall in a byte below proto-max-bulk-len.
     */
    private static long fieldOffset(Call c, int i, int bits) {
        byte[] a = c.arg(i);
        boolean fields = a.length > 0 && a[0] == '#';
        int from = fields ? 1 : 0;
        if (a.length - from > 20 || !Ascii.isLong(a, from, a.length - from)) throw BAD_OFFSET;
        long offset = Ascii.parseLongOr(a, from, a.length - from, 0);
        if (fields) offset *= bits;  // wraps as in C; a wrapped offset is refused as negative or too large
        if (offset < 0 || (offset >>> 3) >= c.server.settings().protoMaxBulkLen) throw BAD_OFFSET;
        return offset;
    }

    /** The field of the given width at a bit offset; bits past the string's end read as zeros. */
    private static long readField(StringValue v, long offset, int bits, boolean signed) {
        byte[] b = v.array();
        long len = v.length();
        long x = 0;
        for (int j = 0; j < bits; j++) {
            long pos = offset + j;
            long index = pos >>> 3;
            int bit = index < len ? (b[(int) index] >> (7 - (int) (pos & 7))) & 1 : 0;
            x = (x << 1) | bit;
        }
        if (signed && bits < 64 && ((x >>> (bits - 1)) & 1) != 0) x |= -1L << bits;
        return x;
    }

    /**
     * Redis's checkUnsignedBitfieldOverflow: whether value + incr leaves [0, 2^bits - 1] (value is taken as
     * unsigned, so a negative SET value overflows upwards), and the value WRAP or SAT stores in result[0].
     */
    private static boolean unsignedOverflow(long value, long incr, int bits, int mode, long[] result) {
        long max = (1L << bits) - 1;
        long maxIncr = max - value, minIncr = -value;
        if (Long.compareUnsigned(value, max) > 0 || (incr > 0 && incr > maxIncr)) {
            result[0] = mode == WRAP ? (value + incr) & max : max;
            return true;
        }
        if (incr < 0 && incr < minIncr) {
            result[0] = mode == WRAP ? (value + incr) & max : 0;
            return true;
        }
        return false;
    }

    /**
     * Redis's checkSignedBitfieldOverflow, with its two's-complement arithmetic (the bounds of the increment
     * wrap as in C, so SET of a value far below the type saturates at the maximum, as Redis does).
     */
    private static boolean signedOverflow(long value, long incr, int bits, int mode, long[] result) {
        long max = bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1;
        long min = -max - 1;
        long maxIncr = max - value, minIncr = min - value;
        boolean up = value > max || (bits != 64 && incr > maxIncr) || (value >= 0 && incr > 0 && incr > maxIncr);
        boolean down = !up
            && (value < min || (bits != 64 && incr < minIncr) || (value < 0 && incr < 0 && incr < minIncr));
        if (!up && !down) return false;
        if (mode == WRAP) {
            long sum = value + incr;
            if (bits < 64) {
                long mask = -1L << bits;
                sum = ((sum >>> (bits - 1)) & 1) != 0 ? sum | mask : sum & ~mask;
            }
            result[0] = sum;
        } else {
            result[0] = up ? max : min;
        }
        return true;
    }
}
