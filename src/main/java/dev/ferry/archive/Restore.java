package dev.ferry.archive;

import dev.ferry.engine.DatasetLoader;
import dev.ferry.engine.ServerContext;
import org.jboss.logging.Logger;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Replaces a master's dataset with a snapshot, the local one or an archived one (POST
 * /api/v1/snapshots/{id}/restore). The snapshot is fetched and checked on a worker, loaded into tables of its own
 * while the server goes on serving the current data, and swapped in in one turn of the executing loop; writes made
 * meanwhile are discarded with the data they went to, as a replica's full resync discards them. Then a new
 * replication history starts and the replicas are dropped, so each takes a full resync of the restored data. A
 * replica is never restored: its data comes from its master.
 */
public final class Restore {
    private static final Logger LOG = Logger.getLogger(Restore.class);

    public enum State { IDLE, DOWNLOADING, LOADING, DONE, FAILED }

    /** What the admin API shows of the last restore. */
    public record Status(State state, String snapshot, String error, long startedMillis, long finishedMillis, long keysLoaded) { }

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
        State s = status.state();
        if (s == State.DOWNLOADING || s == State.LOADING) return "a restore of " + status.snapshot() + " is under way";
        if (ctx.replicationLinks().isReplica()) return "this server is a replica: its data comes from its master (REPLICAOF NO ONE first)";
        if (ctx.persistence().loading()) return "the server is loading its dataset";
        long started = System.currentTimeMillis();
        status = new Status(State.DOWNLOADING, id, null, started, 0, 0);
        LOG.warnf("Restore of the dataset from snapshot %s requested through the admin API", id);
        Path download = dir.resolve("restore.rdb");
        ctx.vertx().<String>executeBlocking(() -> archived == null ? null
            : SnapshotDownload.fetch(store, archived, download, "Restore", b -> { }), false).onComplete(ar -> {
            if (ar.failed() || ar.result() != null) {
                fail(id, started, ar.failed() ? "cannot download it: " + ar.cause().getMessage() : ar.result(), archived == null ? null : download);
                return;
            }
            Path file = archived == null ? localFile : download;
            status = new Status(State.LOADING, id, null, started, 0, 0);
            DatasetLoader.start(ctx, file, true, b -> { }, new DatasetLoader.Done() {
                @Override
                public void loaded(DatasetLoader.Loaded l) {
                    if (ctx.replicationLinks().isReplica()) {
                        fail(id, started, "this server became a replica during the restore", archived == null ? null : download);
                        return;
                    }
                    DatasetLoader.install(ctx.keyspace(), l, true);
                    ctx.replicationLinks().datasetReplaced();
                    status = new Status(State.DONE, id, null, started, System.currentTimeMillis(), l.keysLoaded());
                    LOG.warnf("Dataset restored from snapshot %s: %d keys (%s)", id, l.keysLoaded(), DatasetLoader.rate(l));
                    if (archived != null) removeLater(download);
                }

                @Override
                public void failed(Exception e, boolean format) {
                    fail(id, started, (format ? "the snapshot cannot be loaded: " : "cannot read it: ") + e.getMessage(),
                        archived == null ? null : download);
                }
            });
        });
        return null;
    }

    private void fail(String id, long started, String why, Path toRemove) {
        status = new Status(State.FAILED, id, why, started, System.currentTimeMillis(), 0);
        LOG.errorf("Restore from snapshot %s failed, the dataset is unchanged: %s", id, why);
        if (toRemove != null) removeLater(toRemove);
    }

    private void removeLater(Path file) {
        ctx.vertx().executeBlocking(() -> Files.deleteIfExists(file), false);
    }
}
