package dev.ferry.replication;

import dev.ferry.support.FerryPort;
import dev.ferry.support.Oracle;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisPeer;
import dev.ferry.support.RedisServer;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.ferry.support.Eventually.waitFor;
import static dev.ferry.support.ReplicationChecks.info;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * min-replicas-to-write and min-replicas-max-lag: the refusals, their words and INFO's field byte for byte against a
 * redis-server master without replicas, then with a real redis-server replica: writes pass once it is online, fail
 * again once it stops acknowledging for longer than the lag (its link still up) and once it is killed.
 */
@QuarkusTest
class MinReplicasTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();

    private static final String NOREPLICAS = "-NOREPLICAS Not enough good replicas to write.\r\n";

    @AfterEach
    void cleanUp() throws Exception {
        try (RawClient f = new RawClient(FerryPort.get())) {
            f.call("CONFIG", "SET", "min-replicas-to-write", "0", "min-replicas-max-lag", "10");
            f.call("CLIENT", "KILL", "TYPE", "replica");
            f.call("DEL", "mr:k");
        }
        // the replica's full resync saved one: a file left there would be loaded by the next test run's start
        Files.deleteIfExists(Path.of("target/test-data/dump.rdb"));
    }

    @Test
    void refusalsAreRedisWords() throws Exception {
        try (Oracle o = new Oracle(FerryPort.get(), redis.port());
             RawClient ferryAdmin = new RawClient(FerryPort.get()); RawClient redisAdmin = new RawClient(redis.port())) {
            o.check("CONFIG", "GET", "min-replicas-to-write");
            o.check("CONFIG", "GET", "min-slaves-max-lag");
            o.check("CONFIG", "SET", "min-replicas-to-write", "-1");
            o.check("CONFIG", "SET", "min-slaves-max-lag", "x");
            // a transaction queued before the check applies: EXEC is refused and the transaction discarded
            o.check("MULTI");
            o.check("SET", "mr:k", "queued");
            ferryAdmin.call("CONFIG", "SET", "min-replicas-to-write", "1");
            redisAdmin.call("CONFIG", "SET", "min-replicas-to-write", "1");
            o.check("EXEC");
            o.check("EXEC");
            o.check("SET", "mr:k", "v");
            o.check("GET", "mr:k");
            o.check("PING");
            o.check("MULTI");
            o.check("SET", "mr:k", "v");
            o.check("GET", "mr:k");
            o.check("EXEC");
            o.check("MULTI");
            o.check("GET", "mr:k");
            o.check("EXEC");
            assertEquals(head(o.redis()), head(o.ferry()));
            assertTrue(head(o.ferry()).endsWith("connected_slaves:0\r\nmin_slaves_good_slaves:0\r\n"), head(o.ferry()));
            // both settings must be set for the check (and the INFO field)
            o.check("CONFIG", "SET", "min-slaves-max-lag", "0");
            o.check("SET", "mr:k", "v");
            assertEquals(head(o.redis()), head(o.ferry()));
            o.check("CONFIG", "SET", "min-slaves-max-lag", "10", "min-replicas-to-write", "0");
            o.check("SET", "mr:k", "v");
            o.check("DEL", "mr:k");
        }
    }

    /** INFO replication up to the replicas' lines (the rest names ids and offsets that differ). */
    private static String head(RawClient c) throws Exception {
        String info = c.call("INFO", "replication");
        int end = info.indexOf("master_failover_state:");
        return info.substring(info.indexOf("# Replication"), end);
    }

    @Test
    void writesPassWhileAReplicaAcknowledgesWithinTheLag() throws Exception {
        int port = FerryPort.get();
        try (RawClient f = new RawClient(port)) {
            assertEquals("+OK\r\n", f.call("CONFIG", "SET", "min-replicas-to-write", "1", "min-replicas-max-lag", "2"));
            assertEquals(NOREPLICAS, f.call("SET", "mr:k", "none"));
            try (RedisServer replica = RedisServer.start("--replicaof", "127.0.0.1", Integer.toString(port))) {
                // online, counted by the cron within a second
                waitFor(() -> f.call("SET", "mr:k", "one").equals("+OK\r\n"), "writes with one replica online");
                // right after connected_slaves, before the replicas' lines (genRedisInfoString)
                String replication = f.call("INFO", "replication");
                assertTrue(replication.contains("\r\nconnected_slaves:1\r\nmin_slaves_good_slaves:1\r\nslave0:ip=127.0.0.1,"),
                    replication);
                assertEquals("*2\r\n+OK\r\n:1\r\n", transaction(f));

                // it stops acknowledging, its link still up: refused once its last ACK is older than the lag
                replica.signal("STOP");
                long frozen = System.currentTimeMillis();
                waitFor(() -> f.call("SET", "mr:k", "lagging").equals(NOREPLICAS), "NOREPLICAS for a lagging replica");
                long refusedAfter = System.currentTimeMillis() - frozen;
                assertTrue(refusedAfter >= 500, "refused " + refusedAfter + " ms after it froze, the lag is 2 s");
                assertEquals("1", info(f, "connected_slaves"));
                assertEquals("0", info(f, "min_slaves_good_slaves"));
                assertEquals("-EXECABORT Transaction discarded because of previous errors.\r\n", transaction(f));

                // acknowledging again: writes pass; killed: refused again
                replica.signal("CONT");
                waitFor(() -> f.call("SET", "mr:k", "again").equals("+OK\r\n"), "writes once it acknowledges again");
                replica.kill();
                waitFor(() -> f.call("SET", "mr:k", "killed").equals(NOREPLICAS), "NOREPLICAS once it is killed");
                assertEquals("0", info(f, "min_slaves_good_slaves"));
            }
        }
    }

    private static String transaction(RawClient f) throws Exception {
        f.call("MULTI");
        f.call("SET", "mr:k", "in-multi");
        f.call("DEL", "mr:k");
        return f.call("EXEC");
    }
}
