package dev.ferry.rdb;

import java.io.IOException;

/**
 * What an {@link RdbReader} hands over, record by record, so that loading into Ferry, checking a file and
 * counting its keys share one parser. A visitor may throw (an {@link RdbFormatException} to refuse what it
 * cannot hold, e.g. a function library); the reader stops there.
 *
 * <p>Values come in the form Ferry holds them, to load without a second copy:
 * <ul>
 * <li>compact values as validated blobs in Redis 7.0's own layouts: hashes and sorted sets as listpacks
 *     ({@link #hashListpack}, {@link #zsetListpack}; ziplist and zipmap blobs of older files arrive converted,
 *     as Redis's loader converts them), integer sets as intsets ({@link #setIntset}), Redis 7.2 listpack sets
 *     as listpacks of members ({@link #setListpack}). Checked deeply: structure, counts, terminator, order,
 *     no duplicate field or member;</li>
 * <li>lists as a sequence of nodes between {@link #beginList} and {@link #endValue}: a listpack per packed node
 *     ({@link #listNode}), single elements for plain nodes and the old linked-list type ({@link #listElement});</li>
 * <li>hashtable hashes, sets and skiplist sorted sets as a stream of elements between begin and {@link #endValue},
 *     so that a value of ten million elements is never held twice.</li>
 * </ul>
 * An empty collection is not handed as a value: Redis skips such keys, and so does the reader
 * ({@link #emptyKeySkipped}). Duplicates inside the element streams are for the visitor to find (it is
 * inserting them anyway).
 *
 * <p>Every array handed over (keys, values, elements, blobs) is a new one the visitor may keep: the reader
 * never reuses or changes it.
 *
 * <p>{@code expireAtMs} is the key's absolute expiry in Unix milliseconds, -1 when it has none. An IDLE or
 * FREQ record before a key is handed first ({@link #idle}, {@link #freq}) and applies to that key only.
 */
public interface RdbVisitor {
    // ---- file-level records (defaults: ignore) ----

    /** The header's version, first of all. */
    default void header(int version) throws IOException {}

    /**
     * An AUX field, every one (redis-ver, redis-bits, ctime, used-mem, repl-stream-db, repl-id, repl-offset,
     * aof-base and any other): unknown ones must be ignored, by the AUX contract.
     */
    default void aux(byte[] key, byte[] value) throws IOException {}

    default void selectDb(long db) throws IOException {}

    /** RESIZEDB: size hints of the selected DB (claimed by the file; bound them before allocating). */
    default void resizeDb(long keys, long expires) throws IOException {}

    /** SLOT_INFO (Redis 7.4 cluster mode): a slot's key counts, hints only. */
    default void slotInfo(long slot, long keys, long expires) throws IOException {}

    /**
     * A function library's source (FUNCTION2; the 7.0-rc FUNCTION format arrives rebuilt as
     * "#!engine name=lib\n" + code, as rdbFunctionLoad does). Ferry has no functions: a loader refuses or
     * skips by its rule.
     */
    default void function(byte[] code) throws IOException {}

    /** A MODULE_AUX record, already skipped over by the module opcode rules; throw to refuse it. */
    default void moduleAux(String moduleName, long moduleId, int when) throws IOException {}

    /** The LRU idle time, in seconds, of the next key. */
    default void idle(long seconds) throws IOException {}

    /** The LFU counter of the next key. */
    default void freq(int counter) throws IOException {}

    /** A key whose collection was empty (Redis skips those, #8453); nothing else is handed for it. */
    default void emptyKeySkipped(byte[] key, int type) throws IOException {}

    /** Every 16 MiB read, between records: for a loader's percent and MB/s. total is -1 when unknown. */
    default void progress(long bytesRead, long total) throws IOException {}

    /** The EOF record and the trailer were read (and the checksum matched, unless it was 0). */
    default void endOfFile(long checksum) throws IOException {}

    // ---- values ----

    void string(byte[] key, long expireAtMs, byte[] value) throws IOException;

    /** A hash as a listpack of field, value, field, value... (RDB types 16, 13, 9). */
    void hashListpack(byte[] key, long expireAtMs, byte[] listpack) throws IOException;

    /** A sorted set as a listpack of member, score, ... ordered by score as Redis keeps it (types 17, 12). */
    void zsetListpack(byte[] key, long expireAtMs, byte[] listpack) throws IOException;

    /** An integer set as an intset: at least one member, ascending, in the narrowest width (type 11). */
    void setIntset(byte[] key, long expireAtMs, byte[] intset) throws IOException;

    /** A set as a listpack of members (type 20, Redis 7.2). */
    void setListpack(byte[] key, long expireAtMs, byte[] listpack) throws IOException;

    /** A hashtable hash; {@code sizeHint} fields follow (the file's claim, bounded by the bytes left when known). */
    void beginHash(byte[] key, long expireAtMs, long sizeHint) throws IOException;

    void hashField(byte[] field, byte[] value) throws IOException;

    void beginSet(byte[] key, long expireAtMs, long sizeHint) throws IOException;

    void setMember(byte[] member) throws IOException;

    void beginZSet(byte[] key, long expireAtMs, long sizeHint) throws IOException;

    /** A member and its score (never NaN). */
    void zsetMember(byte[] member, double score) throws IOException;

    /** A list: its nodes follow, in order, then {@link #endValue}. At least one element follows. */
    void beginList(byte[] key, long expireAtMs) throws IOException;

    /**
     * A listpack of one or more of the list's elements, next in order: a node as the file has it (a ziplist list of
     * an old file arrives as one node, converted), so a loader re-splits nodes past its own node size.
     */
    void listNode(byte[] listpack) throws IOException;

    /** One element of the list, next in order. */
    void listElement(byte[] element) throws IOException;

    /** The end of the value begun by beginHash, beginSet, beginZSet or beginList. */
    void endValue() throws IOException;
}
