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

/**
 * A listpack-encoded sorted set holds exactly the bytes redis-server DUMPs (RDB type 17, compression off) after
 * the same ZADD / ZINCRBY / ZREM sequence: member and score entries in Redis's order, scores written as
 * zzlInsertAt writes them (integers within 1e17 as integer entries of every width, -0 as 0, others as %.17g
 * text, inf and -inf), integer-like members as integers.
 */
class ZSetListpackRedisTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();

    static final String[] SCORES = {
        "0", "-0", "1", "127", "128", "-4096", "4096", "32768", "-8388609", "2147483648", "4503599627370495",
        "4503599627370496", "9007199254740993", "99999999999999984", "1e17", "1e18", "-1e17", "0.1", "1.5", "-2.25",
        "1e-5", "1e-4", "123456.789", "3.141592653589793", "inf", "-inf", "1e300", "5e-324", "100000000000000000000",
    };
    static final String[] MEMBERS = {
        "a", "b", "0", "-1", "127", "4096", "-9223372036854775808", "9223372036854775808", "007", "-0", "1.5", "",
        "member-of-some-length", "zz",
    };

    @Test
    void bytesEqualRedisDumps() throws Exception {
        long seed = 99L;
        Random rnd = new Random(seed);
        try (RawClient c = new RawClient(redis.port())) {
            c.call("CONFIG", "SET", "rdbcompression", "no");
            for (int round = 0; round < 40; round++) {
                String key = "zl:" + round;
                ZSetValue z = ZSetValue.emptyListpack();
                for (int i = 0; i < 1 + rnd.nextInt(25); i++) {
                    String m = MEMBERS[rnd.nextInt(MEMBERS.length)];
                    String s = SCORES[rnd.nextInt(SCORES.length)];
                    byte[] mb = m.getBytes(StandardCharsets.ISO_8859_1);
                    double score = Double.parseDouble(s.replace("inf", "Infinity"));
                    switch (rnd.nextInt(4)) {
                        case 0 -> {
                            c.call("ZINCRBY", key, s, m);
                            z.add(mb, score, ZSetValue.IN_INCR, 1000, 1000);
                        }
                        case 1 -> {
                            c.call("ZREM", key, m);
                            z.remove(mb);
                        }
                        default -> {
                            c.call("ZADD", key, s, m);
                            z.add(mb, score, 0, 1000, 1000);
                        }
                    }
                }
                if (z.size() == 0) continue;
                assertEquals("$8\r\nlistpack\r\n", c.call("OBJECT", "ENCODING", key));
                byte[] dump = c.call("DUMP", key).getBytes(StandardCharsets.ISO_8859_1);
                assertArrayEquals(listpackOfDump(dump), z.listpack(), "seed " + seed + " round " + round + ": " + c.call("ZRANGE", key, "0", "-1", "WITHSCORES"));
            }
        }
    }

    /** The listpack inside a DUMP reply of a listpack zset: type 17, then an RDB string without compression. */
    private static byte[] listpackOfDump(byte[] reply) {
        int p = 1;
        while (reply[p] != '\r') p++;
        p += 2;
        assertEquals(RdbType.ZSET_LISTPACK, reply[p++]);
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
}
