package dev.ferry.it;

import dev.ferry.support.RandomWorkload;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisServer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static dev.ferry.support.ReplicationChecks.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The replication stream archived in segments between snapshots, end to end with Ferry processes and a file
 * archive: a replica bootstraps from a snapshot plus the stream archived after it, so the master's backlog (64 KB
 * here, megabytes behind) need not cover the snapshot's age; a missing segment ends the replay where it is, and
 * the master supplies the rest.
 */
class StreamArchiveIT {

    private static String[] props(int port, Path archive, String... more) {
        List<String> p = new ArrayList<>(List.of("-Dferry.port=" + port, "-Dferry.save=\"\"", "-Dferry.enable-debug-command=local",
            "-Dferry.archive.url=" + archive.toUri(), "-Dferry.repl-backlog-size=64kb"));
        p.addAll(List.of(more));
        return p.toArray(new String[0]);
    }

    /** A snapshot, then megabytes of writes, all archived: the stream's archived offset reaches the master's. */
    private static void snapshotThenMegabytes(RawClient m) throws Exception {
        fillEveryType(m);
        bgsave(m);
        awaitUploads(m, 1, 30_000);
        RandomWorkload writes = new RandomWorkload(21L, "sa:");
        writes.run(m, 5000);
        String big = "v".repeat(1000);
        for (int i = 0; i < 3000; i++) m.call("SET", "big:" + (i % 500), big + i);
        writes.run(m, 5000);
        long offset = stat(m, "master_repl_offset");
        assertTrue(offset - stat(m, "archive_last_offset") > 3_000_000, "megabytes after the snapshot");
        awaitStreamArchived(m, 30000);
    }

    /** As above with writes that set no TTL (PointInTimeRestoreIT's), for tests that compare restores made at different times. */
    private static void snapshotThenMegabytesWithoutTtls(RawClient m) throws Exception {
        assertEquals("+OK\r\n", m.call("DEBUG", "POPULATE", "20000", "pop", "20"));
        bgsave(m);
        awaitUploads(m, 1, 30_000);
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(23);
        PointInTimeRestoreIT.writes(m, rnd, 2000);
        String big = "v".repeat(1000);
        for (int i = 0; i < 3000; i++) m.call("SET", "big:" + (i % 500), big + i);
        PointInTimeRestoreIT.writes(m, rnd, 2000);
        assertTrue(stat(m, "master_repl_offset") - stat(m, "archive_last_offset") > 3_000_000, "megabytes after the snapshot");
        awaitStreamArchived(m, 30000);
    }

    @Test
    void aReplicaBootstrapsBeyondTheMastersBacklog() throws Exception {
        Path archive = Files.createTempDirectory("ferry-archive");
        int mp = RedisServer.freePort(), rp = RedisServer.freePort();
        try (FerryProcess master = FerryProcess.start(props(mp, archive))) {
            master.awaitReady(mp);
            try (RawClient m = new RawClient(mp)) {
                snapshotThenMegabytes(m);
                long full = stat(m, "sync_full"), partial = stat(m, "sync_partial_ok");
                try (FerryProcess replica = FerryProcess.start(props(rp, archive, "-Dferry.replicaof=127.0.0.1 " + mp))) {
                    replica.awaitPort(rp);
                    RawClient r = new RawClient(rp);
                    assertSameData(m, r, replica::log);
                    assertTrue(replica.log().contains("replayed the archived stream"), replica.log());
                    assertEquals(full, stat(m, "sync_full"), "the master ran no full sync");
                    assertEquals(partial + 1, stat(m, "sync_partial_ok"), "the replica continued partially");
                    // a real redis-server below it takes a full sync of what the replay built, and the stream after it
                    try (RedisServer below = RedisServer.start("--replicaof", "127.0.0.1", Integer.toString(rp),
                        "--enable-debug-command", "local")) {
                        m.call("SET", "sa:after-bootstrap", "1");
                        assertSameData(m, below);
                    }
                    r.close();
                }
            }
        }
    }

    @Test
    void aMissingSegmentEndsTheReplayThereAndTheMasterSendsTheRest() throws Exception {
        Path archive = Files.createTempDirectory("ferry-archive");
        int mp = RedisServer.freePort(), rp = RedisServer.freePort();
        try (FerryProcess master = FerryProcess.start(props(mp, archive, "-Dferry.archive.stream.max-bytes=256kb"))) {
            master.awaitReady(mp);
            try (RawClient m = new RawClient(mp)) {
                snapshotThenMegabytes(m);
                List<Path> segments;
                try (Stream<Path> s = Files.walk(archive.resolve("stream"))) {
                    segments = s.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
                }
                assertTrue(segments.size() >= 6, "segments: " + segments);
                // one in the middle of what a bootstrap from the snapshot replays
                long snapshotOffset = stat(m, "archive_last_offset");
                List<Path> after = segments.stream().filter(p -> Long.parseLong(p.getFileName().toString().replace(".seg", "")) > snapshotOffset).toList();
                Files.delete(after.get(after.size() / 2));
                long full = stat(m, "sync_full");
                try (FerryProcess replica = FerryProcess.start(props(rp, archive, "-Dferry.replicaof=127.0.0.1 " + mp))) {
                    replica.awaitPort(rp);
                    RawClient r = new RawClient(rp);
                    assertSameData(m, r, replica::log);
                    assertTrue(replica.log().contains("is missing") && replica.log().contains("the archived stream stops at offset"),
                        replica.log());
                    assertEquals(full + 1, stat(m, "sync_full"), "a 64 KB backlog cannot give the rest: a full sync");
                    r.close();
                }
            }
        }
    }

    /**
     * A segment damaged in the archive (bytes changed in its middle): a restore past it stops where the segment
     * starts, the last point the archive gives whole, and says so; its dataset is the one a restore to that point
     * from the undamaged archive gives.
     */
    @Test
    void aCorruptSegmentStopsARestoreAtTheLastConsistentPoint() throws Exception {
        Path archive = Files.createTempDirectory("ferry-archive");
        int mp = RedisServer.freePort();
        String replid;
        long end;
        try (FerryProcess master = FerryProcess.start(props(mp, archive, "-Dferry.archive.stream.max-bytes=256kb"))) {
            master.awaitReady(mp);
            try (RawClient m = new RawClient(mp)) {
                // no TTLs: two restores made seconds apart must not see different keys expire
                snapshotThenMegabytesWithoutTtls(m);
                replid = info(m, "master_replid");
                end = stat(m, "master_repl_offset");
                long snapshotOffset = stat(m, "archive_last_offset");
                Path clean = Files.createTempDirectory("ferry-archive-clean");
                copyTree(archive, clean);
                List<Long> after = segmentStarts(archive).stream().filter(o -> o > snapshotOffset).toList();
                assertTrue(after.size() >= 6, "segments after the snapshot: " + after);
                long damagedStart = after.get(after.size() / 2);
                Path damaged = archive.resolve("stream").resolve(replid).resolve(String.format("%020d.seg", damagedStart));
                byte[] bytes = Files.readAllBytes(damaged);
                for (int i = bytes.length / 2; i < bytes.length / 2 + 8; i++) bytes[i] ^= 0x5a;
                Files.write(damaged, bytes);

                String target = replid + ":" + end;
                PointInTimeRestore stopped = PointInTimeRestore.run(List.of("-Dferry.archive.url=" + archive.toUri()), target);
                // the last whole command before the damaged segment (a command may span two segments)
                long reached = stopped.offset();
                long previousStart = after.get(after.size() / 2 - 1);
                assertTrue(reached <= damagedStart && reached > previousStart, "stopped at " + reached + ", the damaged segment starts at "
                    + damagedStart + "\n" + stopped.log());
                assertTrue(stopped.log().contains("not a valid stream segment") && stopped.log().contains("the archived stream stops at offset "
                    + reached) && stopped.log().contains("Restore: reached offset " + reached + ", not " + target), stopped.log());
                PointInTimeRestore there = PointInTimeRestore.run(List.of("-Dferry.archive.url=" + clean.toUri()), replid + ":" + reached);
                assertTrue(there.reached(replid + ":" + reached), there.log());
                assertEquals(there.digest(), stopped.digest(), "the dataset as of offset " + reached);
            }
        }
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target);
            }
        }
    }

    /** Offsets where the archive's segments start, from their file names. */
    private static List<Long> segmentStarts(Path archive) throws Exception {
        if (!Files.isDirectory(archive.resolve("stream"))) return List.of();
        try (Stream<Path> s = Files.walk(archive.resolve("stream"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".seg"))
                .map(n -> Long.parseLong(n.replace(".seg", ""))).sorted().toList();
        }
    }

    @Test
    void segmentsThatNoRetainedSnapshotNeedsAreDeleted() throws Exception {
        Path archive = Files.createTempDirectory("ferry-archive");
        int mp = RedisServer.freePort();
        try (FerryProcess master = FerryProcess.start(props(mp, archive, "-Dferry.archive.retain=2"));) {
            master.awaitReady(mp);
            try (RawClient m = new RawClient(mp)) {
                List<Long> snapshotOffsets = new ArrayList<>();
                for (int i = 1; i <= 3; i++) {
                    for (int k = 0; k < 2000; k++) m.call("SET", "r:" + (k % 300), "v".repeat(200) + k);
                    awaitStreamArchived(m, 30000);
                    bgsave(m);
                    awaitUploads(m, i, 30_000);
                    snapshotOffsets.add(stat(m, "archive_last_offset"));
                    if (i == 2) {
                        assertTrue(segmentStarts(archive).stream().anyMatch(s -> s < snapshotOffsets.get(1)),
                            "segments before the second snapshot: " + segmentStarts(archive));
                    }
                }
                for (int k = 0; k < 500; k++) m.call("SET", "r:" + k, "after");
                awaitStreamArchived(m, 30000);
                long oldestRetained = snapshotOffsets.get(1);
                List<Long> starts = segmentStarts(archive);
                assertTrue(starts.stream().allMatch(s -> s >= oldestRetained), "segments before " + oldestRetained + ": " + starts);
                assertTrue(starts.contains(oldestRetained), "the oldest retained snapshot's segment: " + starts);
                assertTrue(Files.readString(archive.resolve("manifest.json")).contains("\"start\" : " + oldestRetained),
                    Files.readString(archive.resolve("manifest.json")));
            }
        }
    }
}
