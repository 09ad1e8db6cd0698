package dev.ferry.engine;

import dev.ferry.store.Keyspace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A client's MULTI queue and WATCHed keys (Redis's multiState and watched_keys). The dispatcher queues
 * into it; EXEC empties it and runs the queue back to back.
 */
public final class Transaction implements Keyspace.Watcher {

    /** A command queued by MULTI, resolved (subcommand included) when it was queued. */
    public record Queued(CommandSpec spec, byte[][] argv) { }

    /** A key under WATCH, and whether it was already logically expired when watched. */
    private record WatchedKey(int db, byte[] key, boolean expiredWhenWatched) { }

    private final Keyspace keyspace;
    private List<Queued> queue;
    private boolean error;
    private final List<WatchedKey> watched = new ArrayList<>();
    private boolean watchedKeyChanged;

    Transaction(Keyspace keyspace) {
        this.keyspace = keyspace;
    }

    public boolean active() {
        return queue != null;
    }

    public void start() {
        queue = new ArrayList<>();
        error = false;
    }

    /** Leaves MULTI and returns the queue (EXEC or DISCARD). */
    public List<Queued> end() {
        List<Queued> q = queue;
        queue = null;
        error = false;
        return q;
    }

    void queue(CommandSpec spec, byte[][] argv) {
        queue.add(new Queued(spec, argv));
    }

    /** Whether a queued command writes (Redis's mstate.cmd_flags & CMD_WRITE, for EXEC's MISCONF check). */
    boolean queuedWrite() {
        if (queue == null) return false;
        for (Queued q : queue) if (q.spec().is(CommandFlags.WRITE)) return true;
        return false;
    }

    /** Commands queued so far; -1 outside MULTI (CLIENT LIST's "multi" field). */
    public int queuedCount() {
        return queue == null ? -1 : queue.size();
    }

    /** A command was refused while queuing: EXEC must answer EXECABORT. */
    void flagError() {
        if (queue != null) error = true;
    }

    public boolean hasError() {
        return error;
    }

    public void watch(int db, byte[] key, boolean expiredNow) {
        for (WatchedKey w : watched) if (w.db() == db && Arrays.equals(w.key(), key)) return;
        watched.add(new WatchedKey(db, key, expiredNow));
        keyspace.watch(db, key, this);
    }

    public void unwatchAll() {
        for (WatchedKey w : watched) keyspace.unwatch(w.db(), w.key(), this);
        watched.clear();
        watchedKeyChanged = false;
    }

    public int watchedCount() {
        return watched.size();
    }

    /**
     * True when a WATCHed key changed, or has expired since it was watched (Redis's
     * isWatchedKeyExpired: an expiry counts as a change even before anything deleted the key).
     */
    public boolean watchedKeysDirty() {
        if (watchedKeyChanged) return true;
        for (WatchedKey w : watched) {
            if (!w.expiredWhenWatched() && keyspace.db(w.db()).isLogicallyExpired(w.key())) return true;
        }
        return false;
    }

    @Override
    public void watchedKeyChanged() {
        watchedKeyChanged = true;
    }
}
