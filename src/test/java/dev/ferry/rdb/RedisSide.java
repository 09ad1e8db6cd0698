package dev.ferry.rdb;

import dev.ferry.support.Peers;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.resps.Tuple;

import org.junit.jupiter.api.Assertions;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The redis-server side of the RDB interop tests: the peer binaries (a failure, not a skip, when CI or
 * PEERS_REQUIRED is set and they are missing), redis-check-rdb, and the comparison of an {@link RdbModel}
 * with what a live server answers through commands.
 */
final class RedisSide {
    private RedisSide() {}

    static String require(String binary) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            if (new File(dir, binary).canExecute()) return new File(dir, binary).getAbsolutePath();
        }
        if (System.getenv("CI") != null) Assertions.fail(binary + " is not installed, and CI is set");
        return Peers.require(binary);
    }

    /** redis-check-rdb's output on a file; asserts its exit status is 0 and it says OK when {@code ok}. */
    static String checkRdb(Path file, boolean ok) throws Exception {
        Process p = new ProcessBuilder(require("redis-check-rdb"), file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        if (ok) {
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("RDB looks OK"), out);
        } else {
            assertTrue(p.exitValue() != 0 || !out.contains("RDB looks OK"), out);
        }
        return out;
    }

    /** redis-check-rdb's "[info] N keys read" and "[info] N expires" for a file it finds OK. */
    static long[] checkRdbCounts(Path file) throws Exception {
        String out = checkRdb(file, true);
        java.util.regex.Matcher k = java.util.regex.Pattern.compile("\\[info\\] (\\d+) keys read").matcher(out);
        java.util.regex.Matcher e = java.util.regex.Pattern.compile("\\[info\\] (\\d+) expires").matcher(out);
        assertTrue(k.find() && e.find(), out);
        return new long[] {Long.parseLong(k.group(1)), Long.parseLong(e.group(1))};
    }

    /**
     * Every key of every DB of the server equals the model's: same keys, types, elements (lists in order),
     * scores, and expiries (the model's absolute expiry within 10 s of now + PTTL).
     */
    static void assertSame(Jedis j, RdbModel m, int databases) {
        long now = System.currentTimeMillis();
        int total = 0;
        for (int db = 0; db < databases; db++) {
            j.select(db);
            Set<byte[]> keys = j.keys(b("*"));
            Map<String, RdbModel.Entry> expected = m.dbs.getOrDefault((long) db, Map.of());
            assertEquals(expected.size(), keys.size(), "keys in db " + db);
            for (byte[] k : keys) {
                String key = s(k);
                RdbModel.Entry e = expected.get(key);
                assertNotNull(e, "db " + db + " key " + key + " missing from the RDB read");
                assertEquals(j.type(k), e.kind, "type of " + key);
                assertEquals(value(j, k, e.kind), normalize(e), "value of " + key + " (" + e.form + ")");
                long pttl = j.pttl(k);
                if (pttl < 0) {
                    assertEquals(-1, e.expireAt, "expiry of " + key);
                } else {
                    assertTrue(Math.abs(e.expireAt - (now + pttl)) < 10_000, "expiry of " + key + ": " + e.expireAt + " vs pttl " + pttl);
                }
                total++;
            }
        }
        assertEquals(m.keyCount(), total, "keys in the model");
        j.select(0);
    }

    /** What the server holds under k, in the model's shape. */
    static Object value(Jedis j, byte[] k, String kind) {
        switch (kind) {
            case "string":
                return s(j.get(k));
            case "list": {
                List<String> out = new ArrayList<>();
                for (byte[] e : j.lrange(k, 0, -1)) out.add(s(e));
                return out;
            }
            case "set": {
                Set<String> out = new java.util.TreeSet<>();
                for (byte[] e : j.smembers(k)) out.add(s(e));
                return out;
            }
            case "hash": {
                Map<String, String> out = new java.util.TreeMap<>();
                for (Map.Entry<byte[], byte[]> e : j.hgetAll(k).entrySet()) out.put(s(e.getKey()), s(e.getValue()));
                return out;
            }
            case "zset": {
                Map<String, Double> out = new java.util.TreeMap<>();
                for (Tuple t : j.zrangeWithScores(k, 0, -1)) out.put(s(t.getBinaryElement()), t.getScore());
                return out;
            }
            default:
                throw new AssertionError(kind);
        }
    }

    /** The model's value in the comparison shape: sets, hashes and zsets sorted. */
    @SuppressWarnings("unchecked")
    static Object normalize(RdbModel.Entry e) {
        switch (e.kind) {
            case "set":
                return new java.util.TreeSet<>((Set<String>) e.value);
            case "hash":
                return new java.util.TreeMap<>((Map<String, String>) e.value);
            case "zset":
                return new java.util.TreeMap<>((Map<String, Double>) e.value);
            default:
                return e.value;
        }
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String s(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    static Map<String, String> map(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    static Set<String> set(String... v) {
        return new LinkedHashSet<>(List.of(v));
    }
}
