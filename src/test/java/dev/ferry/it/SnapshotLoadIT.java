package dev.ferry.it;

import dev.ferry.support.RawClient;
import dev.ferry.support.RedisServer;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Start-up load of {@code ferry.dir/dbfilename} written by a real redis-server 7.0: every type and encoding,
 * TTLs, several databases, a key that expired between the save and the load, and enough keys that the load
 * takes a while. Ferry opens its port at once and answers -LOADING until the data is in, then holds the dataset
 * Redis saved (DEBUG DIGEST equal). A truncated file stops the start-up with the offset, and stays as it was.
 */
class SnapshotLoadIT {

    private static String info(RawClient c, String field) throws Exception {
        for (String line : c.call("INFO", "persistence").split("\r\n")) {
            if (line.startsWith(field + ":")) return line.substring(field.length() + 1);
        }
        throw new AssertionError("no " + field);
    }

    /** A dataset of every kind in redis, saved; returns its DEBUG DIGEST once the short-lived key is gone. */
    private static String fill(RedisServer redis) throws Exception {
        try (RawClient r = new RawClient(redis.port())) {
            r.call("SET", "s:int", "12345");
            r.call("SET", "s:raw", "hello");
            r.call("SET", "s:lzf", "abcdefgh".repeat(500));
            r.call("SET", "s:ttl", "v", "EX", "100000");
            List<String> c = new ArrayList<>(List.of("RPUSH", "l:big"));
            for (int i = 0; i < 5000; i++) c.add("e" + i);
            r.call(c.toArray(new String[0]));
            r.call("RPUSH", "l:small", "a", "1", "b");
            r.call("HSET", "h:small", "f", "v", "n", "1");
            c = new ArrayList<>(List.of("HSET", "h:big"));
            for (int i = 0; i < 1000; i++) c.addAll(List.of("f" + i, "v" + i));
            r.call(c.toArray(new String[0]));
            r.call("SADD", "set:int", "1", "2", "3");
            r.call("SADD", "set:str", "a", "b");
            c = new ArrayList<>(List.of("SADD", "set:big"));
            for (int i = 0; i < 1000; i++) c.add(Integer.toString(i));
            r.call(c.toArray(new String[0]));
            r.call("ZADD", "z:small", "1", "a", "2.5", "b");
            c = new ArrayList<>(List.of("ZADD", "z:big"));
            for (int i = 0; i < 500; i++) c.addAll(List.of(Integer.toString(i % 50), "m" + i));
            r.call(c.toArray(new String[0]));
            r.call("PFADD", "hll", "a", "b", "c");
            r.call("SELECT", "3");
            r.call("SET", "in:db3", "x", "PX", "90000000");
            r.call("SELECT", "0");
            assertEquals("+OK\r\n", r.call("DEBUG", "POPULATE", "1500000", "pop"));
            r.call("SET", "s:dying", "v", "PX", "300");
            assertEquals("+OK\r\n", r.call("SAVE"));
            Thread.sleep(400);
            r.call("EXISTS", "s:dying"); // gone in redis too, before its digest
            return r.call("DEBUG", "DIGEST");
        }
    }

    @Test
    void loadsWhatRedisSavedAnsweringLoadingMeanwhile() throws Exception {
        try (RedisServer redis = RedisServer.start("--enable-debug-command", "local")) {
            String digest = fill(redis);
            int port = RedisServer.freePort();
            try (FerryProcess ferry = FerryProcess.start("-Dferry.port=" + port, "-Dferry.dir=" + redis.dir(),
                "-Dferry.enable-debug-command=yes")) {
                ferry.awaitPort(port);
                try (RawClient c = new RawClient(port)) {
                    assertEquals("-LOADING Redis is loading the dataset in memory\r\n", c.call("GET", "s:raw"));
                    assertEquals("1", info(c, "loading"));
                    assertTrue(Long.parseLong(info(c, "loading_total_bytes")) > 10_000_000, info(c, "loading_total_bytes"));
                    // as Redis 7.0: PING has no "loading" flag, INFO and CONFIG have
                    assertEquals("-LOADING Redis is loading the dataset in memory\r\n", c.call("PING"));
                    assertTrue(c.call("CONFIG", "GET", "dir").contains("dir"));
                    long deadline = System.currentTimeMillis() + 120_000;
                    while (info(c, "loading").equals("1") && System.currentTimeMillis() < deadline) Thread.sleep(50);
                    assertEquals("0", info(c, "loading"));
                    assertEquals(digest, c.call("DEBUG", "DIGEST"));
                    assertEquals("1", info(c, "rdb_last_load_keys_expired"));
                    assertEquals("$5\r\nhello\r\n", c.call("GET", "s:raw"));
                    c.call("SELECT", "3");
                    assertEquals("$1\r\nx\r\n", c.call("GET", "in:db3"));
                }
                String log = ferry.log();
                assertTrue(log.contains("Done loading RDB") && log.contains("keys expired: 1"), log);
            }
        }
    }

    @Test
    void aTruncatedSnapshotStopsTheStartAndStaysAsItWas() throws Exception {
        Path dir = Files.createTempDirectory("ferry-truncated");
        byte[] cut;
        try (RedisServer redis = RedisServer.start()) {
            try (RawClient r = new RawClient(redis.port())) {
                r.call("DEBUG", "POPULATE", "20000");
                r.call("SAVE");
            }
            byte[] whole = Files.readAllBytes(redis.dir().resolve("dump.rdb"));
            cut = Arrays.copyOf(whole, whole.length / 2);
            Files.write(dir.resolve("dump.rdb"), cut);
        }
        int port = RedisServer.freePort();
        try (FerryProcess ferry = FerryProcess.start("-Dferry.port=" + port, "-Dferry.dir=" + dir)) {
            assertTrue(ferry.process.waitFor(60, TimeUnit.SECONDS), "Ferry exits");
            assertNotEquals(0, ferry.process.exitValue());
            String log = ferry.log();
            assertTrue(log.contains("Cannot load") && log.contains("offset"), log);
        }
        assertArrayEquals(cut, Files.readAllBytes(dir.resolve("dump.rdb")), "the file is left as it was");
    }
}
