package dev.ferry.rdb;

import dev.ferry.store.Listpack;
import dev.ferry.store.RdbType;
import dev.ferry.support.RedisServer;
import redis.clients.jedis.Jedis;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.ferry.rdb.RdbReaderRedisTest.assertThrowsFormat;
import static dev.ferry.rdb.RedisSide.b;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Formats Redis 7.0 no longer writes (linked lists, plain sets, sorted sets with text scores, zipmaps,
 * ziplists, quicklists of ziplists, expiry in seconds), built with RdbOutput and LegacyBlobs by the fact sheet:
 * read by the reader, checked by redis-check-rdb and loaded by redis-server 7.0 (compared through commands).
 * Then what 7.2 and 7.4 add: listpack sets read, hash-with-TTL and stream types refused by name, module AUX
 * skipped, functions handed over, versions past 12 refused.
 */
class RdbLegacyFormatsTest {
    static List<byte[]> list(String... e) {
        List<byte[]> out = new ArrayList<>();
        for (String s : e) out.add(b(s));
        return out;
    }

    static final String[] ZIPLIST_ELEMENTS = {"a", "0", "12", "13", "-1", "127", "-128", "128", "32767", "-32768", "32768",
        "8388607", "-8388608", "8388608", "2147483647", "-2147483648", "2147483648", "9223372036854775807",
        "-9223372036854775808", "", "0123", "x".repeat(63), "y".repeat(64), "z".repeat(300), "w".repeat(16384)};

    static void writeLegacy(RdbOutput o, long now) throws IOException {
        o.writeHeader(9);
        o.writeAux("redis-ver", "5.0.0");
        o.writeSelectDb(0);
        o.writeKey(RdbType.LIST, b("old:list"));
        o.writeLength(4);
        for (String e : new String[] {"a", "1", "-5", "x".repeat(100)}) o.writeString(b(e));
        o.writeKey(RdbType.SET, b("old:set"));
        o.writeLength(3);
        for (String e : new String[] {"a", "7", "bb"}) o.writeString(b(e));
        o.writeKey(RdbType.ZSET, b("old:zset"));
        o.writeLength(5);
        Object[][] z = {{"a", 1.5}, {"b", Double.POSITIVE_INFINITY}, {"c", Double.NEGATIVE_INFINITY}, {"d", 3.0}, {"e", -0.125}};
        for (Object[] p : z) {
            o.writeString(b((String) p[0]));
            o.writeTextDouble((Double) p[1]);
        }
        o.writeKey(RdbType.HASH, b("old:hash"));
        o.writeLength(2);
        for (String e : new String[] {"f", "v", "n", "5"}) o.writeString(b(e));
        o.writeKey(RdbType.HASH_ZIPMAP, b("old:zipmap"));
        o.writeString(LegacyBlobs.zipmap(list("f1", "v1", "num", "12", "long", "L".repeat(300), "", "empty"), 0));
        o.writeKey(RdbType.HASH_ZIPMAP, b("old:zipmap-free"));
        o.writeString(LegacyBlobs.zipmap(list("a", "b", "c", "d"), 3));
        o.writeKey(RdbType.LIST_ZIPLIST, b("old:ziplist-list"));
        o.writeString(LegacyBlobs.ziplist(list(ZIPLIST_ELEMENTS)));
        o.writeKey(RdbType.ZSET_ZIPLIST, b("old:ziplist-zset"));
        o.writeString(LegacyBlobs.ziplist(list("m1", "-2", "m2", "1.5", "m3", "100")));
        o.writeKey(RdbType.HASH_ZIPLIST, b("old:ziplist-hash"));
        o.writeString(LegacyBlobs.ziplist(list("f", "v", "1", "2", "big", "B".repeat(500))));
        o.writeSelectDb(2);
        o.writeKey(RdbType.LIST_QUICKLIST, b("old:quicklist"));
        o.writeLength(2);
        o.writeString(LegacyBlobs.ziplist(list("a", "b", "1")));
        o.writeString(LegacyBlobs.ziplist(list("c", "-70000", "d".repeat(40))));
        o.writeByte(RdbType.OPCODE_EXPIRETIME);
        int seconds = (int) (now / 1000 + 3600);
        for (int i = 0; i < 4; i++) o.writeByte(seconds >>> (8 * i));
        o.writeKey(RdbType.STRING, b("old:expire-seconds"));
        o.writeString(b("v"));
        o.writeExpireMs(now + 60_000);
        o.writeKey(RdbType.SET_INTSET, b("old:intset"));
        o.writeString(dev.ferry.store.Intset.encode(new long[] {1, 2, 3}));
        o.writeEof();
    }

    @Test
    void legacyFormatsReadAsRedisLoadsThem(@TempDir Path dir) throws Exception {
        long now = System.currentTimeMillis();
        Path file = dir.resolve("legacy.rdb");
        try (OutputStream fs = Files.newOutputStream(file); RdbOutput o = RdbOutput.to(fs, true, true)) {
            writeLegacy(o, now);
        }
        RdbModel m = new RdbModel();
        try (RdbReader r = RdbReader.open(file)) {
            r.read(m);
        }
        assertEquals(9, m.version);
        assertEquals(List.of("a", "1", "-5", "x".repeat(100)), m.get(0, "old:list").value);
        assertEquals("E", m.get(0, "old:list").form);
        assertEquals(Map.of("a", 1.5, "b", Double.POSITIVE_INFINITY, "c", Double.NEGATIVE_INFINITY, "d", 3.0, "e", -0.125), m.get(0, "old:zset").value);
        assertEquals(RedisSide.map("f1", "v1", "num", "12", "long", "L".repeat(300), "", "empty"), m.get(0, "old:zipmap").value);
        assertEquals("listpack", m.get(0, "old:zipmap").form);
        assertEquals(RedisSide.map("a", "b", "c", "d"), m.get(0, "old:zipmap-free").value);
        assertEquals(List.of(ZIPLIST_ELEMENTS), m.get(0, "old:ziplist-list").value);
        assertEquals(RedisSide.map("f", "v", "1", "2", "big", "B".repeat(500)), m.get(0, "old:ziplist-hash").value);
        assertEquals(List.of("a", "b", "1", "c", "-70000", "d".repeat(40)), m.get(2, "old:quicklist").value);
        assertEquals("NN", m.get(2, "old:quicklist").form);
        assertEquals((now / 1000 + 3600) * 1000, m.get(2, "old:expire-seconds").expireAt);
        assertEquals(now + 60_000, m.get(2, "old:intset").expireAt);
        // a converted ziplist is the listpack Redis's loader makes: the same bytes as a listpack built directly
        Listpack direct = new Listpack();
        for (String e : new String[] {"f", "v", "1", "2", "big", "B".repeat(500)}) direct.append(b(e));
        Blobs blobs = new Blobs();
        assertArrayEquals(direct.toBytes(), blobs.ziplistToListpack(LegacyBlobs.ziplist(list("f", "v", "1", "2", "big", "B".repeat(500))), 2, true));

        RedisSide.checkRdb(file, true);
        RedisSide.require("redis-server");
        try (RedisServer redis = RedisServer.start("--dir", dir.toString(), "--dbfilename", "legacy.rdb");
             Jedis j = new Jedis("127.0.0.1", redis.port())) {
            RedisSide.assertSame(j, m, 16);
        }
    }

    @Test
    void corruptLegacyBlobsAreRefused() {
        Blobs blobs = new Blobs();
        byte[] good = LegacyBlobs.ziplist(list("a", "bb", "300", "z".repeat(300), "x"));
        // every single-byte change of a ziplist: refused, or converted to a listpack that validates
        for (int i = 0; i < good.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] bad = good.clone();
                bad[i] ^= (byte) (1 << bit);
                byte[] lp = blobs.ziplistToListpack(bad, 1, false);
                if (lp != null) assertTrue(Listpack.forEach(lp, new Listpack.Visitor() {
                    public void string(byte[] b, int off, int len) {}

                    public void integer(long v) {}
                }));
            }
        }
        // each header and link field damaged: refused (ziplistValidateIntegrity's checks)
        assertTrue(blobs.ziplistToListpack(good, 1, false) != null);
        int[][] damages = {
            {0, 1},        // zlbytes
            {4, 1},        // zltail
            {8, 1},        // zllen
            {13, 1},       // the second entry's prevlen (the first entry, "a", takes 3 bytes)
            {10, 1},       // the first entry's prevlen must be 0
            {good.length - 1, 1}, // the end byte
        };
        for (int[] d : damages) {
            byte[] bad = good.clone();
            bad[d[0]] += (byte) d[1];
            assertEquals(null, blobs.ziplistToListpack(bad, 1, false), "damage at " + d[0]);
            assertTrue(blobs.lastError != null);
        }
        // duplicates in pairs, odd counts
        assertEquals(null, blobs.ziplistToListpack(LegacyBlobs.ziplist(list("f", "1", "f", "2")), 2, true));
        assertEquals(null, blobs.ziplistToListpack(LegacyBlobs.ziplist(list("5", "1", "5", "2")), 2, true));
        assertEquals(null, blobs.ziplistToListpack(LegacyBlobs.ziplist(list("f", "1", "g")), 2, true));
        assertEquals(null, blobs.zipmapToListpack(LegacyBlobs.zipmap(list("f", "1", "f", "2"), 0)));
        byte[] zm = LegacyBlobs.zipmap(list("f", "1", "g", "2"), 0);
        for (int cut = 0; cut < zm.length; cut++) assertEquals(null, blobs.zipmapToListpack(java.util.Arrays.copyOf(zm, cut)), "cut " + cut);
        // listpacks: a duplicate field, an odd count, a string "12" equal to the integer 12
        Listpack lp = new Listpack();
        lp.appendString(b("12"));
        lp.append(b("a"));
        lp.appendInteger(12);
        lp.append(b("b"));
        assertTrue(blobs.checkListpack(lp.toBytes(), 2, true).contains("duplicate"));
        assertEquals(null, blobs.checkListpack(lp.toBytes(), 2, false));
        assertTrue(Blobs.checkIntset(dev.ferry.store.Intset.empty()) != null);
        // a back-length whose value reads right forwards but whose continuation bit is wrong (a 200-byte entry: 01 c8)
        byte[] longEntry = lp(b("x".repeat(198)));
        assertEquals(null, blobs.checkListpack(longEntry, 1, false));
        int bl = longEntry.length - 3;
        assertEquals(0x01, longEntry[bl]);
        assertEquals(0xC8, longEntry[bl + 1] & 0xFF);
        longEntry[bl] = (byte) 0x81;
        assertTrue(blobs.checkListpack(longEntry, 1, false) != null);
        // sorted-set listpacks: scores must be numbers, not NaN, in order
        assertEquals(null, Blobs.checkZsetScores(lp(b("a"), b("-inf"), b("b"), b("1"), b("c"), b("1.5"), b("d"), b("inf"))));
        assertTrue(Blobs.checkZsetScores(lp(b("a"), b("x1"))).contains("not a number"));
        assertTrue(Blobs.checkZsetScores(lp(b("a"), b("nan"))) != null);
        assertTrue(Blobs.checkZsetScores(lp(b("a"), b("2"), b("b"), b("1.5"))).contains("order"));
    }

    static byte[] lp(byte[]... elements) {
        Listpack l = new Listpack();
        for (byte[] e : elements) l.append(e);
        return l.toBytes();
    }

    /** A v11/v12 file: type byte, key, value bytes, written by hand. */
    static byte[] file(int version, Body keys) throws IOException {
        RdbOutput o = RdbOutput.inMemory(false);
        o.writeHeader(version);
        o.writeSelectDb(0);
        keys.write(o);
        o.writeEof();
        return o.toByteArray();
    }

    interface Body {
        void write(RdbOutput o) throws IOException;
    }

    @Test
    void newerTypesAndOpcodes() throws Exception {
        // 7.2: a listpack set
        Listpack set = new Listpack();
        for (String e : new String[] {"a", "1", "b"}) set.append(b(e));
        RdbModel m = new RdbModel();
        RdbReader.of(file(11, o -> {
            o.writeKey(RdbType.SET_LISTPACK, b("s"));
            o.writeString(set.toBytes());
        })).read(m);
        assertEquals(RedisSide.set("a", "1", "b"), m.get(0, "s").value);
        assertEquals("listpack", m.get(0, "s").form);

        // 7.4: hashes with field TTLs, refused naming key, type and offset
        RdbFormatException e = assertThrowsFormat(() -> RdbReader.of(file(12, o -> {
            o.writeKey(RdbType.HASH_LISTPACK_EX, b("httl"));
            o.writeLongLe(0);
            o.writeString(set.toBytes());
        })).read(new RdbModel()));
        assertTrue(e.getMessage().contains("httl") && e.getMessage().contains("25") && e.offset() > 9, e.getMessage());
        assertArrayEquals(b("httl"), e.key());
        for (int type : new int[] {RdbType.STREAM_LISTPACKS, RdbType.STREAM_LISTPACKS_2, RdbType.STREAM_LISTPACKS_3}) {
            e = assertThrowsFormat(() -> RdbReader.of(file(11, o -> {
                o.writeKey(type, b("stream"));
                o.writeLength(0);
            })).read(new RdbModel()));
            assertTrue(e.getMessage().contains("stream") && e.getMessage().contains("type " + type), e.getMessage());
        }
        for (int type : new int[] {RdbType.HASH_METADATA_PRE_GA, RdbType.HASH_LISTPACK_EX_PRE_GA, RdbType.HASH_METADATA}) {
            e = assertThrowsFormat(() -> RdbReader.of(file(12, o -> {
                o.writeKey(type, b("httl2"));
                o.writeLength(0);
            })).read(new RdbModel()));
            assertTrue(e.getMessage().contains("httl2") && e.getMessage().contains("type " + type), e.getMessage());
        }
        // an unknown type byte (8, or past 25) is corrupt
        for (int type : new int[] {8, 26, 243}) {
            e = assertThrowsFormat(() -> RdbReader.of(file(12, o -> o.writeKey(type, b("x")))).read(new RdbModel()));
            assertTrue(e.getMessage().contains("Unknown RDB encoding type " + type), e.getMessage());
        }
        // a module value names its module type
        long moduleId = moduleId("ferrytype", 3);
        e = assertThrowsFormat(() -> RdbReader.of(file(10, o -> {
            o.writeKey(RdbType.MODULE_2, b("mod"));
            o.writeLength(moduleId);
        })).read(new RdbModel()));
        assertTrue(e.getMessage().contains("ferrytype") && e.getMessage().contains("mod"), e.getMessage());

        // module AUX: skipped by its opcodes and handed over; FUNCTION2 and the 7.0-rc form handed over;
        // IDLE and FREQ go with the next key only; SLOT_INFO
        m = new RdbModel();
        RdbReader.of(file(12, o -> {
            o.writeByte(RdbType.OPCODE_MODULE_AUX);
            o.writeLength(moduleId);
            o.writeLength(RdbType.MODULE_OPCODE_UINT);
            o.writeLength(2);
            o.writeLength(RdbType.MODULE_OPCODE_SINT);
            o.writeLength(-5);
            o.writeLength(RdbType.MODULE_OPCODE_FLOAT);
            o.writeBytes(new byte[4]);
            o.writeLength(RdbType.MODULE_OPCODE_DOUBLE);
            o.writeBinaryDouble(2.5);
            o.writeLength(RdbType.MODULE_OPCODE_STRING);
            o.writeString(b("z".repeat(100)));
            o.writeLength(RdbType.MODULE_OPCODE_EOF);
            o.writeFunction(b("#!lua name=lib\nredis.register_function('f', function() return 1 end)"));
            o.writeByte(RdbType.OPCODE_FUNCTION_PRE_GA);
            o.writeString(b("old"));
            o.writeString(b("LUA"));
            o.writeLength(1);
            o.writeString(b("a description"));
            o.writeString(b("code"));
            o.writeByte(RdbType.OPCODE_SLOT_INFO);
            o.writeLength(100);
            o.writeLength(1);
            o.writeLength(0);
            o.writeIdle(77);
            o.writeKey(RdbType.STRING, b("idle"));
            o.writeString(b("v"));
            o.writeFreq(200);
            o.writeKey(RdbType.STRING, b("freq"));
            o.writeString(b("v"));
            o.writeKey(RdbType.STRING, b("plain"));
            o.writeString(b("v"));
        })).read(m);
        assertEquals(List.of("ferrytype/3/2"), m.moduleAux);
        assertEquals(List.of("#!lua name=lib\nredis.register_function('f', function() return 1 end)", "#!LUA name=old\ncode"), m.functions);
        assertEquals(77, m.get(0, "idle").idle);
        assertEquals(200, m.get(0, "freq").freq);
        assertEquals(-1, m.get(0, "plain").idle);
        assertEquals(-1, m.get(0, "plain").freq);

        // versions: 13 refused with Redis's words, a wrong signature too
        e = assertThrowsFormat(() -> RdbReader.of(file(13, o -> { })).read(new RdbModel()));
        assertTrue(e.getMessage().startsWith("Can't handle RDB format version 13"), e.getMessage());
        e = assertThrowsFormat(() -> RdbReader.of(b("REDIX0010\u00ff")).read(new RdbModel()));
        assertTrue(e.getMessage().startsWith("Wrong signature"), e.getMessage());
        // empty collections are skipped like Redis does, not handed
        m = new RdbModel();
        RdbReader.of(file(10, o -> {
            o.writeKey(RdbType.HASH, b("empty"));
            o.writeLength(0);
            o.writeKey(RdbType.LIST_QUICKLIST_2, b("emptylist"));
            o.writeLength(1);
            o.writeLength(RdbType.QUICKLIST_NODE_PACKED);
            o.writeString(Listpack.empty());
        })).read(m);
        assertEquals(List.of("empty/4", "emptylist/18"), m.emptySkipped);
        assertEquals(0, m.keyCount());
    }

    /** A module type id: 9 characters of 6 bits, then the 10-bit encoding version (moduleTypeEncodeId). */
    static long moduleId(String name, int encver) {
        String cset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        long id = 0;
        for (int i = 0; i < 9; i++) id = id << 6 | cset.indexOf(name.charAt(i));
        return id << 10 | encver;
    }
}
