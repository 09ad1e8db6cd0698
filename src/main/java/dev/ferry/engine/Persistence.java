package dev.ferry.engine;

import dev.ferry.engine.info.InfoSection;
import dev.ferry.engine.info.InfoWriter;
import dev.ferry.store.Keyspace;

/**
 * The state of saving the dataset (LASTSAVE, INFO persistence). Ferry does not save yet, so INFO shows
 * what Redis shows before its first save, which is true of Ferry: nothing saved, nothing failed, no AOF.
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

    Persistence(Keyspace keyspace) {
        this.keyspace = keyspace;
    }

    public long lastSaveMillis() {
        return lastSaveMillis;
    }

    @Override
    public void write(InfoWriter out) {
        out.field("loading", 0);
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
        out.field("rdb_last_load_keys_expired", 0);
        out.field("rdb_last_load_keys_loaded", 0);
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
    }
}
