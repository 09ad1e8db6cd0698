package dev.ferry.it;

import dev.ferry.support.RandomWorkload;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisServer;
import org.junit.jupiter.api.Test;

import static dev.ferry.support.ReplicationChecks.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ferry as a replica of a real redis-server 7.0 (ferry.replicaof at start-up): a dataset of every type, random
 * writes of every family during and after the sync; DEBUG DIGEST equal after the full resync (Redis 7.0 sends
 * it diskless, EOF-marked), after a dropped link (a partial resync: Redis's sync_partial_ok grows, sync_full
 * does not) and after Ferry restarted from the snapshot it saved at SIGTERM (+CONTINUE from its offset).
 */
class FerryReplicaOfRedisIT {

    @Test
    void ferryFollowsRedisThroughFullAndPartialResyncs() throws Exception {
        try (RedisServer redis = RedisServer.start("--enable-debug-command", "local");
             RawClient master = new RawClient(redis.port())) {
            fillEveryType(master);
            RandomWorkload writes = new RandomWorkload(42L, "rw:");
            int port = RedisServer.freePort();
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("ferry-replica");
            String[] props = {"-Dferry.port=" + port, "-Dferry.dir=" + dir, "-Dferry.enable-debug-command=local",
                "-Dferry.replicaof=127.0.0.1 " + redis.port(), "-Dferry.save=3600 1"};
            FerryProcess ferry = FerryProcess.start(props);
            try {
                ferry.awaitPort(port);
                writes.run(master, 3000);
                try (RawClient replica = new RawClient(port)) {
                    FerryProcess f = ferry;
                    assertSameData(master, replica, f::log);
                    assertEquals(1, stat(master, "sync_full"));
                    assertEquals("slave", info(replica, "role"));
                    assertTrue(replica.call("SET", "x", "1").startsWith("-READONLY"), "a replica refuses client writes");

                    // a dropped link: Ferry comes back with PSYNC and Redis sends the backlog's bytes
                    assertEquals(":1\r\n", master.call("CLIENT", "KILL", "TYPE", "replica"));
                    writes.run(master, 2000);
                    assertSameData(master, replica, f::log);
                    assertEquals(1, stat(master, "sync_full"), "no second full resync");
                    assertEquals(1, stat(master, "sync_partial_ok"));
                }
                // SIGTERM saves (a save point is set); the restart loads it and continues from its offset
                ferry.close();
                writes.run(master, 2000);
                ferry = FerryProcess.start(props);
                ferry.awaitPort(port);
                try (RawClient replica = new RawClient(port)) {
                    FerryProcess f = ferry;
                    assertSameData(master, replica, f::log);
                    assertEquals(1, stat(master, "sync_full"), "no full resync after the restart: " + ferry.log());
                    assertEquals(2, stat(master, "sync_partial_ok"));
                }
            } finally {
                ferry.close();
            }
        }
    }
}
