package dev.ferry.rdb;

import dev.ferry.store.RdbType;
import dev.ferry.support.RedisServer;
import redis.clients.jedis.Jedis;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static dev.ferry.rdb.RdbReaderRedisTest.assertThrowsFormat;
import static dev.ferry.rdb.RedisSide.b;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The reader against damaged input: a real redis-server dump (every type, LZF strings, expiries) truncated at
 * every offset, with a bit flipped at every offset (the CRC on: always refused; the CRC off, or recomputed over
 * the damage: refused or read, never another Throwable), random garbage, and lengths of 2^31, 2^32 and 2^62
 * refused before anything of that size is allocated, from arrays and from streams of unknown size.
 */
class RdbHardeningTest {
    static byte[] dump;
    static byte[][] payloads;
    /** RdbReaderRedisTest's whole data set (about 1.5 MB: big listpacks, LZF nodes, plain nodes, four DBs). */
    static byte[] bigDump;

    @BeforeAll
    static void makeDump() throws Exception {
        RedisSide.require("redis-server");
        try (RedisServer redis = RedisServer.start(); Jedis j = new Jedis("127.0.0.1", redis.port())) {
            j.configSet("list-max-listpack-size", "4");
            j.set("str", "hello");
            j.set("int", "-4242");
            j.set("lzf", "compress me ".repeat(50));
            j.pexpire("lzf", 100_000);
            j.rpush("list", "a", "b", "1", "2", "-300", "x".repeat(70), "y", "z", "w");
            j.sadd("intset", "1", "2", "70000");
            j.sadd("set", "a", "b");
            j.configSet("set-max-intset-entries", "1");
            j.sadd("set:ht", "1", "2", "x");
            j.zadd("zlp", Map.of("a", 1.0, "b", 2.5));
            j.configSet("zset-max-listpack-entries", "1");
            j.zadd("zsl", Map.of("a", 1.0, "b", Double.NEGATIVE_INFINITY));
            j.hset("hlp", Map.of("f", "v", "n", "1"));
            j.configSet("hash-max-listpack-entries", "1");
            j.hset("hht", Map.of("f", "v", "g", "w"));
            j.select(3);
            j.set(b("k\u0000"), b("v".repeat(30)));
            j.select(0);
            j.save();
            dump = Files.readAllBytes(Path.of(j.configGet("dir").get("dir"), "dump.rdb"));
            String[] keys = {"str", "int", "lzf", "list", "intset", "set", "set:ht", "zlp", "zsl", "hlp", "hht"};
            payloads = new byte[keys.length][];
            for (int i = 0; i < keys.length; i++) payloads[i] = j.dump(b(keys[i]));
        }
        try (RedisServer redis = RedisServer.start("--enable-debug-command", "yes"); Jedis j = new Jedis("127.0.0.1", redis.port(), 60_000)) {
            RdbReaderRedisTest.fill(j);
            j.save();
            bigDump = Files.readAllBytes(Path.of(j.configGet("dir").get("dir"), "dump.rdb"));
        }
        RdbCounter c = new RdbCounter();
        RdbReader.of(dump).read(c);
        assertTrue(c.keys() == 12, c.toString());
    }

    /** Reads and returns normally, or throws RdbFormatException; anything else fails the test. */
    static boolean readsOrRefuses(String what, ReaderSource source) {
        try {
            RdbReader r = source.open();
            r.read(new RdbCounter());
            return true;
        } catch (RdbFormatException e) {
            return false;
        } catch (Throwable t) {
            throw new AssertionError(what + ": " + t, t);
        }
    }

    interface ReaderSource {
        RdbReader open() throws IOException;
    }

    @Test
    void truncatedAtEveryOffsetIsRefused() {
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            for (int cut = 0; cut < dump.length; cut++) {
                byte[] part = Arrays.copyOf(dump, cut);
                if (readsOrRefuses("array cut at " + cut, () -> RdbReader.of(part))) fail("a dump cut at " + cut + " was read");
                if (readsOrRefuses("stream cut at " + cut, () -> RdbReader.of(new ByteArrayInputStream(part), -1))) {
                    fail("a stream cut at " + cut + " was read");
                }
            }
        });
    }

    @Test
    void flippedBitsAreRefusedOrReadNeverThrown() {
        Random rnd = new Random(12);
        assertTimeoutPreemptively(Duration.ofSeconds(180), () -> {
            for (int i = 0; i < dump.length; i++) {
                for (int round = 0; round < 3; round++) {
                    byte[] bad = dump.clone();
                    bad[i] ^= (byte) (1 << rnd.nextInt(8));
                    // the CRC sees every single-bit change, except one making the version older than 5 (no trailer then,
                    // as in Redis: "001 " reads as version 1 by atoi)
                    if (readsOrRefuses("flip at " + i, () -> RdbReader.of(bad))) {
                        RdbReader r = RdbReader.of(bad);
                        r.read(new RdbCounter());
                        if (!(i >= 5 && i < 9 && r.version() < 5)) fail("a flip at offset " + i + " was not caught");
                    }
                    // without it, the parser's own checks: refuse or read, nothing else
                    readsOrRefuses("flip at " + i + ", no CRC", () -> RdbReader.of(bad).verifyChecksum(false));
                    // and a CRC recomputed over the damage, so that a CRC-trusting parse meets it
                    byte[] resealed = reseal(bad);
                    readsOrRefuses("resealed flip at " + i, () -> RdbReader.of(resealed));
                    readsOrRefuses("resealed flip at " + i + ", stream", () -> RdbReader.of(new ByteArrayInputStream(resealed), -1));
                }
            }
        });
    }

    @Test
    void aBigDumpDamagedAtRandomOffsets() {
        Random rnd = new Random(15);
        assertTimeoutPreemptively(Duration.ofSeconds(300), () -> {
            assertTrue(readsOrRefuses("intact", () -> RdbReader.of(bigDump)));
            for (int round = 0; round < 1500; round++) {
                int at = rnd.nextInt(bigDump.length);
                byte[] bad = bigDump.clone();
                bad[at] ^= (byte) (1 << rnd.nextInt(8));
                if (readsOrRefuses("big flip at " + at, () -> RdbReader.of(bad)) && !(at >= 5 && at < 9)) fail("flip at " + at + " not caught");
                byte[] resealed = reseal(bad);
                readsOrRefuses("big resealed flip at " + at, () -> RdbReader.of(resealed));
            }
            for (int round = 0; round < 300; round++) {
                int cut = rnd.nextInt(bigDump.length);
                byte[] part = Arrays.copyOf(bigDump, cut);
                if (readsOrRefuses("big cut at " + cut, () -> RdbReader.of(new ByteArrayInputStream(part), -1))) fail("cut at " + cut + " read");
            }
        });
    }

    @Test
    void checksumMismatchInRedisWords() {
        byte[] bad = dump.clone();
        bad[bad.length - 1] ^= 1;
        long computed = Crc64.update(0, dump, 0, dump.length - 8);
        long stored = computed ^ (1L << 56);
        RdbFormatException e = RdbReaderRedisTest.assertThrowsFormat(() -> RdbReader.of(bad).read(new RdbCounter()));
        assertTrue(e.getMessage().startsWith(String.format("Wrong RDB checksum expected: (%x) got (%x)", computed, stored)), e.getMessage());
        // with checking off, or a stored 0, it reads
        assertTrue(readsOrRefuses("unchecked", () -> RdbReader.of(bad).verifyChecksum(false)));
        byte[] zero = dump.clone();
        Arrays.fill(zero, zero.length - 8, zero.length, (byte) 0);
        assertTrue(readsOrRefuses("stored 0", () -> RdbReader.of(zero)));
    }

    @Test
    void randomBytesAndMultipleFlips() {
        Random rnd = new Random(13);
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            for (int round = 0; round < 20_000; round++) {
                byte[] bad;
                if (round % 4 == 0) {
                    bad = new byte[9 + rnd.nextInt(300)];
                    rnd.nextBytes(bad);
                    System.arraycopy(b("REDIS0010"), 0, bad, 0, 9);
                } else {
                    bad = dump.clone();
                    for (int k = 0; k < 1 + rnd.nextInt(8); k++) bad[rnd.nextInt(bad.length)] = (byte) rnd.nextInt(256);
                }
                byte[] input = bad;
                readsOrRefuses("round " + round, () -> RdbReader.of(input).verifyChecksum(false));
            }
        });
    }

    @Test
    void damagedDumpPayloadsAreRefusedOrRead() {
        Random rnd = new Random(14);
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            for (byte[] payload : payloads) {
                for (int i = 0; i < payload.length - RdbPayload.FOOTER; i++) {
                    for (int round = 0; round < 4; round++) {
                        byte[] bad = payload.clone();
                        bad[i] ^= (byte) (1 << rnd.nextInt(8));
                        assertThrowsFormat(() -> RdbPayload.read(bad, RdbType.RDB_VERSION, b("k"), new RdbCounter()));
                        resealPayload(bad);
                        try {
                            RdbPayload.read(bad, RdbType.RDB_VERSION, b("k"), new RdbCounter());
                        } catch (RdbFormatException expected) {
                            // refused
                        }
                    }
                }
                for (int cut = 0; cut < payload.length; cut++) {
                    byte[] part = Arrays.copyOf(payload, cut);
                    assertThrowsFormat(() -> RdbPayload.read(part, RdbType.RDB_VERSION, b("k"), new RdbCounter()));
                }
            }
        });
    }

    /** A file: header, a key of the type, then the given bytes; the CRC off (0). */
    static byte[] fileWith(int type, byte[] tail) throws IOException {
        RdbOutput o = RdbOutput.inMemory(false);
        o.writeHeader();
        o.writeKey(type, b("key"));
        o.writeBytes(tail);
        return o.toByteArray();
    }

    static byte[] hex(String h) {
        return java.util.HexFormat.of().parseHex(h);
    }

    @Test
    void absurdLengthsAreRefusedBeforeAllocation() throws Exception {
        String[] tails = {
            "81" + "4000000000000000",            // a string of 2^62 bytes
            "81" + "ffffffffffffffff",            // 2^64 - 1
            "80" + "ffffffff",                    // 2^32 - 1
            "80" + "7ffffff7",                    // 2^31 - 9: the largest array, but not there
            "c3" + "05" + "80ffffffff" + "0000000000", // LZF: 2^32 from 5 bytes
            "c3" + "81" + "4000000000000000" + "05", // LZF: 2^62 compressed bytes
        };
        for (String t : tails) {
            byte[] f = fileWith(RdbType.STRING, hex(t));
            assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
                assertSmallAllocation(t, () -> assertThrowsFormat(() -> RdbReader.of(f).read(new RdbCounter())));
                assertSmallAllocation(t, () -> assertThrowsFormat(() -> RdbReader.of(new ByteArrayInputStream(f), -1).read(new RdbCounter())));
            }, t);
        }
        // counts: a hash, a set, a list, a zset and a quicklist claiming 2^32 or 2^62 elements
        for (int type : new int[] {RdbType.HASH, RdbType.SET, RdbType.LIST, RdbType.ZSET_2, RdbType.LIST_QUICKLIST_2}) {
            for (String count : new String[] {"80ffffffff", "814000000000000000"}) {
                byte[] f = fileWith(type, hex(count + "0161"));
                assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
                    assertSmallAllocation(count, () -> {
                        RdbFormatException e = assertThrowsFormat(() -> RdbReader.of(f).read(new RdbCounter()));
                        assertTrue(e.getMessage().contains("key"), e.getMessage());
                    });
                    assertSmallAllocation(count, () -> assertThrowsFormat(() -> RdbReader.of(new ByteArrayInputStream(f), -1).read(new RdbCounter())));
                });
            }
        }
        // a stream of unknown size claiming a 2 GB string, giving 1 MB: the allocation stays near what arrived
        byte[] head = fileWith(RdbType.STRING, hex("807ffffff7"));
        InputStream claims = new java.io.SequenceInputStream(new ByteArrayInputStream(head), new ByteArrayInputStream(new byte[1 << 20]));
        long allocated = allocatedBy(() -> assertThrowsFormat(() -> RdbReader.of(claims, -1).read(new RdbCounter())));
        assertTrue(allocated < 64L << 20, "allocated " + allocated);
    }

    /** Bytes the current thread allocated while running body (HotSpot's per-thread counter). */
    static long allocatedBy(Runnable body) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long before = mx.getThreadAllocatedBytes(id);
        body.run();
        return mx.getThreadAllocatedBytes(id) - before;
    }

    static void assertSmallAllocation(String what, Runnable body) {
        long n = allocatedBy(body);
        assertTrue(n < 4L << 20, what + ": allocated " + n + " bytes");
    }

    /** The file with its trailer recomputed over its (damaged) bytes. */
    static byte[] reseal(byte[] file) {
        byte[] out = file.clone();
        long crc = Crc64.update(0, out, 0, out.length - 8);
        for (int i = 0; i < 8; i++) out[out.length - 8 + i] = (byte) (crc >>> (8 * i));
        return out;
    }

    static void resealPayload(byte[] p) {
        long crc = Crc64.update(0, p, 0, p.length - 8);
        for (int i = 0; i < 8; i++) p[p.length - 8 + i] = (byte) (crc >>> (8 * i));
    }
}
