package dev.ferry.server;

import dev.ferry.archive.Bootstrap;
import dev.ferry.engine.DatasetLoader;
import dev.ferry.engine.Persistence;
import dev.ferry.engine.ServerContext;
import dev.ferry.rdb.RdbAux;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Loads {@code dir/dbfilename} at start-up, as Redis's loadDataFromDisk does, without stopping the executing
 * loop: {@link DatasetLoader} reads and decodes the file on a worker thread into tables that nothing else sees,
 * and when the whole file is in, the loop installs them in one turn. Meanwhile clients are served, a command that needs the data gets Redis's -LOADING
 * error, INFO shows the progress and readiness stays DOWN.
 *
 * <p>Keys already expired are dropped, as a master drops them. A file that cannot be read (corrupt, truncated,
 * a type Ferry cannot hold, a database index past {@code databases}, a key twice) stops the start-up with the
 * reason and the offset, and the file is left as it is: starting empty would let the next save overwrite the
 * only copy.
 */
final class StartupLoader {
    private static final Logger LOG = Logger.getLogger(StartupLoader.class);

    private final ServerContext ctx;
    private final Path file;
    private final IntConsumer fail;
    private final Runnable loaded;

    /** fail receives the exit code when the file cannot be loaded; loaded runs once the dataset is in (or none). */
    StartupLoader(ServerContext ctx, Path file, IntConsumer fail, Runnable loaded) {
        this.ctx = ctx;
        this.file = file;
        this.fail = fail;
        this.loaded = loaded;
    }

    /**
     * Starts loading when the file exists (on the executing loop); else, with an archive, bootstraps from it; false
     * when there is nothing to load. Either way, the replication links hear when the dataset is in (a replica then
     * connects to its master, with the loaded snapshot's replid and offset).
     */
    boolean start(Bootstrap bootstrap) throws IOException {
        if (Files.isRegularFile(file)) {
            load(file, new Bootstrap.LoadOutcome() {
                @Override
                public void loaded(RdbAux aux, Consumer<RdbAux> resume) {
                    resume.accept(aux);
                }

                @Override
                public void failed(Exception e, boolean format) {
                    if (format) {
                        LOG.errorf("Cannot load %s: %s. The file is left as it is; Ferry does not start on a snapshot it cannot read.",
                            file, e.getMessage());
                    } else {
                        LOG.errorf(e, "Cannot load %s: %s. The file is left as it is.", file, e.getMessage());
                    }
                    fail.accept(1);
                }
            });
            return true;
        }
        if (bootstrap != null) {
            // -LOADING for commands and readiness DOWN until the archive's snapshot is in (or the start is empty)
            ctx.persistence().loadingStarted(0);
            bootstrap.start();
            return true;
        }
        ctx.replicationLinks().loadedAtStartup(null);
        loaded.run();
        return false;
    }

    /** Starts with no data: no snapshot anywhere, or the archive gave none and that is allowed. */
    void startEmpty() {
        ctx.persistence().loadingFinished(0, 0);
        ctx.replicationLinks().loadedAtStartup(null);
        loaded.run();
    }

    /** Loads a snapshot file into the empty keyspace and tells the replication links where it resumes from. */
    void load(Path snapshot, Bootstrap.LoadOutcome outcome) {
        long size;
        try {
            size = Files.size(snapshot);
        } catch (IOException e) {
            outcome.failed(e, false);
            return;
        }
        load(DatasetLoader.Source.of(snapshot), size, outcome);
    }

    /** The same from any source of size bytes (an archived snapshot read as it downloads). */
    void load(DatasetLoader.Source snapshot, long size, Bootstrap.LoadOutcome outcome) {
        Persistence p = ctx.persistence();
        p.loadingStarted(size);
        DatasetLoader.start(ctx, snapshot, ctx.keyspace().ownsExpiry(), p::loadingProgress, new DatasetLoader.Done() {
            @Override
            public void loaded(DatasetLoader.Loaded l) {
                if (!DatasetLoader.install(ctx.keyspace(), l, false)) {
                    LOG.errorf("Cannot load %s: a database was written to during the load. The file is left as it is.", snapshot);
                    fail.accept(1);
                    return;
                }
                LOG.infof("Done loading RDB (written by redis-ver %s), keys loaded: %d, keys expired: %d.",
                    l.redisVer() == null ? "unknown" : l.redisVer(), l.keysLoaded(), l.keysExpired());
                LOG.infof("DB loaded from disk: %s", DatasetLoader.rate(l));
                // still loading (clients get -LOADING) while a bootstrap replays the archived stream after the snapshot
                outcome.loaded(l.aux(), aux -> {
                    p.loadingFinished(l.keysLoaded(), l.keysExpired());
                    ctx.replicationLinks().loadedAtStartup(aux);
                    loaded.run();
                });
            }

            @Override
            public void failed(Exception e, boolean format) {
                outcome.failed(e, format);
            }
        });
    }
}
