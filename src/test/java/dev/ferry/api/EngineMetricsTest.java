package dev.ferry.api;

import dev.ferry.support.Eventually;
import dev.ferry.support.FerryPort;
import dev.ferry.support.Http;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisServer;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.ferry.support.ReplicationChecks.info;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command, keyspace, memory and replication meters on /q/metrics, against what the server did. */
@QuarkusTest
class EngineMetricsTest {
    @TestHTTPResource("/")
    URL root;

    private String scrape() throws Exception {
        return new Http(root.toString()).get("/q/metrics").body();
    }

    @Test
    void commandsAreCountedByNameAndResult() throws Exception {
        try (RawClient c = new RawClient(FerryPort.get())) {
            c.call("SELECT", "7");
            c.call("SET", "api:metrics:cmd", "v");
            c.call("SET", "api:metrics:cmd", "v", "EX", "-1");
            c.call("SET", "api:metrics:cmd");
            String ok = "ferry_commands_total{command=\"set\",result=\"ok\"}";
            String error = "ferry_commands_total{command=\"set\",result=\"error\"}";
            String rejected = "ferry_commands_total{command=\"set\",result=\"rejected\"}";
            Eventually.waitFor(() -> value(scrape(), ok) != null, "the set series");
            String before = scrape();
            for (int i = 0; i < 25; i++) c.call("SET", "api:metrics:cmd", "v" + i);
            assertEquals("-ERR invalid expire time in 'set' command\r\n", c.call("SET", "api:metrics:cmd", "v", "EX", "-1"));
            assertTrue(c.call("SET", "api:metrics:cmd").startsWith("-ERR wrong number of arguments"));
            String after = scrape();
            assertEquals(value(before, ok) + 25, value(after, ok), 0.0);
            assertEquals(value(before, error) + 1, value(after, error), 0.0);
            assertEquals(value(before, rejected) + 1, value(after, rejected), 0.0);
            // the same numbers as INFO commandstats
            String stat = c.call("INFO", "commandstats");
            Matcher m = Pattern.compile("cmdstat_set:calls=(\\d+),.*rejected_calls=(\\d+),failed_calls=(\\d+)").matcher(stat);
            assertTrue(m.find(), stat);
            assertEquals(Long.parseLong(m.group(1)) - Long.parseLong(m.group(3)), value(after, ok), 0.0);
            assertEquals(Long.parseLong(m.group(3)), value(after, error), 0.0);
            c.call("DEL", "api:metrics:cmd");
        }
    }

    @Test
    void keysMemoryAndTheStream() throws Exception {
        try (RawClient c = new RawClient(FerryPort.get())) {
            c.call("SELECT", "7");
            c.call("FLUSHDB");
            for (int i = 0; i < 5; i++) c.call("SET", "api:metrics:k" + i, "v");
            String text = scrape();
            assertEquals(5, value(text, "ferry_db_keys{db=\"7\"}"), 0.0);
            assertEquals(Double.valueOf(0), value(text, "ferry_db_keys{db=\"8\"}"));
            assertTrue(value(text, "ferry_memory_used_bytes") > 1_000_000, text);
            // the offset counts the stream's bytes even without replicas; nothing writes between the two reads
            assertEquals(Long.parseLong(info(c, "master_repl_offset")), value(text, "ferry_replication_offset"), 0.0);
            assertEquals(Long.parseLong(info(c, "repl_backlog_histlen")), value(text, "ferry_replication_backlog_histlen_bytes"), 0.0);
            assertEquals(Long.parseLong(info(c, "repl_backlog_size")), value(text, "ferry_replication_backlog_size_bytes"), 0.0);
            assertEquals(Long.parseLong(info(c, "sync_full")), value(text, "ferry_replication_sync_full"), 0.0);
            assertEquals(0, value(text, "ferry_replication_is_replica"), 0.0);
            c.call("FLUSHDB");
        }
    }

    /** A real redis-server as Ferry's replica: a full sync counted, its lag row while attached, gone after. */
    @Test
    void aReplicaHasItsLagWhileAttached() throws Exception {
        String text = scrape();
        double fullBefore = value(text, "ferry_replication_sync_full");
        try (RedisServer replica = RedisServer.start("--replicaof", "127.0.0.1", Integer.toString(FerryPort.get()))) {
            String row = "ferry_replication_replica_lag_seconds{replica=\"127.0.0.1:" + replica.port() + "\"}";
            Eventually.waitFor(() -> {
                String t = scrape();
                return value(t, row) != null && value(t, "ferry_replication_replicas_connected") >= 1;
            }, "the replica's lag row");
            String during = scrape();
            assertTrue(value(during, row) >= 0 && value(during, row) < 15, during);
            assertEquals(fullBefore + 1, value(during, "ferry_replication_sync_full"), 0.0);
            replica.kill();
            Eventually.waitFor(() -> value(scrape(), row) == null, "the lag row of the gone replica removed");
        }
    }

    /** The value of one series (name with its labels, as printed), or null when absent. */
    static Double value(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(text);
        return m.find() ? Double.valueOf(m.group(1)) : null;
    }
}
