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
