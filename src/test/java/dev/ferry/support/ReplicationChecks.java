package dev.ferry.support;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** What the replication tests check on a master and its replicas, through INFO, ROLE and DEBUG DIGEST. */
public final class ReplicationChecks {
    private ReplicationChecks() {}

    /** A field of INFO (all sections). */
    public static String info(RawClient c, String field) throws IOException {
        String info = c.call("INFO", "everything");
        for (String line : info.split("\r\n")) if (line.startsWith(field + ":")) return line.substring(field.length() + 1);
        return null;
    }

    /** CONFIG GET of one setting: its value. */
    public static String config(RawClient c, String name) throws IOException {
        String[] lines = c.call("CONFIG", "GET", name).split("\r\n");
        return lines[lines.length - 1];
    }

    public static long stat(RawClient c, String field) throws IOException {
        return Long.parseLong(info(c, field));
    }

    public static String role(RedisServer server) throws IOException {
        try (RawClient c = new RawClient(server.port())) {
            return info(c, "role");
        }
    }

    /**
     * Waits until the replica's link is up and it has applied the master's whole stream, then compares the
     * datasets' digests. Active expiry stops on the master meanwhile, so that no key expires between the two
     * digests (the replica deletes only what the master's stream tells it to).
     */
    public static void assertSameData(RawClient master, RedisServer replica) throws Exception {
        try (RawClient r = new RawClient(replica.port())) {
            assertSameData(master, r, replica::log);
        }
    }

    public interface Log {
        String text() throws IOException;
    }

    public static void assertSameData(RawClient master, RawClient replica, Log log) throws Exception {
        master.call("DEBUG", "SET-ACTIVE-EXPIRE", "0");
        try {
            long deadline = System.currentTimeMillis() + 60_000;
            while (true) {
                String offset = info(master, "master_repl_offset");
                if ("up".equals(info(replica, "master_link_status")) && offset.equals(info(replica, "slave_repl_offset"))) {
                    String digest = master.call("DEBUG", "DIGEST");
                    if (offset.equals(info(master, "master_repl_offset"))) {
                        assertEquals(digest, replica.call("DEBUG", "DIGEST"), "digests at offset " + offset);
                        return;
                    }
                }
                if (System.currentTimeMillis() > deadline) {
                    fail("the replica did not catch up: master offset " + offset + ", replica "
                        + info(replica, "slave_repl_offset") + " link " + info(replica, "master_link_status")
                        + "\n" + log.text());
                }
                Thread.sleep(20);
            }
        } finally {
            master.call("DEBUG", "SET-ACTIVE-EXPIRE", "1");
        }
    }

    /** Waits until the stream archive has archived and announced the whole stream (archive_stream_offset). */
    public static void awaitStreamArchived(RawClient m, long millis) throws Exception {
        long deadline = System.currentTimeMillis() + millis;
        while (stat(m, "archive_stream_offset") < stat(m, "master_repl_offset")) {
            if (System.currentTimeMillis() > deadline) fail("the stream was not archived: " + m.call("INFO", "archive"));
            Thread.sleep(50);
        }
    }

    /**
     * BGSAVE once no snapshot runs: a replica's full sync may hold the one snapshot slot (Redis answers BGSAVE with
     * "already in progress" then too), and under load it may outlast the writes a test makes after the replica
     * attached (the writer then runs only on spare CPU, ferry.bgsave-idle-limit).
     */
    public static void bgsave(RawClient c) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            String reply = c.call("BGSAVE");
            if (reply.equals("+Background saving started\r\n")) return;
            if (!reply.startsWith("-ERR Background save already in progress") || System.currentTimeMillis() > deadline) {
                assertEquals("+Background saving started\r\n", reply);
            }
            Thread.sleep(20);
        }
    }

    /** Waits until the server has archived n snapshots in all (INFO archive_uploads_ok). */
    public static void awaitUploads(RawClient c, long n, long millis) throws Exception {
        long deadline = System.currentTimeMillis() + millis;
        while (stat(c, "archive_uploads_ok") < n || stat(c, "archive_in_progress") != 0) {
            if (System.currentTimeMillis() > deadline) fail("no archive upload: " + c.call("INFO", "archive"));
            Thread.sleep(20);
        }
    }

    /** Values of every type in every encoding Ferry has, over three databases, some with TTLs. */
    public static void fillEveryType(RawClient f) throws IOException {
        f.call("DEBUG", "POPULATE", "20000", "pop", "20");
        for (int db : new int[] {0, 1, 5}) {
            f.call("SELECT", Integer.toString(db));
            f.call("SET", "str", "hello");
            f.call("SET", "int", "12345");
            f.call("SET", "ttl", "v", "PX", "600000");
            f.call("SET", "big", "x".repeat(100_000));
            f.call("RPUSH", "list:small", "a", "1", "b");
            for (int i = 0; i < 20; i++) {
                String[] args = new String[2 + 200];
                args[0] = "RPUSH";
                args[1] = "list:big";
                for (int j = 0; j < 200; j++) args[2 + j] = "element-" + i + "-" + j;
                f.call(args);
            }
            f.call("HSET", "hash:small", "a", "1", "b", "2");
            for (int i = 0; i < 1000; i++) f.call("HSET", "hash:big", "field" + i, "value" + i);
            f.call("SADD", "set:ints", "1", "2", "3");
            f.call("SADD", "set:small", "a", "b");
            for (int i = 0; i < 1000; i++) f.call("SADD", "set:big", "member" + i);
            f.call("ZADD", "zset:small", "1", "a", "2.5", "b");
            for (int i = 0; i < 500; i++) f.call("ZADD", "zset:big", Integer.toString(i), "member" + i);
            f.call("PFADD", "hll:sparse", "a", "b", "c");
            for (int i = 0; i < 100; i++) f.call("PFADD", "hll:dense", "e" + i, "f" + i, "g" + i, "h" + i, "i" + i, "j" + i, "k" + i, "l" + i, "m" + i, "n" + i);
            f.call("SETBIT", "bits", "10000", "1");
            f.call("PEXPIRE", "hash:big", "900000");
        }
        f.call("SELECT", "0");
    }
}
