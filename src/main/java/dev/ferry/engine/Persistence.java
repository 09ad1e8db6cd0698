package dev.ferry.engine;

import dev.ferry.engine.config.ServerSettings;
import dev.ferry.engine.info.InfoSection;
import dev.ferry.engine.info.InfoWriter;
import dev.ferry.rdb.RdbFileWriter;
import dev.ferry.rdb.RdbReader;
import dev.ferry.rdb.RdbValueBuilder;
import dev.ferry.snapshot.FileSink;
import dev.ferry.snapshot.Snapshot;
import dev.ferry.snapshot.SnapshotSink;
import dev.ferry.store.Keyspace;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Saving and loading the dataset: BGSAVE and SAVE (one snapshot at a time, as Redis allows one RDB child), the
 * save points checked by the cron, BGSAVE SCHEDULE, LASTSAVE, the MISCONF state after a failed save, and INFO
 * persistence; the start-up load reports its progress here too (loading, loading_*, rdb_last_load_keys_*).
 * Runs on the executing loop; a snapshot's writer thread only reports back through the loop.
 */
public final class Persistence implements InfoSection {
    private static final Logger LOG = Logger.getLogger(Persistence.class);
    /** CONFIG_BGSAVE_RETRY_DELAY: after a failed BGSAVE, a save point triggers again only this much later. */
    private static final long RETRY_DELAY_MILLIS = 5000;

    /** SAVE's reply, written by the client's own code once the snapshot has ended. */
    public interface SaveWaiter extends Consumer<Snapshot.Result> {}

    /** Hears the end of every background save (a full resync waits for one), on the loop. */
    public interface SaveListener {
        void saved(Snapshot.Result result, Path file, RdbFileWriter.Aux aux);

        /** On the executing loop, in the turn a snapshot of a file begins: aux holds the position it is taken at. */
        default void started(RdbFileWriter.Aux aux) {}
    }

    private final ServerContext ctx;
    private final Keyspace keyspace;
    private final ServerSettings settings;
    /** Unix ms of the last successful save (LASTSAVE, rdb_last_save_time); the start time until a save. */
    private volatile long lastSaveMillis = System.currentTimeMillis();
    /** The keyspace's dirty counter when the last successful save began (rdb_changes_since_last_save). */
    private long dirtyAtLastSave;
    private long dirtyAtStart;
    private long rdbSaves;
    private volatile boolean lastBgsaveOk = true;
    private long lastBgsaveTryMillis;
    private volatile long lastBgsaveSeconds = -1;
    private long lastExtraBytes;
    private boolean scheduled;
    private volatile Snapshot running;
    /**
     * The running background save's file and replication position (what a full resync can attach to); the file
     * is null for a snapshot that goes elsewhere (a diskless full resync).
     */
    private Path runningFile;
    private RdbFileWriter.Aux runningAux;
    private final List<SaveListener> saveListeners = new ArrayList<>();
    private final List<SaveWaiter> waiters = new ArrayList<>();
    /** The start-up load: written on the executing loop, except the bytes read (the loader's thread). */
    private volatile boolean loading;
    private volatile long loadingStartMillis, loadingTotalBytes, loadingLoadedBytes;
    private long lastLoadKeysLoaded, lastLoadKeysExpired;

    Persistence(ServerContext ctx) {
        this.ctx = ctx;
        this.keyspace = ctx.keyspace();
        this.settings = ctx.settings();
    }

    public long lastSaveMillis() {
        return lastSaveMillis;
    }

    public boolean saving() {
        return running != null;
    }

    /** The replication id and offset of the running background save's dataset; null when none runs. */
    public RdbFileWriter.Aux runningAux() {
        return running == null ? null : runningAux;
    }

    /** True while the running snapshot is a save to the snapshot file (not a diskless transfer). */
    public boolean savingToDisk() {
        return running != null && runningFile != null;
    }

    public void addSaveListener(SaveListener l) {
        saveListeners.add(l);
    }

    // ---- read by the metrics on another thread ---------------------------------------------------------

    public boolean lastSaveOk() {
        return lastBgsaveOk;
    }

    public long lastSaveSeconds() {
        return lastBgsaveSeconds;
    }

    /** Writes since the last successful save began (INFO rdb_changes_since_last_save). */
    public long changesSinceLastSave() {
        return keyspace.dirty() - dirtyAtLastSave;
    }

    /** Percent of the keys the running snapshot has written; -1 when none runs. */
    public double savePercent() {
        Snapshot s = running;
        if (s == null) return -1;
        return s.totalKeys() == 0 ? 100 : 100.0 * s.keysWritten() / s.totalKeys();
    }

    /** Bytes the running snapshot has written so far; 0 when none runs. */
    public long saveBytes() {
        Snapshot s = running;
        return s == null ? 0 : s.bytesWritten();
    }

    /** Percent of the start-up file loaded; -1 when not loading. */
    public double loadPercent() {
        if (!loading) return -1;
        long total = loadingTotalBytes;
        return total > 0 ? 100.0 * loadingLoadedBytes / total : 0;
    }

    // ---- saving ----------------------------------------------------------------------------------------

    /** The snapshot file: ferry.dir/dbfilename, as they are now (CONFIG SET dir moves the next save). */
    public Path snapshotFile() {
        return Path.of(settings.dir).resolve(settings.dbfilename);
    }

    /**
     * Starts a background save to the snapshot file (BGSAVE, the save points); false when one is running
     * already. The reply words are the caller's.
     */
    public boolean startBackgroundSave(String why) {
        return startBackgroundSave(why, false);
    }

    /**
     * As {@link #startBackgroundSave(String)}; waitedFor when a replica or a SAVE waits for this snapshot: its
     * writer then runs at bgsave-nice from the start, never under SCHED_IDLE (bgsave-idle-limit), which on a busy
     * machine would hold them back for as long as the limit.
     */
    public boolean startBackgroundSave(String why, boolean waitedFor) {
        if (running != null) return false;
        scheduled = false;
        Path file = snapshotFile();
        LOG.infof("Background saving started (%s) to %s", why, file);
        start(new FileSink(file.getParent(), file.getFileName().toString()), file, waitedFor);
        return true;
    }

    /**
     * Starts a background snapshot into a sink that is not the snapshot file: a diskless full resync, Redis's
     * socket-target child. It takes the one snapshot slot (BGSAVE answers "already in progress", INFO says
     * rdb_bgsave_in_progress:1) and reports its duration and extra memory (rdb_last_bgsave_time_sec,
     * rdb_last_cow_size), but it saves nothing: LASTSAVE, rdb_changes_since_last_save, rdb_saves and
     * rdb_last_bgsave_status stay as they are, as Redis 7.0's backgroundSaveDoneHandlerSocket leaves them, and a
     * failed transfer never brings MISCONF. The save listeners hear its end with a null file. False when a
     * snapshot is running already.
     */
    public boolean startTransfer(String why, SnapshotSink sink) {
        if (running != null) return false;
        LOG.infof("Background RDB transfer started (%s) to %s", why, sink.describe());
        start(sink, null, true); // replicas wait for it
        return true;
    }

    /** BGSAVE SCHEDULE, or BGSAVE inside MULTI: the cron starts it as soon as no snapshot runs. */
    public void schedule() {
        scheduled = true;
    }

    /** SAVE: a save whose end the waiter hears (on the loop); false when a snapshot is running already. */
    public boolean save(SaveWaiter waiter) {
        if (!startBackgroundSave("SAVE", true)) return false;
        waiters.add(waiter);
        return true;
    }

    /**
     * A save done before this call returns, on this thread (SAVE inside MULTI, DEBUG RELOAD, the save at
     * shutdown): the loop stands still meanwhile, as Redis does for its foreground save.
     */
    public Snapshot.Result saveNow() {
        if (running != null) return new Snapshot.Result("a background save is in progress", 0, 0, 0, 0);
        Path file = snapshotFile();
        long dirty = keyspace.dirty();
        lastBgsaveTryMillis = System.currentTimeMillis();
        rdbSaves++;
        Snapshot.Result r = Snapshot.saveHere(keyspace, aux(), options(0),
            new FileSink(file.getParent(), file.getFileName().toString()));
        dirtyAtStart = dirty;
        recordOutcome(r);
        return r;
    }

    /**
     * DEBUG RELOAD: save (unless NOSAVE), empty the dataset (unless NOFLUSH), load the file back, on this
     * thread. Returns the error reply, or null.
     */
    public String reload(boolean save, boolean flush, boolean replaceDuplicates) {
        if (save && !saveNow().ok()) return "ERR";
        if (flush) keyspace.flushAll();
        keyspace.tick();
        KeyLoader keys = new KeyLoader(keyspace, replaceDuplicates);
        Path file = snapshotFile();
        try (RdbReader reader = RdbReader.open(file)) {
            reader.read(new RdbValueBuilder(settings.loadLimits(), (db, key, expireAtMs, idle, freq, value) -> {
                String error = keys.add(db, key, expireAtMs, idle, value);
                if (error != null) throw new IOException(error);
            }));
        } catch (IOException | RuntimeException e) {
            LOG.errorf("DEBUG RELOAD could not load %s: %s", file, e.getMessage());
            return "ERR Error trying to load the RDB dump, check server logs.";
        }
        LOG.warnf("DB reloaded by DEBUG RELOAD: %d keys loaded, %d expired", keys.loaded(), keys.expired());
        return null;
    }

    /** Stops a running background save (SHUTDOWN, FLUSHALL in Redis kills its child; Ferry need not). */
    public void cancelBackgroundSave() {
        Snapshot s = running;
        if (s == null) return;
        LOG.warn("Killing the running background save");
        running = null;
        RdbFileWriter.Aux aux = runningAux;
        Path file = runningFile;
        runningAux = null;
        runningFile = null;
        s.cancel();
        failWaiters("the save was cancelled");
        Snapshot.Result cancelled = new Snapshot.Result("the save was cancelled", 0, 0, 0, 0);
        for (SaveListener l : new ArrayList<>(saveListeners)) l.saved(cancelled, file, aux);
    }

    private void failWaiters(String why) {
        List<SaveWaiter> w = new ArrayList<>(waiters);
        waiters.clear();
        for (SaveWaiter x : w) x.accept(new Snapshot.Result(why, 0, 0, 0, 0));
    }

    /** Starts a snapshot into sink; file is the snapshot file it saves, or null for a transfer. */
    private void start(SnapshotSink sink, Path file, boolean waitedFor) {
        if (file != null) {
            dirtyAtStart = keyspace.dirty();
            lastBgsaveTryMillis = System.currentTimeMillis();
            rdbSaves++;
        }
        Snapshot.Loop loop = new Snapshot.Loop() {
            @Override
            public void runSoon(Runnable task) {
                ctx.executor().runOnContext(v -> task.run());
            }

            @Override
            public void runAfter(long millis, Runnable task) {
                ctx.vertx().setTimer(millis, id -> ctx.executor().runOnContext(v -> task.run()));
            }

            @Override
            public long commandsExecuted() {
                return ctx.stats().commandsProcessed;
            }
        };
        Snapshot[] self = new Snapshot[1];
        RdbFileWriter.Aux aux = aux();
        long idleLimit = waitedFor ? 0 : settings.bgsaveIdleLimitMillis;
        running = self[0] = Snapshot.start(keyspace, aux, options(idleLimit), sink, loop,
            r -> finished(self[0], r, file, aux));
        runningAux = aux;
        runningFile = file;
        if (file != null) for (SaveListener l : new ArrayList<>(saveListeners)) l.started(aux);
    }

    private Snapshot.Options options(long idleLimitMillis) {
        return new Snapshot.Options(settings.rdbcompression, settings.rdbchecksum, settings.bgsaveNice, idleLimitMillis);
    }

    private RdbFileWriter.Aux aux() {
        ReplicationStream repl = ctx.replication();
        return new RdbFileWriter.Aux(ServerContext.REDIS_VERSION, System.currentTimeMillis() / 1000,
            Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory(), repl.replId(), repl.offset(),
            repl.streamDb());
    }

    private void finished(Snapshot s, Snapshot.Result r, Path file, RdbFileWriter.Aux aux) {
        if (s != running) return;  // cancelled: its end was recorded then
        running = null;
        runningAux = null;
        runningFile = null;
        if (file == null) {
            recordTransfer(r);
        } else {
            recordOutcome(r);
            if (r.ok()) LOG.info("Background saving terminated with success");
        }
        List<SaveWaiter> w = new ArrayList<>(waiters);
        waiters.clear();
        for (SaveWaiter x : w) x.accept(r);
        for (SaveListener l : new ArrayList<>(saveListeners)) l.saved(r, file, aux);
    }

    /** A transfer's end: its duration and extra memory, nothing about saves (see {@link #startTransfer}). */
    private void recordTransfer(Snapshot.Result r) {
        lastBgsaveSeconds = r.millis() / 1000;
        lastExtraBytes = r.peakExtraBytes();
        if (r.ok()) {
            LOG.infof("Background RDB transfer terminated with success: %d keys, %.1f MB in %.2f s", r.keys(),
                r.bytes() / 1e6, r.millis() / 1000.0);
        } else {
            LOG.warnf("Background transfer error: %s", r.error());
        }
    }

    private void recordOutcome(Snapshot.Result r) {
        lastBgsaveSeconds = r.millis() / 1000;
        lastExtraBytes = r.peakExtraBytes();
        if (r.ok()) {
            lastBgsaveOk = true;
            lastSaveMillis = System.currentTimeMillis();
            dirtyAtLastSave = dirtyAtStart;
            LOG.infof("DB saved on disk: %d keys, %.1f MB in %.2f s", r.keys(), r.bytes() / 1e6, r.millis() / 1000.0);
        } else {
            lastBgsaveOk = false;
            LOG.errorf("Background saving error: %s", r.error());
        }
    }

    /**
     * The cron's part (serverCron): a scheduled BGSAVE, else the first save point that is due (enough changes,
     * old enough, and not right after a failure).
     */
    public void cron() {
        if (running != null) return;
        long now = System.currentTimeMillis();
        if (scheduled) {
            startBackgroundSave("scheduled");
            return;
        }
        long[] points = settings.savePoints;
        long changes = keyspace.dirty() - dirtyAtLastSave;
        for (int i = 0; i + 1 < points.length; i += 2) {
            long seconds = points[i], needed = points[i + 1];
            if (changes >= needed && now - lastSaveMillis > seconds * 1000
                && (lastBgsaveOk || now - lastBgsaveTryMillis > RETRY_DELAY_MILLIS)) {
                startBackgroundSave(changes + " changes in " + seconds + " seconds");
                return;
            }
        }
    }

    /**
     * Redis's writeCommandsDeniedByDiskError for RDB: writes (and PING) are refused with MISCONF while the last
     * background save failed, save points are set and stop-writes-on-bgsave-error is on.
     */
    public boolean writesDenied() {
        return !lastBgsaveOk && settings.stopWritesOnBgsaveError && settings.savePoints.length > 0;
    }

    // ---- loading -----------------------------------------------------------------------------------------

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
        Snapshot s = running;
        out.field("loading", loadingNow ? 1 : 0);
        out.field("async_loading", 0);
        // Ferry does not fork: no copy-on-write. The snapshot's extra memory (captured values waiting for the
        // writer) is reported as rdb_last_cow_size.
        out.field("current_cow_peak", 0);
        out.field("current_cow_size", 0);
        out.field("current_cow_size_age", 0);
        out.field("current_fork_perc", "0.00");
        out.field("current_save_keys_processed", s == null ? 0 : s.keysWritten());
        out.field("current_save_keys_total", s == null ? 0 : s.totalKeys());
        out.field("rdb_changes_since_last_save", changesSinceLastSave());
        out.field("rdb_bgsave_in_progress", s == null ? 0 : 1);
        out.field("rdb_last_save_time", lastSaveMillis / 1000);
        out.field("rdb_last_bgsave_status", lastBgsaveOk ? "ok" : "err");
        out.field("rdb_last_bgsave_time_sec", lastBgsaveSeconds);
        out.field("rdb_current_bgsave_time_sec", s == null ? -1 : (System.currentTimeMillis() - s.startMillis()) / 1000);
        out.field("rdb_saves", rdbSaves);
        out.field("rdb_last_cow_size", lastExtraBytes);
        out.field("rdb_last_load_keys_expired", lastLoadKeysExpired);
        out.field("rdb_last_load_keys_loaded", lastLoadKeysLoaded);
        out.field("aof_enabled", 0);
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
