package dev.ferry.engine;

import dev.ferry.rdb.RdbFormatException;
import dev.ferry.store.Database;
import dev.ferry.store.Dict;
import dev.ferry.store.Keyspace;
import dev.ferry.store.Value;

/**
 * Puts keys read from an RDB file into the keyspace, as rdbLoadRioWithLoadingCtx does after decoding each one:
 * a database index past {@code databases} or a key that is already there stops the load (unless duplicates may
 * replace, DEBUG RELOAD MERGE), a key already expired is dropped on a master, and the expiry and LRU hints are
 * set. On the executing loop; the start-up load and DEBUG RELOAD share it.
 */
public final class KeyLoader {
    private final Keyspace keyspace;
    private final boolean replaceDuplicates;
    private long loaded, expired;

    public KeyLoader(Keyspace keyspace, boolean replaceDuplicates) {
        this.keyspace = keyspace;
        this.replaceDuplicates = replaceDuplicates;
    }

    /** Adds one key; the message of why the load must stop, or null. Call keyspace.tick() before a batch. */
    public String add(long dbIndex, byte[] key, long expireAtMs, long idle, Value value) {
        if (dbIndex < 0 || dbIndex >= keyspace.databases()) {
            return "it holds database " + dbIndex + " and this server has " + keyspace.databases() + " (databases)";
        }
        if (expireAtMs >= 0 && expireAtMs < keyspace.now() && keyspace.ownsExpiry()) {
            expired++;
            return null;
        }
        Database db = keyspace.db((int) dbIndex);
        if (db.peek(key) != null) {
            if (!replaceDuplicates) {
                return "key '" + RdbFormatException.printable(key) + "' appears twice in database " + dbIndex;
            }
            db.delete(key);
        }
        Dict.Entry e = db.add(key, value);
        if (expireAtMs >= 0) db.setExpire(e, expireAtMs);
        if (idle >= 0) keyspace.setIdleSeconds(e, idle);
        loaded++;
        return null;
    }

    public long loaded() {
        return loaded;
    }

    public long expired() {
        return expired;
    }
}
