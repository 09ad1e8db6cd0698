package dev.ferry.command.keys;

import dev.ferry.engine.Call;
import dev.ferry.engine.CommandFamily;
import dev.ferry.engine.CommandTable;
import dev.ferry.engine.Errors;
import dev.ferry.protocol.Ascii;
import dev.ferry.rdb.RdbFormatException;
import dev.ferry.rdb.RdbPayload;
import dev.ferry.rdb.RdbValueBuilder;
import dev.ferry.rdb.RdbValueWriter;
import dev.ferry.store.Database;
import dev.ferry.store.Dict;
import dev.ferry.store.RdbType;
import dev.ferry.store.Value;

import java.io.IOException;
import java.io.UncheckedIOException;

import static dev.ferry.engine.CommandFlags.*;

/**
 * DUMP and RESTORE (cluster.c): a value as Redis's DUMP payload (type byte, RDB encoding, RDB version, CRC64), so
 * that a payload from Redis 7.0 RESTOREs here and one from here RESTOREs in Redis. The value is encoded and read
 * with the snapshot codec ({@link RdbValueWriter}, {@link RdbValueBuilder}); payloads of newer RDB versions than
 * Ferry writes (Redis 7.2's 11, 7.4's 12) are read too, since the reader knows them.
 */
public final class DumpFamily implements CommandFamily {
    private static final String BUSYKEY = "BUSYKEY Target key name already exists.";
    private static final String BAD_TTL = "ERR Invalid TTL value, must be >= 0";
    private static final String BAD_IDLE = "ERR Invalid IDLETIME value, must be >= 0";
    private static final String BAD_FREQ = "ERR Invalid FREQ value, must be >= 0 and <= 255";
    private static final String BAD_PAYLOAD = "ERR DUMP payload version or checksum are wrong";
    private static final String BAD_FORMAT = "ERR Bad data format";
    /** The newest RDB version whose payloads RESTORE takes: what the reader reads. */
    private static final int MAX_PAYLOAD_VERSION = 12;
    private static final byte[] ABSTTL = Ascii.bytes("ABSTTL");

    @Override
    public void register(CommandTable t) {
        t.add("dump", 2, READONLY, 1, 1, 1, "generic", this::dump);
        t.add("restore", -4, WRITE | DENYOOM, 1, 1, 1, "generic", this::restore);
    }

    private void dump(Call c) {
        Dict.Entry e = c.db().lookupRead(c.arg(1));
        if (e == null) {
            c.reply.nullBulk();
            return;
        }
        try {
            // rdbcompression is fixed at yes (Redis's default) until the snapshot settings make it live
            c.reply.bulk(RdbValueWriter.dump(e.value(), true));
        } catch (IOException x) {
            throw new UncheckedIOException(x); // an in-memory output does not fail
        }
    }

    /** RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency], checks in Redis's order. */
    private void restore(Call c) {
        boolean replace = false, absTtl = false;
        long idle = -1, freq = -1;
        for (int j = 4; j < c.argc(); j++) {
            int more = c.argc() - j - 1;
            if (c.argIs(j, "replace")) {
                replace = true;
            } else if (c.argIs(j, "absttl")) {
                absTtl = true;
            } else if (c.argIs(j, "idletime") && more >= 1 && freq == -1) {
                idle = c.longArg(j + 1);
                if (idle < 0) throw Errors.of(BAD_IDLE);
                j++;
            } else if (c.argIs(j, "freq") && more >= 1 && idle == -1) {
                freq = c.longArg(j + 1);
                if (freq < 0 || freq > 255) throw Errors.of(BAD_FREQ);
                j++;
            } else {
                throw Errors.syntax();
            }
        }
        byte[] key = c.arg(1);
        Database db = c.db();
        if (!replace && db.lookupForWrite(key) != null) throw Errors.of(BUSYKEY);
        long ttl = c.longArg(2);
        if (ttl < 0) throw Errors.of(BAD_TTL);
        byte[] payload = c.arg(3);
        try {
            RdbPayload.verify(payload, MAX_PAYLOAD_VERSION);
        } catch (RdbFormatException x) {
            throw Errors.of(BAD_PAYLOAD);
        }
        Value[] read = new Value[1];
        try {
            RdbPayload.readVerified(payload, key, new RdbValueBuilder(c.server.settings().loadLimits(),
                (dbIndex, k, expireAtMs, idleSeconds, f, v) -> read[0] = v));
        } catch (IOException | RuntimeException x) {
            throw Errors.of(BAD_FORMAT);
        }
        if (read[0] == null) throw Errors.of(BAD_FORMAT); // an empty collection: Redis refuses it as well
        boolean deleted = replace && db.delete(key);
        if (ttl != 0 && !absTtl) ttl += c.keyspace().now();
        if (ttl != 0 && ttl <= c.keyspace().now() && c.keyspace().ownsExpiry()) {
            // checkAlreadyExpired: the key would be born dead; a replaced one is gone, and replicas hear DEL
            if (deleted) {
                c.keyspace().dirty(1);
                c.propagateAs(Ascii.bytes("DEL"), key);
            }
            c.reply.ok();
            return;
        }
        Dict.Entry e = db.add(key, read[0]);
        if (ttl != 0) {
            db.setExpire(e, ttl);
            if (!absTtl) {
                // replicas get the absolute time, so that their copy dies when this one does
                byte[][] argv = new byte[c.argc() + 1][];
                for (int i = 0; i < c.argc(); i++) argv[i] = c.arg(i);
                argv[2] = Ascii.bytes(Long.toString(ttl));
                argv[c.argc()] = ABSTTL;
                c.propagateAs(argv);
            }
        }
        if (idle >= 0) c.keyspace().setIdleSeconds(e, idle);
        c.keyspace().dirty(1);
        c.reply.ok();
    }

    static {
        // the payload versions RESTORE takes include the one DUMP writes
        if (RdbType.RDB_VERSION > MAX_PAYLOAD_VERSION) throw new AssertionError();
    }
}
