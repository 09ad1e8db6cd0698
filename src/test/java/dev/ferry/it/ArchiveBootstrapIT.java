package dev.ferry.it;

import dev.ferry.support.RandomWorkload;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
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
 * The archive's reason to exist, end to end with Ferry processes and a file archive: a master archives its
 * snapshots; a replica started on an empty disk bootstraps from the newest one and continues with a partial
 * resync (the master runs no full sync for it); a corrupt newest snapshot falls back to the previous one; an
 * unreadable manifest keeps the server loading until the archive is readable again.
 */
class ArchiveBootstrapIT {

    private static String[] props(int port, Path archive, String... more) {
        List<String> p = new ArrayList<>(List.of("-Dferry.port=" + port, "-Dferry.save=\"\"", "-Dferry.enable-debug-command=local",
            "-Dferry.archive.url=" + archive.toUri()));
        p.addAll(List.of(more));
        return p.toArray(new String[0]);
    }

    /** BGSAVE, then waits until the archive announced that many snapshots in all. */
    private static void archiveSnapshot(RawClient c, int uploadsOk) throws Exception {
        bgsave(c);
        awaitUploads(c, uploadsOk, 30_000);
    }


    @Test
    void aReplicaOnAnEmptyDiskBootstrapsAndContinuesPartially() throws Exception {
        Path archive = Files.createTempDirectory("ferry-archive");
        int mp = RedisServer.freePort(), rp = RedisServer.freePort();
        try (FerryProcess master = FerryProcess.start(props(mp, archive))) {
            master.awaitReady(mp);
            try (RawClient m = new RawClient(mp)) {
                fillEveryType(m);
                RandomWorkload writes = new RandomWorkload(11L, "ar:");
                writes.run(m, 2000);
                archiveSnapshot(m, 1);
                writes.run(m, 2000); // after the snapshot: the replica gets these from the backlog
                long full = stat(m, "sync_full"), partial = stat(m, "sync_partial_ok");
                try (FerryProcess replica = FerryProcess.start(props(rp, archive, "-Dferry.replicaof=127.0.0.1 " + mp))) {
                    replica.awaitPort(rp);
                    try (RawClient r = new RawClient(rp)) {
                        assertSameData(m, r, replica::log);
                        assertEquals("done", info(r, "bootstrap_state"), replica.log());
                        assertEquals(full, stat(m, "sync_full"), "the master ran no full sync");
                        assertEquals(partial + 1, stat(m, "sync_partial_ok"), "the replica continued partially");
                        assertEquals("0", info(r, "archive_active"), "a replica does not archive with role master");
                    }
                }
            }
        }
    }

    /**
     * A master restarted on an empty disk bootstraps from the archive and keeps the snapshot's history, as Redis 7
     * keeps it from its RDB after a restart (the snapshot's replid becomes replid2 up to its offset): its replica,
     * which has exactly that history, continues with +CONTINUE instead of taking a full sync.
     */
    @Test
    void aMasterRestartedOnAnEmptyDiskKeepsItsHistoryForItsReplica() throws Exception {
        Path archive = Files.createTempDirectory("ferry-archive");
        Path masterDir = Files.createTempDirectory("ferry-master");
        int mp = RedisServer.freePort(), rp = RedisServer.freePort();
        String[] masterProps = props(mp, archive, "-Dferry.dir=" + masterDir);
        String replid;
        long offset;
        try (FerryProcess master = FerryProcess.start(masterProps)) {
            master.awaitReady(mp);
            RawClient m = new RawClient(mp);
            // no PING to the replica after the snapshot: its offset stays the snapshot's
            m.call("CONFIG", "SET", "repl-ping-replica-period", "3600");
            fillEveryType(m);
            FerryProcess replica = FerryProcess.start(props(rp, archive, "-Dferry.archive.url=none", "-Dferry.replicaof=127.0.0.1 " + mp));
            try {
                replica.awaitPort(rp);
                RawClient r = new RawClient(rp);
                // writes without short TTLs: an expiry after the snapshot would put the replica ahead of it
                for (int i = 0; i < 2000; i++) {
                    m.call("SET", "mr:s" + i, "v" + i);
                    m.call("RPUSH", "mr:list", Integer.toString(i));
                    m.call("HSET", "mr:hash", "f" + (i % 100), Integer.toString(i));
                }
                assertSameData(m, r, replica::log);
                // the replica's full sync made a snapshot, archived like any other: the next one comes after it
                awaitUploads(m, 1, 30_000);
                archiveSnapshot(m, (int) stat(m, "archive_uploads_ok") + 1);
                assertSameData(m, r, replica::log);
                replid = info(m, "master_replid");
                offset = stat(m, "master_repl_offset");
                assertEquals(offset, stat(m, "archive_last_offset"), "nothing was written after the archived snapshot");
                assertEquals(offset, stat(r, "master_repl_offset"), "the replica holds the snapshot's history");
                m.close();
                master.close();
                try (Stream<Path> files = Files.list(masterDir)) {
                    for (Path f : files.toList()) {
                        if (Files.isRegularFile(f)) Files.delete(f);
                    }
                }
                try (FerryProcess restarted = FerryProcess.start(masterProps)) {
                    restarted.awaitReady(mp);
                    try (RawClient m2 = new RawClient(mp)) {
                        assertEquals("done", info(m2, "bootstrap_state"), restarted.log());
                        // Redis's loadDataFromDisk: a new replid, the snapshot's history as replid2 up to its offset
                        assertEquals(replid, info(m2, "master_replid2"), "the restarted master serves the snapshot's history");
                        assertEquals(offset + 1, stat(m2, "second_repl_offset"), info(m2, "master_replid2"));
                        assertSameData(m2, r, replica::log);
                        assertEquals(0, stat(m2, "sync_full"), "the replica took no full sync");
                        assertEquals(1, stat(m2, "sync_partial_ok"), "the replica continued partially");
                        new RandomWorkload(14L, "mr:").run(m2, 500);
                        assertSameData(m2, r, replica::log);
                    }
                }
                r.close();
            } finally {
                replica.close();
            }
        }
    }

    /** ferry.archive.role=replica: the master never archives; a replica's snapshot carries the master's position. */
    @Test
    void anArchiveWrittenByAReplicaBootstrapsAnotherOne() throws Exception {
        Path archive = Files.createTempDirectory("ferry-archive");
        int mp = RedisServer.freePort(), r1p = RedisServer.freePort(), r2p = RedisServer.freePort();
        try (FerryProcess master = FerryProcess.start(props(mp, archive, "-Dferry.archive.role=replica"))) {
            master.awaitReady(mp);
            try (RawClient fill = new RawClient(mp)) {
                // DEBUG POPULATE is not propagated (as in Redis): its keys reach the replica in its full sync, so
                // the replica starts after them
                fillEveryType(fill);
            }
            try (FerryProcess first = FerryProcess.start(props(r1p, archive, "-Dferry.archive.role=replica", "-Dferry.replicaof=127.0.0.1 " + mp));
                 RawClient m = new RawClient(mp)) {
                first.awaitReady(r1p);
                r1Checks(m, new RawClient(r1p), first, archive, mp, r2p);
            }
        }
    }

    /** The rest of {@link #anArchiveWrittenByAReplicaBootstrapsAnotherOne}, once the first replica runs. */
    private static void r1Checks(RawClient m, RawClient r1, FerryProcess first, Path archive, int mp, int r2p) throws Exception {
        try (r1) {
            RandomWorkload writes = new RandomWorkload(13L, "ar:");
            writes.run(m, 2000);
            assertSameData(m, r1, first::log);
            archiveSnapshot(r1, 1);
            assertEquals("0", info(m, "archive_uploads_ok"), "the master archived nothing");
            assertEquals(info(m, "master_replid"), info(r1, "archive_last_replid"));
            writes.run(m, 2000);
            long full = stat(m, "sync_full"), partial = stat(m, "sync_partial_ok");
            try (FerryProcess second = FerryProcess.start(props(r2p, archive, "-Dferry.replicaof=127.0.0.1 " + mp))) {
                second.awaitPort(r2p);
                try (RawClient r2 = new RawClient(r2p)) {
                    assertSameData(m, r2, second::log);
                    assertEquals("done", info(r2, "bootstrap_state"), second.log());
                    assertEquals(full, stat(m, "sync_full"), "the master ran no full sync for the second replica");
                    assertEquals(partial + 1, stat(m, "sync_partial_ok"));
                }
            }
        }
    }

    /** A backlog that no longer holds the snapshot's offset: the replica takes a full sync and says why. */
    @Test
    void aSnapshotOlderThanTheBacklogFallsBackToAFullSync() throws Exception {
        Path archive = Files.createTempDirectory("ferry-archive");
        int mp = RedisServer.freePort(), rp = RedisServer.freePort();
        // without the stream archive, which would replay what the backlog lost (StreamArchiveIT)
        try (FerryProcess master = FerryProcess.start(props(mp, archive, "-Dferry.repl-backlog-size=1mb", "-Dferry.archive.stream.interval=0"))) {
            master.awaitReady(mp);
            try (RawClient m = new RawClient(mp)) {
                m.call("SET", "k", "v");
                archiveSnapshot(m, 1);
                String big = "x".repeat(10_000);
                for (int i = 0; i < 300; i++) m.call("SET", "after:" + (i % 10), big); // 3 MB: past the 1 MB backlog
                long full = stat(m, "sync_full");
                try (FerryProcess replica = FerryProcess.start(props(rp, archive, "-Dferry.replicaof=127.0.0.1 " + mp))) {
                    replica.awaitPort(rp);
                    try (RawClient r = new RawClient(rp)) {
                        assertSameData(m, r, replica::log);
                        assertEquals("done", info(r, "bootstrap_state"));
                        assertEquals(full + 1, stat(m, "sync_full"), "a full sync instead");
                        assertTrue(replica.log().contains("its backlog no longer holds that offset"), replica.log());
                    }
                }
            }
        }
    }

    @Test
    void aCorruptNewestSnapshotFallsBackToThePreviousOne() throws Exception {
        Path archive = Files.createTempDirectory("ferry-archive");
        int mp = RedisServer.freePort(), rp = RedisServer.freePort();
        try (FerryProcess master = FerryProcess.start(props(mp, archive))) {
            master.awaitReady(mp);
            try (RawClient m = new RawClient(mp)) {
                fillEveryType(m);
                archiveSnapshot(m, 1);
                new RandomWorkload(12L, "ar:").run(m, 500);
                archiveSnapshot(m, 2);
                // a byte in the middle of the newest object changes; its size and trailer do not
                Path newest;
                try (Stream<Path> s = Files.list(archive.resolve("snapshots"))) {
                    newest = s.filter(p -> p.toString().endsWith(".rdb")).sorted().reduce((a, b) -> {
                        try {
                            return Files.getLastModifiedTime(a).compareTo(Files.getLastModifiedTime(b)) >= 0 ? a : b;
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    }).orElseThrow();
                }
                byte[] bytes = Files.readAllBytes(newest);
                bytes[bytes.length / 2] ^= 0x5a;
                Files.write(newest, bytes);
                try (FerryProcess replica = FerryProcess.start(props(rp, archive, "-Dferry.replicaof=127.0.0.1 " + mp))) {
                    replica.awaitPort(rp);
                    try (RawClient r = new RawClient(rp)) {
                        assertSameData(m, r, replica::log);
                        assertEquals("done", info(r, "bootstrap_state"));
                        assertTrue(replica.log().contains("skipping the archived snapshot") && replica.log().contains("trying the previous one"),
                            replica.log());
                        assertEquals(0, stat(m, "sync_full"), "the previous snapshot's offset is in the backlog too");
                    }
                }
            }
        }
    }

    @Test
    void anUnreadableManifestKeepsTheServerLoadingUntilItIsReadable() throws Exception {
        Path archive = Files.createTempDirectory("ferry-archive");
        int mp = RedisServer.freePort(), rp = RedisServer.freePort();
        try (FerryProcess master = FerryProcess.start(props(mp, archive))) {
            master.awaitReady(mp);
            try (RawClient m = new RawClient(mp)) {
                m.call("SET", "k", "v");
                archiveSnapshot(m, 1);
            }
        }
        Path manifest = archive.resolve("manifest.json");
        byte[] good = Files.readAllBytes(manifest);
        Files.writeString(manifest, "{ not json");
        try (FerryProcess node = FerryProcess.start(props(rp, archive))) {
            node.awaitPort(rp);
            try (RawClient r = new RawClient(rp)) {
                long deadline = System.currentTimeMillis() + 20_000;
                while (!"retrying".equals(info(r, "bootstrap_state"))) {
                    if (System.currentTimeMillis() > deadline) fail("no retry: " + node.log());
                    Thread.sleep(50);
                }
                assertTrue(r.call("GET", "k").startsWith("-LOADING"), "no accidental empty start");
                assertTrue(node.log().contains("not a valid manifest"), node.log());
                Files.write(manifest, good);
                deadline = System.currentTimeMillis() + 30_000;
                while (!"done".equals(info(r, "bootstrap_state"))) {
                    if (System.currentTimeMillis() > deadline) fail("no recovery: " + node.log());
                    Thread.sleep(50);
                }
                assertEquals("$1\r\nv\r\n", r.call("GET", "k"));
            }
        }
    }

    /**
     * kill -9 in the middle of an upload: the manifest does not list the snapshot and no object has its key (a file
     * archive writes a temporary file and renames it); the node restarted on the same directories archives its next
     * snapshot normally.
     */
    @Test
    void aKillDuringAnUploadAnnouncesNothing() throws Exception {
        Path archive = Files.createTempDirectory("ferry-archive");
        Path dir = Files.createTempDirectory("ferry-it");
        int port = RedisServer.freePort();
        String manifestBefore;
        // without the stream archive, which announces its segments in the manifest every second
        try (FerryProcess node = FerryProcess.start(props(port, archive, "-Dferry.dir=" + dir, "-Dferry.archive.stream.interval=0"))) {
            node.awaitReady(port);
            try (RawClient c = new RawClient(port)) {
                c.call("SET", "first", "1");
                archiveSnapshot(c, 1);
                manifestBefore = Files.readString(archive.resolve("manifest.json"));
                // 1M keys of 300 B: an upload that lasts long enough to be caught in the middle
                assertEquals("+OK\r\n", c.call("DEBUG", "POPULATE", "1000000", "big", "300"));
                bgsave(c);
                long deadline = System.currentTimeMillis() + 60_000;
                while (!"1".equals(info(c, "archive_in_progress"))) {
                    if (System.currentTimeMillis() > deadline) fail("the upload was not seen running: " + c.call("INFO", "archive"));
                    Thread.sleep(5);
                }
                node.process.destroyForcibly().waitFor();
            }
        }
        assertEquals(manifestBefore, Files.readString(archive.resolve("manifest.json")), "the manifest is unchanged");
        try (Stream<Path> s = Files.list(archive.resolve("snapshots"))) {
            List<String> visible = s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".") && n.endsWith(".rdb")).toList();
            assertEquals(1, visible.size(), "only the first snapshot's object exists: " + visible);
        }
        // without the stream archive, which announces its segments in the manifest every second
        try (FerryProcess node = FerryProcess.start(props(port, archive, "-Dferry.dir=" + dir, "-Dferry.archive.stream.interval=0"))) {
            node.awaitReady(port);
            try (RawClient c = new RawClient(port)) {
                long deadline = System.currentTimeMillis() + 60_000;
                while (c.call("PING").startsWith("-LOADING")) {
                    if (System.currentTimeMillis() > deadline) fail("not loaded: " + node.log());
                    Thread.sleep(50);
                }
                c.call("FLUSHALL");
                c.call("SET", "second", "2");
                archiveSnapshot(c, 1);
                assertTrue(Files.readString(archive.resolve("manifest.json")).contains("\"keys\" : 1"), "the new snapshot is listed");
            }
        }
    }
}
