package dev.ferry.store;

/**
 * The RDB object type bytes (RDB_TYPE_* in Redis's rdb.h). A snapshot writes one before each value; each
 * {@link Value} names its own through {@link Value#rdbType()}. Redis 7.0 writes RDB version 10, which has the
 * types up to 19; 20 and 21 come with RDB 11 (Redis 7.2), which a reader of newer files meets.
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
}
