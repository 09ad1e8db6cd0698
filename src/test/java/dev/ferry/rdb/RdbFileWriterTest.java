package dev.ferry.rdb;

import dev.ferry.store.Database;
import dev.ferry.store.Keyspace;
import dev.ferry.support.FerryPort;
import dev.ferry.support.OnFerry;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisServer;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Ferry's whole dataset written as an RDB file (every type and encoding, TTLs, two databases) is what Redis
 * reads: redis-check-rdb finds it OK with the same key and expiry counts, and a redis-server 7.0 started on it
 * holds the same dataset (DEBUG DIGEST equal to Ferry's).
 */
@QuarkusTest
class RdbFileWriterTest {

    private static void fill(RawClient c) throws Exception {
        c.call("FLUSHALL");
        c.call("SET", "s:int", "12345");
        c.call("SET", "s:raw", "hello");
        c.call("SET", "s:lzf", "abcdefgh".repeat(300));
        c.call("SET", "s:ttl", "v", "EX", "100000");
        c.call("RPUSH", "l:small", "a", "1", "-2");
        List<String> cmd = new ArrayList<>(List.of("RPUSH", "l:big"));
        for (int i = 0; i < 4000; i++) cmd.add(i % 2 == 0 ? Integer.toString(i) : "element-" + i);
        c.call(cmd.toArray(new String[0]));
        c.call("HSET", "h:small", "f", "v", "n", "7");
        cmd = new ArrayList<>(List.of("HSET", "h:big"));
        for (int i = 0; i < 700; i++) cmd.addAll(List.of("f" + i, "v" + i));
        c.call(cmd.toArray(new String[0]));
        c.call("SADD", "set:int", "3", "1", "2");
        c.call("SADD", "set:str", "x", "y");
        cmd = new ArrayList<>(List.of("SADD", "set:big"));
        for (int i = 0; i < 700; i++) cmd.add(Integer.toString(i * 3));
        c.call(cmd.toArray(new String[0]));
        c.call("ZADD", "z:small", "1", "a", "2.5", "b", "-inf", "c");
        cmd = new ArrayList<>(List.of("ZADD", "z:big"));
        for (int i = 0; i < 400; i++) cmd.addAll(List.of(Integer.toString(i % 37) + ".5", "m" + i));
        c.call(cmd.toArray(new String[0]));
        c.call("PFADD", "hll", "a", "b", "c");
        c.call("PEXPIRE", "h:big", "90000000");
        c.call("SELECT", "5");
        c.call("SET", "in:db5", "x");
        c.call("RPUSH", "l:db5", "y");
        c.call("SELECT", "0");
    }

    @Test
    void redisReadsFerrysFile() throws Exception {
        Path dir = Files.createTempDirectory("ferry-rdb-writer");
        Path file = dir.resolve("dump.rdb");
        String digest;
        long[] counts = new long[2];
        try (RawClient c = new RawClient(FerryPort.get())) {
            fill(c);
            OnFerry.run(ctx -> {
                Keyspace ks = ctx.keyspace();
                try (OutputStream os = Files.newOutputStream(file); RdbOutput out = RdbOutput.to(os, true, true)) {
                    RdbFileWriter w = new RdbFileWriter(out);
                    w.begin(new RdbFileWriter.Aux("7.0.15", System.currentTimeMillis() / 1000, 0, null, 0, 0));
                    for (int i = 0; i < ks.databases(); i++) {
                        Database db = ks.db(i);
                        if (db.size() == 0) continue;
                        w.database(i, db.size(), db.volatileKeys());
                        counts[0] += db.size();
                        counts[1] += db.volatileKeys();
                        db.table().forEach(e -> {
                            try {
                                w.key(e.key(), e.expireAt(), e.value());
                            } catch (IOException x) {
                                throw new UncheckedIOException(x);
                            }
                        });
                    }
                    w.end();
                } catch (IOException x) {
                    throw new UncheckedIOException(x);
                }
            });
            digest = c.call("DEBUG", "DIGEST");
            c.call("FLUSHALL");
        }
        long[] checked = RedisSide.checkRdbCounts(file);
        assertEquals(counts[0], checked[0], "keys");
        assertEquals(counts[1], checked[1], "expires");
        try (RedisServer redis = RedisServer.start("--dir", dir.toString(), "--dbfilename", "dump.rdb",
                "--enable-debug-command", "local");
             RawClient r = new RawClient(redis.port())) {
            assertEquals(digest, r.call("DEBUG", "DIGEST"));
            assertEquals("$5\r\nhello\r\n", r.call("GET", "s:raw"));
        }
    }
}
