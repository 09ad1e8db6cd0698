package dev.ferry.store;

/**
 * A value stored under a key: the one type every command family and the snapshot writer see, so that a new
 * data type is one more implementation here and nothing else asks "what is this object?".
 *
 * <p>Each value answers what Redis reports about it: its type (TYPE, SCAN ... TYPE, WRONGTYPE checks go
 * through {@code instanceof} on the implementations), its encoding (OBJECT ENCODING), the RDB type byte the
 * snapshot writer puts before it ({@link RdbType}), what OBJECT REFCOUNT prints, and a copy for COPY.
 *
 * <p>Values may be changed in place, but only through an entry obtained from the store's write path in the
 * same command ({@link Database#lookupForWrite}, {@link Database#add}): that is where a running snapshot's
 * barrier captures the entry before its first change (ARCHITECTURE.md rule 3), and the change is then
 * recorded with {@link Database#replaceValue} (WATCH, even when the value object stays the same). A value
 * read through {@link Database#lookup} or {@link Database#lookupRead} is never changed.
 */
public sealed interface Value permits StringValue, ListValue, HashValue, SetValue, ZSetValue {

    /** What TYPE prints for it (getObjectTypeName in db.c): "string", and later "list", "set", "zset", "hash". */
    String typeName();

    /** What OBJECT ENCODING prints (strEncoding in object.c): "raw", "embstr", "int", and later "listpack"... */
    String encodingName();

    /** The RDB object type byte a snapshot writes before this value (rdbSaveObjectType); see {@link RdbType}. */
    int rdbType();

    /** Redis's object type number (OBJ_STRING 0, OBJ_LIST 1, OBJ_SET 2, OBJ_ZSET 3, OBJ_HASH 4 in server.h). */
    int objectType();

    /**
     * Adds the contents to a DEBUG DIGEST state as Redis's xorObjectDigest does for this type: a string is
     * mixed in; later, list elements are mixed in order, set members xored, hash and sorted-set entries
     * xored as digests of their own.
     */
    void digest(Digest into);

    /**
     * Reads what a command on this value touches first (for {@link Dict#prefetch}): the object, and for a string
     * its bytes. Returns anything derived from what it read.
     */
    default int prefetchHint() {
        return 0;
    }

    /** What OBJECT REFCOUNT and DEBUG OBJECT print: 1, or INT_MAX for Redis's shared objects. */
    default long refcount() {
        return 1;
    }

    /** A copy for COPY that shares no mutable state with this value (Redis's dup*Object for each type). */
    Value duplicate();

    /**
     * This value as a snapshot captures it, for the writer thread that encodes it while commands go on: later
     * writes to this value never change what the returned {@link Frozen} holds. Called once per key and
     * snapshot, on the executing loop, at the key's barrier or when the walk reaches it; it does bounded work:
     * a string freezes itself (its next write makes a new value), a compact encoding is captured by keeping
     * its immutable array, a large hash, set or sorted set puts its table in snapshot mode and is filled
     * bucket by bucket afterwards ({@link TableCapture}), a list copies its sequence of node references and
     * copies a node before its next change ({@link ListCapture}). ARCHITECTURE.md, "Large values and
     * snapshots".
     */
    Frozen frozen();
}
