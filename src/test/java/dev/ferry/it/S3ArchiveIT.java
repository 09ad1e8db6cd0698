package dev.ferry.it;

import dev.ferry.support.RandomWorkload;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisServer;
import dev.ferry.support.S3Proxy;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static dev.ferry.support.ReplicationChecks.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The archive on a real S3 server (s3proxy, its own JVM): a master archives to s3://bucket/prefix with the
 * credentials from the SDK's default chain; a replica on an empty disk bootstraps from it and continues with a
 * partial resync. With S3 down, uploads fail and are retried while the server goes on serving, nothing is announced
 * or deleted, and the snapshot is archived once S3 is back.
 */
class S3ArchiveIT {
    private static final String BUCKET = "ferry-it";

    private static String[] props(int port, S3Proxy s3, String... more) {
        List<String> p = new ArrayList<>(List.of("-Dferry.port=" + port, "-Dferry.save=\"\"", "-Dferry.enable-debug-command=local"));
        p.addAll(s3.ferryProps(BUCKET, "tier-a"));
        p.addAll(List.of(more));
        return p.toArray(new String[0]);
    }


    @Test
    void aReplicaBootstrapsFromS3AndContinuesPartially() throws Exception {
        try (S3Proxy s3 = S3Proxy.start("it-identity", "it-secret")) {
            s3.createBucket(BUCKET);
            int mp = RedisServer.freePort(), rp = RedisServer.freePort();
            // uncompressed, so that the snapshot takes a multipart upload (parts of 16 MB)
            try (FerryProcess master = FerryProcess.start(props(mp, s3, "-Dferry.rdbcompression=false"))) {
                master.awaitReady(mp);
                try (RawClient m = new RawClient(mp)) {
                    fillEveryType(m);
                    assertEquals("+OK\r\n", m.call("DEBUG", "POPULATE", "200000", "big", "200"));
                    RandomWorkload writes = new RandomWorkload(21L, "s3:");
                    writes.run(m, 1000);
                    bgsave(m);
                    awaitUploads(m, 1, 60_000);
                    assertTrue(info(m, "archive_url").startsWith("s3://" + BUCKET + "/tier-a"), m.call("INFO", "archive"));
                    assertTrue(Long.parseLong(info(m, "archive_last_bytes")) > 32 << 20, "a multipart upload");
                    assertTrue(!master.log().contains("it-secret"), "no credential in the log");
                    writes.run(m, 1000);
                    long full = stat(m, "sync_full"), partial = stat(m, "sync_partial_ok");
                    try (FerryProcess replica = FerryProcess.start(props(rp, s3, "-Dferry.replicaof=127.0.0.1 " + mp))) {
                        replica.awaitPort(rp);
                        try (RawClient r = new RawClient(rp)) {
                            assertSameData(m, r, replica::log);
                            assertEquals("done", info(r, "bootstrap_state"), replica.log());
                            assertEquals(full, stat(m, "sync_full"), "the master ran no full sync");
                            assertEquals(partial + 1, stat(m, "sync_partial_ok"));
                        }
                    }
                }
            }
        }
    }

    @Test
    void uploadsRetryWhileS3IsDownAndSucceedWhenItReturns() throws Exception {
        try (S3Proxy s3 = S3Proxy.start("it-identity", "it-secret")) {
            s3.createBucket(BUCKET);
            int port = RedisServer.freePort();
            try (FerryProcess node = FerryProcess.start(props(port, s3))) {
                node.awaitReady(port);
                try (RawClient c = new RawClient(port)) {
                    c.call("SET", "a", "1");
                    bgsave(c);
                    awaitUploads(c, 1, 60_000);
                    String firstKey = info(c, "archive_last_key");
                    s3.stop();
                    c.call("SET", "b", "2");
                    bgsave(c);
                    long deadline = System.currentTimeMillis() + 60_000;
                    while (stat(c, "archive_consecutive_failures") < 2) {
                        if (System.currentTimeMillis() > deadline) fail("no failed attempts: " + c.call("INFO", "archive"));
                        assertEquals("+PONG\r\n", c.call("PING"), "the server goes on serving");
                        Thread.sleep(100);
                    }
                    assertEquals(1, stat(c, "archive_uploads_ok"));
                    assertTrue(info(c, "archive_last_error") != null, c.call("INFO", "archive"));
                    s3.start();
                    awaitUploads(c, 2, 90_000);
                    assertEquals(0, stat(c, "archive_consecutive_failures"));
                    assertEquals("2", info(c, "archive_snapshots_retained"), "the first snapshot is still retained");
                    assertTrue(!firstKey.equals(info(c, "archive_last_key")));
                }
            }
        }
    }
}
