package dev.ferry.archive;

import dev.ferry.engine.ServerContext;
import dev.ferry.engine.info.InfoWriter;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A start on an empty disk with an archive: the newest archived snapshot is downloaded, checked and loaded, so
 * that a replica then PSYNCs from the snapshot's replid and offset (its master sends only the delta from its
 * backlog) and a master keeps its history as Redis does after a restart.
 *
 * <p>Never an accidental empty start: a manifest that cannot be read, an unreachable archive or snapshots that all
 * fail their checks keep the server loading (commands get -LOADING, readiness and the start-up probe stay DOWN)
 * and the bootstrap is retried with backoff, unless {@code ferry.archive.bootstrap-failure=empty}. A snapshot
 * whose size or CRC64 trailer differ from the manifest's, or that the loader refuses (its CRC64 over the whole
 * file is checked while loading), is skipped with a warning and the next older retained one is tried. An archive
 * with no manifest at all is a first start: the server starts empty and says so.
 *
 * <p>Downloads run on a worker thread; loading goes through the same loader as a local snapshot. The file is
 * downloaded beside {@code dbfilename} and renamed onto it once its checks pass: nothing else writes there while
 * the server is loading.
 */
public final class Bootstrap {
    private static final Logger LOG = Logger.getLogger(Bootstrap.class);

    /** Loads a snapshot file as the start-up load does; calls back on the executing loop. */
    public interface Loader {
        void load(Path file, LoadOutcome outcome);
    }

    public interface LoadOutcome {
        void loaded();

        /** format: the file is bad (try an older snapshot); else an I/O failure. */
        void failed(Exception e, boolean format);
    }

    public enum State { NONE, DOWNLOADING, LOADING, RETRYING, DONE, EMPTY }

    private final ServerContext ctx;
    private final ArchiveStore store;
    private final ArchiveSettings settings;
    private final Path target;
    private final Loader loader;
    /** Starts the server with no data (no snapshot anywhere, or bootstrap-failure=empty). */
    private final Runnable startEmpty;

    private volatile State state = State.NONE;
    private volatile String snapshotKey;
    private volatile long downloaded, downloadTotal;
    private volatile long startedMillis, finishedMillis;
    private volatile String lastError;
    private int attempts;

    public Bootstrap(ServerContext ctx, ArchiveStore store, ArchiveSettings settings, Path target, Loader loader, Runnable startEmpty) {
        this.ctx = ctx;
        this.store = store;
        this.settings = settings;
        this.target = target;
        this.loader = loader;
        this.startEmpty = startEmpty;
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
            if (m == null || m.snapshots().isEmpty()) {
                LOG.warnf("Bootstrap: the archive %s has no %s: a first start, with an empty dataset", store.describe(),
                    m == null ? "manifest" : "snapshot in its manifest");
                finish(State.EMPTY);
                startEmpty.run();
                return;
            }
            tryCandidate(m.snapshots(), 0);
        });
    }

    private Manifest readManifest() throws IOException {
        byte[] json = store.read(Manifest.KEY).orElse(null);
        return json == null ? null : Manifest.parse(json);
    }

    /** Downloads and checks snapshots[i] on a worker, then loads it; on a bad snapshot, the next older one. */
    private void tryCandidate(List<ArchivedSnapshot> snapshots, int i) {
        if (i >= snapshots.size()) {
            failed("none of the " + snapshots.size() + " archived snapshot(s) passed its checks");
            return;
        }
        ArchivedSnapshot s = snapshots.get(i);
        state = State.DOWNLOADING;
        snapshotKey = s.key();
        downloaded = 0;
        downloadTotal = s.bytes();
        ctx.vertx().<String>executeBlocking(() -> download(s), false).onComplete(ar -> {
            if (ar.failed()) {
                // the archive itself failed (not the snapshot): the whole bootstrap is retried
                failed("cannot download " + s.key() + ": " + message(ar.cause()));
                return;
            }
            if (ar.result() != null) {
                LOG.warnf("Bootstrap: skipping the archived snapshot %s: %s%s", s.key(), ar.result(),
                    i + 1 < snapshots.size() ? "; trying the previous one" : "");
                tryCandidate(snapshots, i + 1);
                return;
            }
            state = State.LOADING;
            loader.load(target, new LoadOutcome() {
                @Override
                public void loaded() {
                    finish(State.DONE);
                    LOG.infof("Bootstrap: loaded %s (replid %s, offset %d) from the archive in %.2f s", s.key(), s.replId(),
                        s.offset(), (finishedMillis - startedMillis) / 1000.0);
                }

                @Override
                public void failed(Exception e, boolean format) {
                    if (!format) {
                        Bootstrap.this.failed("cannot load " + s.key() + ": " + message(e));
                        return;
                    }
                    LOG.warnf("Bootstrap: the archived snapshot %s cannot be loaded: %s%s", s.key(), e.getMessage(),
                        i + 1 < snapshots.size() ? "; trying the previous one" : "");
                    ctx.vertx().executeBlocking(() -> Files.deleteIfExists(target), false)
                        .onComplete(x -> tryCandidate(snapshots, i + 1));
                }
            });
        });
    }

    /** On a worker: the snapshot in place as the target, or why it was refused; throws when the archive failed. */
    private String download(ArchivedSnapshot s) throws IOException {
        return SnapshotDownload.fetch(store, s, target, "Bootstrap", b -> downloaded = b);
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
