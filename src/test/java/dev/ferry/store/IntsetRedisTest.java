package dev.ferry.store;

import dev.ferry.support.RawClient;
import dev.ferry.support.RedisPeer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Intset bytes equal redis-server's: a set of integers DUMPed by Redis (RDB type 11, compression off) holds
 * exactly the intset Ferry encodes from the same members, at every width; and decoding reads them back.
 */
class IntsetRedisTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();

    @Test
    void everyWidthMatchesRedis() throws Exception {
        Random rnd = new Random(11);
        long[][] bounds = {
            {0}, {1, -1, 32767, -32768}, {32768}, {-32769, 5}, {2147483647, -2147483648L},
            {2147483648L, 1}, {Long.MAX_VALUE, Long.MIN_VALUE, 0},
        };
        try (RawClient c = new RawClient(redis.port())) {
            c.call("CONFIG", "SET", "rdbcompression", "no");
            int round = 0;
            for (long[] b : bounds) compare(c, "is:" + round++, b);
            for (int r = 0; r < 30; r++) {
                long[] m = new long[1 + rnd.nextInt(400)];
                int width = r % 3;
                for (int i = 0; i < m.length; i++) {
                    m[i] = width == 0 ? rnd.nextInt(65536) - 32768 : width == 1 ? rnd.nextInt() : rnd.nextLong();
                }
                compare(c, "is:" + round++, m);
            }
        }
    }

    /**
     * Intset.add and Intset.remove, applied one member at a time, keep the bytes Redis keeps after the same
     * SADD and SREM: insertion in order, width upgrades (a negative member first, a positive one last), and
     * no narrowing when the wide members go. search, contains and get agree with the decoded members.
     */
    @Test
    void addAndRemoveMatchRedis() throws Exception {
        Random rnd = new Random(12);
        try (RawClient c = new RawClient(redis.port())) {
            c.call("CONFIG", "SET", "rdbcompression", "no");
            for (int round = 0; round < 20; round++) {
                String key = "isop:" + round;
                c.call("DEL", key);
                byte[] is = Intset.empty();
                java.util.TreeSet<Long> model = new java.util.TreeSet<>();
                for (int op = 0; op < 60; op++) {
                    long v = switch (rnd.nextInt(6)) {
                        case 0 -> rnd.nextInt(20) - 10;
                        case 1 -> rnd.nextInt(65536) - 32768;
                        case 2 -> rnd.nextInt();
                        case 3 -> rnd.nextLong();
                        case 4 -> model.isEmpty() ? 0 : model.first();
                        default -> model.isEmpty() ? 7 : model.last();
                    };
                    boolean add = rnd.nextInt(3) != 0 || model.isEmpty();
                    byte[] before = is;
                    if (add) {
                        is = Intset.add(is, v);
                        assertEquals(model.add(v), is != before, "add " + v);
                        c.call("SADD", key, Long.toString(v));
                    } else {
                        is = Intset.remove(is, v);
                        assertEquals(model.remove(v), is != before, "remove " + v);
                        c.call("SREM", key, Long.toString(v));
                    }
                    assertArrayEquals(model.stream().mapToLong(Long::longValue).toArray(), Intset.decode(is));
                    assertEquals(model.size(), Intset.length(is));
                    int i = 0;
                    for (long m : model) {
                        assertEquals(m, Intset.get(is, i));
                        assertEquals(i, Intset.search(is, m));
                        assertTrue(Intset.contains(is, m));
                        i++;
                    }
                    assertEquals(model.contains(v), Intset.contains(is, v));
                    if (model.isEmpty()) {
                        // Redis deleted the key with its last member; the next SADD starts a fresh intset
                        is = Intset.empty();
                        continue;
                    }
                    assertArrayEquals(dumpedIntset(c, key), is, key + " after op " + op);
                }
            }
        }
    }

    @Test
    void malformedIntsetsAreRefused() {
        byte[] good = Intset.encode(new long[] {1, 2, 3});
        assertArrayEquals(new long[] {1, 2, 3}, Intset.decode(good));
        byte[] unsorted = good.clone();
        unsorted[Intset.HEADER] = 5; // 5, 2, 3
        assertNull(Intset.decode(unsorted));
        byte[] badWidth = good.clone();
        badWidth[0] = 3;
        assertNull(Intset.decode(badWidth));
        byte[] longer = good.clone();
        longer[4] = 4;
        assertNull(Intset.decode(longer));
        assertNull(Intset.decode(Arrays.copyOf(good, good.length - 1)));
        assertNull(Intset.decode(new byte[3]));
    }

    /** The intset inside DUMP key (RDB type 11, uncompressed). */
    private static byte[] dumpedIntset(RawClient c, String key) throws Exception {
        byte[] reply = c.call("DUMP", key).getBytes(StandardCharsets.ISO_8859_1);
        int p = 1;
        while (reply[p] != '\r') p++;
        p += 2;
        assertEquals(11, reply[p++], "RDB_TYPE_SET_INTSET");
        int first = reply[p] & 0xFF;
        int len;
        if (first >> 6 == 0) {
            len = first & 0x3F;
            p += 1;
        } else {
            assertEquals(1, first >> 6, "a 14-bit length");
            len = ((first & 0x3F) << 8) | (reply[p + 1] & 0xFF);
            p += 2;
        }
        return Arrays.copyOfRange(reply, p, p + len);
    }

    private static void compare(RawClient c, String key, long[] members) throws Exception {
        c.call("DEL", key);
        byte[][] sadd = new byte[2 + members.length][];
        sadd[0] = "SADD".getBytes();
        sadd[1] = key.getBytes();
        for (int i = 0; i < members.length; i++) sadd[2 + i] = Long.toString(members[i]).getBytes();
        c.call(sadd);
        assertEquals("$6\r\nintset\r\n", c.call("OBJECT", "ENCODING", key));
        byte[] reply = c.call("DUMP", key).getBytes(StandardCharsets.ISO_8859_1);
        int p = 1;
        while (reply[p] != '\r') p++;
        p += 2;
        assertEquals(11, reply[p++], "RDB_TYPE_SET_INTSET");
        int first = reply[p] & 0xFF;
        int len;
        if (first >> 6 == 0) {
            len = first & 0x3F;
            p += 1;
        } else {
            assertEquals(1, first >> 6, "a 14-bit length");
            len = ((first & 0x3F) << 8) | (reply[p + 1] & 0xFF);
            p += 2;
        }
        byte[] redisIntset = Arrays.copyOfRange(reply, p, p + len);
        assertArrayEquals(redisIntset, Intset.encode(members), key);
        long[] sorted = Arrays.stream(members).distinct().sorted().toArray();
        assertArrayEquals(sorted, Intset.decode(redisIntset), key);
    }
}
