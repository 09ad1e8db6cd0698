package dev.ferry.rdb;

import dev.ferry.store.Frozen;
import dev.ferry.store.Value;

import java.io.IOException;

/**
 * A whole RDB file in Redis 7.0's order (rdbSaveRio, rdbSaveDb, rdbSaveKeyValuePair): the REDIS0010 header,
 * the AUX fields, then for each non-empty database SELECTDB, RESIZEDB and its keys, then EOF and the CRC64.
 * Values go out through {@link RdbValueWriter}, the encoder DUMP uses. What calls it decides where the keys come
 * from (a walk of the keyspace, a point-in-time capture) and on which thread.
 */
public final class RdbFileWriter {

    /**
     * The AUX fields. replId is null when there is no replication information to record (rdbPopulateSaveInfo:
     * then repl-stream-db, repl-id and repl-offset are left out).
     */
    public record Aux(String redisVer, long ctimeSeconds, long usedMem, String replId, long replOffset, int replStreamDb) {}

    private final RdbOutput out;

    public RdbFileWriter(RdbOutput out) {
        this.out = out;
    }

    public void begin(Aux aux) throws IOException {
        out.writeHeader();
        out.writeAux("redis-ver", aux.redisVer());
        out.writeAux("redis-bits", 64);
        out.writeAux("ctime", aux.ctimeSeconds());
        out.writeAux("used-mem", aux.usedMem());
        if (aux.replId() != null) {
            out.writeAux("repl-stream-db", aux.replStreamDb());
            out.writeAux("repl-id", aux.replId());
            out.writeAux("repl-offset", aux.replOffset());
        }
        out.writeAux("aof-base", 0);
    }

    /** A non-empty database's header: its index and how many keys (and keys with a TTL) follow. */
    public void database(int index, long keys, long expires) throws IOException {
        out.writeSelectDb(index);
        out.writeResizeDb(keys, expires);
    }

    /** One key: its expiry when it has one (Unix ms, else -1), type byte, name and value. */
    public void key(byte[] key, long expireAtMs, Value value) throws IOException {
        if (expireAtMs >= 0) out.writeExpireMs(expireAtMs);
        out.writeKey(value.rdbType(), key);
        RdbValueWriter.writePayload(value, out);
    }

    /** One key as a snapshot captured it ({@link Frozen}); a table capture must be complete. */
    public void capturedKey(byte[] key, long expireAtMs, Frozen value) throws IOException {
        if (expireAtMs >= 0) out.writeExpireMs(expireAtMs);
        out.writeKey(value.rdbType(), key);
        RdbValueWriter.writeCaptured(value, out);
    }

    /** EOF and the checksum; the caller flushes and syncs the file. */
    public void end() throws IOException {
        out.writeEof();
    }
}
