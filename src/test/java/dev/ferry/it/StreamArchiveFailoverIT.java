package dev.ferry.it;

import dev.ferry.support.RawClient;
import dev.ferry.support.RedisServer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static dev.ferry.support.ReplicationChecks.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A failover in the middle of the stream archive: the master is killed (its last interval of stream never shipped),
 * its replica is promoted and archives from then on under a new replid. The archive's chain goes on across the
 * promotion: the promoted node ships the old history's tail from its backlog, its own chain links to the old one
 * (parent_replid, parent_offset), and a restore or a bootstrap walks from a snapshot of the old history through the
 * promotion into the new one.
 */
class StreamArchiveFailoverIT {

    private static String[] props(int port, Path archive, String... more) {
        List<String> p = new ArrayList<>(List.of("-Dferry.port=" + port, "-Dferry.save=\"\"", "-Dferry.enable-debug-command=local",
            "-Dferry.archive.url=" + archive.toUri()));
        p.addAll(List.of(more));
        return p.toArray(new String[0]);
    }

    @Test
    void theArchivedStreamGoesOnAcrossAPromotion() throws Exception {
        Path archive = Files.createTempDirectory("ferry-archive");
        int ap = RedisServer.freePort(), bp = RedisServer.freePort(), cp = RedisServer.freePort();
        String oldReplid, newReplid;
        long beforeKill, promotedAt, end;
        String digestBeforeKill, digestAtEnd;
        // the old master ships its stream every 5 s: what it wrote in its last seconds is not archived when it dies
        try (FerryProcess a = FerryProcess.start(props(ap, archive, "-Dferry.archive.stream.interval=5s"));
             FerryProcess b = FerryProcess.start(props(bp, archive, "-Dferry.replicaof=127.0.0.1 " + ap))) {
            a.awaitReady(ap);
            b.awaitPort(bp);
            try (RawClient m = new RawClient(ap); RawClient r = new RawClient(bp)) {
                oldReplid = info(m, "master_replid");
                // no TTLs: a restore later must not see a key expire
                SplittableRandom rnd = new SplittableRandom(41);
                PointInTimeRestoreIT.writes(m, rnd, 2000);
                bgsave(m);
                awaitUploads(m, 1, 30_000);
                PointInTimeRestoreIT.writes(m, rnd, 3000);
                assertSameData(m, r, b::log);
                beforeKill = stat(m, "master_repl_offset");
                digestBeforeKill = m.call("DEBUG", "DIGEST");
                assertTrue(stat(m, "archive_stream_offset") < beforeKill, "the old master's last writes are not archived yet: "
                    + m.call("INFO", "archive"));
                a.kill();

                assertEquals("+OK\r\n", r.call("REPLICAOF", "NO", "ONE"));
                newReplid = info(r, "master_replid");
                assertEquals(oldReplid, info(r, "master_replid2"));
                promotedAt = stat(r, "second_repl_offset") - 1;
                assertEquals(beforeKill, promotedAt);
                PointInTimeRestoreIT.writes(r, rnd, 3000);
                awaitStreamArchived(r, 30000);
                end = stat(r, "master_repl_offset");
                digestAtEnd = r.call("DEBUG", "DIGEST");
                assertTrue(b.log().contains("Archive: archiving the last ") && b.log().contains("of " + oldReplid), b.log());
                String manifest = Files.readString(archive.resolve("manifest.json"));
                assertTrue(manifest.contains("\"parent_replid\" : \"" + oldReplid + "\"") && manifest.contains("\"parent_offset\" : " + promotedAt),
                    manifest);

                // a new replica of the promoted node: the old history's snapshot, its stream, the promotion, the new stream
                long full = stat(r, "sync_full"), partial = stat(r, "sync_partial_ok");
                try (FerryProcess c = FerryProcess.start(props(cp, archive, "-Dferry.replicaof=127.0.0.1 " + bp))) {
                    c.awaitPort(cp);
                    try (RawClient cc = new RawClient(cp)) {
                        assertSameData(r, cc, c::log);
                        assertTrue(c.log().contains("goes on with " + newReplid + ", promoted at offset " + promotedAt),
                            c.log() + "\n" + Files.readString(archive.resolve("manifest.json")));
                        assertEquals(full, stat(r, "sync_full"), "the promoted master ran no full sync");
                        assertEquals(partial + 1, stat(r, "sync_partial_ok"), "the new replica continued partially");
                    }
                }
            }
        }
        // restores: to the old master's last offset (its tail archived by the promoted node), and into the new history
        assertNotEquals(digestBeforeKill, digestAtEnd);
        PointInTimeRestore atKill = PointInTimeRestore.run(List.of("-Dferry.archive.url=" + archive.toUri()), oldReplid + ":" + beforeKill);
        assertTrue(atKill.reached(oldReplid + ":" + beforeKill), atKill.log());
        assertEquals(digestBeforeKill, atKill.digest());
        PointInTimeRestore atEnd = PointInTimeRestore.run(List.of("-Dferry.archive.url=" + archive.toUri()), newReplid + ":" + end);
        assertTrue(atEnd.reached(newReplid + ":" + end), atEnd.log());
        assertEquals(digestAtEnd, atEnd.digest());
    }
}
