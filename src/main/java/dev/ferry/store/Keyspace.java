package dev.ferry.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * All databases of the server plus what spans them: the command clock, the dirty counter (writes
 * since the last save), WATCH bookkeeping and keyspace statistics. Owned by the executing thread.
 */
public final class Keyspace {

    /** Told about keys the store deletes on its own, so that the deletion reaches replicas as a DEL. */
    public interface ExpiryListener {
        void keyExpired(int db, byte[] key);
    }

    /** A client that WATCHes keys; flagged when one of them changes. */
    public interface Watcher {
        void watchedKeyChanged();
    }

    /** Told about every key added to a database (Redis's dbAdd signalKeyAsReady): blocked clients wait for them. */
    public interface KeyAddedListener {
        void keyAdded(Database db, byte[] key);

        /** SWAPDB: every key of both databases may now exist where it did not (scanDatabaseForReadyKeys). */
        default void databasesSwapped(Database a, Database b) { }
    }

    public static final class Stats {
        public long keyspaceHits, keyspaceMisses, expiredKeys, expiredStalePerc, expireCycleMs;

        public void reset() {
            keyspaceHits = keyspaceMisses = expiredKeys = expireCycleMs = 0;
        }
    }

    public final Stats stats = new Stats();
    private final Database[] dbs;
    private final List<Map<Key, Set<Watcher>>> watched;
    private ExpiryListener expiryListener = (db, key) -> { };
    private KeyAddedListener keyAddedListener;
    private long now = System.currentTimeMillis();
    /** How often {@link #tick(long)} reads the wall clock; in between it derives it from System.nanoTime(). */
    static final long CLOCK_RESYNC_NANOS = 1_000_000L;
    /** The last wall clock reading (ns since the epoch) and the System.nanoTime() taken right after it. */
    private long clockSyncWallNanos, clockSyncNanos;
    private boolean clockSynced;
    private long dirty;
    private boolean ownsExpiry = true;
    /** True while a replica applies its master's stream: the master's commands see keys its clients see expired. */
    private boolean applyingMasterStream;

    public Keyspace(int databases) {
        dbs = new Database[databases];
        watched = new ArrayList<>(databases);
        for (int i = 0; i < databases; i++) {
            dbs[i] = new Database(i, this);
            watched.add(new HashMap<>());
        }
    }

    public void keyAddedListener(KeyAddedListener l) {
        keyAddedListener = l;
    }

    void keyAdded(Database db, byte[] key) {
        if (keyAddedListener != null) keyAddedListener.keyAdded(db, key);
    }

    public int databases() {
        return dbs.length;
    }

    public Database db(int index) {
        return dbs[index];
    }

    /** Freezes "now" for one command, so that every key it touches is judged against one instant. */
    public void tick() {
        tick(System.nanoTime());
    }

    /**
     * {@link #tick()} from a System.nanoTime() reading the caller took anyway (the executor's start of a
     * command): the wall clock is derived from it, so a command reads the clock at most twice (start and end of
     * its duration, once within a pipeline) instead of three times (a clock read costs ~30 ns on the 2-core
     * VMs of bench/, ~3% of what a pipelined GET costs the executing loop). The wall clock itself is read, to the nanosecond, once a millisecond
     * ({@link #CLOCK_RESYNC_NANOS}): in between "now" follows the monotonic clock, which drifts from the wall
     * clock by parts per million (under a microsecond per millisecond), and a step of the wall clock shows
     * within a millisecond.
     */
    public void tick(long nanoTime) {
        long sinceSync = nanoTime - clockSyncNanos;
        if (!clockSynced || sinceSync < 0 || sinceSync >= CLOCK_RESYNC_NANOS) {
            syncClock();
            sinceSync = nanoTime - clockSyncNanos;
        }
        now = Math.floorDiv(clockSyncWallNanos + sinceSync, 1_000_000L);
    }

    private void syncClock() {
        Instant wall = Instant.now();
        clockSyncNanos = System.nanoTime();
        clockSyncWallNanos = wall.getEpochSecond() * 1_000_000_000L + wall.getNano();
        clockSynced = true;
    }

    public long now() {
        return now;
    }

    /** Seconds clock for LRU idle times, with Redis's 24-bit wrap-around. */
    int lruClock() {
        return (int) ((now / 1000) & 0xFFFFFF);
    }

    public long idleSeconds(Dict.Entry e) {
        long clock = lruClock();
        long idle = clock >= e.lruSeconds ? clock - e.lruSeconds : clock + 0x1000000L - e.lruSeconds;
        return idle;
    }

    /**
     * Makes an entry look idle for the given seconds (RESTORE ... IDLETIME, objectSetLRUOrLFU): an idle time
     * longer than the clock has run lands half the clock's range back, as Redis does.
     */
    public void setIdleSeconds(Dict.Entry e, long idle) {
        long clock = lruClock(), max = 0xFFFFFF;
        long abs = clock - idle;
        if (abs < 0) abs = (clock + max / 2) % max;
        e.lruSeconds = (int) abs;
    }

    public long dirty() {
        return dirty;
    }

    /** Counts changes for save rules and propagation (Redis's server.dirty). */
    public void dirty(long changes) {
        dirty += changes;
    }

    /** False on a replica: it waits for its master's DEL instead of expiring keys itself. */
    public boolean ownsExpiry() {
        return ownsExpiry;
    }

    public void ownsExpiry(boolean owns) {
        ownsExpiry = owns;
    }

    public boolean applyingMasterStream() {
        return applyingMasterStream;
    }

    /** Redis's expireIfNeeded returns "not expired" to the master client: its stream says when a key goes. */
    public void applyingMasterStream(boolean applying) {
        applyingMasterStream = applying;
    }

    public void expiryListener(ExpiryListener listener) {
        expiryListener = listener;
    }

    /** Like Redis's deleteExpiredKeyAndPropagate: not a dirty change of the command that noticed it. */
    void keyExpired(Database db, byte[] key) {
        keyModified(db, key);
        expiryListener.keyExpired(db.index(), key);
    }

    // ---- WATCH ------------------------------------------------------------------------------------

    public void watch(int db, byte[] key, Watcher w) {
        watched.get(db).computeIfAbsent(new Key(key), k -> new LinkedHashSet<>()).add(w);
    }

    public void unwatch(int db, byte[] key, Watcher w) {
        Map<Key, Set<Watcher>> m = watched.get(db);
        Key k = new Key(key);
        Set<Watcher> s = m.get(k);
        if (s != null && s.remove(w) && s.isEmpty()) m.remove(k);
    }

    void keyModified(Database db, byte[] key) {
        Map<Key, Set<Watcher>> m = watched.get(db.index());
        if (m.isEmpty()) return;
        Set<Watcher> s = m.get(new Key(key));
        if (s != null) for (Watcher w : s) w.watchedKeyChanged();
    }

    /** Flags watchers of keys that exist in db before it is emptied or swapped (Redis's touchAllWatchedKeysInDb). */
    private void touchWatchedIn(Database db, Database other) {
        Map<Key, Set<Watcher>> m = watched.get(db.index());
        for (Map.Entry<Key, Set<Watcher>> en : m.entrySet()) {
            byte[] k = en.getKey().bytes;
            if (db.peek(k) != null || (other != null && other.peek(k) != null)) {
                for (Watcher w : en.getValue()) w.watchedKeyChanged();
            }
        }
    }

    // ---- whole-database operations ------------------------------------------------------------------

    public long flush(int db) {
        touchWatchedIn(dbs[db], null);
        long n = dbs[db].flush();
        dirty += n;
        return n;
    }

    public long flushAll() {
        long n = 0;
        for (int i = 0; i < dbs.length; i++) n += flush(i);
        dirty++;
        return n;
    }

    public void swap(int a, int b) {
        if (a == b) return;
        touchWatchedIn(dbs[a], dbs[b]);
        touchWatchedIn(dbs[b], dbs[a]);
        dbs[a].swapWith(dbs[b]);
        dirty++;
        if (keyAddedListener != null) keyAddedListener.databasesSwapped(dbs[a], dbs[b]);
    }

    public long totalKeys() {
        long n = 0;
        for (Database d : dbs) n += d.size();
        return n;
    }

    /**
     * The active expiry cycle (Redis's activeExpireCycle, slow mode): per database, sample 20 keys with
     * a TTL, delete the expired ones, and repeat while more than 10% of a sample was expired and the time
     * budget lasts.
     */
    public void activeExpireCycle(long budgetMicros) {
        tick();
        long start = System.nanoTime();
        long deadline = start + budgetMicros * 1000;
        for (Database d : dbs) {
            int expired;
            do {
                int[] checked = {0};
                expired = d.activeExpireStep(20, checked);
                if (checked[0] == 0) break;
                if (expired * 10 <= checked[0]) break;
            } while (System.nanoTime() < deadline);
            if (System.nanoTime() >= deadline) break;
        }
        stats.expireCycleMs += (System.nanoTime() - start) / 1_000_000;
    }

    /** Background housekeeping: incremental rehash and shrinking of sparse tables. */
    public void cron() {
        for (Database d : dbs) d.cron();
    }

    /** A byte[] with value equality, for the few maps keyed by Redis keys outside the main tables. */
    public static final class Key {
        final byte[] bytes;
        private final int hash;

        public Key(byte[] bytes) {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
        }

        public byte[] bytes() {
            return bytes;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && Arrays.equals(k.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
