package dev.ferry.rdb;

import dev.ferry.store.Intset;
import dev.ferry.store.Listpack;
import dev.ferry.store.RdbType;
import dev.ferry.support.RedisServer;
import redis.clients.jedis.Jedis;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.ferry.rdb.RedisSide.b;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RdbOutput's bytes: the fact sheet's vectors exactly, then a file of every value shape written with it,
 * checked by redis-check-rdb, loaded by a real redis-server (compared through commands) and read back by the
 * reader; and Ferry-made DUMP payloads accepted by RESTORE.
 */
class RdbWriterRedisTest {
    static final HexFormat HEX = HexFormat.of();

    static byte[] bytes(Body body) throws IOException {
        RdbOutput out = RdbOutput.inMemory(true);
        body.write(out);
        return out.toByteArray();
    }

    interface Body {
        void write(RdbOutput out) throws IOException;
    }

    @Test
    void primitivesAreRedisBytes() throws Exception {
        assertEquals("00", HEX.formatHex(bytes(o -> o.writeLength(0))));
        assertEquals("3f", HEX.formatHex(bytes(o -> o.writeLength(63))));
        assertEquals("4040", HEX.formatHex(bytes(o -> o.writeLength(64))));
        assertEquals("7fff", HEX.formatHex(bytes(o -> o.writeLength(16383))));
        assertEquals("8000004000", HEX.formatHex(bytes(o -> o.writeLength(16384))));
        assertEquals("80ffffffff", HEX.formatHex(bytes(o -> o.writeLength(0xFFFFFFFFL))));
        assertEquals("810000000100000000", HEX.formatHex(bytes(o -> o.writeLength(0x100000000L))));
        assertEquals("81ffffffffffffffff", HEX.formatHex(bytes(o -> o.writeLength(-1))));
        // strings: rdbTryIntegerEncoding, then raw
        assertEquals("c00c", HEX.formatHex(bytes(o -> o.writeString(b("12")))));
        assertEquals("c080", HEX.formatHex(bytes(o -> o.writeString(b("-128")))));
        assertEquals("c17fff", HEX.formatHex(bytes(o -> o.writeString(b("-129")))));
        assertEquals("c1ff7f", HEX.formatHex(bytes(o -> o.writeString(b("32767")))));
        assertEquals("c2ffffff7f", HEX.formatHex(bytes(o -> o.writeString(b("2147483647")))));
        assertEquals("c200000080", HEX.formatHex(bytes(o -> o.writeString(b("-2147483648")))));
        assertEquals("0a" + HEX.formatHex(b("2147483648")), HEX.formatHex(bytes(o -> o.writeString(b("2147483648")))));
        assertEquals("04" + HEX.formatHex(b("0123")), HEX.formatHex(bytes(o -> o.writeString(b("0123")))));
        assertEquals("02" + HEX.formatHex(b("-0")), HEX.formatHex(bytes(o -> o.writeString(b("-0")))));
        assertEquals("02" + HEX.formatHex(b("+1")), HEX.formatHex(bytes(o -> o.writeString(b("+1")))));
        assertEquals("00", HEX.formatHex(bytes(o -> o.writeString(b("")))));
        assertEquals("c000", HEX.formatHex(bytes(o -> o.writeString(b("0")))));
        // LZF only past 20 bytes, and only when it saves 4 bytes
        assertEquals("14" + HEX.formatHex(b("a".repeat(20))), HEX.formatHex(bytes(o -> o.writeString(b("a".repeat(20))))));
        byte[] lzf = bytes(o -> o.writeString(b("a".repeat(21))));
        assertEquals(0xC3, lzf[0] & 0xFF);
        byte[] incompressible = b("abcdefghijklmnopqrstuvwxyz");
        assertEquals("1a" + HEX.formatHex(incompressible), HEX.formatHex(bytes(o -> o.writeString(incompressible))));
        assertEquals("c00c", HEX.formatHex(bytes(o -> o.writeLongAsString(12))));
        assertEquals("0b" + HEX.formatHex(b("99999999999")), HEX.formatHex(bytes(o -> o.writeLongAsString(99_999_999_999L))));
        assertEquals("000000000000f83f", HEX.formatHex(bytes(o -> o.writeBinaryDouble(1.5))));
        assertEquals("fc0807060504030201", HEX.formatHex(bytes(o -> o.writeExpireMs(0x0102030405060708L))));
        // the fact sheet's two whole files
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        try (RdbOutput o = RdbOutput.to(file, false, true)) {
            o.writeHeader();
            o.writeEof();
        }
        assertEquals(HEX.formatHex(b("REDIS0010")) + "ff" + "a9fd37fe89a77eeb", HEX.formatHex(file.toByteArray()));
        file.reset();
        try (RdbOutput o = RdbOutput.to(file, false, true)) {
            o.writeHeader();
            o.writeSelectDb(0);
            o.writeResizeDb(1, 0);
            o.writeKey(RdbType.STRING, b("foo"));
            o.writeString(b("bar"));
            o.writeEof();
        }
        assertEquals(HEX.formatHex(b("REDIS0010")) + "fe00fb0100" + "0003" + HEX.formatHex(b("foo")) + "03" + HEX.formatHex(b("bar"))
            + "ff" + "a125e41c1ad07c4c", HEX.formatHex(file.toByteArray()));
        // checksum off: 8 zero bytes
        file.reset();
        try (RdbOutput o = RdbOutput.to(file, true, false)) {
            o.writeHeader();
            o.writeEof();
        }
        assertEquals(HEX.formatHex(b("REDIS0010")) + "ff" + "0000000000000000", HEX.formatHex(file.toByteArray()));
    }

    /** A stream writer with a small buffer and big values crossing it: the CRC and bytes equal the in-memory writer's. */
    @Test
    void streamAndMemoryWritersAgree() throws Exception {
        Random rnd = new Random(9);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        RdbOutput mem = RdbOutput.inMemory(true);
        try (RdbOutput o = RdbOutput.to(file, true, true)) {
            for (RdbOutput w : new RdbOutput[] {o, mem}) w.writeHeader();
            for (int i = 0; i < 3000; i++) {
                byte[] v = new byte[rnd.nextInt(4) == 0 ? rnd.nextInt(200_000) : rnd.nextInt(100)];
                if (rnd.nextBoolean()) rnd.nextBytes(v);
                for (RdbOutput w : new RdbOutput[] {o, mem}) {
                    w.writeKey(RdbType.STRING, b("k" + i));
                    w.writeString(v);
                }
            }
            mem.writeEof();
            o.writeEof();
        }
        assertArrayEquals(mem.toByteArray(), file.toByteArray());
        byte[] all = file.toByteArray();
        RdbModel m = new RdbModel();
        RdbReader.of(all).read(m);
        assertEquals(3000, m.keyCount());
        // progress every 16 MiB, with the total known for an array
        assertTrue(all.length > 32 << 20, "file of " + all.length);
        assertTrue(m.progress.size() >= 1 && m.progress.size() <= all.length / (16 << 20), "progress calls: " + m.progress.size());
        long last = 0;
        for (long[] p : m.progress) {
            assertTrue(p[0] >= last + (16 << 20), "progress at " + p[0]);
            assertEquals(all.length, p[1]);
            last = p[0];
        }
        m = new RdbModel();
        RdbReader.of(new java.io.ByteArrayInputStream(all), -1).read(m);
        assertEquals(-1, m.progress.get(0)[1]);
        // a stream that gives a few bytes at a time (a socket): the same keys and values as the array
        RdbModel whole = new RdbModel();
        RdbReader.of(all).read(whole);
        RdbModel trickled = new RdbModel();
        Random chunks = new Random(10);
        InputStream trickle = new java.io.ByteArrayInputStream(all) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1 + chunks.nextInt(chunks.nextInt(10) == 0 ? 100_000 : 7)));
            }
        };
        RdbReader.of(trickle, all.length).read(trickled);
        assertEquals(whole.keyCount(), trickled.keyCount());
        for (Map.Entry<String, RdbModel.Entry> e : whole.db(0).entrySet()) {
            assertEquals(e.getValue().value, trickled.get(0, e.getKey()).value, e.getKey());
        }
    }

    @Test
    void redisLoadsWhatFerryWrites(@TempDir Path dir) throws Exception {
        RedisSide.require("redis-server");
        Path file = dir.resolve("ferry.rdb");
        long now = System.currentTimeMillis();
        List<String> bigList = new ArrayList<>();
        for (int i = 0; i < 2000; i++) bigList.add(i % 2 == 0 ? Integer.toString(i) : "item" + i);
        try (OutputStream fs = Files.newOutputStream(file); RdbOutput o = RdbOutput.to(fs, true, true)) {
            o.writeHeader();
            o.writeAux("redis-ver", "7.0.15");
            o.writeAux("redis-bits", 64);
            o.writeAux("ctime", now / 1000);
            o.writeAux("used-mem", 5_000_000_000L);
            o.writeAux("aof-base", 0);
            o.writeAux("ferry-note", "unknown aux fields are skipped");
            o.writeSelectDb(0);
            o.writeResizeDb(10, 2);
            o.writeKey(RdbType.STRING, b("raw"));
            o.writeString(b("hello world"));
            o.writeKey(RdbType.STRING, b("int"));
            o.writeString(b("-123456"));
            o.writeKey(RdbType.STRING, b("lzf"));
            o.writeString(b("0123456789".repeat(1000)));
            o.writeExpireMs(now + 3_600_000);
            o.writeKey(RdbType.STRING, b("ttl"));
            o.writeString(b("soon"));
            o.writeKey(RdbType.STRING, b("bin\u0000\u00ff"));
            o.writeString(b("\u0000\u0001\u0002"));
            Listpack h = new Listpack();
            for (String e : new String[] {"f1", "v1", "n", "42", "neg", "-9000000000", "long", "x".repeat(60)}) h.append(b(e));
            o.writeKey(RdbType.HASH_LISTPACK, b("hash:lp"));
            o.writeString(h.toBytes());
            o.writeKey(RdbType.SET_INTSET, b("set:intset"));
            o.writeString(Intset.encode(new long[] {5, -1, 70000, 3}));
            Listpack z = new Listpack();
            for (String e : new String[] {"a", "-1", "b", "1.5", "c", "100"}) z.append(b(e));
            o.writeKey(RdbType.ZSET_LISTPACK, b("zset:lp"));
            o.writeString(z.toBytes());
            o.writeExpireMs(now + 7_200_000);
            o.writeKey(RdbType.LIST_QUICKLIST_2, b("list"));
            o.writeLength(2);
            for (int node = 0; node < 2; node++) {
                Listpack lp = new Listpack();
                for (int i = node * 1000; i < node * 1000 + 1000; i++) lp.append(b(bigList.get(i)));
                o.writeLength(RdbType.QUICKLIST_NODE_PACKED);
                o.writeString(lp.toBytes());
            }
            o.writeSelectDb(3);
            o.writeResizeDb(3, 0);
            o.writeKey(RdbType.HASH, b("hash:plain"));
            o.writeLength(300);
            for (int i = 0; i < 300; i++) {
                o.writeString(b("field" + i));
                o.writeString(b(Integer.toString(i * 3)));
            }
            o.writeKey(RdbType.ZSET_2, b("zset:plain"));
            o.writeLength(200);
            for (int i = 199; i >= 0; i--) {
                o.writeString(b("m" + i));
                o.writeBinaryDouble(i == 199 ? Double.POSITIVE_INFINITY : i * 0.25 - 10);
            }
            o.writeKey(RdbType.SET, b("set:plain"));
            o.writeLength(600);
            for (int i = 0; i < 600; i++) o.writeString(b(i % 2 == 0 ? "m" + i : Integer.toString(i)));
            o.writeEof();
        }
        RedisSide.checkRdb(file, true);
        RdbModel m = new RdbModel();
        try (RdbReader r = RdbReader.open(file)) {
            r.read(m);
        }
        assertEquals("0123456789".repeat(1000), m.get(0, "lzf").value);
        assertEquals("5000000000", m.aux.get("used-mem"));
        assertEquals("64", m.aux.get("redis-bits"));
        assertEquals("unknown aux fields are skipped", m.aux.get("ferry-note"));
        assertEquals(12, m.keyCount());
        try (RedisServer redis = RedisServer.start("--dir", dir.toString(), "--dbfilename", "ferry.rdb");
             Jedis j = new Jedis("127.0.0.1", redis.port())) {
            RedisSide.assertSame(j, m, 16);
            assertEquals("int", j.objectEncoding("int"));
            assertEquals("listpack", j.objectEncoding("hash:lp"));
            assertEquals("intset", j.objectEncoding("set:intset"));
            assertEquals(Map.of("a", -1.0, "b", 1.5, "c", 100.0).size(), j.zcard("zset:lp"));
            assertEquals(2000, j.llen("list"));
        }
    }

    /** Ferry's LZF against Redis's lzf_d.c: strings of many sizes and shapes, compressed, RESTOREd and read back by GET. */
    @Test
    void redisDecompressesFerryLzf() throws Exception {
        RedisSide.require("redis-server");
        Random rnd = new Random(17);
        try (RedisServer redis = RedisServer.start(); Jedis j = new Jedis("127.0.0.1", redis.port())) {
            int compressed = 0;
            for (int i = 0; i < 400; i++) {
                int len = 21 + (i < 300 ? rnd.nextInt(3000) : rnd.nextInt(300_000));
                byte[] v = new byte[len];
                int alphabet = 1 + rnd.nextInt(i % 3 == 0 ? 4 : 60);
                int run = 1 + rnd.nextInt(50);
                for (int k = 0; k < len; k++) v[k] = rnd.nextInt(run) == 0 ? (byte) rnd.nextInt(256) : (byte) ('a' + (k / run) % alphabet);
                RdbOutput o = RdbOutput.inMemory(true);
                o.writeByte(RdbType.STRING);
                o.writeString(v);
                byte[] payload = RdbPayload.finish(o);
                if ((payload[1] & 0xFF) == 0xC3) compressed++;
                byte[] key = b("lzf" + i);
                j.restore(key, 0, payload);
                assertArrayEquals(v, j.get(key), "string " + i + " of " + len + " bytes");
                j.del(key);
            }
            assertTrue(compressed > 300, "strings stored as LZF: " + compressed);
        }
    }

    /** The replication AUX fields read back as a restarted server would use them (rdbPopulateSaveInfo's set). */
    @Test
    void replicationAuxFields() throws Exception {
        RdbOutput o = RdbOutput.inMemory(true);
        o.writeHeader();
        o.writeAux("repl-stream-db", 3);
        o.writeAux("repl-id", "7250d717beb1f6a344ca474cd344f732115dfe6a");
        o.writeAux("repl-offset", 9_000_000_000L);
        o.writeAux("aof-base", 1);
        o.writeEof();
        RdbReader r = RdbReader.of(o.toByteArray());
        r.read(new RdbCounter());
        assertEquals("7250d717beb1f6a344ca474cd344f732115dfe6a", r.aux().replId());
        assertEquals(9_000_000_000L, r.aux().replOffset());
        assertEquals(3, r.aux().replStreamDb());
        assertTrue(r.aux().hasReplicationInfo());
        assertTrue(r.aux().aofBase());
        // a repl-id of another length is not kept
        o = RdbOutput.inMemory(true);
        o.writeHeader();
        o.writeAux("repl-id", "short");
        o.writeEof();
        r = RdbReader.of(o.toByteArray());
        r.read(new RdbCounter());
        assertNull(r.aux().replId());
        assertTrue(!r.aux().hasReplicationInfo());
    }

    @Test
    void redisChecksAndLoadsAFileWithoutChecksum(@TempDir Path dir) throws Exception {
        RedisSide.require("redis-server");
        Path file = dir.resolve("nocrc.rdb");
        try (OutputStream fs = Files.newOutputStream(file); RdbOutput o = RdbOutput.to(fs, false, false)) {
            o.writeHeader();
            o.writeSelectDb(0);
            o.writeKey(RdbType.STRING, b("k"));
            o.writeString(b("v"));
            o.writeEof();
        }
        RedisSide.checkRdb(file, true);
        try (RedisServer redis = RedisServer.start("--dir", dir.toString(), "--dbfilename", "nocrc.rdb");
             Jedis j = new Jedis("127.0.0.1", redis.port())) {
            assertEquals("v", j.get("k"));
        }
    }

    @Test
    void restoreTakesFerryPayloads() throws Exception {
        RedisSide.require("redis-server");
        try (RedisServer redis = RedisServer.start(); Jedis j = new Jedis("127.0.0.1", redis.port())) {
            // a string (LZF), a listpack hash, an intset, a quicklist
            RdbOutput o = RdbOutput.inMemory(true);
            o.writeByte(RdbType.STRING);
            o.writeString(b("ab".repeat(500)));
            j.restore(b("p:s"), 0, RdbPayload.finish(o));
            assertEquals("ab".repeat(500), j.get("p:s"));

            Listpack h = new Listpack();
            for (String e : new String[] {"a", "1", "b", "two"}) h.append(b(e));
            o = RdbOutput.inMemory(true);
            o.writeByte(RdbType.HASH_LISTPACK);
            o.writeString(h.toBytes());
            byte[] payload = RdbPayload.finish(o);
            j.restore(b("p:h"), 0, payload);
            assertEquals(Map.of("a", "1", "b", "two"), j.hgetAll("p:h"));
            // Redis's own DUMP of the same hash is the same bytes
            assertArrayEquals(j.dump(b("p:h")), payload);

            o = RdbOutput.inMemory(true);
            o.writeByte(RdbType.SET_INTSET);
            o.writeString(Intset.encode(new long[] {3, 1, 2}));
            j.restore(b("p:i"), 0, RdbPayload.finish(o));
            assertEquals(java.util.Set.of("1", "2", "3"), j.smembers("p:i"));

            o = RdbOutput.inMemory(false);
            o.writeByte(RdbType.LIST_QUICKLIST_2);
            o.writeLength(1);
            o.writeLength(RdbType.QUICKLIST_NODE_PACKED);
            Listpack l = new Listpack();
            for (String e : new String[] {"x", "7", "y"}) l.append(b(e));
            o.writeString(l.toBytes());
            j.restore(b("p:l"), 0, RdbPayload.finish(o));
            assertEquals(List.of("x", "7", "y"), j.lrange("p:l", 0, -1));

            // a corrupted Ferry payload is refused by Redis too: the CRC covers it
            byte[] bad = payload.clone();
            bad[3] ^= 4;
            String err = null;
            try {
                j.restore(b("p:bad"), 0, bad);
            } catch (Exception e) {
                err = e.getMessage();
            }
            assertTrue(err != null && err.contains("checksum"), String.valueOf(err));
            assertNull(j.get("p:bad"));
        }
    }
}
