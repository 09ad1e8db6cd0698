package dev.ferry.snapshot;

import dev.ferry.rdb.RdbFileWriter;
import dev.ferry.store.Keyspace;
import dev.ferry.store.StringValue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The background writer's priority (bgsave-idle-limit, bgsave-nice): under SCHED_IDLE while the save is within its
 * idle limit; past it, the rest of the file from a new thread at the nice value, byte for byte the file a writer
 * that never handed off makes.
 */
class WriterPriorityTest {
    private static final int SCHED_OTHER = 0, SCHED_IDLE = 5;
    private static final int KEYS = 20_000;

    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        loop.shutdownNow();
    }

    /** What the sink saw: the writer threads (at its opening and at the commit) and the bytes. */
    private static final class Seen {
        long firstThread = -1, commitThread = -1;
        int firstPolicy = -1, commitPolicy = -1, commitNice = -1;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    }

    @Test
    void aSaveWithinItsIdleLimitRunsUnderSchedIdle() throws Exception {
        Seen s = save(60_000);
        assertEquals(SCHED_IDLE, s.firstPolicy);
        assertEquals(SCHED_IDLE, s.commitPolicy);
        assertEquals(s.firstThread, s.commitThread, "one writer thread, no hand-off");
    }

    @Test
    void aSaveOutlivingItsIdleLimitGoesOnAtTheNiceValueWithTheSameBytes() throws Exception {
        Seen handedOff = save(1);
        assertEquals(SCHED_IDLE, handedOff.firstPolicy);
        assertNotEquals(handedOff.firstThread, handedOff.commitThread, "the rest was written by a new thread");
        assertEquals(SCHED_OTHER, handedOff.commitPolicy);
        assertEquals(7, handedOff.commitNice);

        Seen plain = save(0);
        assertEquals(SCHED_OTHER, plain.firstPolicy, "no idle limit: never SCHED_IDLE");
        assertEquals(7, plain.commitNice);
        byte[] a = handedOff.bytes.toByteArray(), b = plain.bytes.toByteArray();
        assertTrue(a.length > KEYS * 20, "the whole dataset (its values compress): " + a.length);
        assertTrue(Arrays.equals(a, b), "the handed-off file differs from the plain one (" + a.length + " vs " + b.length + " bytes)");
        assertArrayEquals(b, a);
    }

    private Seen save(long idleLimitMillis) throws Exception {
        Keyspace keyspace = new Keyspace(1);
        loop.submit(() -> {
            for (int i = 0; i < KEYS; i++) {
                keyspace.db(0).set(("key:" + i).getBytes(), StringValue.ofRaw(("value-" + i + "-" + "x".repeat(100)).getBytes()), false);
            }
        }).get();
        Seen seen = new Seen();
        SnapshotSink sink = new SnapshotSink() {
            @Override
            public OutputStream open() {
                seen.firstThread = Thread.currentThread().getId();
                seen.firstPolicy = policy();
                // slow enough that a save lasts well past a 1 ms idle limit
                return new SleepyOutput(32 << 10, 2, seen.bytes::write);
            }

            @Override
            public void commit() throws IOException {
                seen.commitThread = Thread.currentThread().getId();
                seen.commitPolicy = policy();
                seen.commitNice = ThreadNice.currentNice();
            }

            @Override
            public void abort() {
            }

            @Override
            public String describe() {
                return "a recording sink";
            }
        };
        Snapshot.Loop onLoop = new ExecutorLoop(loop);
        CompletableFuture<Snapshot.Result> done = new CompletableFuture<>();
        RdbFileWriter.Aux aux = new RdbFileWriter.Aux("7.0.15", 0, 0, "0".repeat(40), 0, 0);
        loop.submit(() -> Snapshot.start(keyspace, aux, new Snapshot.Options(true, true, 7, idleLimitMillis), sink,
            onLoop, done::complete)).get();
        Snapshot.Result r = done.get(60, TimeUnit.SECONDS);
        assertTrue(r.ok(), r.error());
        assertEquals(KEYS, r.keys());
        return seen;
    }

    private static int policy() {
        try {
            return ThreadNice.currentPolicy();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
