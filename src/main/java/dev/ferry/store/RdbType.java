package dev.ferry.store;

/**
 * The RDB constants of Redis's rdb.h, in one place: the object type bytes (RDB_TYPE_*), the opcodes that are
 * not values (RDB_OPCODE_*), the length markers and the special string encodings (RDB_ENC_*). A snapshot
 * writes a type byte before each value; each {@link Value} names its own through {@link Value#rdbType()}.
 * Redis 7.0 writes RDB version 10, which has the types up to 19; 20 and 21 come with RDB 11 (Redis 7.2),
 * 22 to 25 with RDB 12 (Redis 7.4), which a reader of newer files meets.
 */
public final class RdbType {
    private RdbType() {}

    public static final int STRING = 0;
    public static final int LIST = 1;
    public static final int SET = 2;
    public static final int ZSET = 3;
    public static final int HASH = 4;
    /** Sorted set with binary doubles (what Redis writes for a skiplist-encoded zset). */
    public static final int ZSET_2 = 5;
    public static final int MODULE_PRE_GA = 6;
    public static final int MODULE_2 = 7;
    public static final int HASH_ZIPMAP = 9;
    public static final int LIST_ZIPLIST = 10;
    public static final int SET_INTSET = 11;
    public static final int ZSET_ZIPLIST = 12;
    public static final int HASH_ZIPLIST = 13;
    public static final int LIST_QUICKLIST = 14;
    public static final int STREAM_LISTPACKS = 15;
    public static final int HASH_LISTPACK = 16;
    public static final int ZSET_LISTPACK = 17;
    /** Quicklist of listpack nodes: what Redis 7.0 writes for every list. */
    public static final int LIST_QUICKLIST_2 = 18;
    public static final int STREAM_LISTPACKS_2 = 19;
    /** RDB 11 (Redis 7.2). */
    public static final int SET_LISTPACK = 20;
    /** RDB 11 (Redis 7.2). */
    public static final int STREAM_LISTPACKS_3 = 21;
    /** RDB 12 (Redis 7.4 release candidates): hash with field TTLs, hashtable form, absolute TTLs. */
    public static final int HASH_METADATA_PRE_GA = 22;
    /** RDB 12 (Redis 7.4 release candidates): listpack of field, value, TTL triplets. */
    public static final int HASH_LISTPACK_EX_PRE_GA = 23;
    /** RDB 12 (Redis 7.4): hash with field TTLs, hashtable form (minimum expiry, then relative TTLs). */
    public static final int HASH_METADATA = 24;
    /** RDB 12 (Redis 7.4): minimum expiry, then a listpack of field, value, TTL triplets. */
    public static final int HASH_LISTPACK_EX = 25;

    // ---- opcodes: record bytes that are not a value type (RDB_OPCODE_*) ----

    /** RDB 12 (Redis 7.4, cluster mode): slot id, keys in the slot, keys with an expiry in it. */
    public static final int OPCODE_SLOT_INFO = 244;
    /** A function library: one string, its whole source (Redis 7.0 GA and later). */
    public static final int OPCODE_FUNCTION2 = 245;
    /** Redis 7.0-rc1/rc2 function format (name, engine, description flag, description, code). */
    public static final int OPCODE_FUNCTION_PRE_GA = 246;
    /** Module data outside the keyspace: module id, the UINT opcode, when, module fields, EOF. */
    public static final int OPCODE_MODULE_AUX = 247;
    /** LRU idle time of the next key, in seconds (a length). */
    public static final int OPCODE_IDLE = 248;
    /** LFU counter of the next key (one byte). */
    public static final int OPCODE_FREQ = 249;
    /** A string key and a string value of metadata (redis-ver, ctime, repl-id, ...). */
    public static final int OPCODE_AUX = 250;
    /** Size hints of the selected DB: keys, keys with an expiry (two lengths). */
    public static final int OPCODE_RESIZEDB = 251;
    /** Absolute expiry of the next key, milliseconds, 8 bytes little-endian. */
    public static final int OPCODE_EXPIRETIME_MS = 252;
    /** Absolute expiry of the next key, seconds, 4 bytes (old files only). */
    public static final int OPCODE_EXPIRETIME = 253;
    /** Selects the DB the following keys go to (a length). */
    public static final int OPCODE_SELECTDB = 254;
    /** End of the records; the CRC64 follows (RDB 5 and later). */
    public static final int OPCODE_EOF = 255;

    // ---- module value opcodes (RDB_MODULE_OPCODE_*), inside MODULE_2 values and MODULE_AUX ----

    public static final int MODULE_OPCODE_EOF = 0;
    public static final int MODULE_OPCODE_SINT = 1;
    public static final int MODULE_OPCODE_UINT = 2;
    public static final int MODULE_OPCODE_FLOAT = 3;
    public static final int MODULE_OPCODE_DOUBLE = 4;
    public static final int MODULE_OPCODE_STRING = 5;

    // ---- lengths and strings ----

    /** The top two bits of a length's first byte: 6-bit length, 14-bit length, 32/64-bit, special encoding. */
    public static final int LEN_6BIT = 0;
    public static final int LEN_14BIT = 1;
    /** First byte of a length whose value follows as 4 bytes big-endian. */
    public static final int LEN_32BIT = 0x80;
    /** First byte of a length whose value follows as 8 bytes big-endian. */
    public static final int LEN_64BIT = 0x81;
    /** Top bits 11: not a length but a special string encoding (RDB_ENCVAL). */
    public static final int LEN_ENCVAL = 3;

    /** Special string encodings (the low 6 bits after RDB_ENCVAL): integers of 8/16/32 bits, LZF. */
    public static final int ENC_INT8 = 0;
    public static final int ENC_INT16 = 1;
    public static final int ENC_INT32 = 2;
    public static final int ENC_LZF = 3;

    /** Text-double lengths meaning NaN, +inf and -inf (rdbSaveDoubleValue, type 3 scores). */
    public static final int DOUBLE_NAN = 253;
    public static final int DOUBLE_POS_INF = 254;
    public static final int DOUBLE_NEG_INF = 255;

    /** Quicklist node containers in LIST_QUICKLIST_2: one raw element, or a listpack. */
    public static final int QUICKLIST_NODE_PLAIN = 1;
    public static final int QUICKLIST_NODE_PACKED = 2;

    /** The RDB version Redis 7.0 writes, and Ferry writes. */
    public static final int RDB_VERSION = 10;
    /** The newest RDB version a reader here accepts (Redis 7.4, Valkey 8). */
    public static final int RDB_VERSION_MAX_READ = 12;
}
