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
    void populateMakesRedisKeysAndValues() throws Exception {
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            o.check("FLUSHALL");
            String ferryChanges = field(o.ferry().call("INFO", "persistence"), "rdb_changes_since_last_save");
            String redisChanges = field(o.redis().call("INFO", "persistence"), "rdb_changes_since_last_save");
            o.check("DEBUG", "POPULATE", "1000");
            o.check("DEBUG", "POPULATE", "20", "p", "3");    // values cut to 3 bytes
            o.check("DEBUG", "POPULATE", "30", "p", "40");   // p:0..19 exist and stay; the rest zero-padded
            o.check("DEBUG", "POPULATE", "5", "", "0");      // an empty prefix: ":0".. ; size 0: no padding
            o.check("DEBUG", "POPULATE", "2", "x".repeat(130)); // names cut to 127 bytes, as Redis's buffer does
            // not changes: no save point is brought nearer, as in Redis
            assertEquals(ferryChanges, field(o.ferry().call("INFO", "persistence"), "rdb_changes_since_last_save"));
            assertEquals(redisChanges, field(o.redis().call("INFO", "persistence"), "rdb_changes_since_last_save"));
            o.check("SET", "key:7", "mine");
            o.check("DEBUG", "POPULATE", "10");              // key:7 is left alone
            o.check("DEBUG", "POPULATE", "0");
            o.check("DEBUG", "POPULATE", "-1");
            o.check("DEBUG", "POPULATE", "x");
            o.check("DEBUG", "POPULATE", "1", "p", "-1");
            o.check("DEBUG", "POPULATE");
            o.check("DEBUG", "POPULATE", "1", "p", "1", "extra");
            o.check("DBSIZE");
            o.check("GET", "p:1");
            o.check("GET", "p:25");
            o.check("GET", ":3");
            o.check("STRLEN", "x".repeat(125) + ":1");
            o.check("OBJECT", "ENCODING", "key:999");
            o.check("OBJECT", "ENCODING", "p:29");
            o.check("DEBUG", "DIGEST");
            o.check("FLUSHALL");
        }
    }

    private static String field(String info, String name) {
        for (String line : info.split("\r\n")) if (line.startsWith(name + ":")) return line;
        return name + " missing";
    }

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
