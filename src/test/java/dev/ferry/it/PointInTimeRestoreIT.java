package dev.ferry.it;

import dev.ferry.support.RawClient;
import dev.ferry.support.RedisServer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static dev.ferry.support.ReplicationChecks.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Point-in-time restore from the archive (ferry.archive.restore-to): a master writes for a while, taking snapshots
 * on the way, and the test records its DEBUG DIGEST at several offsets; then, for some of them, a new server on an
 * empty dir rebuilds the dataset as of that offset (or that time) from the snapshot before it and the archived
 * stream after it, and its digest must be the one recorded there.
 */
class PointInTimeRestoreIT {

    private record Point(long offset, String digest, long millis) { }

    private static String[] props(int port, Path archive, String... more) {
        List<String> p = new ArrayList<>(List.of("-Dferry.port=" + port, "-Dferry.save=\"\"", "-Dferry.enable-debug-command=local",
            "-Dferry.archive.url=" + archive.toUri()));
        p.addAll(List.of(more));
        return p.toArray(new String[0]);
    }

    /** Writes of every type, some in transactions, none with a TTL (a restore later must not see a key expire). */
    private static void writes(RawClient m, SplittableRandom rnd, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            String k = Integer.toString(rnd.nextInt(200));
            switch (rnd.nextInt(8)) {
                case 0 -> m.call("SET", "s:" + k, "v" + rnd.nextInt(1000));
                case 1 -> m.call("HSET", "h:" + k, "f" + rnd.nextInt(20), "v" + i);
                case 2 -> m.call("RPUSH", "l:" + k, "e" + i);
                case 3 -> m.call("SADD", "set:" + k, "m" + rnd.nextInt(50));
                case 4 -> m.call("ZADD", "z:" + k, Integer.toString(rnd.nextInt(100)), "m" + rnd.nextInt(50));
                case 5 -> m.call("INCRBY", "c:" + k, Integer.toString(rnd.nextInt(10)));
                case 6 -> m.call("DEL", "s:" + k, "l:" + k);
                default -> {
                    m.call("MULTI");
                    m.call("SET", "t:" + k, "x" + i);
                    m.call("LPUSH", "l:" + k, "t" + i);
                    m.call("EXEC");
                }
            }
        }
    }

    private static Point point(RawClient m) throws Exception {
        long offset = stat(m, "master_repl_offset");
        String digest = m.call("DEBUG", "DIGEST");
        assertEquals(offset, stat(m, "master_repl_offset"), "nothing else writes");
        return new Point(offset, digest, System.currentTimeMillis());
    }

    private static String restoredDigest(Path archive, String target) throws Exception {
        int port = RedisServer.freePort();
        try (FerryProcess restored = FerryProcess.start(props(port, archive, "-Dferry.archive.restore-to=" + target))) {
            restored.awaitReady(port);
            try (RawClient r = new RawClient(port)) {
                long deadline = System.currentTimeMillis() + 60_000;
                while (!"done".equals(info(r, "bootstrap_state"))) {
                    if (System.currentTimeMillis() > deadline) fail("not restored: " + restored.log());
                    Thread.sleep(50);
                }
                assertEquals("0", info(r, "archive_active"), "a restored server archives nothing");
                assertTrue(restored.log().contains("Restored the dataset as of " + target), restored.log());
                assertTrue(!restored.log().contains("holds no stream after") && !restored.log().contains("Restore: reached offset"),
                    restored.log());
                return r.call("DEBUG", "DIGEST");
            }
        }
    }

    @Test
    void aRestoreToARecordedOffsetOrTimeHasTheDigestRecordedThere() throws Exception {
        Path archive = Files.createTempDirectory("ferry-archive");
        int mp = RedisServer.freePort();
        List<Point> points = new ArrayList<>();
        String replid;
        try (FerryProcess master = FerryProcess.start(props(mp, archive))) {
            master.awaitReady(mp);
            try (RawClient m = new RawClient(mp)) {
                replid = info(m, "master_replid");
                // the stream archive has begun (it does at start-up): every write from here on is archived
                long deadline = System.currentTimeMillis() + 10_000;
                while (!"active".equals(info(m, "archive_stream_state"))) {
                    if (System.currentTimeMillis() > deadline) fail("the stream archive did not begin: " + m.call("INFO", "archive"));
                    Thread.sleep(20);
                }
                SplittableRandom rnd = new SplittableRandom(31);
                int snapshots = 0;
                for (int round = 0; round < 6; round++) {
                    writes(m, rnd, 1500);
                    if (round == 1 || round == 3) {
                        assertEquals("+Background saving started\r\n", m.call("BGSAVE"));
                        awaitUploads(m, ++snapshots, 30_000);
                    }
                    points.add(point(m));
                    // points 0-3 and 5 fall inside segments (a segment closes once a second); after point 4 the writes
                    // pause past the archive's next time mark, for the restore by time
                    if (round == 4) Thread.sleep(1100);
                }
                deadline = System.currentTimeMillis() + 30_000;
                while (stat(m, "archive_stream_offset") < stat(m, "master_repl_offset")) {
                    if (System.currentTimeMillis() > deadline) fail("the stream was not archived: " + m.call("INFO", "archive"));
                    Thread.sleep(50);
                }
            }
        }
        // by offset: between the snapshots, at the second one, and after the last
        for (int i : new int[] {2, 3, 5}) {
            Point p = points.get(i);
            assertEquals(p.digest(), restoredDigest(archive, replid + ":" + p.offset()), "restored to offset " + p.offset());
        }
        // by time: a moment after point 4 and before the writes that followed it
        Point p = points.get(4);
        assertEquals(p.digest(), restoredDigest(archive, Instant.ofEpochMilli(p.millis() + 1050).toString()), "restored to point 4's time");
    }
}
