package dev.ferry.store;

import dev.ferry.support.RawClient;
import dev.ferry.support.RedisPeer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Listpack bytes equal redis-server's: a hash small enough for the listpack encoding is DUMPed by Redis
 * (RDB type 16, the listpack as a raw string, compression off) and compared with the listpack Ferry builds
 * from the same fields and values in the same order. Covers every integer width at its bounds, strings
 * that look like integers but are not canonical, and every string length class with 1-, 2- and 3-byte
 * backlens.
 */
class ListpackRedisTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();

    static final String[] ELEMENTS = {
        "0", "1", "127", "128", "-1", "-4096", "4095", "4096", "-4097", "32767", "32768", "-32768", "-32769",
        "8388607", "8388608", "-8388608", "-8388609", "2147483647", "2147483648", "-2147483648", "-2147483649",
        "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
        "-0", "007", "+1", " 1", "1 ", "", "1.5", "a", "hello", "12345678901234567890",
    };

    @Test
    void everyEncodingMatchesRedis() throws Exception {
        List<byte[]> elements = new ArrayList<>();
        for (String e : ELEMENTS) elements.add(e.getBytes(StandardCharsets.ISO_8859_1));
        for (int len : new int[] {63, 64, 127, 128, 4095, 4096, 16383, 16384, 70000}) elements.add(text(len));
        try (RawClient c = new RawClient(redis.port())) {
            c.call("CONFIG", "SET", "rdbcompression", "no");
            c.call("CONFIG", "SET", "hash-max-listpack-value", "1000000");
            c.call("CONFIG", "SET", "hash-max-listpack-entries", "100000");
            // each element as a value, and (unique) as a field
            compare(c, "lp:values", pairs(elements, i -> ("f" + i).getBytes()));
            compare(c, "lp:fields", pairs(elements, i -> elements.get(i)));
            Random rnd = new Random(7);
            for (int round = 0; round < 20; round++) {
                List<byte[]> shuffled = new ArrayList<>(elements);
                java.util.Collections.shuffle(shuffled, rnd);
                compare(c, "lp:random" + round, pairs(shuffled, i -> ("k" + i).getBytes()));
            }
        }
    }

    /**
     * A listpack hash edited in place of rebuilt: after every HSET (append or replace, the value changing
     * width and encoding) and HDEL (from the front, middle and end) on redis-server, the listpack a HashValue
     * holds after the same operations equals what Redis DUMPs.
     */
    @Test
    void hashEditsMatchRedis() throws Exception {
        String[] fields = {"a", "1", "-1", "128", "bb", "9223372036854775807", "x".repeat(70), "", "c"};
        String[] values = {"v", "0", "127", "4096", "-9223372036854775808", "y".repeat(200), "", "1.5", "z".repeat(5000)};
        Random rnd = new Random(11);
        try (RawClient c = new RawClient(redis.port())) {
            c.call("CONFIG", "SET", "rdbcompression", "no");
            c.call("CONFIG", "SET", "hash-max-listpack-value", "1000000");
            c.call("CONFIG", "SET", "hash-max-listpack-entries", "100000");
            c.call("DEL", "lp:edits");
            HashValue h = HashValue.create();
            for (int step = 0; step < 300; step++) {
                String f = fields[rnd.nextInt(fields.length)];
                if (rnd.nextInt(3) == 0) {
                    c.call("HDEL", "lp:edits", f);
                    h.delete(f.getBytes(StandardCharsets.ISO_8859_1));
                } else {
                    String v = values[rnd.nextInt(values.length)];
                    c.call("HSET", "lp:edits", f, v);
                    h.set(f.getBytes(StandardCharsets.ISO_8859_1), v.getBytes(StandardCharsets.ISO_8859_1), 100000, 1000000);
                }
                if (h.size() == 0) {
                    assertEquals(":0\r\n", c.call("EXISTS", "lp:edits"), "step " + step);
                    continue;
                }
                byte[] redisListpack = listpackOfDump(c.call("DUMP", "lp:edits").getBytes(StandardCharsets.ISO_8859_1));
                assertArrayEquals(redisListpack, h.listpack(), "step " + step);
            }
        }
    }

    @Test
    void canonicalIntegersAreStringToLongsOnes() {
        long[] v = new long[1];
        for (String ok : new String[] {"0", "-1", "9223372036854775807", "-9223372036854775808", "10"}) {
            assertEquals(true, Listpack.parseCanonicalLong(ok.getBytes(), v), ok);
            assertEquals(Long.parseLong(ok), v[0], ok);
        }
        for (String no : new String[] {"", "-", "-0", "01", "+1", " 1", "1 ", "9223372036854775808",
            "-9223372036854775809", "1a", "123456789012345678901"}) {
            assertEquals(false, Listpack.parseCanonicalLong(no.getBytes(), v), no);
        }
    }

    private interface FieldOf {
        byte[] at(int i);
    }

    /** field, value, field, value... with the elements as values and fieldOf(i) as fields. */
    private static List<byte[]> pairs(List<byte[]> values, FieldOf fieldOf) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            out.add(fieldOf.at(i));
            out.add(values.get(i));
        }
        return out;
    }

    private static void compare(RawClient c, String key, List<byte[]> fieldsAndValues) throws Exception {
        c.call("DEL", key);
        byte[][] hset = new byte[2 + fieldsAndValues.size()][];
        hset[0] = "HSET".getBytes();
        hset[1] = key.getBytes();
        for (int i = 0; i < fieldsAndValues.size(); i++) hset[2 + i] = fieldsAndValues.get(i);
        c.call(hset);
        assertEquals("$8\r\nlistpack\r\n", c.call("OBJECT", "ENCODING", key));
        byte[] redisListpack = listpackOfDump(c.call("DUMP", key).getBytes(StandardCharsets.ISO_8859_1));
        Listpack lp = new Listpack();
        for (byte[] e : fieldsAndValues) lp.append(e);
        byte[] ours = lp.toBytes();
        assertEquals(redisListpack.length, lp.bytes(), key + ": total bytes");
        assertArrayEquals(redisListpack, ours, key);
        // and reading Redis's bytes gives back every element, ints as their canonical text
        List<byte[]> read = new ArrayList<>();
        assertTrue(Listpack.forEach(redisListpack, new Listpack.Visitor() {
            public void string(byte[] lp, int off, int len) {
                read.add(Arrays.copyOfRange(lp, off, off + len));
            }

            public void integer(long v) {
                read.add(Long.toString(v).getBytes());
            }
        }), key);
        assertEquals(fieldsAndValues.size(), read.size(), key);
        for (int i = 0; i < read.size(); i++) assertArrayEquals(fieldsAndValues.get(i), read.get(i), key + " element " + i);
    }

    /** Damaged listpacks are refused, never read past their end: every truncation and every single-byte change. */
    @Test
    void damagedBytesAreRefused() {
        Listpack lp = new Listpack();
        for (String e : ELEMENTS) lp.append(e.getBytes(StandardCharsets.ISO_8859_1));
        lp.append(text(5000));
        byte[] good = lp.toBytes();
        Listpack.Visitor ignore = new Listpack.Visitor() {
            public void string(byte[] b, int off, int len) {
                if (off < 0 || len < 0 || off + len > b.length) throw new AssertionError("string outside the array");
            }

            public void integer(long v) {}
        };
        assertTrue(Listpack.forEach(good, ignore));
        // the first element, "0", is one byte (a 7-bit integer) followed by its backlen, 1
        assertEquals(1, good[Listpack.HEADER + 1]);
        byte[] wrongBacklen = good.clone();
        wrongBacklen[Listpack.HEADER + 1] = 3;
        assertFalse(Listpack.forEach(wrongBacklen, ignore), "a backlen that is not the entry's length");
        for (int n = 0; n < good.length; n++) assertFalse(Listpack.forEach(Arrays.copyOf(good, n), ignore), "truncated to " + n);
        int refused = 0;
        for (int i = 0; i < good.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] bad = good.clone();
                bad[i] ^= (byte) (1 << bit);
                boolean ok = Listpack.forEach(bad, ignore);
                if (!ok) refused++;
                // the header (total bytes, count) and the EOF byte are always checked
                if (i < 6 || i == good.length - 1) assertFalse(ok, "bit " + bit + " of byte " + i);
            }
        }
        // a flipped bit inside a string's data is still a valid listpack; the others are caught
        System.out.println("ListpackRedisTest: " + refused + " of " + 8 * good.length + " single-bit changes refused");
        assertTrue(refused > 8 * (good.length - 5000 - 200), refused + " refused");
    }

    /** The listpack inside a DUMP reply of a listpack hash: type 16, then an RDB string without compression. */
    private static byte[] listpackOfDump(byte[] reply) {
        int p = 1;
        while (reply[p] != '\r') p++;
        p += 2; // "$<n>\r\n"
        assertEquals(16, reply[p++], "RDB_TYPE_HASH_LISTPACK");
        int first = reply[p] & 0xFF;
        long len;
        switch (first >> 6) {
            case 0 -> { len = first & 0x3F; p += 1; }
            case 1 -> { len = ((first & 0x3F) << 8) | (reply[p + 1] & 0xFF); p += 2; }
            default -> {
                assertEquals(0x80, first, "a 32-bit length, not a compressed string");
                len = ((reply[p + 1] & 0xFFL) << 24) | ((reply[p + 2] & 0xFF) << 16) | ((reply[p + 3] & 0xFF) << 8) | (reply[p + 4] & 0xFF);
                p += 5;
            }
        }
        return Arrays.copyOfRange(reply, p, p + (int) len);
    }

    private static byte[] text(int len) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) b[i] = (byte) ('a' + i % 26);
        return b;
    }
}
