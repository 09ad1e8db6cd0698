package dev.ferry.engine;

import dev.ferry.engine.info.InfoSection;
import dev.ferry.engine.info.InfoWriter;
import dev.ferry.store.Keyspace;

/**
 * The state of saving and loading the dataset (LASTSAVE, INFO persistence). Ferry does not save yet, so INFO
 * shows what Redis shows before its first save, which is true of Ferry: nothing saved, nothing failed, no AOF;
 * the start-up load of a snapshot shows as Redis shows it (loading, loading_*, rdb_last_load_keys_*).
 * The snapshot issue makes this the owner of BGSAVE's progress and outcome.
 */
public final class Persistence implements InfoSection {
    private final Keyspace keyspace;
    /** Unix ms of the last successful save (LASTSAVE, rdb_last_save_time); the start time until a save. */
    private final long lastSaveMillis = System.currentTimeMillis();
    /** The keyspace's dirty counter at the last save (rdb_changes_since_last_save = dirty - this). */
    private final long dirtyAtLastSave = 0;
    /** Background saves completed, and whether the last one failed (none yet: Redis's initial "ok"). */
    private final long rdbSaves = 0;
    private final boolean lastBgsaveFailed = false;
    private final boolean aofEnabled = false;
    /** The start-up load: written on the executing loop, except the bytes read (the loader's thread). */
    private volatile boolean loading;
    private volatile long loadingStartMillis, loadingTotalBytes, loadingLoadedBytes;
    private long lastLoadKeysLoaded, lastLoadKeysExpired;

    Persistence(Keyspace keyspace) {
        this.keyspace = keyspace;
    }

    public long lastSaveMillis() {
        return lastSaveMillis;
    }

    /** True while the snapshot loads at start-up: commands without the loading flag get -LOADING. */
    public boolean loading() {
        return loading;
    }

    public void loadingStarted(long totalBytes) {
        loadingStartMillis = System.currentTimeMillis();
        loadingTotalBytes = totalBytes;
        loadingLoadedBytes = 0;
        loading = true;
    }

    /** From the loader's thread. */
    public void loadingProgress(long loadedBytes) {
        loadingLoadedBytes = loadedBytes;
    }

    public void loadingFinished(long keysLoaded, long keysExpired) {
        lastLoadKeysLoaded = keysLoaded;
        lastLoadKeysExpired = keysExpired;
        loading = false;
    }

    @Override
    public void write(InfoWriter out) {
        boolean loadingNow = loading;
        out.field("loading", loadingNow ? 1 : 0);
        out.field("async_loading", 0);
        out.field("current_cow_peak", 0);
        out.field("current_cow_size", 0);
        out.field("current_cow_size_age", 0);
        out.field("current_fork_perc", "0.00");
        out.field("current_save_keys_processed", 0);
        out.field("current_save_keys_total", 0);
        out.field("rdb_changes_since_last_save", keyspace.dirty() - dirtyAtLastSave);
        out.field("rdb_bgsave_in_progress", 0);
        out.field("rdb_last_save_time", lastSaveMillis / 1000);
        out.field("rdb_last_bgsave_status", lastBgsaveFailed ? "err" : "ok");
        out.field("rdb_last_bgsave_time_sec", -1);
        out.field("rdb_current_bgsave_time_sec", -1);
        out.field("rdb_saves", rdbSaves);
        out.field("rdb_last_cow_size", 0);
        out.field("rdb_last_load_keys_expired", lastLoadKeysExpired);
        out.field("rdb_last_load_keys_loaded", lastLoadKeysLoaded);
        out.field("aof_enabled", aofEnabled ? 1 : 0);
        out.field("aof_rewrite_in_progress", 0);
        out.field("aof_rewrite_scheduled", 0);
        out.field("aof_last_rewrite_time_sec", -1);
        out.field("aof_current_rewrite_time_sec", -1);
        out.field("aof_last_bgrewrite_status", "ok");
        out.field("aof_rewrites", 0);
        out.field("aof_rewrites_consecutive_failures", 0);
        out.field("aof_last_write_status", "ok");
        out.field("aof_last_cow_size", 0);
        out.field("module_fork_in_progress", 0);
        out.field("module_fork_last_cow_size", 0);
        if (loadingNow) {
            // Redis's fields of a load in progress, after the others
            long total = loadingTotalBytes, done = loadingLoadedBytes;
            long elapsed = Math.max(1, System.currentTimeMillis() - loadingStartMillis);
            double perc = total > 0 ? 100.0 * done / total : 0;
            long eta = done > 0 ? (long) ((total - done) * (elapsed / 1000.0) / done) : 1;
            out.field("loading_start_time", loadingStartMillis / 1000);
            out.field("loading_total_bytes", total);
            out.field("loading_rdb_used_mem", 0);
            out.field("loading_loaded_bytes", done);
            out.field("loading_loaded_perc", String.format(java.util.Locale.ROOT, "%.2f", perc));
            out.field("loading_eta_seconds", eta);
        }
    }
}
