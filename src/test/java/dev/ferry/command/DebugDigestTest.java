package dev.ferry.command;

import dev.ferry.support.FerryPort;
import dev.ferry.support.Oracle;
import dev.ferry.support.RedisPeer;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * DEBUG DIGEST and DIGEST-VALUE equal redis-server's for the same data (the digest later tests compare
 * whole datasets with): a random dataset of strings over several databases, with TTLs, integers, empty and
 * binary values, built by the same commands on both servers.
 */
@QuarkusTest
class DebugDigestTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer("--enable-debug-command", "local");

    @Test
    void digestsMatchRedis() throws Exception {
        long seed = 20261201L;
        System.out.println("DebugDigestTest seed " + seed);
        Random rnd = new Random(seed);
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            o.check("FLUSHALL");
            String empty = o.check("DEBUG", "DIGEST");
            assertEquals("+" + "0".repeat(40) + "\r\n", empty, "an empty dataset digests to zeros");
            o.check("DEBUG", "DIGEST-VALUE");
            List<byte[]> keys = new ArrayList<>();
            for (int db : new int[] {0, 3, 9}) {
                o.check("SELECT", Integer.toString(db));
                for (int i = 0; i < 300; i++) {
                    byte[] key = ("digest:" + db + ":" + i).getBytes();
                    keys.add(key);
                    byte[] value = switch (rnd.nextInt(5)) {
                        case 0 -> Long.toString(rnd.nextLong()).getBytes();       // int encoding
                        case 1 -> new byte[0];
                        case 2 -> randomBytes(rnd, 1 + rnd.nextInt(60));            // binary, embstr/raw
                        case 3 -> ("v" + i).repeat(1 + rnd.nextInt(30)).getBytes();
                        default -> Integer.toString(rnd.nextInt(10_000)).getBytes(); // shared integers
                    };
                    o.check("SET".getBytes(), key, value);
                    if (rnd.nextInt(4) == 0) o.check("EXPIRE", new String(key), "100000");
                    if (rnd.nextInt(10) == 0) o.check("APPEND".getBytes(), key, "tail".getBytes());
                }
                String d = o.check("DEBUG", "DIGEST");
                assertNotEquals(empty, d);
                byte[][] args = new byte[2 + 20][];
                args[0] = "DEBUG".getBytes();
                args[1] = "DIGEST-VALUE".getBytes();
                for (int i = 0; i < 19; i++) args[2 + i] = keys.get(keys.size() - 1 - i);
                args[21] = "digest:missing".getBytes();
                o.check(args);
            }
            // a TTL alone changes a key's digest, and the dataset's
            o.check("SELECT", "9");
            o.check("SET", "digest:ttl", "v");
            String before = o.check("DEBUG", "DIGEST");
            String valueBefore = o.check("DEBUG", "DIGEST-VALUE", "digest:ttl");
            o.check("EXPIRE", "digest:ttl", "100000");
            assertNotEquals(before, o.check("DEBUG", "DIGEST"));
            assertNotEquals(valueBefore, o.check("DEBUG", "DIGEST-VALUE", "digest:ttl"));
            // the same data in another database is another dataset
            o.check("MOVE", "digest:9:3", "4");
            o.check("DEBUG", "DIGEST");
            o.check("FLUSHALL");
        }
    }

    private static byte[] randomBytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }
}
