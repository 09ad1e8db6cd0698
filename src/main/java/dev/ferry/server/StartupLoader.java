package dev.ferry.server;

import dev.ferry.engine.Persistence;
import dev.ferry.engine.ServerContext;
import dev.ferry.rdb.RdbFormatException;
import dev.ferry.rdb.RdbReader;
import dev.ferry.rdb.RdbValueBuilder;
import dev.ferry.store.Keyspace;
import dev.ferry.store.LoadedDatabase;
import dev.ferry.store.Value;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntConsumer;

/**
 * Loads {@code dir/dbfilename} at start-up, as Redis's loadDataFromDisk does, without stopping the executing
 * loop: a worker thread reads and decodes the file (checksums, LZF, values) into tables of its own
 * ({@link LoadedDatabase}, one per database) that nothing else sees, and when the whole file is in, the loop
 * installs them in one turn. Meanwhile clients are served, a command that needs the data gets Redis's -LOADING
 * error, INFO shows the progress and readiness stays DOWN.
 *
 * <p>Keys already expired are dropped, as a master drops them. A file that cannot be read (corrupt, truncated,
 * a type Ferry cannot hold, a database index past {@code databases}, a key twice) stops the start-up with the
 * reason and the offset, and the file is left as it is: starting empty would let the next save overwrite the
 * only copy.
 */
final class StartupLoader {
    private static final Logger LOG = Logger.getLogger(StartupLoader.class);
    private static final long PROGRESS_EVERY_NANOS = 2_000_000_000L;

    private final ServerContext ctx;
    private final Path file;
    private final IntConsumer fail;
    /** Built by the reader thread; handed to the loop when the file is in. */
    private final LoadedDatabase[] dbs;
    private long keysLoaded, keysExpired;

    /** fail receives the exit code when the file cannot be loaded. */
    StartupLoader(ServerContext ctx, Path file, IntConsumer fail) {
        this.ctx = ctx;
        this.file = file;
        this.fail = fail;
        this.dbs = new LoadedDatabase[ctx.keyspace().databases()];
    }

    /** Starts loading when the file exists (on the executing loop); false when there is nothing to load. */
    boolean start() throws IOException {
        if (!Files.isRegularFile(file)) return false;
        long total = Files.size(file);
        ctx.persistence().loadingStarted(total);
        RdbValueBuilder.Limits limits = ctx.settings().loadLimits();
        // expiry is judged against the time the load began, as Redis judges it against its start
        long now = System.currentTimeMillis();
        boolean dropExpired = ctx.keyspace().ownsExpiry();
        Thread worker = new Thread(() -> read(limits, now, dropExpired), "ferry-rdb-loader");
        worker.setDaemon(true);
        worker.start();
        return true;
    }

    private void read(RdbValueBuilder.Limits limits, long now, boolean dropExpired) {
        long started = System.nanoTime();
        long[] lastLog = {started};
        Persistence p = ctx.persistence();
        try (RdbReader reader = RdbReader.open(file)) {
            LOG.infof("Loading RDB from %s (%.1f MB)", file, reader.total() / 1e6);
            long fileBytes = reader.total();
            RdbValueBuilder builder = new RdbValueBuilder(limits, new RdbValueBuilder.Sink() {
                @Override
                public void value(long db, byte[] key, long expireAtMs, long idle, int freq, Value value) throws IOException {
                    if (expireAtMs >= 0 && expireAtMs < now && dropExpired) {
                        keysExpired++;
                        return;
                    }
                    if (!database(db, reader).add(key, value, expireAtMs, idle)) {
                        throw new RdbFormatException("key '" + RdbFormatException.printable(key) + "' appears twice in database " + db,
                            reader.position(), null);
                    }
                    keysLoaded++;
                }

                @Override
                public void resizeDb(long db, long keys) throws IOException {
                    // sizes the table once instead of growing it through every power of two; a key takes at
                    // least 3 bytes of the file, which bounds what the claim may allocate
                    database(db, reader).reserve(Math.min(keys, fileBytes / 3));
                }
            });
            builder.onProgress((bytesRead, total) -> {
                p.loadingProgress(bytesRead);
                long t = System.nanoTime();
                if (t - lastLog[0] >= PROGRESS_EVERY_NANOS) {
                    lastLog[0] = t;
                    double secs = (t - started) / 1e9;
                    LOG.infof("Loading RDB: %.0f%%, %.1f MB at %.1f MB/s, %d keys", total > 0 ? 100.0 * bytesRead / total : 0.0,
                        bytesRead / 1e6, bytesRead / 1e6 / Math.max(secs, 1e-9), keysLoaded);
                }
            });
            reader.read(builder);
            String version = reader.aux().redisVer();
            long bytes = reader.position();
            ctx.executor().runOnContext(v -> install(started, version, bytes));
        } catch (RdbFormatException e) {
            LOG.errorf("Cannot load %s: %s. The file is left as it is; Ferry does not start on a snapshot it cannot read.",
                file, e.getMessage());
            fail.accept(1);
        } catch (IOException | RuntimeException e) {
            LOG.errorf(e, "Cannot load %s: %s. The file is left as it is.", file, e.getMessage());
            fail.accept(1);
        }
    }

    /** The table of database db, made on first use; a database past {@code databases} stops the load. */
    private LoadedDatabase database(long db, RdbReader reader) throws RdbFormatException {
        if (db < 0 || db >= dbs.length) {
            throw new RdbFormatException("it holds database " + db + " and this server has " + dbs.length + " (databases)",
                reader.position(), null);
        }
        LoadedDatabase d = dbs[(int) db];
        if (d == null) d = dbs[(int) db] = new LoadedDatabase(System.currentTimeMillis());
        return d;
    }

    /** On the executing loop: every database's keys go in at once. */
    private void install(long started, String version, long bytes) {
        Keyspace ks = ctx.keyspace();
        for (int i = 0; i < dbs.length; i++) {
            if (dbs[i] != null && !ks.db(i).install(dbs[i])) {
                LOG.errorf("Cannot load %s: database %d was written to during the load. The file is left as it is.", file, i);
                fail.accept(1);
                return;
            }
        }
        double secs = (System.nanoTime() - started) / 1e9;
        ctx.persistence().loadingFinished(keysLoaded, keysExpired);
        LOG.infof("Done loading RDB (written by redis-ver %s), keys loaded: %d, keys expired: %d.",
            version == null ? "unknown" : version, keysLoaded, keysExpired);
        LOG.infof("DB loaded from disk: %.3f seconds, %.1f MB at %.1f MB/s", secs, bytes / 1e6,
            bytes / 1e6 / Math.max(secs, 1e-9));
    }
}
