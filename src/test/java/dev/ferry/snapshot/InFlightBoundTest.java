package dev.ferry.snapshot;

import dev.ferry.rdb.RdbFileWriter;
import dev.ferry.store.Keyspace;
import dev.ferry.store.StringValue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The snapshot's memory bound: with a writer far slower than the walk (a sink that takes a millisecond per
 * 64 KB), what the capture holds for the writer peaks near {@link Snapshot#MAX_IN_FLIGHT}, not near the
 * dataset (100 MB of incompressible values). Without the bound the walk would capture everything in well under
 * a second and the peak would be the whole dataset.
 */
class InFlightBoundTest {
    private static final int KEYS = 100_000;
    private static final int VALUE_BYTES = 1000;

    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        loop.shutdownNow();
    }

    @Test
    void capturedButUnwrittenBytesStayNearTheBound() throws Exception {
        Keyspace keyspace = new Keyspace(1);
        Random rnd = new Random(7);
        loop.submit(() -> {
            for (int i = 0; i < KEYS; i++) {
                byte[] v = new byte[VALUE_BYTES];
                rnd.nextBytes(v);
                keyspace.db(0).set(("k" + i).getBytes(), StringValue.ofRaw(v), false);
            }
        }).get();

        AtomicLong written = new AtomicLong();
        SnapshotSink slow = new SnapshotSink() {
            @Override
            public OutputStream open() {
                return new SleepyOutput(64 << 10, 1, (b, off, len) -> written.addAndGet(len));
            }

            @Override
            public void commit() {
            }

            @Override
            public void abort() {
            }

            @Override
            public String describe() {
                return "a slow sink";
            }
        };
        Snapshot.Loop onLoop = new ExecutorLoop(loop);
        CompletableFuture<Snapshot.Result> done = new CompletableFuture<>();
        RdbFileWriter.Aux aux = new RdbFileWriter.Aux("7.0.15", 0, 0, "0".repeat(40), 0, 0);
        loop.submit(() -> Snapshot.start(keyspace, aux, new Snapshot.Options(true, true, 0, 0), slow, onLoop,
            done::complete)).get();
        Snapshot.Result r = done.get(120, TimeUnit.SECONDS);

        assertTrue(r.ok(), r.error());
        assertEquals(KEYS, r.keys());
        assertTrue(written.get() > (long) KEYS * VALUE_BYTES, "the values are incompressible: " + written.get());
        long bound = Snapshot.MAX_IN_FLIGHT;
        // over the bound by at most what one slice of the walk captures (256 buckets) and the chunk it fills
        assertTrue(r.peakExtraBytes() <= bound + (2 << 20), "peak " + r.peakExtraBytes() + " > bound " + bound);
        // and the writer was slow enough for the bound to matter
        assertTrue(r.peakExtraBytes() >= bound / 2, "peak " + r.peakExtraBytes() + " never neared the bound");
    }
}
