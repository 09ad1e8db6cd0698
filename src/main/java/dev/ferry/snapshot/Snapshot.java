package dev.ferry.snapshot;

import dev.ferry.rdb.RdbFileWriter;
import dev.ferry.rdb.RdbOutput;
import dev.ferry.store.Frozen;
import dev.ferry.store.Keyspace;
import dev.ferry.store.TableCapture;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * One point-in-time snapshot in Redis's RDB format, without fork: the executing loop captures ({@link Capture})
 * in slices between other work, a writer thread encodes what was captured (the values through the one RDB
 * encoder, LZF, CRC64) into a {@link SnapshotSink}. Nothing here blocks the loop: the loop hands chunks over
 * through a queue and the writer reports the end back through {@link Loop#runSoon}.
 *
 * <p>Large hashes, sets and sorted sets are captured incrementally ({@link TableCapture}): the writer waits for
 * such a capture to be complete before it encodes it, telling the loop which one it waits for, and the loop walks
 * that one first.
 *
 * <p>Memory: what is captured but not yet written is bounded by {@link #MAX_IN_FLIGHT}; while the writer is
 * that far behind, the loop stops walking (except the table capture the writer waits for, which it must finish)
 * and only writes pay the barrier (a key a write captures has to be kept whatever the queue holds), so the
 * snapshot's extra memory is the queue plus the old versions of the keys written during it. Table captures count
 * what they hold as they fill.
 */
public final class Snapshot {
    private static final Logger LOG = Logger.getLogger(Snapshot.class);
    /** Captured-but-unwritten bytes (approximate) above which the walk waits for the writer. */
    static final long MAX_IN_FLIGHT = 32L << 20;
    /**
     * Loop time per walk slice, and buckets walked between clock reads. Short slices spread the walk thinly
     * between the clients' turns: in short probes of SET p99 during back-to-back BGSAVEs, 0.1 ms slices gave
     * 1.3-1.6x idle where 0.5 ms gave 1.6-2.4x (noisy; bench/snapshot.sh has the medians).
     */
    private static final long SLICE_NANOS = 100_000;
    private static final int BUCKETS_PER_CHECK = 256;
    /**
     * While commands run, the writer pauses this many times as long as each chunk took: it then takes at most a
     * quarter of a core, and the walk, which cannot outrun it by more than the in-flight bound, a small share of
     * the loop. In 3-round probes of SET p99 during back-to-back BGSAVEs, 1 (half a core) gave 2.4x idle and 3
     * gave 1.5x; bench/snapshot.sh's medians for 3 were 2.0-2.1x. 5 gave 1.5x but finished a third as many saves.
     */
    private static final long PACE = 3;
    private static final long PROGRESS_EVERY_NANOS = 2_000_000_000L;
    /** A writer that never hands off (see {@link #write}). */
    private static final long NEVER = Long.MAX_VALUE;

    /** How the snapshot gets turns on the executing loop. */
    public interface Loop {
        /** Runs the task in a later turn of the loop, after the I/O waiting now. */
        void runSoon(Runnable task);

        /** Runs the task on the loop after about this many milliseconds. */
        void runAfter(long millis, Runnable task);

        /** A count the loop raises with every command it executes (read by the writer, racily). */
        long commandsExecuted();
    }

    /**
     * How to write: rdbcompression, rdbchecksum, the nice value of a background snapshot's writer thread (0: the
     * loop's priority) and how long that writer first runs under SCHED_IDLE (0: not at all; see {@link ThreadNice}).
     * A foreground save ignores the last two.
     */
    public record Options(boolean compression, boolean checksum, int writerNice, long idleLimitMillis) {
    }

    /** How a snapshot ended: error is null on success. */
    /** peakExtraBytes: the most captured-but-unwritten value bytes held at once (approximate). */
    public record Result(String error, long keys, long bytes, long millis, long peakExtraBytes) {
        public boolean ok() {
            return error == null;
        }
    }

    private final Capture capture;
    private final LinkedBlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
    private final AtomicLong inFlight = new AtomicLong();
    private final SnapshotSink sink;
    private final RdbFileWriter.Aux aux;
    private final Options options;
    private final Loop loop;
    private final Consumer<Result> onDone;
    /** Whether the writer yields the CPU between chunks while commands run (a background save, not a foreground one). */
    private final boolean paced;
    private final long startNanos = System.nanoTime();
    private final long startMillis = System.currentTimeMillis();
    private final long totalKeys;
    private volatile long keysWritten, bytesWritten;
    private volatile boolean cancelled;
    /** Written by the loop only. */
    private volatile long peakInFlight;
    /** Loop side: the capture is over (walked to the end, or cancelled). */
    private boolean walkOver;
    /** The table capture the writer is waiting for, if any: the loop walks it first, whatever the memory bound. */
    private volatile TableCapture awaited;
    /** The writer's state, carried over when the writer hands off to a thread of normal policy (see write()). */
    private RdbOutput out;
    private RdbFileWriter file;
    private int db = -1;
    private long lastLog, commands;
    /** Loop turns the walk took, and when it ended (for the log line of the end). */
    private volatile int slices;
    private volatile long walkNanos;

    private Snapshot(Keyspace keyspace, RdbFileWriter.Aux aux, Options options, SnapshotSink sink,
                     Loop loop, Consumer<Result> onDone) {
        this.aux = aux;
        this.options = options;
        this.sink = sink;
        this.loop = loop;
        this.onDone = onDone;
        this.paced = loop != null;
        this.capture = new Capture(keyspace, this::submit, this::meter);
        this.totalKeys = capture.totalKeys();
    }

    /**
     * Starts a snapshot of the keyspace as it is now (call on the executing loop; the dataset, aux's replication
     * id and offset are all taken in this turn). onDone runs on the loop when the sink has committed or failed.
     */
    public static Snapshot start(Keyspace keyspace, RdbFileWriter.Aux aux, Options options,
                                 SnapshotSink sink, Loop loop, Consumer<Result> onDone) {
        Snapshot s = new Snapshot(keyspace, aux, options, sink, loop, onDone);
        Thread writer = new Thread(s::write, "ferry-snapshot-writer");
        writer.setDaemon(true);
        writer.start();
        loop.runSoon(s::walk);
        return s;
    }

    /**
     * The whole snapshot on the calling thread: the capture in one go, then the encoding and the sink. Only for
     * what Redis also does in the foreground and that must be complete when it answers (SAVE inside MULTI,
     * DEBUG RELOAD); everything else uses {@link #start}.
     */
    public static Result saveHere(Keyspace keyspace, RdbFileWriter.Aux aux, Options options,
                                  SnapshotSink sink) {
        Result[] result = new Result[1];
        Snapshot s = new Snapshot(keyspace, aux, options, sink, null, r -> result[0] = r);
        while (!s.capture.step(Integer.MAX_VALUE, true, null)) {
            // every table walked in full, the large values' too
        }
        s.walkOver = true;
        s.onDone.accept(s.writeAll(NEVER));
        return result[0];
    }

    public long totalKeys() {
        return totalKeys;
    }

    /** Keys the writer has encoded so far (INFO current_save_keys_processed); read from any thread. */
    public long keysWritten() {
        return keysWritten;
    }

    public long bytesWritten() {
        return bytesWritten;
    }

    public long startMillis() {
        return startMillis;
    }

    /** Stops the snapshot (SHUTDOWN NOSAVE, a failed start): the sink is aborted and onDone gets an error. */
    public void cancel() {
        if (cancelled) return;
        cancelled = true;
        if (!walkOver) {
            capture.abort();
            walkOver = true;
        }
        queue.add(Chunk.end());
    }

    // ---- the executing loop's side ---------------------------------------------------------------------

    private void submit(Chunk c) {
        meter(c.bytes);
        queue.add(c);
    }

    /** Bytes now held by the capture for the writer: a chunk's, or what a table capture filled. */
    private void meter(long bytes) {
        long now = inFlight.addAndGet(bytes);
        if (now > peakInFlight) peakInFlight = now;
    }

    private void walk() {
        if (walkOver) return;
        slices++;
        long deadline = System.nanoTime() + SLICE_NANOS;
        while (true) {
            // over the bound, the walk waits for the writer, unless the writer has nothing to write: what holds
            // the bytes may be table captures of keys in a chunk not handed over yet (one still filling, or held
            // for a database the walk has not reached), and only walking on hands them over (else both wait)
            boolean roomy = inFlight.get() < MAX_IN_FLIGHT || queue.isEmpty();
            TableCapture urgent = awaited;
            if (!roomy && (urgent == null || urgent.complete())) break;
            if (capture.step(BUCKETS_PER_CHECK, roomy, urgent)) {
                walkOver = true;
                walkNanos = System.nanoTime() - startNanos;
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                loop.runSoon(this::walk);
                return;
            }
        }
        // the writer is behind: give it a millisecond instead of spinning
        loop.runAfter(1, this::walk);
    }

    /** The writer has stopped on an error: the tables leave snapshot mode, writes stop paying the barrier. */
    private void stopWalk() {
        if (walkOver) return;
        capture.abort();
        walkOver = true;
    }

    // ---- the writer thread -----------------------------------------------------------------------------

    /**
     * The writer thread: under SCHED_IDLE for up to idleLimitMillis, so that clients never wait for it, then, if the
     * save is not over, the rest on a new thread at the nice value (a thread cannot leave SCHED_IDLE without
     * privilege, and on a saturated machine it would get almost nothing).
     */
    private void write() {
        long handOffAt = NEVER;
        if (options.idleLimitMillis() > 0 && ThreadNice.idleCurrentThread()) {
            handOffAt = System.nanoTime() + options.idleLimitMillis() * 1_000_000L;
        } else {
            ThreadNice.lowerCurrentThread(options.writerNice());
        }
        finishOrHandOff(writeAll(handOffAt));
    }

    private void finishOrHandOff(Result r) {
        if (r == null) {
            LOG.infof("Saving to %s: still running after %d ms at idle priority (%d of %d keys); going on at nice %d",
                sink.describe(), options.idleLimitMillis(), keysWritten, totalKeys, options.writerNice());
            // started from the loop: a thread inherits its creator's policy, and this one's is SCHED_IDLE
            loop.runSoon(() -> {
                Thread next = new Thread(() -> {
                    ThreadNice.lowerCurrentThread(options.writerNice());
                    finishOrHandOff(writeAll(NEVER));
                }, "ferry-snapshot-writer");
                next.setDaemon(true);
                next.start();
            });
            return;
        }
        loop.runSoon(() -> {
            if (!r.ok()) stopWalk();
            onDone.accept(r);
        });
    }

    /**
     * Writes the chunks the loop captures until the end, or, once System.nanoTime() passes handOffAt, stops
     * after a chunk and returns null: the state is in fields, and the next thread calling this goes on from there.
     */
    private Result writeAll(long handOffAt) {
        String error = null;
        try {
            if (file == null) {
                OutputStream os = sink.open();
                out = RdbOutput.to(os, options.compression(), options.checksum());
                file = new RdbFileWriter(out);
                file.begin(aux);
                lastLog = System.nanoTime();
                commands = paced ? loop.commandsExecuted() : 0;
            }
            while (true) {
                Chunk c = queue.take();
                long chunkStart = System.nanoTime();
                if (cancelled) throw new IOException("snapshot cancelled");
                if (c.isEnd()) break;
                if (c.db != db) {
                    db = c.db;
                    file.database(db, capture.keys(db), capture.expires(db));
                }
                for (int i = 0; i < c.size; i++) {
                    Frozen v = c.values[i];
                    if (v instanceof TableCapture t && !t.complete()) awaitCapture(t);
                    file.capturedKey(c.keys[i], c.expireAt[i], v);
                }
                keysWritten += c.size;
                bytesWritten = out.written();
                inFlight.addAndGet(-c.bytesHeld());
                c.release();
                long now = System.nanoTime();
                if (paced) {
                    // while the loop serves commands, a background save takes at most a quarter of a core: the
                    // writer's CPU is not the problem (it runs niced), the walk is: the faster the writer, the
                    // more of the loop's time the walk takes. With no commands coming it runs flat out.
                    long executed = loop.commandsExecuted();
                    if (executed != commands) LockSupport.parkNanos(PACE * (now - chunkStart));
                    commands = executed;
                }
                if (now - lastLog > PROGRESS_EVERY_NANOS) {
                    lastLog = now;
                    logProgress(now);
                }
                if (handOffAt != NEVER && now - handOffAt > 0) return null;
            }
            file.end();
            out.flush();
            bytesWritten = out.written();
            sink.commit();
        } catch (IOException | RuntimeException e) {
            error = e.getMessage() == null ? e.toString() : e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = "interrupted";
        } catch (OutOfMemoryError e) {
            error = "out of memory";
        }
        if (error != null) {
            sink.abort();
            // lists captured in chunks never written may change their nodes in place again
            for (Chunk c; (c = queue.poll()) != null; ) c.release();
        }
        LOG.debugf("Snapshot to %s: the capture walked for %.1f ms in %d turns of the loop; written in %.1f ms",
            sink.describe(), walkNanos / 1e6, slices, (System.nanoTime() - startNanos) / 1e6);
        return new Result(error, keysWritten, bytesWritten, (System.nanoTime() - startNanos) / 1_000_000, peakInFlight);
    }

    /** Waits until the loop has filled the table capture (it walks the awaited one first). */
    private void awaitCapture(TableCapture t) throws IOException, InterruptedException {
        awaited = t;
        try {
            while (!t.await(100)) {
                if (cancelled) throw new IOException("snapshot cancelled");
                if (t.failure() != null) throw new IOException(t.failure());
            }
        } finally {
            awaited = null;
        }
    }

    private void logProgress(long now) {
        double secs = (now - startNanos) / 1e9;
        LOG.infof("Saving to %s: %.1f%% (%d of %d keys), %.1f MB at %.1f MB/s", sink.describe(),
            totalKeys == 0 ? 100.0 : 100.0 * keysWritten / totalKeys, keysWritten, totalKeys,
            bytesWritten / 1e6, bytesWritten / 1e6 / secs);
    }
}
