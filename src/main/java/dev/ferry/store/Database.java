package dev.ferry.store;

import java.util.function.Consumer;

/**
 * One numbered database: the main table of keys and an index of the keys that carry a TTL (the active
 * expiry cycle samples that index, as Redis samples its expires dict).
 *
 * <p>Reads go through {@link #lookup}; anything that changes a key goes through {@link #lookupForWrite},
 * {@link #add}, {@link #delete} or {@link #setExpire}, which is where the snapshot barrier and WATCH see it.
 * Replacing a value or changing an expiry ({@link #replaceValue}, {@link #setExpire}, {@link #persist}) runs
 * the barrier itself, whatever lookup found the entry; a value changed in place (APPEND, SETRANGE, INCR) must
 * still come from {@link #lookupForWrite}, because the barrier has to see it before the change.
 */
public final class Database {
    private final int index;
    private final Keyspace keyspace;
    private Dict main = new Dict();
    /** The keys that have a TTL (entries without values); the time itself lives in the main entry. */
    private Dict expires = new Dict();
    private long scanExpireCursor;

    Database(int index, Keyspace keyspace) {
        this.index = index;
        this.keyspace = keyspace;
    }

    public int index() {
        return index;
    }

    public int size() {
        return main.size();
    }

    public int volatileKeys() {
        return expires.size();
    }

    public Dict table() {
        return main;
    }

    /** Entry of a live key (expired keys are deleted lazily here), touching its LRU clock; null if none. */
    public Dict.Entry lookup(byte[] key) {
        Dict.Entry e = main.find(key);
        if (e == null) return null;
        if (e.expireAt >= 0 && expireIfNeeded(e)) return null;
        e.lruSeconds = keyspace.lruClock();
        return e;
    }

    /** Like {@link #lookup} but counts keyspace hits and misses (commands that read a value). */
    public Dict.Entry lookupRead(byte[] key) {
        Dict.Entry e = lookup(key);
        if (e == null) keyspace.stats.keyspaceMisses++;
        else keyspace.stats.keyspaceHits++;
        return e;
    }

    /**
     * Like {@link #lookupRead} but leaves the key's LRU clock alone: Redis's LOOKUP_NOTOUCH, used by the
     * commands that inspect a key without "using" it (EXISTS, TYPE, TTL, OBJECT, SCAN ... TYPE), so that
     * OBJECT IDLETIME is not reset by looking at it.
     */
    public Dict.Entry lookupReadNoTouch(byte[] key) {
        Dict.Entry e = main.find(key);
        if (e != null && e.expireAt >= 0 && expireIfNeeded(e)) e = null;
        if (e == null) keyspace.stats.keyspaceMisses++;
        else keyspace.stats.keyspaceHits++;
        return e;
    }

    /**
     * Redis's expireIfNeeded(db, key): true when the key exists but its time has come. A master deletes it
     * on the spot (and propagates DEL); a replica only reports it. No LRU or statistics side effects (DEL,
     * SCAN, RANDOMKEY).
     */
    public boolean expireIfNeeded(byte[] key) {
        Dict.Entry e = main.find(key);
        return e != null && e.expireAt >= 0 && expireIfNeeded(e);
    }

    /** Entry of a live key that the caller is about to change in place. */
    public Dict.Entry lookupForWrite(byte[] key) {
        Dict.Entry e = main.findForWrite(key);
        if (e == null) return null;
        if (e.expireAt >= 0 && expireIfNeeded(e)) return null;
        e.lruSeconds = keyspace.lruClock();
        return e;
    }

    /** Lookup without expiry, LRU or stats side effects (OBJECT, TYPE-less introspection, tests). */
    public Dict.Entry peek(byte[] key) {
        Dict.Entry e = main.find(key);
        if (e == null || (e.expireAt >= 0 && e.expireAt <= keyspace.now())) return null;
        return e;
    }

    /** True when the key is still stored but its TTL has passed (nothing deleted it yet). */
    public boolean isLogicallyExpired(byte[] key) {
        Dict.Entry e = main.find(key);
        return e != null && e.expireAt >= 0 && e.expireAt <= System.currentTimeMillis();
    }

    /** Adds a key known to be absent (callers looked it up first). */
    public Dict.Entry add(byte[] key, Value value) {
        Dict.Entry e = main.add(key, value);
        e.lruSeconds = keyspace.lruClock();
        keyspace.keyModified(this, key);
        keyspace.keyAdded(this, key);
        return e;
    }

    /** Sets the value of a key, creating it if absent; the TTL is cleared unless keepTtl. */
    public Dict.Entry set(byte[] key, Value value, boolean keepTtl) {
        Dict.Entry e = lookupForWrite(key);
        if (e == null) return add(key, value);
        e.value = value;
        if (!keepTtl && e.expireAt >= 0) removeExpire(e);
        keyspace.keyModified(this, key);
        return e;
    }

    /**
     * The plain SET key value: as {@link #set} without keepTtl, except that a string value of the same length is
     * overwritten in place ({@link StringValue#overwriteWith}). Only for a command whose old value nobody reads
     * afterwards and whose own arguments hold no other value of the key (not GETSET, SET GET or MSET).
     */
    public void setString(byte[] key, StringValue value) {
        Dict.Entry e = lookupForWrite(key);
        if (e == null) {
            add(key, value);
            return;
        }
        // the barrier ran (lookupForWrite): a string a snapshot captured is never overwritten in place
        if (!(e.value instanceof StringValue old && old.overwriteWith(value))) e.value = value;
        if (e.expireAt >= 0) removeExpire(e);
        keyspace.keyModified(this, key);
    }

    /**
     * Stores the value of an entry obtained from {@link #lookupForWrite} in this command, and tells WATCH that
     * the key changed; the TTL is kept. The value may be a new one or the entry's own after a change in place
     * (APPEND, SETRANGE, INCR): either way this is the call that records the write.
     */
    public void replaceValue(Dict.Entry e, Value value) {
        main.beforeChange(e);
        e.value = value;
        keyspace.keyModified(this, e.key);
    }

    /**
     * Redis's dbOverwrite without signalModifiedKey: a new object for the same contents (an encoding change,
     * as when SETBIT that changes no bit unshares its string), on an entry from {@link #lookupForWrite}. Not a
     * write: WATCH is not told, as in Redis.
     */
    public void overwriteSameContents(Dict.Entry e, Value value) {
        main.beforeChange(e);
        e.value = value;
    }

    public boolean delete(byte[] key) {
        Dict.Entry e = main.remove(key);
        if (e == null) return false;
        if (e.expireAt >= 0) expires.remove(key);
        keyspace.keyModified(this, key);
        return true;
    }

    /** Sets an absolute expiry (unix ms) on a live entry obtained from {@link #lookupForWrite}. */
    public void setExpire(Dict.Entry e, long whenMs) {
        main.beforeChange(e);
        if (e.expireAt < 0) expires.add(e.key, null);
        e.expireAt = whenMs;
        keyspace.keyModified(this, e.key);
    }

    /** Removes the TTL; returns false when there was none. */
    public boolean persist(Dict.Entry e) {
        if (e.expireAt < 0) return false;
        removeExpire(e);
        keyspace.keyModified(this, e.key);
        return true;
    }

    private void removeExpire(Dict.Entry e) {
        main.beforeChange(e);
        expires.remove(e.key);
        e.expireAt = -1;
    }

    /**
     * Deletes e if its time has come. On a master the deletion is propagated as DEL (ARCHITECTURE.md rule 5); a
     * replica keeps the key, hides it from readers, and waits for its master's DEL.
     */
    private boolean expireIfNeeded(Dict.Entry e) {
        if (e.expireAt > keyspace.now()) return false;
        if (!keyspace.ownsExpiry()) return !keyspace.applyingMasterStream();
        byte[] key = e.key;
        main.remove(key);
        expires.remove(key);
        keyspace.stats.expiredKeys++;
        keyspace.keyExpired(this, key);
        return true;
    }

    /** One step of the active expiry cycle: samples keys with a TTL; returns how many expired. */
    int activeExpireStep(int sample, int[] checked) {
        if (expires.size() == 0 || !keyspace.ownsExpiry()) return 0;
        int[] expired = {0};
        int guard = 0;
        while (checked[0] < sample && guard++ < sample * 4) {
            scanExpireCursor = expires.scan(scanExpireCursor, ve -> {
                checked[0]++;
                Dict.Entry e = main.find(ve.key);
                if (e != null && e.expireAt >= 0 && e.expireAt <= keyspace.now() && expireIfNeeded(e)) expired[0]++;
            });
            if (scanExpireCursor == 0) break;
        }
        return expired[0];
    }

    /** Removes every key; returns how many there were. */
    public int flush() {
        int n = main.size();
        main = new Dict();
        expires = new Dict();
        scanExpireCursor = 0;
        return n;
    }

    /**
     * Takes the keys a start-up load built off the loop (on the executing loop, into an empty database);
     * false, taking nothing, when the database is not empty.
     */
    public boolean install(LoadedDatabase loaded) {
        if (main.size() != 0) return false;
        main = loaded.main();
        expires = loaded.expires();
        scanExpireCursor = 0;
        return true;
    }

    /** Exchanges contents with another database (SWAPDB). */
    void swapWith(Database other) {
        Dict m = main, x = expires;
        main = other.main;
        expires = other.expires;
        other.main = m;
        other.expires = x;
        scanExpireCursor = 0;
        other.scanExpireCursor = 0;
    }

    /** SCAN over the keys: visits a few buckets and returns the next cursor. */
    public long scan(long cursor, Consumer<Dict.Entry> fn) {
        return main.scan(cursor, fn);
    }

    public Dict.Entry randomEntry() {
        return main.random();
    }

    void cron() {
        main.shrinkIfSparse();
        expires.shrinkIfSparse();
        main.rehash(100);
        expires.rehash(100);
    }
}
