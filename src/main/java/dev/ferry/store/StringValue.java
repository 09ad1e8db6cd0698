package dev.ferry.store;

import dev.ferry.protocol.Ascii;

import java.util.Arrays;

/**
 * A Redis string: like Redis's sds, a byte buffer with a length and spare capacity, so that APPEND and
 * SETRANGE grow it in place, plus the object encoding Redis would report for it (OBJECT ENCODING).
 *
 * <p>Encodings follow Redis 7.0's history rules (object.c, t_string.c), which a value remembers:
 * <ul>
 *   <li>a value stored by SET, SETNX, SETEX, PSETEX, GETSET, MSET, MSETNX or an APPEND that creates its key
 *   goes through tryObjectEncoding ({@link #fromArgument}): a canonical 64-bit integer is "int" (and one of
 *   the shared objects 0..9999 when integers may be shared), up to 44 bytes "embstr", longer "raw";</li>
 *   <li>INCR and friends store "int" ({@link #withLong}); INCRBYFLOAT stores text, "embstr" or "raw" by length
 *   ({@link #ofText});</li>
 *   <li>APPEND, SETRANGE and SETBIT turn any string into "raw" (dbUnshareStringValue), and it stays raw, however
 *   short or numeric; SETRANGE and SETBIT creating their key and BITOP's result are raw at once.</li>
 * </ul>
 *
 * <p>Buffers: a value adopts the array it is made from (a command argument, a freshly formatted number): the
 * protocol parser gives every argument its own array, and nothing keeps an argument past its command (the
 * replication stream encodes it at once). Only a "raw" value, or an unshared "int" value for INCR, is ever
 * written in place; "embstr" and shared integers are never written (the shared integers' buffers are
 * {@link Ascii}'s cache). Every write allocates first and changes fields after, so an OutOfMemoryError
 * leaves the value as it was.
 *
 * <p>Growth: {@link #append} and {@link #setRange} reserve room like sdsMakeRoomFor (twice what is needed
 * below 1 MB, 1 MB more above) and, because a Java array cannot be extended in place as realloc often
 * extends a large block, at least a quarter more than the old capacity: a run of appends copies each byte a
 * bounded number of times, at the price of up to 25% spare room in a large value that was appended to.
 * Capacity never passes the caller's length limit (proto-max-bulk-len), so a value that may reach the
 * limit never reserves room it cannot use.
 */
public final class StringValue implements Value, Frozen {
    /** OBJ_ENCODING_EMBSTR_SIZE_LIMIT: up to this length a string is embedded in its object. */
    public static final int EMBSTR_SIZE_LIMIT = 44;
    /** OBJ_SHARED_INTEGERS: 0..9999 are shared objects when stored as integers. */
    public static final int SHARED_INTEGERS = 10000;
    /** OBJ_SHARED_REFCOUNT (INT_MAX): what OBJECT REFCOUNT reports for a shared object. */
    public static final long SHARED_REFCOUNT = Integer.MAX_VALUE;
    /** SDS_MAX_PREALLOC: above this, sdsMakeRoomFor stops doubling and adds 1 MB. */
    public static final int MAX_PREALLOC = 1024 * 1024;
    /** The longest string a Java array holds reliably; longer lengths are refused before any allocation. */
    public static final int MAX_LENGTH = Integer.MAX_VALUE - 8;

    private static final byte RAW = 0, EMBSTR = 1, INT = 2, SHARED_INT = 3;
    private static final String[] ENCODING_NAMES = {"raw", "embstr", "int", "int"};
    /** Redis's shared.integers, made eagerly: values may be created off the executing loop (loading). */
    private static final StringValue[] SHARED = new StringValue[SHARED_INTEGERS];

    static {
        for (int i = 0; i < SHARED_INTEGERS; i++) {
            byte[] b = Ascii.toBytes(i);
            SHARED[i] = new StringValue(b, b.length, SHARED_INT);
        }
    }

    /** The bytes are buf[0, len); buf[len, buf.length) is spare room. */
    private byte[] buf;
    private int len;
    private byte encoding;
    /**
     * Set when a snapshot captured this value ({@link #frozen}): from then on no write changes it in place, a
     * write makes a new value instead, so a snapshot's writer thread can read it while commands go on.
     */
    private boolean captured;

    private StringValue(byte[] buf, int len, byte encoding) {
        this.buf = buf;
        this.len = len;
        this.encoding = encoding;
    }

    @Override
    public int prefetchHint() {
        byte[] b = buf;
        int n = len;
        // the first and last bytes: a 100-byte value spans two or three cache lines
        return n == 0 ? encoding : b[0] + b[n - 1];
    }

    // ---- making values ----------------------------------------------------------------------------------

    /**
     * Redis's tryObjectEncoding on a command argument: the value of SET and the commands that store their
     * argument. Adopts {@code arg} (no copy). {@code shareIntegers} is false when maxmemory is set with an LRU
     * or LFU policy, where Redis gives every key its own object.
     */
    public static StringValue fromArgument(byte[] arg, boolean shareIntegers) {
        int n = arg.length;
        if (n <= 20 && n > 0) {
            long v = Ascii.parseLongOr(arg, 0, n, 0);
            if (v != 0 || (n == 1 && arg[0] == '0')) {
                if (shareIntegers && v >= 0 && v < SHARED_INTEGERS) return SHARED[(int) v];
                return new StringValue(arg, n, INT);
            }
        }
        return new StringValue(arg, n, n <= EMBSTR_SIZE_LIMIT ? EMBSTR : RAW);
    }

    /** Redis's createStringObjectFromLongLongForValue: an "int", shared for 0..9999 when allowed. */
    public static StringValue ofLong(long v, boolean shareIntegers) {
        if (shareIntegers && v >= 0 && v < SHARED_INTEGERS) return SHARED[(int) v];
        byte[] b = new byte[Ascii.digits(v)];
        Ascii.write(v, b, 0, b.length);
        return new StringValue(b, b.length, INT);
    }

    /** Redis's createStringObject on text the server made (INCRBYFLOAT): "embstr" up to 44 bytes, else "raw"; never "int". Adopts. */
    public static StringValue ofText(byte[] text) {
        return new StringValue(text, text.length, text.length <= EMBSTR_SIZE_LIMIT ? EMBSTR : RAW);
    }

    /** SETRANGE creating its key: a raw string of exactly offset + patch.length bytes, zeros before the patch. */
    public static StringValue ofRange(int offset, byte[] patch) {
        int n = offset + patch.length;
        byte[] b = new byte[n];
        System.arraycopy(patch, 0, b, offset, patch.length);
        return new StringValue(b, n, RAW);
    }

    /** A raw string of a buffer the server made (SETBIT creating its key, BITOP's result). Adopts. */
    public static StringValue ofRaw(byte[] b) {
        return new StringValue(b, b.length, RAW);
    }

    /**
     * SET's overwrite of this value by {@code v} when it can happen in place: both are strings ("raw" or
     * "embstr", never a shared integer) of the same length and no snapshot holds this one. The bytes are copied
     * into this value's array, so the key keeps the objects it had: nothing new outlives the command, and no
     * young object is linked from an old one, which is what a Java collector pays for in an overwrite-heavy
     * workload (the copying of every new value it keeps, and G1's card refinement of every such link). Readers
     * copy what they read before the command ends (replies, the stream), so none sees the bytes change.
     */
    public boolean overwriteWith(StringValue v) {
        if (captured || v.len != len || buf.length != len || encoding == INT || encoding == SHARED_INT
            || v.encoding == INT || v.encoding == SHARED_INT) {
            return false;
        }
        System.arraycopy(v.buf, 0, buf, 0, len);
        encoding = v.encoding;
        return true;
    }

    // ---- reading ----------------------------------------------------------------------------------------

    public int length() {
        return len;
    }

    /**
     * The buffer itself, for replies and readers that must not copy (GET of a 512 MB value): the string is
     * {@code array()[0, length())}. Read-only: writes go through this class's methods on the write path.
     */
    public byte[] array() {
        return buf;
    }

    /** A copy of exactly the string's bytes. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }

    /** Spare room (tests and memory accounting). */
    public int capacity() {
        return buf.length;
    }

    @Override
    public String typeName() {
        return "string";
    }

    @Override
    public String encodingName() {
        return ENCODING_NAMES[encoding];
    }

    @Override
    public int rdbType() {
        return RdbType.STRING;
    }

    @Override
    public int objectType() {
        return 0; // OBJ_STRING
    }

    /** The string's bytes, mixed in (an integer encoding digests as its decimal text, as getDecodedObject gives). */
    @Override
    public void digest(Digest into) {
        into.mix(array(), 0, length());
    }

    @Override
    public long refcount() {
        return encoding == SHARED_INT ? SHARED_REFCOUNT : 1;
    }

    /**
     * Redis's dupStringObject: a raw string stays raw and an embstr embstr, each with its own exact-size
     * copy; an integer, shared or not, becomes an unshared "int" (OBJECT REFCOUNT 1 on the copy).
     */
    @Override
    public StringValue duplicate() {
        return new StringValue(Arrays.copyOf(buf, len), len, encoding == SHARED_INT ? INT : encoding);
    }

    /** This value, never to be written in place again: a snapshot reads it on its writer thread. */
    @Override
    public StringValue frozen() {
        captured = true;
        return this;
    }

    /** As a snapshot's capture: its bytes (a captured string is never written in place again). */
    @Override
    public long approximateBytes() {
        return len;
    }

    // ---- writing: only on a value of an entry from the store's write path (see Value) ---------------------

    /**
     * APPEND: this string followed by {@code src[off, off+n)}. Returns the value to store: this one, grown in
     * place, when it is raw; otherwise a new raw string (Redis's dbUnshareStringValue) and this one is left
     * unchanged. The caller has checked that the result fits {@code maxLength}.
     */
    public StringValue append(byte[] src, int off, int n, long maxLength) {
        int newLen = Math.addExact(len, n);
        StringValue target = writableWithRoom(newLen, maxLength);
        System.arraycopy(src, off, target.buf, len, n);
        target.len = newLen;
        return target;
    }

    /**
     * SETRANGE: writes {@code patch} at {@code offset}, zero-filling any gap after the current end. Returns the
     * value to store, as {@link #append} does. The caller has checked that offset + patch.length fits
     * {@code maxLength}.
     */
    public StringValue setRange(int offset, byte[] patch, long maxLength) {
        StringValue target = grownZero(Math.addExact(offset, patch.length), maxLength);
        System.arraycopy(patch, 0, target.buf, offset, patch.length);
        return target;
    }

    /**
     * Redis's dbUnshareStringValue alone: this value when it is raw, else a raw copy (SETBIT that changes no
     * bit still leaves its string raw).
     */
    public StringValue unshared() {
        return encoding == RAW && !captured ? this : new StringValue(Arrays.copyOf(buf, len), len, RAW);
    }

    /**
     * SETBIT: sets or clears bit {@code bitOffset} (bit 0 is the high bit of byte 0), zero-padding the string
     * to reach it, as sdsgrowzero does. Returns the value to store, as {@link #append} does. The caller has
     * checked that the byte of the offset fits {@code maxLength}.
     */
    public StringValue withBit(long bitOffset, boolean on, long maxLength) {
        StringValue target = grownZero(Math.toIntExact((bitOffset >>> 3) + 1), maxLength);
        target.setBits(bitOffset, 1, on ? 1 : 0);
        return target;
    }

    /**
     * Redis's dbUnshareStringValue then sdsgrowzero: this value when raw, else a raw copy, at least minLength
     * long (zero-padded). Returns the value to store, as {@link #append} does; BITFIELD then writes its fields
     * into it with {@link #setBits}.
     */
    public StringValue grownZero(int minLength, long maxLength) {
        int newLen = Math.max(len, minLength);
        byte[] before = buf;
        StringValue target = writableWithRoom(newLen, maxLength);
        // the gap between the old end and the new reads as zeros: a new buffer is zeroed already, the spare
        // room of the old one is not promised to be
        if (newLen > len && target.buf == before) Arrays.fill(before, len, newLen, (byte) 0);
        target.len = newLen;
        return target;
    }

    /**
     * BITFIELD SET/INCRBY: writes the low {@code bits} bits of v at bit {@code bitOffset} (most significant
     * first), in place. Only on a raw value from {@link #grownZero} long enough to hold the field.
     */
    public void setBits(long bitOffset, int bits, long v) {
        if (encoding != RAW) throw new IllegalStateException("setBits on a " + encodingName() + " value");
        for (int j = 0; j < bits; j++) {
            long pos = bitOffset + j;
            int index = (int) (pos >>> 3), mask = 1 << (7 - (int) (pos & 7));
            boolean on = ((v >>> (bits - 1 - j)) & 1) != 0;
            buf[index] = (byte) (on ? buf[index] | mask : buf[index] & ~mask);
        }
    }

    /**
     * INCR and friends: the value to store for the integer v. Like Redis's incrDecrCommand, an unshared "int"
     * is updated in place when v is not one of the shared integers; anything else becomes a new "int" (shared
     * for 0..9999 when allowed).
     */
    public StringValue withLong(long v, boolean shareIntegers) {
        if (encoding != INT || captured || (v >= 0 && v < SHARED_INTEGERS)) return ofLong(v, shareIntegers);
        int digits = Ascii.digits(v);
        if (buf.length < digits) buf = new byte[20];  // the longest long; the old buffer is dropped whole
        Ascii.write(v, buf, 0, digits);
        len = digits;
        return this;
    }

    /**
     * This value when it is raw, not captured by a snapshot, and has room for newLen bytes; this value with a
     * larger buffer (contents copied) when it is raw and not captured; else a new raw copy with room. The new buffer is allocated before anything
     * changes. The bytes of the result past this value's length are not yet set.
     */
    private StringValue writableWithRoom(int newLen, long maxLength) {
        if (encoding == RAW && newLen <= buf.length && !captured) return this;
        int oldCapacity = encoding == RAW ? buf.length : len;
        byte[] grown = new byte[newCapacity(oldCapacity, newLen, maxLength)];
        System.arraycopy(buf, 0, grown, 0, len);
        // a captured value stays as the snapshot saw it: the write goes to a new value
        if (encoding != RAW || captured) return new StringValue(grown, len, RAW);
        buf = grown;
        return this;
    }

    /** sdsMakeRoomFor's greedy size, at least a quarter above the old capacity, capped by the length limit. */
    static int newCapacity(int oldCapacity, int needed, long maxLength) {
        long redis = needed < MAX_PREALLOC ? 2L * needed : (long) needed + MAX_PREALLOC;
        long geometric = oldCapacity + (oldCapacity >> 2);
        long ceiling = Math.max(needed, Math.min(maxLength, MAX_LENGTH));
        return (int) Math.min(Math.max(redis, geometric), ceiling);
    }

    @Override
    public String toString() {
        return "StringValue[" + encodingName() + ", " + len + "/" + buf.length + " bytes]";
    }
}
