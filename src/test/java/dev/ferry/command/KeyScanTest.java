package dev.ferry.command;

import dev.ferry.engine.*;

import dev.ferry.support.FerryPort;
import dev.ferry.support.RedisPeer;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SCAN walks in database 3: a full iteration returns every key (COUNT, MATCH, TYPE variations, compared with
 * a real redis-server holding the same keys), and a walk that runs while another connection keeps adding
 * and deleting other keys, growing the table through two resizes, still returns every key that was there
 * throughout (ARCHITECTURE.md rule 3: the table can be walked while it changes).
 */
@QuarkusTest
class KeyScanTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();

    private static Jedis ferryDb3() {
        Jedis j = new Jedis("127.0.0.1", FerryPort.get(), 30_000);
        j.select(3);
        return j;
    }

    private static void fill(Jedis j, String prefix, int n) {
        Pipeline p = j.pipelined();
        for (int i = 0; i < n; i++) p.set(prefix + i, Integer.toString(i));
        p.sync();
    }

    /** Every key SCAN returns walking from 0 to the end (duplicates allowed by SCAN's contract, folded here). */
    private static Set<String> walk(Jedis j, ScanParams params) {
        return walk(j, params, null);
    }

    private static Set<String> walk(Jedis j, ScanParams params, String type) {
        Set<String> seen = new HashSet<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        int steps = 0;
        do {
            ScanResult<String> r = type == null ? j.scan(cursor, params) : j.scan(cursor, params, type);
            seen.addAll(r.getResult());
            cursor = r.getCursor();
            assertTrue(++steps < 1_000_000, "SCAN does not end");
        } while (!cursor.equals("0"));
        return seen;
    }

    @Test
    void fullIterationReturnsEveryKey() {
        int n = 10_000;
        try (Jedis ferry = ferryDb3(); Jedis real = new Jedis("127.0.0.1", redis.port())) {
            real.select(3);
            ferry.flushDB();
            real.flushDB();
            fill(ferry, "scan:", n);
            fill(real, "scan:", n);
            Set<String> all = new TreeSet<>();
            for (int i = 0; i < n; i++) all.add("scan:" + i);
            assertEquals(n, ferry.dbSize());

            for (Integer count : new Integer[] {null, 1, 7, 100, 1000, 100_000}) {
                ScanParams params = new ScanParams();
                if (count != null) params.count(count);
                assertEquals(all, new TreeSet<>(walk(ferry, params)), "COUNT " + count);
            }

            Set<String> matching = new TreeSet<>();
            for (String k : all) if (k.startsWith("scan:12")) matching.add(k);
            ScanParams match = new ScanParams().match("scan:12*").count(50);
            assertEquals(matching, new TreeSet<>(walk(ferry, match)));
            assertEquals(new TreeSet<>(walk(real, match)), new TreeSet<>(walk(ferry, match)));
            ScanParams oneChar = new ScanParams().match("scan:?").count(500);
            assertEquals(new TreeSet<>(walk(real, oneChar)), new TreeSet<>(walk(ferry, oneChar)));
            assertEquals(10, walk(ferry, oneChar).size());

            ScanParams by200 = new ScanParams().count(200);
            assertEquals(all, new TreeSet<>(walk(ferry, by200, "string")));
            assertEquals(all, new TreeSet<>(walk(ferry, by200, "STRING")));
            assertEquals(new TreeSet<>(walk(real, by200, "String")), new TreeSet<>(walk(ferry, by200, "String")));
            assertEquals(Set.of(), walk(ferry, by200, "list"));
            assertEquals(walk(real, by200, "hash"), walk(ferry, by200, "hash"));
            Set<String> typedAndMatched = walk(ferry, new ScanParams().match("scan:12*").count(30), "string");
            assertEquals(matching, new TreeSet<>(typedAndMatched));

            // KEYS agrees with the walk
            assertEquals(all, new TreeSet<>(ferry.keys("*")));
            assertEquals(new TreeSet<>(real.keys("scan:99*")), new TreeSet<>(ferry.keys("scan:99*")));
            ferry.flushDB();
            real.flushDB();
        }
    }

    @Test
    void typeFilterAcceptsAnySpelling() {
        try (Jedis ferry = ferryDb3()) {
            ferry.flushDB();
            ferry.set("typed:a", "1");
            for (String t : new String[] {"string", "STRING", "String"}) {
                Object reply = ferry.sendCommand(Protocol.Command.SCAN, "0", "COUNT", "100", "TYPE", t);
                List<?> parts = (List<?>) reply;
                assertEquals(1, ((List<?>) parts.get(1)).size(), t);
            }
            for (String t : new String[] {"list", "none", "zset", "nosuch"}) {
                List<?> parts = (List<?>) ferry.sendCommand(Protocol.Command.SCAN, "0", "COUNT", "100", "TYPE", t);
                assertEquals(0, ((List<?>) parts.get(1)).size(), t);
            }
            ferry.flushDB();
        }
    }

    /**
     * A SCAN walk over 20,000 keys while a second connection, on another thread, adds 60,000 other keys and
     * deletes them again: the table grows twice (32768 -> 65536 -> 131072 buckets) and rehashes
     * incrementally under the walk. Each SCAN step waits for the writer to have done at least as many
     * batches, so the writes are spread over the whole walk rather than racing ahead or behind it.
     */
    @Test
    void walkWhileAnotherClientWritesReturnsEveryStableKey() throws Exception {
        int stable = 20_000;
        int churnPeak = 60_000;
        int batch = 60;
        try (Jedis scanner = ferryDb3()) {
            scanner.flushDB();
            fill(scanner, "stable:", stable);

            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong batches = new AtomicLong();
            AtomicLong maxSize = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try (Jedis w = ferryDb3()) {
                    // cycles of: add churnPeak keys, then delete them all
                    long cycle = 0, added = 0, deleted = 0;
                    boolean growing = true;
                    while (!stop.get()) {
                        Pipeline p = w.pipelined();
                        for (int i = 0; i < batch; i++) {
                            if (growing) {
                                p.set("churn:" + cycle + ":" + added++, "x");
                                growing = added < churnPeak;
                            } else {
                                p.del("churn:" + cycle + ":" + deleted++);
                                if (deleted == added) {
                                    cycle++;
                                    added = deleted = 0;
                                    growing = true;
                                }
                            }
                        }
                        p.sync();
                        long size = w.dbSize();
                        maxSize.accumulateAndGet(size, Math::max);
                        batches.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "scan-churn");
            writer.start();

            Set<String> seen = new HashSet<>();
            String cursor = "0";
            long steps = 0;
            ScanParams params = new ScanParams().count(10);
            try {
                do {
                    ScanResult<String> r = scanner.scan(cursor, params);
                    seen.addAll(r.getResult());
                    cursor = r.getCursor();
                    steps++;
                    long deadline = System.nanoTime() + 10_000_000_000L;
                    while (batches.get() < steps && failure.get() == null) {
                        assertTrue(System.nanoTime() < deadline, "the writer stalled");
                        Thread.onSpinWait();
                    }
                } while (!cursor.equals("0"));
            } finally {
                stop.set(true);
                writer.join(30_000);
            }
            assertNull(failure.get(), () -> "writer failed: " + failure.get());

            int missing = 0;
            for (int i = 0; i < stable; i++) if (!seen.contains("stable:" + i)) missing++;
            assertEquals(0, missing, "stable keys the walk missed");
            // the writes really overlapped the walk and pushed the table through both resizes
            assertTrue(batches.get() >= steps, "writer batches " + batches.get() + " < scan steps " + steps);
            assertTrue(maxSize.get() > 65_536, "the table never grew past 65536 keys: " + maxSize.get());
            scanner.flushDB();
        }
    }
}
