package dev.ferry.replication;

import dev.ferry.support.FerryPort;
import dev.ferry.support.OnFerry;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisServer;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.ferry.support.ReplicationChecks.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replica that stops reading (a real redis-server, SIGSTOPped) while the master writes more than
 * client-output-buffer-limit replica allows: the master drops it (and counts it), keeps serving, and once the
 * replica runs again it reconnects; its PSYNC finds its offset gone from the small backlog, so a full resync
 * brings it back, with the master's digest.
 */
@QuarkusTest
class SlowReplicaTest {

    @Test
    void aReplicaOverItsOutputLimitIsDroppedAndComesBack() throws Exception {
        int port = FerryPort.get();
        try (RawClient f = new RawClient(port)) {
            f.call("FLUSHALL");
            String limits = config(f, "client-output-buffer-limit");
            String backlog = config(f, "repl-backlog-size");
            assertEquals("+OK\r\n", f.call("CONFIG", "SET", "client-output-buffer-limit", "replica 2mb 1mb 1",
                "repl-backlog-size", "1mb"));
            RedisServer replica = RedisServer.start("--replicaof", "127.0.0.1", Integer.toString(port),
                "--enable-debug-command", "local");
            try {
                f.call("SET", "first", "1");
                assertSameData(f, replica);
                long full = stat(f, "sync_full");
                long dropped = droppedForOutputLimit();
                replica.signal("STOP");
                String big = "x".repeat(100_000);
                // 30 MB: more than the kernel's socket buffers take for a peer that does not read
                for (int i = 0; i < 300; i++) f.call("SET", "big:" + (i % 50), big + i);
                long deadline = System.currentTimeMillis() + 10_000;
                while (stat(f, "connected_slaves") != 0) {
                    assertTrue(System.currentTimeMillis() < deadline, "the stopped replica was not dropped");
                    Thread.sleep(20);
                }
                assertEquals(dropped + 1, droppedForOutputLimit(), "dropped by client-output-buffer-limit replica");
                assertEquals("+PONG\r\n", f.call("PING"), "the master goes on serving");
                replica.signal("CONT");
                assertSameData(f, replica);
                assertEquals(full + 1, stat(f, "sync_full"), "the backlog no longer held its offset: a full resync");
            } finally {
                replica.signal("CONT");
                replica.close();
                f.call("CONFIG", "SET", "client-output-buffer-limit", limits, "repl-backlog-size", backlog);
                f.call("FLUSHALL");
                Files.deleteIfExists(Path.of("target/test-data/dump.rdb"));
            }
        }
    }

    /** Clients closed by client-output-buffer-limit (Redis 7.2's INFO field, which 7.0 has not: Ferry's metric). */
    private static long droppedForOutputLimit() throws Exception {
        return OnFerry.call(ctx -> ctx.stats().clientOutputBufferLimitDisconnections);
    }
}
