package dev.ferry.replication;

import dev.ferry.support.FerryPort;
import dev.ferry.support.RandomWorkload;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisServer;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.ferry.support.ReplicationChecks.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real redis-server 7.0 as a replica of Ferry: a dataset of every type and encoding, then random writes of
 * every family while it syncs and after; the datasets' DEBUG DIGESTs are equal after the full resync, after a
 * dropped link (a partial resync from the backlog) and after the replica restarted from its own snapshot
 * (+CONTINUE from the snapshot's offset).
 */
@QuarkusTest
class RedisReplicaOfFerryTest {

    @AfterEach
    void cleanUp() throws Exception {
        try (RawClient f = new RawClient(FerryPort.get())) {
            f.call("DEBUG", "SET-ACTIVE-EXPIRE", "1");
            f.call("FLUSHALL");
        }
        Files.deleteIfExists(Path.of("target/test-data/dump.rdb"));
    }

    @Test
    void redisReplicaFollowsFerryThroughFullAndPartialResyncs() throws Exception {
        int port = FerryPort.get();
        try (RawClient f = new RawClient(port)) {
            f.call("FLUSHALL");
            fillEveryType(f);
            long full = stat(f, "sync_full"), partial = stat(f, "sync_partial_ok");
            RandomWorkload writes = new RandomWorkload(20261201L, "rw:");
            RedisServer replica = RedisServer.start("--replicaof", "127.0.0.1", Integer.toString(port),
                "--enable-debug-command", "local");
            try {
                // writes go on while the replica syncs: they reach it after the snapshot, from the held stream
                writes.run(f, 3000);
                assertSameData(f, replica);
                assertEquals(full + 1, stat(f, "sync_full"), "one full resync");
                assertEquals("slave", role(replica));

                // a dropped link: the replica comes back with PSYNC and gets the missed bytes from the backlog
                assertEquals(":1\r\n", f.call("CLIENT", "KILL", "TYPE", "replica"));
                writes.run(f, 2000);
                assertSameData(f, replica);
                assertEquals(full + 1, stat(f, "sync_full"), "no second full resync");
                assertEquals(partial + 1, stat(f, "sync_partial_ok"));

                // restarted from the snapshot it received: +CONTINUE from that snapshot's offset
                replica = replica.restart("--replicaof", "127.0.0.1", Integer.toString(port),
                    "--enable-debug-command", "local");
                writes.run(f, 2000);
                assertSameData(f, replica);
                assertEquals(full + 1, stat(f, "sync_full"), "no full resync after the restart");
                assertEquals(partial + 2, stat(f, "sync_partial_ok"));
                assertTrue(replica.log().contains("Successful partial resynchronization with master"), replica.log());

                // WAIT counts the replica that acknowledged this client's writes
                f.call("SET", "rw:wait", "1");
                assertEquals(":1\r\n", f.call("WAIT", "1", "5000"));
                assertEquals(":1\r\n", f.call("WAIT", "2", "200"), "one replica, after the timeout");
            } finally {
                replica.close();
            }
        }
    }
}
