package dev.ferry.store;

import dev.ferry.protocol.Ascii;

/**
 * What TYPE, OBJECT ENCODING / REFCOUNT, SCAN ... TYPE and COPY need to know about a stored value, in one
 * place, so that a new value type (list, hash, set, zset) is one more branch in each method here and
 * nothing in the command families changes.
 *
 * <p>Only strings exist so far: an immutable {@code byte[]}.
 */
public final class ValueTypes {
    private ValueTypes() {}

    /** Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT: strings up to this length are embedded in their object. */
    static final int EMBSTR_SIZE_LIMIT = 44;
    /** Redis's OBJ_SHARED_INTEGERS: 0..9999 are shared objects when stored as integers. */
    static final int SHARED_INTEGERS = 10000;
    /** Redis's OBJ_SHARED_REFCOUNT (INT_MAX): what OBJECT REFCOUNT reports for a shared object. */
    static final long SHARED_REFCOUNT = Integer.MAX_VALUE;

    /** The name TYPE prints and SCAN ... TYPE compares with (getObjectTypeName in db.c); "none" for null. */
    public static String typeName(Object value) {
        if (value == null) return "none";
        if (value instanceof byte[]) return "string";
        throw unknown(value);
    }

    /**
     * The name OBJECT ENCODING prints (strEncoding in object.c). For strings Redis's tryObjectEncoding
     * decides at SET time: a canonical 64-bit integer of at most 20 characters is "int", up to 44 bytes
     * "embstr", longer "raw". Ferry keeps only the bytes, so it computes the same answer from them; it cannot
     * see what Redis remembers of a value's history (APPEND, SETRANGE and SETBIT leave a "raw" string in
     * Redis even when short, INCRBYFLOAT an "embstr" even when integral).
     */
    public static String encoding(Object value) {
        if (value instanceof byte[] b) {
            if (Ascii.isLong(b)) return "int";
            return b.length <= EMBSTR_SIZE_LIMIT ? "embstr" : "raw";
        }
        throw unknown(value);
    }

    /**
     * What OBJECT REFCOUNT prints. Nothing is shared in Ferry, but Redis stores the integers 0..9999 as
     * shared objects (with no maxmemory set) and reports INT_MAX for them, 1 for anything else; we report
     * what Redis would.
     */
    public static long refcount(Object value) {
        if (value instanceof byte[] b) {
            if (b.length <= 4 && Ascii.isLong(b)) {
                long v = Ascii.parseLongOr(b, -1);
                if (v >= 0 && v < SHARED_INTEGERS) return SHARED_REFCOUNT;
            }
            return 1;
        }
        throw unknown(value);
    }

    /**
     * A copy for COPY that shares no mutable state with the original. Strings are immutable byte[], so the
     * same array serves; mutable types (lists, hashes...) must return a deep copy here.
     */
    public static Object duplicate(Object value) {
        if (value instanceof byte[]) return value;
        throw unknown(value);
    }

    private static IllegalStateException unknown(Object value) {
        return new IllegalStateException("unknown value type " + value.getClass().getName());
    }
}
