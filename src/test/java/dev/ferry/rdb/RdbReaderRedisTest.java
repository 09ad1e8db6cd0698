package dev.ferry.rdb;

import dev.ferry.store.RdbType;
import dev.ferry.support.RedisServer;
import redis.clients.jedis.Jedis;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.ferry.rdb.RedisSide.b;
import static dev.ferry.rdb.RedisSide.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reader against redis-server 7.0's own files: a server is filled with every type in every encoding 7.0
 * writes (small and large values on both sides of each threshold, compressed list nodes, LZF strings, integers,
 * binary keys, expiries, four DBs), SAVEd with and without rdbcompression, and the dump read back key by key
 * against what the server answers through commands; then each key's DUMP payload is parsed and compared too.
 */
class RdbReaderRedisTest {
    static RedisServer redis;
    static Jedis j;

    @BeforeAll
    static void start() throws Exception {
        RedisSide.require("redis-server");
        redis = RedisServer.start("--enable-debug-command", "yes");
        j = new Jedis("127.0.0.1", redis.port(), 60_000);
        fill(j);
    }

    @AfterAll
    static void stop() {
        if (j != null) j.close();
        if (redis != null) redis.close();
    }

    /** Every type and encoding 7.0 writes; returns nothing, the server holds it. */
    static void fill(Jedis j) {
        Random rnd = new Random(42);
        j.configSet("hash-max-listpack-entries", "128");
        j.configSet("set-max-intset-entries", "512");
        j.configSet("zset-max-listpack-entries", "128");
        j.configSet("list-max-listpack-size", "-2");
        // db 0: strings
        j.select(0);
        j.set("s:small", "hello");
        j.set("s:empty", "");
        j.set("s:int", "12345");
        j.set("s:neg", "-7");
        j.set("s:int32", "2147483647");
        j.set("s:int32min", "-2147483648");
        j.set("s:int33", "2147483648");
        j.set("s:int64", "9223372036854775807");
        j.set("s:lead0", "0123");
        j.set("s:minus0", "-0");
        j.set("s:11chars", "12345678901");
        j.set("s:float", "1.5");
        j.set("s:compressible", "abcdefghij".repeat(10_000));
        j.set("s:just21", "aaaaaaaaaaaaaaaaaaaaa");
        byte[] random = new byte[5000];
        rnd.nextBytes(random);
        j.set(b("s:random"), random);
        j.set(b("bin\u0000key\u00ff\r\n"), b("bin\u0000value"));
        j.set("s:ttl", "x");
        j.pexpire("s:ttl", 500_000);
        j.set(b("s:big"), new byte[300_000]);
        // db 1: lists
        j.select(1);
        j.rpush("l:small", "a", "1", "-3", "hello", "9223372036854775807", "");
        List<String> big = new ArrayList<>();
        for (int i = 0; i < 5000; i++) big.add(i % 3 == 0 ? Integer.toString(i) : "element-" + i + "-" + "x".repeat(i % 40));
        j.rpush("l:big", big.toArray(new String[0]));
        j.rpush("l:bigelem", "small", "y".repeat(20_000), "z".repeat(9000));
        j.configSet("list-compress-depth", "1");
        j.rpush("l:compressed", big.toArray(new String[0]));
        j.configSet("list-compress-depth", "0");
        j.configSet("list-max-listpack-size", "3");
        j.rpush("l:count3", "1", "2", "3", "4", "5", "6", "7");
        j.configSet("list-max-listpack-size", "-2");
        j.rpush("l:ttl", "a");
        j.pexpire("l:ttl", 900_000);
        // PLAIN quicklist nodes (elements past the packed threshold, 1 GB by default, lowered by DEBUG)
        j.sendCommand(() -> b("DEBUG"), b("QUICKLIST-PACKED-THRESHOLD"), b("1000"));
        byte[] plainRandom = new byte[2000];
        rnd.nextBytes(plainRandom);
        j.rpush(b("l:plain"), b("a"), b("P".repeat(5000)), b("b"), plainRandom);
        j.sendCommand(() -> b("DEBUG"), b("QUICKLIST-PACKED-THRESHOLD"), b("1073741824"));
        // db 2: sets and sorted sets
        j.select(2);
        j.sadd("set:intset16", "1", "2", "-3", "100");
        j.sadd("set:intset64", "1", "9223372036854775807", "-9223372036854775808");
        List<String> ints = new ArrayList<>();
        for (int i = 0; i < 500; i++) ints.add(Integer.toString(i * 7919 - 100_000));
        j.sadd("set:intsetbig", ints.toArray(new String[0]));
        j.sadd("set:strings", "a", "b", "c", "1");
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 600; i++) many.add(Integer.toString(i));
        j.sadd("set:ints-hashtable", many.toArray(new String[0]));
        j.zadd("z:small", Map.of("a", 1.0, "b", 1.5, "c", -2.0, "d", Double.POSITIVE_INFINITY, "e", Double.NEGATIVE_INFINITY, "f", 0.1));
        Map<String, Double> zbig = new HashMap<>();
        for (int i = 0; i < 300; i++) zbig.put("m" + i, rnd.nextDouble() * 1000 - 500);
        zbig.put("inf", Double.POSITIVE_INFINITY);
        zbig.put("int", 42.0);
        j.zadd("z:big", zbig);
        j.zadd("z:longmember", Map.of("m".repeat(100), 3.0));
        j.zadd("z:ttl", 1, "a");
        j.pexpire("z:ttl", 1_000_000);
        // db 15: hashes
        j.select(15);
        j.hset("h:small", Map.of("f1", "v1", "n", "12", "neg", "-5", "empty", ""));
        Map<String, String> hbig = new HashMap<>();
        for (int i = 0; i < 1000; i++) hbig.put("field" + i, i % 2 == 0 ? Integer.toString(i) : "value" + i);
        j.hset("h:big", hbig);
        j.hset("h:longvalue", Map.of("f", "v".repeat(100)));
        j.hset(b("h:bin\u0000"), Map.of(b("\u0000\u0001"), b("\u00ff")));
        j.hset("h:ttl", "a", "b");
        j.pexpire("h:ttl", 2_000_000);
        // thresholds raised: listpacks past 65535 elements (count "unknown" in the header), long entries
        j.configSet("hash-max-listpack-entries", "50000");
        j.configSet("hash-max-listpack-value", "5000");
        j.configSet("zset-max-listpack-entries", "1000");
        j.configSet("zset-max-listpack-value", "5000");
        Map<String, String> huge = new HashMap<>();
        for (int i = 0; i < 40_000; i++) huge.put("f" + i, i % 1000 == 0 ? "w".repeat(3000 + i % 7) : Integer.toString(i * 13 - 7));
        j.hset("h:lp-huge", huge);
        Map<String, Double> zlp = new HashMap<>();
        for (int i = 0; i < 900; i++) zlp.put("member-" + i + "-" + "q".repeat(i % 300), i % 5 == 0 ? i : i / 7.0);
        j.zadd("z:lp-big", zlp);
        j.configSet("hash-max-listpack-entries", "128");
        j.configSet("hash-max-listpack-value", "64");
        j.configSet("zset-max-listpack-entries", "128");
        j.configSet("zset-max-listpack-value", "64");
        j.select(0);
    }

    @Test
    void readsWhatRedisSavesWithAndWithoutCompression() throws Exception {
        long[] sizes = new long[2];
        for (String compression : new String[] {"yes", "no"}) {
            j.configSet("rdbcompression", compression);
            j.save();
            Path dump = Path.of(j.configGet("dir").get("dir"), "dump.rdb");
            sizes[compression.equals("yes") ? 0 : 1] = Files.size(dump);
            RdbModel m = new RdbModel();
            try (RdbReader r = RdbReader.open(dump)) {
                r.read(m);
                assertEquals(Files.size(dump), r.position(), "read to the end");
                assertEquals("7.0.15", r.aux().redisVer());
                assertTrue(Math.abs(r.aux().ctime() - System.currentTimeMillis() / 1000) < 60, "ctime " + r.aux().ctime());
                assertTrue(r.aux().usedMem() > 100_000, "used-mem " + r.aux().usedMem());
                assertTrue(!r.aux().aofBase());
                // a master with a backlog writes the replication fields (the test server has none: it never had a replica)
                assertEquals(m.aux.containsKey("repl-id"), r.aux().replId() != null);
                if (r.aux().replId() != null) assertEquals(m.aux.get("repl-id"), r.aux().replId());
            }
            assertTrue(m.ended);
            assertEquals(RdbType.RDB_VERSION, m.version);
            assertEquals("7.0.15", m.aux.get("redis-ver"));
            assertEquals("64", m.aux.get("redis-bits"));
            assertTrue(m.aux.containsKey("ctime") && m.aux.containsKey("used-mem") && m.aux.containsKey("aof-base"), m.aux.toString());
            RedisSide.assertSame(j, m, 16);
            // the compact encodings came as blobs, the big ones as element streams
            assertEquals("listpack", m.get(15, "h:small").form);
            assertEquals("listpack", m.get(15, "h:lp-huge").form);
            assertEquals(40_000, ((Map<?, ?>) m.get(15, "h:lp-huge").value).size());
            assertEquals("listpack", m.get(15, "z:lp-big").form);
            assertEquals("stream", m.get(15, "h:big").form);
            assertEquals("stream", m.get(15, "h:longvalue").form);
            assertEquals("intset", m.get(2, "set:intset64").form);
            assertEquals("intset", m.get(2, "set:intsetbig").form);
            assertEquals("stream", m.get(2, "set:ints-hashtable").form);
            assertEquals("listpack", m.get(2, "z:small").form);
            assertEquals("stream", m.get(2, "z:big").form);
            assertEquals("N", m.get(1, "l:small").form);
            assertTrue(m.get(1, "l:big").form.matches("N{3,}"), m.get(1, "l:big").form);
            assertEquals("NNN", m.get(1, "l:count3").form);
            assertEquals("NENE", m.get(1, "l:plain").form);
            // counting visitor on the same file
            RdbCounter c;
            try (RdbReader r = RdbReader.open(dump)) {
                c = RdbCounter.check(r);
            }
            assertEquals(m.keyCount(), c.keys());
            assertEquals(4, c.expires());
            assertEquals(18, c.keys(0));
            assertEquals(m.db(1).size(), c.keysOfKind(RdbType.LIST));
            long[] redisCounts = RedisSide.checkRdbCounts(dump);
            assertEquals(redisCounts[0], c.keys(), "keys, as redis-check-rdb counts them");
            assertEquals(redisCounts[1], c.expires(), "expires, as redis-check-rdb counts them");
        }
        // LZF strings were in the compressed file (the 100 kB repetitive string, the 300 kB of zeros...)
        assertTrue(sizes[0] + 300_000 < sizes[1], "sizes with and without compression: " + sizes[0] + ", " + sizes[1]);
    }

    /** Under an LRU policy Redis writes IDLE before every key, under an LFU one FREQ: each handed with its key. */
    @Test
    void idleAndFreqOfEveryKey() throws Exception {
        try {
            for (String policy : new String[] {"allkeys-lru", "allkeys-lfu"}) {
                j.configSet("maxmemory-policy", policy);
                j.save();
                RdbModel m = new RdbModel();
                try (RdbReader r = RdbReader.open(Path.of(j.configGet("dir").get("dir"), "dump.rdb"))) {
                    r.read(m);
                }
                assertTrue(m.keyCount() > 40);
                for (Map<String, RdbModel.Entry> db : m.dbs.values()) {
                    for (Map.Entry<String, RdbModel.Entry> e : db.entrySet()) {
                        if (policy.endsWith("lru")) {
                            assertTrue(e.getValue().idle >= 0 && e.getValue().freq == -1, e.getKey());
                        } else {
                            assertTrue(e.getValue().freq >= 0 && e.getValue().idle == -1, e.getKey());
                        }
                    }
                }
            }
        } finally {
            j.configSet("maxmemory-policy", "noeviction");
        }
    }

    @Test
    void parsesEveryKeysDumpPayload() throws Exception {
        int checked = 0;
        for (int db : new int[] {0, 1, 2, 15}) {
            j.select(db);
            for (String compression : new String[] {"yes", "no"}) {
                j.configSet("rdbcompression", compression);
                for (byte[] k : j.keys(b("*"))) {
                    byte[] payload = j.dump(k);
                    RdbModel m = new RdbModel();
                    RdbPayload.read(payload, RdbType.RDB_VERSION, k, m);
                    RdbModel.Entry e = m.get(0, s(k));
                    assertEquals(j.type(k), e.kind);
                    assertEquals(RedisSide.value(j, k, e.kind), RedisSide.normalize(e), s(k));
                    checked++;
                    // a payload whose CRC does not match, or of a newer version, is refused
                    byte[] bad = payload.clone();
                    bad[0] ^= 1;
                    assertThrowsFormat(() -> RdbPayload.read(bad, RdbType.RDB_VERSION, k, new RdbModel()));
                    byte[] newer = payload.clone();
                    newer[newer.length - 10] = 11;
                    assertThrowsFormat(() -> RdbPayload.verify(newer, RdbType.RDB_VERSION));
                }
            }
        }
        j.select(0);
        assertTrue(checked > 70, "payloads checked: " + checked);
    }

    interface Body {
        void run() throws Exception;
    }

    static RdbFormatException assertThrowsFormat(Body body) {
        try {
            body.run();
        } catch (RdbFormatException e) {
            return e;
        } catch (Throwable t) {
            throw new AssertionError("expected an RdbFormatException, got " + t, t);
        }
        throw new AssertionError("expected an RdbFormatException, nothing thrown");
    }
}
