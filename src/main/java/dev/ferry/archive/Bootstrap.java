package dev.ferry.archive;

import dev.ferry.engine.DatasetLoader;
import dev.ferry.engine.ServerContext;
import dev.ferry.engine.info.InfoWriter;
import dev.ferry.rdb.RdbAux;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * A start on an empty disk with an archive: the newest archived snapshot is downloaded, checked and loaded, so
 * that a replica then PSYNCs from the snapshot's replid and offset (its master sends only the delta from its
 * backlog) and a master keeps its history as Redis does after a restart.
 *
 * <p>Never an accidental empty start: a manifest that cannot be read, an unreachable archive or snapshots that all
 * fail their checks keep the server loading (commands get -LOADING, readiness and the start-up probe stay DOWN)
 * and the bootstrap is retried with backoff, unless {@code ferry.archive.bootstrap-failure=empty}. A snapshot
 * that the loader refuses (its CRC64 over the whole file is checked while loading), or whose size, CRC64 trailer
 * or offset differ from the manifest's, is skipped with a warning and the next older retained one is tried. An archive
 * with no manifest at all is a first start: the server starts empty and says so.
 *
 * <p>When the archive holds the replication stream after the snapshot (see {@link StreamArchiver}), it is replayed
 * onto the snapshot before the replication links start ({@link StreamCatchUp}): a replica then PSYNCs from the
 * newest archived offset, and its master's backlog need only cover the last seconds.
 *
 * <p>The snapshot is loaded as it downloads, by the same loader as a local snapshot, on its thread; what it reads is
 * also written beside {@code dbfilename} and renamed onto it once its checks pass (nothing else writes there while
 * the server is loading), so a restart finds it on disk.
 */
public final class Bootstrap {
    private static final Logger LOG = Logger.getLogger(Bootstrap.class);

    /** Loads a snapshot of size bytes as the start-up load does; calls back on the executing loop. */
    public interface Loader {
        void load(DatasetLoader.Source source, long size, LoadOutcome outcome);
    }

    public interface LoadOutcome {
        /**
         * The snapshot is installed (the server still loading); resume takes the replication position to continue
         * from: the snapshot's aux, or where a replay of the archived stream after it ended.
         */
        void loaded(RdbAux aux, Consumer<RdbAux> resume);

        /** format: the file is bad (try an older snapshot); else an I/O failure. */
        void failed(Exception e, boolean format);
    }

    public enum State { NONE, DOWNLOADING, LOADING, REPLAYING, RETRYING, DONE, EMPTY }

    private final ServerContext ctx;
    private final ArchiveStore store;
    private final ArchiveSettings settings;
    private final Path target;
    private final Loader loader;
    /** Starts the server with no data (no snapshot anywhere, or bootstrap-failure=empty). */
    private final Runnable startEmpty;
    /** A point-in-time restore's point, or null: the newest snapshot and all the stream after it. */
    private final RestoreTarget restoreTo;

    private volatile State state = State.NONE;
    private volatile String snapshotKey;
    private volatile long downloaded, downloadTotal;
    private volatile long startedMillis, finishedMillis;
    private volatile String lastError;
    private int attempts;

    public Bootstrap(ServerContext ctx, ArchiveStore store, ArchiveSettings settings, Path target, Loader loader, Runnable startEmpty) {
        this(ctx, store, settings, target, loader, startEmpty, null);
    }

    /** A bootstrap that rebuilds the dataset as of restoreTo (ferry.archive.restore-to). */
    public Bootstrap(ServerContext ctx, ArchiveStore store, ArchiveSettings settings, Path target, Loader loader, Runnable startEmpty,
                     RestoreTarget restoreTo) {
        this.ctx = ctx;
        this.store = store;
        this.settings = settings;
        this.target = target;
        this.loader = loader;
        this.startEmpty = startEmpty;
        this.restoreTo = restoreTo;
    }

    /** On the executing loop, with the server marked as loading. */
    public void start() {
        startedMillis = System.currentTimeMillis();
        LOG.infof("Bootstrap: no local snapshot at %s; looking for one in the archive %s", target, store.describe());
        attempt();
    }

    private void attempt() {
        attempts++;
        state = State.DOWNLOADING;
        ctx.vertx().<Manifest>executeBlocking(this::readManifest, false).onComplete(ar -> {
            if (ar.failed()) {
                failed("cannot read the archive's manifest: " + message(ar.cause()));
                return;
            }
            Manifest m = ar.result();
            if (restoreTo != null) {
                List<ArchivedSnapshot> before = m == null ? List.of() : m.snapshots().stream()
                    .filter(s -> restoreTo.byOffset() ? StreamPath.precedes(m, s, restoreTo.replId(), restoreTo.offset()) : restoreTo.after(s))
                    .toList();
                if (before.isEmpty()) {
                    failed("the archive holds no snapshot at or before the restore point " + restoreTo);
                    return;
                }
                LOG.infof("Bootstrap: restoring the dataset as of %s", restoreTo);
                tryCandidate(m, before, 0);
                return;
            }
            if (m == null || m.snapshots().isEmpty()) {
                LOG.warnf("Bootstrap: the archive %s has no %s: a first start, with an empty dataset", store.describe(),
                    m == null ? "manifest" : "snapshot in its manifest");
                finish(State.EMPTY);
                startEmpty.run();
                return;
            }
            tryCandidate(m, m.snapshots(), 0);
        });
    }

    private Manifest readManifest() throws IOException {
        return Manifest.read(store);
    }

    /**
     * Loads snapshots[i] as it downloads (see {@link StreamedSnapshot}); on a snapshot that is bad or fails its
     * checks, the next older one.
     */
    private void tryCandidate(Manifest m, List<ArchivedSnapshot> snapshots, int i) {
        if (i >= snapshots.size()) {
            failed("none of the " + snapshots.size() + " archived snapshot(s) passed its checks");
            return;
        }
        ArchivedSnapshot s = snapshots.get(i);
        state = State.DOWNLOADING;
        snapshotKey = s.key();
        downloaded = 0;
        downloadTotal = s.bytes();
        var progress = new Archiver.ProgressLog("Bootstrap: downloading " + s.key(), System.nanoTime(), (b, t) -> downloaded = b);
        var source = new StreamedSnapshot(store, s, target, "Bootstrap", progress, () -> state = State.LOADING);
        loader.load(source, s.bytes(), new LoadOutcome() {
            @Override
            public void loaded(RdbAux aux, Consumer<RdbAux> resume) {
                String target = restoreTo != null && restoreTo.byOffset() ? restoreTo.replId() : null;
                List<StreamPath.Leg> legs = s.replId() == null ? List.of() : StreamPath.from(m, s.replId(), s.offset(), target);
                if (!StreamPath.replaysAfter(legs, s.offset())) {
                    if (restoreTo != null && restoreTo.byOffset() && restoreTo.offset() > s.offset()) {
                        LOG.warnf("Bootstrap: the archive holds no stream after %s: restored to its offset %d, not %s", s.key(),
                            s.offset(), restoreTo);
                    }
                    done(s, s.offset());
                    resume.accept(aux);
                    return;
                }
                // the stream archived after the snapshot, replayed before the master is asked for the rest
                state = State.REPLAYING;
                new StreamCatchUp(ctx, store, legs, restoreTo, (replId, offset, db) -> {
                    done(s, replId, offset);
                    resume.accept(aux.resumingAt(replId, offset, db));
                }).start(s.offset(), Math.max(0, aux.replStreamDb()));
            }

            @Override
            public void failed(Exception e, boolean format) {
                if (!format) {
                    // the archive or the disk failed (not the snapshot): the whole bootstrap is retried
                    Bootstrap.this.failed("cannot download and load " + s.key() + ": " + message(e));
                    return;
                }
                LOG.warnf("Bootstrap: skipping the archived snapshot %s: %s%s", s.key(), e.getMessage(),
                    i + 1 < snapshots.size() ? "; trying the previous one" : "");
                tryCandidate(m, snapshots, i + 1);
            }
        });
    }

    private void done(ArchivedSnapshot s, long offset) {
        done(s, s.replId(), offset);
    }

    private void done(ArchivedSnapshot s, String replId, long offset) {
        finish(State.DONE);
        if (restoreTo != null) {
            LOG.infof("Restored the dataset as of %s: snapshot %s and the archived stream up to offset %d of %s", restoreTo, s.key(),
                offset, replId);
            if (restoreTo.byOffset() && offset != restoreTo.offset()) {
                LOG.warnf("Restore: reached offset %d, not %s (the archived stream ends there, or a command spans the point)",
                    offset, restoreTo);
            }
        }
        LOG.infof("Bootstrap: loaded %s (replid %s, offset %d)%s from the archive in %.2f s", s.key(), s.replId(), s.offset(),
            offset == s.offset() ? "" : " and its archived stream up to offset " + offset, (finishedMillis - startedMillis) / 1000.0);
    }

    /** The archive cannot give a snapshot now: retry (bootstrap-failure=fail) or start empty (=empty). */
    private void failed(String why) {
        lastError = why;
        if (settings.bootstrapFailure() == ArchiveSettings.BootstrapFailure.EMPTY) {
            LOG.warnf("Bootstrap failed: %s. Starting with an empty dataset (ferry.archive.bootstrap-failure=empty)", why);
            finish(State.EMPTY);
            startEmpty.run();
            return;
        }
        state = State.RETRYING;
        long delay = Archiver.backoff(attempts);
        LOG.errorf("Bootstrap failed: %s. Not starting empty (ferry.archive.bootstrap-failure=fail): the server stays loading "
            + "and not ready; retrying in %.1f s", why, delay / 1000.0);
        ctx.vertx().setTimer(delay, id -> attempt());
    }

    private void finish(State end) {
        state = end;
        finishedMillis = System.currentTimeMillis();
    }

    private static String message(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** True once the bootstrap ended (loaded, or started empty); false before and while it runs. */
    public boolean finished() {
        State s = state;
        return s == State.DONE || s == State.EMPTY;
    }

    public State state() {
        return state;
    }

    public long durationMillis() {
        return finishedMillis == 0 ? 0 : finishedMillis - startedMillis;
    }

    /** Its fields in INFO # Archive. */
    public void write(InfoWriter out) {
        State s = state;
        out.field("bootstrap_state", s.name().toLowerCase(java.util.Locale.ROOT));
        if (s == State.NONE) return;
        String key = snapshotKey;
        if (key != null) out.field("bootstrap_snapshot", key);
        if (s == State.DOWNLOADING && downloadTotal > 0) {
            out.field("bootstrap_download_perc", String.format("%.2f", 100.0 * downloaded / downloadTotal));
        }
        out.field("bootstrap_attempts", attempts);
        if (finishedMillis != 0) out.field("bootstrap_duration_ms", finishedMillis - startedMillis);
        String err = lastError;
        if (err != null && s != State.DONE) out.field("bootstrap_last_error", err.replace('\n', ' '));
    }
}
