package dev.ferry.replication;

import dev.ferry.support.FerryPort;
import dev.ferry.support.RawClient;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static dev.ferry.support.ReplicationChecks.config;
import static dev.ferry.support.ReplicationChecks.stat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis's processInlineBuffer: a bare newline from a replica refreshes its last ACK time (a replica loading a large
 * snapshot pings back so). Two replicas take a full resync and send no REPLCONF ACK for longer than repl-timeout:
 * the one that sends newlines stays, the silent one is dropped.
 */
@QuarkusTest
class ReplicaKeepaliveTest {

    @Test
    void newlinesFromAReplicaKeepItPastTheTimeout() throws Exception {
        int port = FerryPort.get();
        try (RawClient f = new RawClient(port)) {
            String timeout = config(f, "repl-timeout");
            f.call("CONFIG", "SET", "repl-timeout", "2");
            try (FakeReplica talking = new FakeReplica(port, false); FakeReplica silent = new FakeReplica(port, false)) {
                for (FakeReplica r : new FakeReplica[] {talking, silent}) {
                    assertTrue(r.psync().startsWith("+FULLRESYNC"));
                    String header = r.payloadHeader();
                    r.read(Integer.parseInt(header.substring(1)));
                }
                long deadline = System.currentTimeMillis() + 10_000;
                while (stat(f, "connected_slaves") != 2) {
                    assertTrue(System.currentTimeMillis() < deadline, "both replicas online: " + f.call("INFO", "replication"));
                    Thread.sleep(20);
                }
                // 5 s without an ACK, over twice the timeout; one of them sends a newline every 300 ms
                for (int i = 0; i < 17; i++) {
                    talking.sendRaw("\n");
                    Thread.sleep(300);
                }
                String repl = f.call("INFO", "replication");
                assertEquals(1, stat(f, "connected_slaves"), repl);
                assertTrue(repl.contains("port=" + talking.localPort()), "the replica that sent newlines stays: " + repl);
                assertFalse(repl.contains("port=" + silent.localPort()), "the silent one is dropped: " + repl);
            } finally {
                f.call("CONFIG", "SET", "repl-timeout", timeout);
                long deadline = System.currentTimeMillis() + 10_000;
                while (stat(f, "connected_slaves") != 0 && System.currentTimeMillis() < deadline) Thread.sleep(20);
            }
        }
    }
}
