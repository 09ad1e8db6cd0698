package dev.ferry.server;

import dev.ferry.engine.KeyLoader;
import dev.ferry.engine.Persistence;
import dev.ferry.engine.ServerContext;
import dev.ferry.rdb.RdbFormatException;
import dev.ferry.rdb.RdbReader;
import dev.ferry.rdb.RdbValueBuilder;
import dev.ferry.store.Value;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.function.IntConsumer;

/**
 * Loads {@code dir/dbfilename} at start-up, as Redis's loadDataFromDisk does, without stopping the executing
 * loop: a worker thread reads and decodes the file (checksums, LZF, values) and hands the keys over in batches;
 * the loop adds them between its other work. Meanwhile clients are served, and a command that needs the data
 * gets Redis's -LOADING error; INFO shows the progress and readiness stays DOWN.
 *
 * <p>Keys already expired are dropped, as a master drops them. A file that cannot be read (corrupt, truncated,
 * a type Ferry cannot hold, a database index past {@code databases}) stops the start-up with the reason and the
 * offset, and the file is left as it is: starting empty would let the next save overwrite the only copy.
 */
final class StartupLoader {
    private static final Logger LOG = Logger.getLogger(StartupLoader.class);
    /** Keys per batch handed to the loop, and batches in flight: bounds what decoded-but-unadded keys hold. */
    private static final int BATCH_KEYS = 4096;
    private static final int BATCHES_IN_FLIGHT = 8;
    private static final long PROGRESS_EVERY_NANOS = 2_000_000_000L;

    private record Loaded(long db, byte[] key, long expireAtMs, long idle, Value value) {}

    private final ServerContext ctx;
    private final Path file;
    private final IntConsumer fail;
    private final Semaphore inFlight = new Semaphore(BATCHES_IN_FLIGHT);
    private List<Loaded> batch = new ArrayList<>(BATCH_KEYS);
    /** Used on the loop only. */
    private final KeyLoader keys;
    /** Set when the load failed: the batches still queued are dropped, the reader stops. */
    private volatile boolean failed;

    /** fail receives the exit code when the file cannot be loaded. */
    StartupLoader(ServerContext ctx, Path file, IntConsumer fail) {
        this.ctx = ctx;
        this.file = file;
        this.keys = new KeyLoader(ctx.keyspace(), false);
        this.fail = code -> {
            failed = true;
            fail.accept(code);
        };
    }

    /** Starts loading when the file exists (on the executing loop); false when there is nothing to load. */
    boolean start() throws IOException {
        if (!Files.isRegularFile(file)) return false;
        long total = Files.size(file);
        ctx.persistence().loadingStarted(total);
        RdbValueBuilder.Limits limits = ctx.settings().loadLimits();
        Thread worker = new Thread(() -> read(limits), "ferry-rdb-loader");
        worker.setDaemon(true);
        worker.start();
        return true;
    }

    private void read(RdbValueBuilder.Limits limits) {
        long started = System.nanoTime();
        long[] lastLog = {started};
        Persistence p = ctx.persistence();
        try (RdbReader reader = RdbReader.open(file)) {
            LOG.infof("Loading RDB from %s (%.1f MB)", file, reader.total() / 1e6);
            long fileBytes = reader.total();
            RdbValueBuilder builder = new RdbValueBuilder(limits, new RdbValueBuilder.Sink() {
                @Override
                public void value(long db, byte[] key, long expireAtMs, long idle, int freq, Value value) throws IOException {
                    add(new Loaded(db, key, expireAtMs, idle, value));
                }

                @Override
                public void resizeDb(long db, long keys) {
                    // sizes the table once instead of growing it through every power of two; a key takes at
                    // least 3 bytes of the file, which bounds what the claim may allocate
                    long n = Math.min(keys, fileBytes / 3);
                    ctx.executor().runOnContext(v -> {
                        if (db >= 0 && db < ctx.keyspace().databases()) ctx.keyspace().db((int) db).table().reserve(n);
                    });
                }
            });
            builder.onProgress((bytesRead, total) -> {
                p.loadingProgress(bytesRead);
                long now = System.nanoTime();
                if (now - lastLog[0] >= PROGRESS_EVERY_NANOS) {
                    lastLog[0] = now;
                    double secs = (now - started) / 1e9;
                    LOG.infof("Loading RDB: %.0f%%, %.1f MB at %.1f MB/s", total > 0 ? 100.0 * bytesRead / total : 0.0,
                        bytesRead / 1e6, bytesRead / 1e6 / Math.max(secs, 1e-9));
                }
            });
            reader.read(builder);
            flush();
            String version = reader.aux().redisVer();
            long bytes = reader.position();
            inFlight.acquireUninterruptibly(BATCHES_IN_FLIGHT); // every batch is in
            ctx.executor().runOnContext(v -> {
                double secs = (System.nanoTime() - started) / 1e9;
                p.loadingFinished(keys.loaded(), keys.expired());
                LOG.infof("Done loading RDB (written by redis-ver %s), keys loaded: %d, keys expired: %d.",
                    version == null ? "unknown" : version, keys.loaded(), keys.expired());
                LOG.infof("DB loaded from disk: %.3f seconds, %.1f MB at %.1f MB/s", secs, bytes / 1e6,
                    bytes / 1e6 / Math.max(secs, 1e-9));
            });
        } catch (RdbFormatException e) {
            LOG.errorf("Cannot load %s: %s. The file is left as it is; Ferry does not start on a snapshot it cannot read.",
                file, e.getMessage());
            fail.accept(1);
        } catch (IOException | RuntimeException e) {
            LOG.errorf(e, "Cannot load %s: %s. The file is left as it is.", file, e.getMessage());
            fail.accept(1);
        }
    }

    /** On the reader's thread: collects a key, and hands a full batch to the loop. */
    private void add(Loaded k) throws IOException {
        if (failed) throw new IOException("the load was abandoned");
        batch.add(k);
        if (batch.size() >= BATCH_KEYS) flush();
    }

    private void flush() {
        if (batch.isEmpty()) return;
        List<Loaded> b = batch;
        batch = new ArrayList<>(BATCH_KEYS);
        inFlight.acquireUninterruptibly();
        ctx.executor().runOnContext(v -> {
            try {
                apply(b);
            } finally {
                inFlight.release();
            }
        });
    }

    /** On the executing loop: the keys go in (rdbLoadRioWithLoadingCtx's dbAdd, expiry and LRU). */
    private void apply(List<Loaded> b) {
        if (failed) return;
        ctx.keyspace().tick();
        for (Loaded k : b) {
            String error = keys.add(k.db(), k.key(), k.expireAtMs(), k.idle(), k.value());
            if (error != null) {
                LOG.errorf("Cannot load %s: %s. The file is left as it is.", file, error);
                fail.accept(1);
                return;
            }
        }
    }
}
