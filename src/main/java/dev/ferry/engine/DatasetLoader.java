package dev.ferry.engine;

import dev.ferry.rdb.RdbAux;
import dev.ferry.rdb.RdbFormatException;
import dev.ferry.rdb.RdbReader;
import dev.ferry.rdb.RdbValueBuilder;
import dev.ferry.store.Keyspace;
import dev.ferry.store.LoadedDatabase;
import dev.ferry.store.Value;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Reads an RDB file into tables of its own ({@link LoadedDatabase}, one per database) on a worker thread that
 * nothing else sees, then hands the result to the executing loop, which installs it in one turn. The start-up
 * load and a replica's full resync share it: until the install the live dataset is untouched, so a load that
 * fails (a corrupt file, a type Ferry cannot hold, a database index past {@code databases}, a key twice) loses
 * nothing.
 */
public final class DatasetLoader {
    private static final Logger LOG = Logger.getLogger(DatasetLoader.class);
    private static final long PROGRESS_EVERY_NANOS = 2_000_000_000L;

    /** What a load produced: the tables, the counts, the file's AUX fields (its replication position). */
    public record Loaded(LoadedDatabase[] dbs, long keysLoaded, long keysExpired, RdbAux aux, String redisVer,
                         long bytes, long nanos) { }

    /** Hears the end of a load, on the executing loop: the result, or why the file could not be loaded. */
    public interface Done {
        void loaded(Loaded result);

        /** format: the file itself is bad (corrupt, unsupported); else an I/O failure. */
        void failed(Exception e, boolean format);
    }

    /**
     * Where a load reads from: a file, or a transfer read as it arrives. The loader thread calls {@link #open}, reads
     * the whole RDB, then {@link #finished} (a last check or the publication of what was read, before the loop
     * installs anything) or, when anything failed, {@link #abandoned}.
     */
    public interface Source {
        RdbReader open() throws IOException;

        /** Throws {@link Refused} when what was read is not what was expected (nothing is installed then). */
        default void finished(Loaded l) throws IOException {}

        default void abandoned() {}

        static Source of(Path file) {
            return new Source() {
                @Override
                public RdbReader open() throws IOException {
                    return RdbReader.open(file);
                }

                @Override
                public String toString() {
                    return file.toString();
                }
            };
        }
    }

    /** The source is readable but not the snapshot it should be (another may do): a failure of the data, not of I/O. */
    public static final class Refused extends IOException {
        public Refused(String why) {
            super(why);
        }
    }

    private DatasetLoader() {}

    /**
     * Starts reading file on a thread of its own. Keys already expired are dropped when dropExpired (a master
     * drops them; a replica keeps them until its master deletes them). progress gets the bytes read so far.
     */
    public static void start(ServerContext ctx, Path file, boolean dropExpired, LongConsumer progress, Done done) {
        start(ctx, Source.of(file), dropExpired, progress, done);
    }

    /** {@link #start(ServerContext, Path, boolean, LongConsumer, Done)} from any source. */
    public static void start(ServerContext ctx, Source source, boolean dropExpired, LongConsumer progress, Done done) {
        RdbValueBuilder.Limits limits = ctx.settings().loadLimits();
        int databases = ctx.keyspace().databases();
        // expiry is judged against the time the load began, as Redis judges it against its start
        long now = System.currentTimeMillis();
        Thread worker = new Thread(() -> {
            try {
                Loaded l = read(source, databases, limits, now, dropExpired, progress);
                source.finished(l);
                ctx.executor().runOnContext(v -> done.loaded(l));
            } catch (RdbFormatException | Refused e) {
                source.abandoned();
                ctx.executor().runOnContext(v -> done.failed(e, true));
            } catch (IOException | RuntimeException e) {
                source.abandoned();
                ctx.executor().runOnContext(v -> done.failed(e, false));
            }
        }, "ferry-rdb-loader");
        worker.setDaemon(true);
        worker.start();
    }

    /**
     * On the executing loop: every database's keys go in at once, replacing what was there when replace (a
     * replica's full resync), else into empty databases (false when one was written to meanwhile).
     */
    public static boolean install(Keyspace ks, Loaded l, boolean replace) {
        if (replace) ks.flushAll();
        LoadedDatabase[] dbs = l.dbs();
        for (int i = 0; i < dbs.length; i++) {
            if (dbs[i] != null && !ks.db(i).install(dbs[i])) return false;
        }
        return true;
    }

    private static Loaded read(Source source, int databases, RdbValueBuilder.Limits limits, long now, boolean dropExpired,
                               LongConsumer progress) throws IOException {
        long started = System.nanoTime();
        long[] lastLog = {started};
        LoadedDatabase[] dbs = new LoadedDatabase[databases];
        long[] counts = new long[2]; // loaded, expired
        try (RdbReader reader = source.open()) {
            LOG.infof("Loading RDB from %s (%.1f MB)", source, reader.total() / 1e6);
            long fileBytes = reader.total();
            RdbValueBuilder builder = new RdbValueBuilder(limits, new RdbValueBuilder.Sink() {
                @Override
                public void value(long db, byte[] key, long expireAtMs, long idle, int freq, Value value) throws IOException {
                    if (expireAtMs >= 0 && expireAtMs < now && dropExpired) {
                        counts[1]++;
                        return;
                    }
                    if (!database(dbs, db, reader).add(key, value, expireAtMs, idle)) {
                        throw new RdbFormatException("key '" + RdbFormatException.printable(key) + "' appears twice in database " + db,
                            reader.position(), null);
                    }
                    counts[0]++;
                }

                @Override
                public void resizeDb(long db, long keys) throws IOException {
                    // sizes the table once instead of growing it through every power of two; a key takes at
                    // least 3 bytes of the file, which bounds what the claim may allocate
                    database(dbs, db, reader).reserve(Math.min(keys, fileBytes / 3));
                }
            });
            builder.onProgress((bytesRead, total) -> {
                progress.accept(bytesRead);
                long t = System.nanoTime();
                if (t - lastLog[0] >= PROGRESS_EVERY_NANOS) {
                    lastLog[0] = t;
                    double secs = (t - started) / 1e9;
                    LOG.infof("Loading RDB: %.0f%%, %.1f MB at %.1f MB/s, %d keys", total > 0 ? 100.0 * bytesRead / total : 0.0,
                        bytesRead / 1e6, bytesRead / 1e6 / Math.max(secs, 1e-9), counts[0]);
                }
            });
            reader.read(builder);
            return new Loaded(dbs, counts[0], counts[1], reader.aux(), reader.aux().redisVer(), reader.position(),
                System.nanoTime() - started);
        }
    }

    /** The table of database db, made on first use; a database past {@code databases} stops the load. */
    private static LoadedDatabase database(LoadedDatabase[] dbs, long db, RdbReader reader) throws RdbFormatException {
        if (db < 0 || db >= dbs.length) {
            throw new RdbFormatException("it holds database " + db + " and this server has " + dbs.length + " (databases)",
                reader.position(), null);
        }
        LoadedDatabase d = dbs[(int) db];
        if (d == null) d = dbs[(int) db] = new LoadedDatabase(System.currentTimeMillis());
        return d;
    }

    /** For log lines: "x.xxx seconds, n MB at m MB/s". */
    public static String rate(Loaded l) {
        double secs = l.nanos() / 1e9;
        return String.format(java.util.Locale.ROOT, "%.3f seconds, %.1f MB at %.1f MB/s", secs, l.bytes() / 1e6,
            l.bytes() / 1e6 / Math.max(secs, 1e-9));
    }
}
