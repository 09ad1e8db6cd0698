package dev.ferry.store;

/**
 * One database's keys read from a snapshot at start-up, built off the executing loop into tables no one else
 * sees yet, then installed by the loop in one turn ({@link Database#install}). Until then the live database is
 * untouched (clients get -LOADING, and the cron finds it empty); a load that fails is simply dropped. Building
 * in place of handing every key to the loop saves the hand-over and lets the loader size the table once.
 */
public final class LoadedDatabase {
    private final Dict main = new Dict();
    private final Dict expires = new Dict();
    /** The LRU clock (seconds, 24 bits) when the load began, for IDLE hints. */
    private final int lruClock;

    public LoadedDatabase(long nowMillis) {
        this.lruClock = (int) ((nowMillis / 1000) & 0xFFFFFF);
    }

    /** RESIZEDB: sizes the table for this many keys (the caller bounds the file's claim). */
    public void reserve(long keys) {
        main.reserve(keys);
    }

    public int size() {
        return main.size();
    }

    /** Adds a key; false, adding nothing, when the key is already there. */
    public boolean add(byte[] key, Value value, long expireAtMs, long idleSeconds) {
        if (main.find(key) != null) return false;
        Dict.Entry e = main.add(key, value);
        if (expireAtMs >= 0) {
            e.expireAt = expireAtMs;
            expires.add(key, null);
        }
        // objectSetLRUOrLFU of the IDLE hint; without one the key was just "used"
        long idle = Math.max(0, idleSeconds);
        long abs = lruClock - idle;
        if (abs < 0) abs = (lruClock + 0xFFFFFF / 2) % 0xFFFFFF;
        e.lruSeconds = (int) abs;
        return true;
    }

    Dict main() {
        return main;
    }

    Dict expires() {
        return expires;
    }
}
