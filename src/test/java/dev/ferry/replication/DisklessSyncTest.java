package dev.ferry.replication;

import dev.ferry.support.FerryPort;
import dev.ferry.support.RandomWorkload;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisServer;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.ferry.support.Eventually.waitFor;
import static dev.ferry.support.ReplicationChecks.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Diskless full resyncs (repl-diskless-sync yes) with real redis-server replicas and, where the wire itself is the
 * point, a replica made by hand: the snapshot reaches the replicas' sockets framed by the EOF mark and no file is
 * written; replicas arriving within repl-diskless-sync-delay share one transfer, and
 * repl-diskless-sync-max-replicas starts it without waiting; a replica that stops reading holds the transfer back
 * (the slowest sets the pace, memory stays bounded) and, once it is gone, the others finish; the stream follows
 * the snapshot only after the replica's first REPLCONF ACK.
 */
@QuarkusTest
class DisklessSyncTest {
    private static final String SOCKETS = "Starting BGSAVE for SYNC with target: replicas sockets";
    private static final Path DUMP = Path.of("target/test-data/dump.rdb");

    private final List<String> log = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            log.add(r instanceof org.jboss.logmanager.ExtLogRecord e ? e.getFormattedMessage() : r.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private final List<Logger> loggers = List.of(Logger.getLogger(ReplicationManager.class.getName()),
        Logger.getLogger(DisklessTransfer.class.getName()));

    @BeforeEach
    void setUp() throws Exception {
        for (Logger l : loggers) l.addHandler(capture);
        Files.deleteIfExists(DUMP);
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Logger l : loggers) l.removeHandler(capture);
        try (RawClient f = new RawClient(FerryPort.get())) {
            f.call("CONFIG", "SET", "repl-diskless-sync", "no", "repl-diskless-sync-delay", "5",
                "repl-diskless-sync-max-replicas", "0", "rdbcompression", "yes");
            f.call("CLIENT", "KILL", "TYPE", "replica");
            f.call("DEBUG", "SET-ACTIVE-EXPIRE", "1");
            f.call("FLUSHALL");
        }
        Files.deleteIfExists(DUMP);
    }

    private long logged(String line) {
        return log.stream().filter(l -> l.startsWith(line)).count();
    }

    @Test
    void redisReplicaLoadsTheStreamedSnapshotAndNothingIsSaved() throws Exception {
        int port = FerryPort.get();
        try (RawClient f = new RawClient(port)) {
            f.call("FLUSHALL");
            assertEquals("+OK\r\n", f.call("CONFIG", "SET", "repl-diskless-sync", "yes", "repl-diskless-sync-delay", "0"));
            fillEveryType(f);
            long saves = stat(f, "rdb_saves"), lastSave = stat(f, "rdb_last_save_time");
            long changes = stat(f, "rdb_changes_since_last_save"), full = stat(f, "sync_full");
            RandomWorkload writes = new RandomWorkload(20261202L, "dl:");
            try (RedisServer replica = RedisServer.start("--replicaof", "127.0.0.1", Integer.toString(port),
                "--enable-debug-command", "local")) {
                writes.run(f, 3000);
                assertSameData(f, replica);
                assertTrue(replica.log().contains("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF"),
                    replica.log());
            }
            assertEquals(1, logged(SOCKETS), log::toString);
            assertEquals(1, logged("Streamed RDB transfer with replica 127.0.0.1:"), log::toString);
            assertEquals(full + 1, stat(f, "sync_full"));
            // a transfer is not a save (Redis's backgroundSaveDoneHandlerSocket): no file, no save counted
            assertFalse(Files.exists(DUMP), "a diskless sync wrote " + DUMP);
            assertEquals(saves, stat(f, "rdb_saves"));
            assertEquals(lastSave, stat(f, "rdb_last_save_time"));
            assertTrue(stat(f, "rdb_changes_since_last_save") > changes, "changes since the last save go on counting");
            assertEquals("ok", info(f, "rdb_last_bgsave_status"));
            assertEquals("0", info(f, "rdb_bgsave_in_progress"));
        }
    }

    /**
     * Two replicas arriving within the delay share one transfer, as the same FULLRESYNC offset in both replicas'
     * logs shows although writes came between their arrivals.
     */
    @Test
    void replicasArrivingWithinTheDelayShareOneTransfer() throws Exception {
        int port = FerryPort.get();
        try (RawClient f = new RawClient(port)) {
            f.call("FLUSHALL");
            f.call("DEBUG", "POPULATE", "50000", "share", "50");
            assertEquals("+OK\r\n", f.call("CONFIG", "SET", "repl-diskless-sync", "yes", "repl-diskless-sync-delay", "3"));
            long full = stat(f, "sync_full");
            String[] args = {"--replicaof", "127.0.0.1", Integer.toString(port), "--enable-debug-command", "local"};
            try (RedisServer a = RedisServer.start(args)) {
                waitFor(() -> stat(f, "sync_full") == full + 1, "the first replica's PSYNC");
                f.call("SET", "share:between", "written after the first replica arrived");
                try (RedisServer b = RedisServer.start(args)) {
                    assertSameData(f, a);
                    assertSameData(f, b);
                    assertEquals(2, logged("Delay next BGSAVE for diskless SYNC"), log::toString);
                    assertEquals(1, logged(SOCKETS), log::toString);
                    assertEquals(fullResyncOffset(a), fullResyncOffset(b));
                }
            }
            assertEquals(full + 2, stat(f, "sync_full"));
        }
    }

    /**
     * A replica that stops reading holds the transfer back (the writer waits for the slowest socket, so memory stays
     * bounded); once it is gone the other replica gets the rest. max-replicas 2 starts the transfer when the second
     * replica arrives, although the delay is a minute.
     */
    @Test
    void aReplicaDroppedMidTransferDoesNotStopTheOther() throws Exception {
        int port = FerryPort.get();
        try (RawClient f = new RawClient(port)) {
            f.call("FLUSHALL");
            // ~50 MB of RDB, far more than the window and the sockets' buffers
            f.call("CONFIG", "SET", "rdbcompression", "no");
            f.call("DEBUG", "POPULATE", "400000", "drop", "120");
            assertEquals("+OK\r\n", f.call("CONFIG", "SET", "repl-diskless-sync", "yes", "repl-diskless-sync-delay",
                "60", "repl-diskless-sync-max-replicas", "2"));
            long full = stat(f, "sync_full");
            try (FakeReplica stuck = new FakeReplica(port, true)) {
                stuck.send("PSYNC", "?", "-1");
                waitFor(() -> stat(f, "sync_full") == full + 1, "the first replica's PSYNC");
                try (RedisServer replica = RedisServer.start("--replicaof", "127.0.0.1", Integer.toString(port),
                    "--enable-debug-command", "local")) {
                    // the second arrival starts the transfer at once, not after 60 seconds
                    String fullResync = stuck.payloadHeader();
                    assertTrue(fullResync.startsWith("+FULLRESYNC "), fullResync);
                    String header = stuck.payloadHeader();
                    assertTrue(header.startsWith("$EOF:") && header.length() == 45, header);
                    assertEquals("REDIS0010", new String(stuck.read(9), StandardCharsets.US_ASCII));
                    stuck.read(1 << 20);
                    // it reads no more: the writer waits for it (what it wrote stays put), the other replica cannot
                    // finish
                    Thread.sleep(1000);
                    String written = info(f, "current_save_keys_processed");
                    Thread.sleep(1000);
                    assertEquals(written, info(f, "current_save_keys_processed"), "the writer went on");
                    assertTrue(Long.parseLong(written) < 400_000, written);
                    assertEquals("1", info(f, "rdb_bgsave_in_progress"));
                    try (RawClient r = new RawClient(replica.port())) {
                        assertEquals("down", info(r, "master_link_status"));
                    }
                    stuck.abort();
                    assertSameData(f, replica);
                }
            }
            assertEquals(1, logged(SOCKETS), log::toString);
            assertEquals(1, logged("Diskless rdb transfer, replica 127.0.0.1:"), log::toString);
            assertEquals(1, logged("Streamed RDB transfer with replica 127.0.0.1:"), log::toString);
            assertEquals(full + 2, stat(f, "sync_full"));
        }
    }

    /**
     * Redis's repl_start_cmd_stream_on_ack: after the EOF mark the replica is online, but nothing follows the
     * snapshot until its first REPLCONF ACK, so the mark stays the last bytes it reads while it loads.
     */
    @Test
    void theStreamFollowsTheSnapshotOnlyAfterTheFirstAck() throws Exception {
        int port = FerryPort.get();
        try (RawClient f = new RawClient(port)) {
            f.call("FLUSHALL");
            f.call("SET", "ack:before", "1");
            assertEquals("+OK\r\n", f.call("CONFIG", "SET", "repl-diskless-sync", "yes", "repl-diskless-sync-delay", "0"));
            try (FakeReplica r = new FakeReplica(port, true)) {
                String[] fullResync = r.psync().split(" ");
                assertEquals("+FULLRESYNC", fullResync[0]);
                String header = r.payloadHeader();
                assertTrue(header.startsWith("$EOF:"), header);
                byte[] rdb = r.readUntilMark(header.substring(5));
                assertEquals("REDIS0010", new String(rdb, 0, 9, StandardCharsets.US_ASCII));
                waitFor(() -> String.valueOf(info(f, "slave0")).contains("state=online"), "the replica online");
                f.call("SET", "ack:after", "2");
                assertArrayEquals(new byte[0], r.readFor(1500), "stream bytes before the first ACK");
                r.send("REPLCONF", "ACK", fullResync[2]);
                // the cron's PINGs may come along: they are not the point
                String stream = new String(r.readFor(1000), StandardCharsets.US_ASCII).replace("*1\r\n$4\r\nping\r\n", "");
                assertEquals("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$9\r\nack:after\r\n$1\r\n2\r\n", stream);
            }
            assertEquals(1, logged("Synchronization with replica 127.0.0.1:"), log::toString);
        }
    }

    /** A replica that did not announce capa eof (an old one, SYNC) gets the snapshot file, diskless or not. */
    @Test
    void aReplicaWithoutCapaEofGetsTheFile() throws Exception {
        int port = FerryPort.get();
        try (RawClient f = new RawClient(port)) {
            f.call("FLUSHALL");
            f.call("SET", "file:k", "v");
            assertEquals("+OK\r\n", f.call("CONFIG", "SET", "repl-diskless-sync", "yes", "repl-diskless-sync-delay", "0"));
            try (FakeReplica r = new FakeReplica(port, false)) {
                assertTrue(r.psync().startsWith("+FULLRESYNC "));
                String header = r.payloadHeader();
                assertTrue(header.matches("\\$[0-9]+"), header);
                assertEquals("REDIS0010", new String(r.read(9), StandardCharsets.US_ASCII));
            }
            assertEquals(1, logged("Starting BGSAVE for SYNC with target: disk"), log::toString);
            assertEquals(0, logged(SOCKETS), log::toString);
        }
    }

    /** The offset in a redis-server replica's "Full resync from master: <replid>:<offset>" line. */
    private static String fullResyncOffset(RedisServer replica) throws Exception {
        Matcher m = Pattern.compile("Full resync from master: [0-9a-f]{40}:([0-9]+)").matcher(replica.log());
        assertTrue(m.find(), replica.log());
        return m.group(1);
    }
}
