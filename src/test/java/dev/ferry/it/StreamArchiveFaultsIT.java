package dev.ferry.it;

import dev.ferry.support.RawClient;
import dev.ferry.support.RedisServer;
import dev.ferry.support.S3Proxy;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.ferry.support.ReplicationChecks.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The stream archive on a real S3 server (s3proxy) that goes away while writes go on: the stream waits in the spool
 * and the lag grows in INFO; with min-archived-lag, writes are refused once the archive is that far behind, and
 * taken again once it caught up, with nothing lost (a restore to the last offset has the master's digest); past
 * the spool limit the archive has a gap, which it logs and counts, and it begins again.
 */
class StreamArchiveFaultsIT {
    private static final String BUCKET = "ferry-faults";

    private static String[] props(int port, S3Proxy s3, String... more) {
        List<String> p = new ArrayList<>(List.of("-Dferry.port=" + port, "-Dferry.save=\"\"", "-Dferry.enable-debug-command=local"));
        p.addAll(s3.ferryProps(BUCKET, "faults"));
        p.addAll(List.of(more));
        return p.toArray(new String[0]);
    }

    private static void awaitStreamState(RawClient m, String state) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (!state.equals(info(m, "archive_stream_state"))) {
            if (System.currentTimeMillis() > deadline) fail("the stream archive is not " + state + ": " + m.call("INFO", "archive"));
            Thread.sleep(20);
        }
    }

    @Test
    void withS3DownWritesAreRefusedPastTheLagAndTakenAgainOnceArchived() throws Exception {
        try (S3Proxy s3 = S3Proxy.start("faults-identity", "faults-secret")) {
            s3.createBucket(BUCKET);
            int mp = RedisServer.freePort();
            try (FerryProcess master = FerryProcess.start(props(mp, s3, "-Dferry.archive.stream.min-archived-lag=3s"))) {
                master.awaitReady(mp);
                try (RawClient m = new RawClient(mp)) {
                    awaitStreamState(m, "active");
                    assertEquals("3", info(m, "archive_stream_min_archived_lag"));
                    for (int i = 0; i < 100; i++) assertEquals("+OK\r\n", m.call("SET", "f:" + i, "before"));
                    assertEquals("+Background saving started\r\n", m.call("BGSAVE"));
                    awaitUploads(m, 1, 30_000);
                    for (int i = 0; i < 100; i++) assertEquals(":1\r\n", m.call("HSET", "f:h", "k" + i, "before"));
                    awaitStreamArchived(m, 60000);
                    assertEquals("0", info(m, "archive_stream_refusing_writes"));

                    s3.stop();
                    long stopped = System.currentTimeMillis();
                    String refused = null;
                    int taken = 0;
                    while (refused == null) {
                        if (System.currentTimeMillis() - stopped > 20_000) fail("writes still taken 20 s after S3 stopped: " + m.call("INFO", "archive"));
                        String reply = m.call("SET", "f:down:" + taken, "during");
                        if (reply.startsWith("-")) refused = reply;
                        else taken++;
                        Thread.sleep(10);
                    }
                    long refusedAfter = System.currentTimeMillis() - stopped;
                    assertTrue(refused.startsWith("-NOARCHIVE The stream archive is ") && refused.contains("min-archived-lag"), refused);
                    // up to an interval of stream was in flight when S3 stopped: the bound is reached 2 to 3 s later
                    assertTrue(refusedAfter >= 2_000, "refused " + refusedAfter + " ms after S3 stopped");
                    assertTrue(taken > 0, "writes were taken while the archive was less than 3 s behind");
                    assertEquals("1", info(m, "archive_stream_refusing_writes"));
                    assertEquals("failing", info(m, "archive_stream_state"));
                    assertTrue(stat(m, "archive_stream_lag_bytes") > 0 && stat(m, "archive_stream_spool_bytes") > 0
                        && stat(m, "archive_stream_consecutive_failures") > 0, m.call("INFO", "archive"));
                    // reads go on; a write queued in a transaction is refused and the transaction discarded, as Redis does
                    // with NOREPLICAS
                    assertEquals("$6\r\nbefore\r\n", m.call("GET", "f:1"));
                    assertEquals("+OK\r\n", m.call("MULTI"));
                    assertTrue(m.call("SET", "f:multi", "x").startsWith("-NOARCHIVE "));
                    assertEquals("-EXECABORT Transaction discarded because of previous errors.\r\n", m.call("EXEC"));
                    assertEquals("$-1\r\n", m.call("GET", "f:multi"));

                    s3.start();
                    long deadline = System.currentTimeMillis() + 60_000;
                    while (!m.call("SET", "f:after", "x").equals("+OK\r\n")) {
                        if (System.currentTimeMillis() > deadline) fail("writes still refused a minute after S3 came back: " + m.call("INFO", "archive"));
                        Thread.sleep(100);
                    }
                    assertEquals("0", info(m, "archive_stream_refusing_writes"));
                    awaitStreamArchived(m, 60000);
                    assertEquals("active", info(m, "archive_stream_state"));
                    assertEquals("0", info(m, "archive_stream_gaps"));

                    // nothing was lost: the snapshot from before the outage plus the stream archived across it
                    String target = info(m, "master_replid") + ":" + stat(m, "master_repl_offset");
                    PointInTimeRestore restored = PointInTimeRestore.run(s3.ferryProps(BUCKET, "faults"), target);
                    assertTrue(restored.reached(target), restored.log());
                    assertEquals(m.call("DEBUG", "DIGEST"), restored.digest());
                }
            }
        }
    }

    @Test
    void pastTheSpoolLimitTheArchiveHasAGapThatItLogsCountsAndGetsOver() throws Exception {
        try (S3Proxy s3 = S3Proxy.start("faults-identity", "faults-secret")) {
            s3.createBucket(BUCKET);
            int mp = RedisServer.freePort();
            try (FerryProcess master = FerryProcess.start(props(mp, s3, "-Dferry.archive.stream.spool-limit=1mb",
                "-Dferry.archive.stream.max-bytes=256kb"))) {
                master.awaitReady(mp);
                try (RawClient m = new RawClient(mp)) {
                    awaitStreamState(m, "active");
                    s3.stop();
                    String value = "v".repeat(1000);
                    for (int i = 0; i < 2000; i++) assertEquals("+OK\r\n", m.call("SET", "g:" + (i % 100), value));
                    long deadline = System.currentTimeMillis() + 10_000;
                    while (stat(m, "archive_stream_gaps") < 1) {
                        if (System.currentTimeMillis() > deadline) fail("no gap counted: " + m.call("INFO", "archive"));
                        Thread.sleep(50);
                    }
                    assertTrue(master.log().contains("more than 1048576 bytes of the stream waited for the archive"), master.log());
                    assertTrue(stat(m, "archive_stream_spool_bytes") <= 1 << 20, m.call("INFO", "archive"));
                    assertEquals("+OK\r\n", m.call("SET", "g:served", "yes"));
                    s3.start();
                    awaitStreamState(m, "active");
                    awaitStreamArchived(m, 60000);
                    assertEquals(1, stat(m, "archive_stream_gaps"), m.call("INFO", "archive"));
                }
            }
        }
    }
}
