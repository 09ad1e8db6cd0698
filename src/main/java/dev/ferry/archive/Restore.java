package dev.ferry.archive;

import dev.ferry.engine.DatasetLoader;
import dev.ferry.engine.ServerContext;
import org.jboss.logging.Logger;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Replaces a master's dataset with a snapshot, the local one or an archived one (POST
 * /api/v1/snapshots/{id}/restore), or with the dataset as of a point of the archive (POST /api/v1/restore: the
 * archived snapshot before the point, then the archived stream after it replayed up to the point while clients get
 * -LOADING, as a point-in-time restore at start-up does). The snapshot is fetched and checked on a worker, loaded into tables of its own
 * while the server goes on serving the current data, and swapped in in one turn of the executing loop; writes made
 * meanwhile are discarded with the data they went to, as a replica's full resync discards them. Then a new
 * replication history starts and the replicas are dropped, so each takes a full resync of the restored data. A
 * replica is never restored: its data comes from its master.
 */
public final class Restore {
    private static final Logger LOG = Logger.getLogger(Restore.class);

    public enum State { IDLE, DOWNLOADING, LOADING, REPLAYING, DONE, FAILED }

    /**
     * What the admin API shows of the last restore: to is the point asked for (null for a snapshot's restore), reached
     * the replid:offset the replay reached (null until it ends).
     */
    public record Status(State state, String snapshot, String error, long startedMillis, long finishedMillis, long keysLoaded, String to,
                         String reached) {
        Status(State state, String snapshot, String error, long startedMillis, long finishedMillis, long keysLoaded) {
            this(state, snapshot, error, startedMillis, finishedMillis, keysLoaded, null, null);
        }
    }

    private final ServerContext ctx;
    private final Path dir;
    private volatile Status status = new Status(State.IDLE, null, null, 0, 0, 0);

    public Restore(ServerContext ctx, Path dir) {
        this.ctx = ctx;
        this.dir = dir;
    }

    public Status status() {
        return status;
    }

    /**
     * On the executing loop: starts restoring from an archived snapshot (archived non-null, from store) or from the
     * local snapshot file. Returns null when started, else why not (the caller answers 409).
     */
    public String start(String id, ArchivedSnapshot archived, ArchiveStore store, Path localFile) {
        String busy = refusal();
        if (busy != null) return busy;
        long started = System.currentTimeMillis();
        status = new Status(State.DOWNLOADING, id, null, started, 0, 0);
        LOG.warnf("Restore of the dataset from snapshot %s requested through the admin API", id);
        Path download = dir.resolve("restore.rdb");
        ctx.vertx().<String>executeBlocking(() -> archived == null ? null
            : SnapshotDownload.fetch(store, archived, download, "Restore", b -> { }), false).onComplete(ar -> {
            if (ar.failed() || ar.result() != null) {
                fail(id, started, ar.failed() ? "cannot download it: " + ar.cause().getMessage() : ar.result(), archived == null ? null : download,
                    null);
                return;
            }
            Path file = archived == null ? localFile : download;
            load(file, id, started, null, archived == null ? null : download, l -> {
                ctx.replicationLinks().datasetReplaced();
                status = new Status(State.DONE, id, null, started, System.currentTimeMillis(), l.keysLoaded());
                LOG.warnf("Dataset restored from snapshot %s: %d keys (%s)", id, l.keysLoaded(), DatasetLoader.rate(l));
            });
        });
        return null;
    }

    /**
     * On the executing loop: starts restoring the dataset as of target from the archive in store. Returns null when
     * started, else why not (the caller answers 409).
     */
    public String startToPoint(RestoreTarget target, ArchiveStore store) {
        String busy = refusal();
        if (busy != null) return busy;
        long started = System.currentTimeMillis();
        String to = target.toString();
        status = new Status(State.DOWNLOADING, null, null, started, 0, 0, to, null);
        LOG.warnf("Restore of the dataset as of %s requested through the admin API", to);
        Path download = dir.resolve("restore.rdb");
        ctx.vertx().<Chosen>executeBlocking(() -> {
            Manifest m = Manifest.read(store);
            ArchivedSnapshot s = m == null ? null : m.snapshots().stream()
                .filter(c -> target.byOffset() ? StreamPath.precedes(m, c, target.replId(), target.offset()) : target.after(c))
                .findFirst().orElse(null);
            if (s == null) return new Chosen(null, null, "the archive holds no snapshot at or before " + to);
            String failed = SnapshotDownload.fetch(store, s, download, "Restore", b -> { });
            return new Chosen(m, s, failed);
        }, false).onComplete(ar -> {
            if (ar.failed() || ar.result().error() != null) {
                String key = ar.succeeded() && ar.result().snapshot() != null ? ar.result().snapshot().key() : null;
                fail(key, started, ar.failed() ? "cannot read the archive: " + ar.cause().getMessage() : ar.result().error(), download, to);
                return;
            }
            Manifest m = ar.result().manifest();
            ArchivedSnapshot s = ar.result().snapshot();
            load(download, s.key(), started, to, download, l -> replayTo(target, store, m, s, l, started));
        });
        return null;
    }

    private record Chosen(Manifest manifest, ArchivedSnapshot snapshot, String error) { }

    /** The snapshot is in: the archived stream after it, up to the point, while clients get -LOADING. */
    private void replayTo(RestoreTarget target, ArchiveStore store, Manifest m, ArchivedSnapshot s, DatasetLoader.Loaded l, long started) {
        String to = target.toString();
        List<StreamPath.Leg> legs = s.replId() == null ? List.of()
            : StreamPath.from(m, s.replId(), s.offset(), target.byOffset() ? target.replId() : null);
        if (!StreamPath.replaysAfter(legs, s.offset())) {
            done(s, l, started, to, s.replId() + ":" + s.offset());
            return;
        }
        status = new Status(State.REPLAYING, s.key(), null, started, 0, l.keysLoaded(), to, null);
        ctx.persistence().loadingStarted(0);
        new StreamCatchUp(ctx, store, legs, target, (replId, offset, db) -> {
            ctx.persistence().loadingFinished(l.keysLoaded(), l.keysExpired());
            done(s, l, started, to, replId + ":" + offset);
        }).start(s.offset(), Math.max(0, l.aux().replStreamDb()));
    }

    private void done(ArchivedSnapshot s, DatasetLoader.Loaded l, long started, String to, String reached) {
        // a history of its own from here: the replicas take a full resync of the restored data
        ctx.replicationLinks().datasetReplaced();
        status = new Status(State.DONE, s.key(), null, started, System.currentTimeMillis(), l.keysLoaded(), to, reached);
        LOG.warnf("Dataset restored as of %s: snapshot %s and the archived stream up to %s (%d keys in the snapshot)", to, s.key(), reached,
            l.keysLoaded());
    }

    /** Why a restore cannot start now, or null. */
    private String refusal() {
        State s = status.state();
        if (s == State.DOWNLOADING || s == State.LOADING || s == State.REPLAYING) {
            return "a restore " + (status.to() != null ? "as of " + status.to() : "of " + status.snapshot()) + " is under way";
        }
        if (ctx.replicationLinks().isReplica()) return "this server is a replica: its data comes from its master (REPLICAOF NO ONE first)";
        if (ctx.persistence().loading()) return "the server is loading its dataset";
        return null;
    }

    /**
     * Loads file (the snapshot id) into tables of its own and swaps them in, unless this server became a replica
     * meanwhile; then installed goes on (file removed first when it is toRemove, a download). to is the point of a
     * restore to a point, null for a snapshot's.
     */
    private void load(Path file, String id, long started, String to, Path toRemove, java.util.function.Consumer<DatasetLoader.Loaded> installed) {
        status = new Status(State.LOADING, id, null, started, 0, 0, to, null);
        DatasetLoader.start(ctx, file, true, b -> { }, new DatasetLoader.Done() {
            @Override
            public void loaded(DatasetLoader.Loaded l) {
                if (ctx.replicationLinks().isReplica()) {
                    fail(id, started, "this server became a replica during the restore", toRemove, to);
                    return;
                }
                DatasetLoader.install(ctx.keyspace(), l, true);
                if (toRemove != null) removeLater(toRemove);
                installed.accept(l);
            }

            @Override
            public void failed(Exception e, boolean format) {
                fail(id, started, (format ? "the snapshot cannot be loaded: " : "cannot read it: ") + e.getMessage(), toRemove, to);
            }
        });
    }

    /** to: the point of a restore to a point, null for a snapshot's restore. */
    private void fail(String id, long started, String why, Path toRemove, String to) {
        status = new Status(State.FAILED, id, why, started, System.currentTimeMillis(), 0, to, null);
        LOG.errorf("Restore %s failed, the dataset is unchanged: %s", to != null ? "as of " + to : "from snapshot " + id, why);
        if (toRemove != null) removeLater(toRemove);
    }

    private void removeLater(Path file) {
        ctx.vertx().executeBlocking(() -> Files.deleteIfExists(file), false);
    }
}
