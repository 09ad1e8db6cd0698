package dev.ferry.rdb;

import java.nio.charset.StandardCharsets;

/**
 * The AUX fields a loader acts on, kept by the reader as rdbLoadRioWithLoadingCtx keeps them (all AUX
 * fields still go to the visitor): the replication id and offset a restarted server resumes from
 * (loadDataFromDisk), the stream's DB, and the informational redis-ver, ctime, used-mem, aof-base. Numbers
 * are read like strtoll: leading digits, 0 when there are none.
 */
public final class RdbAux {
    /** repl-id, only when exactly 40 bytes (CONFIG_RUN_ID_SIZE); null otherwise. */
    private String replId;
    /** repl-offset; -1 when absent. */
    private long replOffset = -1;
    private boolean replOffsetSet;
    /** repl-stream-db; -1 when absent (Redis's rsi default). */
    private int replStreamDb = -1;
    private String redisVer;
    private long ctime = -1;
    private long usedMem = -1;
    private boolean aofBase;

    /** Takes one AUX field (key compared case-insensitively, as strcasecmp does); unknown ones are ignored. */
    void accept(byte[] key, byte[] value) {
        String k = new String(key, StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT);
        switch (k) {
            case "repl-id" -> {
                if (value.length == 40) replId = new String(value, StandardCharsets.ISO_8859_1);
            }
            case "repl-offset" -> {
                replOffset = strtoll(value);
                replOffsetSet = true;
            }
            case "repl-stream-db" -> replStreamDb = (int) strtoll(value);
            case "redis-ver" -> redisVer = new String(value, StandardCharsets.ISO_8859_1);
            case "ctime" -> ctime = strtoll(value);
            case "used-mem" -> usedMem = strtoll(value);
            case "aof-base" -> aofBase = strtoll(value) != 0;
            default -> { }
        }
    }

    /**
     * These fields with the replication position moved to offset of history replId in database db (a replay of the
     * stream after them, which may have followed a promotion to another history).
     */
    public RdbAux resumingAt(String replId, long offset, int db) {
        RdbAux a = new RdbAux();
        a.replId = replId;
        a.replOffset = offset;
        a.replOffsetSet = true;
        a.replStreamDb = db;
        a.redisVer = redisVer;
        a.ctime = ctime;
        a.usedMem = usedMem;
        a.aofBase = aofBase;
        return a;
    }

    public String replId() {
        return replId;
    }

    public long replOffset() {
        return replOffset;
    }

    /** Whether the file carries what a restart needs to resume replication: repl-id, repl-offset, a stream DB. */
    public boolean hasReplicationInfo() {
        return replId != null && replOffsetSet && replStreamDb != -1;
    }

    public int replStreamDb() {
        return replStreamDb;
    }

    /** redis-ver, or null. */
    public String redisVer() {
        return redisVer;
    }

    /** ctime (Unix seconds of the save), -1 when absent. */
    public long ctime() {
        return ctime;
    }

    /** used-mem at the save, -1 when absent. */
    public long usedMem() {
        return usedMem;
    }

    public boolean aofBase() {
        return aofBase;
    }

    /** strtoll(s, NULL, 10): optional spaces and sign, then the leading digits; 0 when none. */
    static long strtoll(byte[] s) {
        int p = 0, n = s.length;
        while (p < n && (s[p] == ' ' || s[p] == '\t')) p++;
        boolean negative = false;
        if (p < n && (s[p] == '-' || s[p] == '+')) negative = s[p++] == '-';
        long v = 0;
        for (; p < n && s[p] >= '0' && s[p] <= '9'; p++) {
            int d = s[p] - '0';
            if (v > (Long.MAX_VALUE - d) / 10) return negative ? Long.MIN_VALUE : Long.MAX_VALUE;
            v = v * 10 + d;
        }
        return negative ? -v : v;
    }
}
