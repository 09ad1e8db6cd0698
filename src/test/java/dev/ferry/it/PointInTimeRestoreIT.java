package dev.ferry.it;

import dev.ferry.support.RawClient;
import dev.ferry.support.RedisServer;
import dev.ferry.support.S3Proxy;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

import static dev.ferry.support.ReplicationChecks.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Point-in-time restore from the archive on a real S3 server (s3proxy; ferry.archive.restore-to): a master writes a
 * random workload for a while, taking three snapshots on the way, and the test records its DEBUG DIGEST at sixteen
 * offsets; then, for ten of them drawn at random, a new server on an empty dir rebuilds the dataset as of that
 * offset from the snapshot before it and the archived stream after it, and its digest must be the one recorded
 * there; one more restore goes to a time instead of an offset.
 */
class PointInTimeRestoreIT {
    private static final String BUCKET = "ferry-pitr";

    private record Point(long offset, String digest, long millis) { }

    private static String[] props(int port, S3Proxy s3, String... more) {
        List<String> p = new ArrayList<>(List.of("-Dferry.port=" + port, "-Dferry.save=\"\"", "-Dferry.enable-debug-command=local"));
        p.addAll(s3.ferryProps(BUCKET, "pitr"));
        p.addAll(List.of(more));
        return p.toArray(new String[0]);
    }

    /** Writes of every type, some in transactions, none with a TTL (a restore later must not see a key expire). */
    static void writes(RawClient m, SplittableRandom rnd, int n) throws Exception {
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

    private static String restoredDigest(S3Proxy s3, String target) throws Exception {
        PointInTimeRestore r = PointInTimeRestore.run(s3.ferryProps(BUCKET, "pitr"), target);
        assertTrue(r.reached(target), r.log());
        return r.digest();
    }

    @Test
    void restoresToTenRandomPastPointsHaveTheDigestsRecordedThere() throws Exception {
        try (S3Proxy s3 = S3Proxy.start("pitr-identity", "pitr-secret")) {
            s3.createBucket(BUCKET);
            int mp = RedisServer.freePort();
            List<Point> points = new ArrayList<>();
            int firstRestorable = -1, byTime = 10;
            String replid;
            try (FerryProcess master = FerryProcess.start(props(mp, s3))) {
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
                    for (int round = 0; round < 16; round++) {
                        writes(m, rnd, 400 + rnd.nextInt(800));
                        if (round == 3 || round == 8 || round == 12) {
                            assertEquals("+Background saving started\r\n", m.call("BGSAVE"));
                            awaitUploads(m, ++snapshots, 30_000);
                            if (firstRestorable < 0) firstRestorable = points.size();
                        }
                        points.add(point(m));
                        // the writes pause past the archive's next time mark after this point, for the restore by time
                        if (round == byTime) Thread.sleep(1100);
                    }
                    awaitStreamArchived(m, 30_000);
                }
            }
            // ten of the points from the first snapshot on (before it, no snapshot is there to start from), drawn at
            // random: inside segments, at segment ends, at snapshots
            List<Integer> candidates = new ArrayList<>();
            for (int i = firstRestorable; i < points.size(); i++) candidates.add(i);
            long seed = Long.getLong("pitr.seed", System.nanoTime());
            Collections.shuffle(candidates, new Random(seed));
            List<Integer> drawn = candidates.subList(0, 10);
            System.out.printf("[PointInTimeRestoreIT] seed %d: restoring to points %s of %d%n", seed, drawn, points.size());
            for (int i : drawn) {
                Point p = points.get(i);
                assertEquals(p.digest(), restoredDigest(s3, replid + ":" + p.offset()), "point " + i + " at offset " + p.offset() + " (seed " + seed + ")");
            }
            // by time: a moment after the point and before the writes that followed it
            Point p = points.get(byTime);
            String time = Instant.ofEpochMilli(p.millis() + 1050).toString();
            PointInTimeRestore r = PointInTimeRestore.run(s3.ferryProps(BUCKET, "pitr"), time);
            assertTrue(r.reached(time), r.log());
            assertEquals(p.digest(), r.digest(), "restored to point " + byTime + "'s time " + time + ": offset " + r.offset() + ", the point's "
                + p.offset() + "; points " + points + "\n" + r.log());
        }
    }
}
