package dev.ferry.command;

import dev.ferry.support.FerryPort;
import dev.ferry.support.Oracle;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisPeer;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Long random sequences of hash commands over a few keys, on Ferry and on redis-server, compared reply by
 * reply (fixed seeds, printed, so a failure replays). The thresholds are tiny (4 entries, 8 bytes) so that
 * hashes convert to hashtables often, and keys empty out and come back as listpacks. Replies whose order is
 * the hashtable's layout (HGETALL, HKEYS, HVALS of a hashtable) are compared as sorted pairs; HSCAN of a
 * hashtable as the union of a full walk; HRANDFIELD by what is deterministic (sizes, membership, distinctness,
 * values matching fields). DEBUG DIGEST-VALUE of every key every 250 steps, DEBUG DIGEST at the end.
 */
@QuarkusTest
class HashRandomTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer("--enable-debug-command", "local");

    private static final String[] FIELDS = {
        "a", "b", "c", "d", "e", "f", "g", "0", "1", "-1", "127", "128", "9223372036854775807", "01", "",
        "long-field-name", "x y",
    };
    private static final String[] VALUES = {
        "", "0", "1", "-1", "42", "-4096", "100000", "9223372036854775807", "-9223372036854775808", "1.5",
        "abc", "hello", "0x10", "12345678", "123456789", "a-long-value-here", "inf", " 1",
    };
    private static final String[] INCREMENTS = {"1", "-1", "5", "100", "-100000", "9223372036854775807", "x", "1.5"};
    private static final String[] FLOATS = {"1", "-1", "0.5", "1e3", "-2.25", "3.0e-2", "abc", "inf", "nan", "1e400"};

    @Test
    void randomSequenceResp2() throws Exception {
        run(4242L, 2, 4000);
    }

    @Test
    void randomSequenceResp3() throws Exception {
        run(777L, 3, 2000);
    }

    private void run(long seed, int protocol, int steps) throws Exception {
        System.out.println("HashRandomTest seed " + seed + " protocol " + protocol);
        Random rnd = new Random(seed);
        String[] keys = {"hr:k0", "hr:k1", "hr:k2", "hr:k3", "hr:s"};
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            o.check("FLUSHALL");
            o.check("CONFIG", "SET", "hash-max-listpack-entries", "4");
            o.check("CONFIG", "SET", "hash-max-listpack-value", "8");
            o.protocol(protocol);
            try {
                for (int step = 0; step < steps; step++) {
                    String key = keys[rnd.nextInt(keys.length)];
                    oneStep(o, rnd, seed, step, key);
                    if (step % 250 == 249) {
                        for (String k : keys) o.checkStep(seed, step, "DEBUG", "DIGEST-VALUE", k);
                    }
                }
                o.check("DEBUG", "DIGEST");
            } finally {
                o.check("CONFIG", "SET", "hash-max-listpack-entries", "512");
                o.check("CONFIG", "SET", "hash-max-listpack-value", "64");
                o.check("FLUSHALL");
            }
        }
    }

    private static String pick(Random rnd, String[] from) {
        return from[rnd.nextInt(from.length)];
    }

    private void oneStep(Oracle o, Random rnd, long seed, int step, String key) throws Exception {
        int op = rnd.nextInt(100);
        String f = pick(rnd, FIELDS);
        if (op < 25) {
            int pairs = 1 + rnd.nextInt(3);
            List<String> cmd = new ArrayList<>(List.of(rnd.nextInt(5) == 0 ? "HMSET" : "HSET", key));
            for (int i = 0; i < pairs; i++) {
                cmd.add(pick(rnd, FIELDS));
                cmd.add(pick(rnd, VALUES));
            }
            o.checkStep(seed, step, cmd.toArray(new String[0]));
        } else if (op < 30) {
            o.checkStep(seed, step, "HSETNX", key, f, pick(rnd, VALUES));
        } else if (op < 45) {
            int n = 1 + rnd.nextInt(3);
            List<String> cmd = new ArrayList<>(List.of("HDEL", key));
            for (int i = 0; i < n; i++) cmd.add(pick(rnd, FIELDS));
            o.checkStep(seed, step, cmd.toArray(new String[0]));
        } else if (op < 52) {
            o.checkStep(seed, step, "HGET", key, f);
        } else if (op < 55) {
            o.checkStep(seed, step, "HMGET", key, f, pick(rnd, FIELDS), pick(rnd, FIELDS));
        } else if (op < 58) {
            o.checkStep(seed, step, "HLEN", key);
        } else if (op < 61) {
            o.checkStep(seed, step, "HSTRLEN", key, f);
        } else if (op < 64) {
            o.checkStep(seed, step, "HEXISTS", key, f);
        } else if (op < 70) {
            String cmd = pick(rnd, new String[] {"HGETALL", "HKEYS", "HVALS"});
            if (!hashtable(o, key)) {
                o.checkStep(seed, step, cmd, key);
            } else {
                List<String> r = bulks(o.redis().call(cmd, key)), fe = bulks(o.ferry().call(cmd, key));
                assertEquals(pairsSorted(cmd, r), pairsSorted(cmd, fe), "seed " + seed + " step " + step + " " + cmd);
            }
        } else if (op < 76) {
            o.checkStep(seed, step, "HINCRBY", key, f, pick(rnd, INCREMENTS));
        } else if (op < 82) {
            o.checkStep(seed, step, "HINCRBYFLOAT", key, f, pick(rnd, FLOATS));
        } else if (op < 88) {
            randfield(o, rnd, seed, step, key);
        } else if (op < 92) {
            if (!hashtable(o, key)) {
                o.checkStep(seed, step, "HSCAN", key, "0", "MATCH", rnd.nextBoolean() ? "*" : "[a-c0]*");
            } else {
                assertEquals(HashOracleTest.fullScan(o.redis(), key, null), HashOracleTest.fullScan(o.ferry(), key, null),
                    "seed " + seed + " step " + step + " HSCAN");
            }
        } else if (op < 96) {
            o.checkStep(seed, step, "OBJECT", "ENCODING", key);
        } else if (op < 98) {
            o.checkStep(seed, step, "DEL", key);
        } else {
            o.checkStep(seed, step, "SET", key, "str");
        }
    }

    private static boolean hashtable(Oracle o, String key) throws Exception {
        return o.redis().call("OBJECT", "ENCODING", key).contains("hashtable");
    }

    private static boolean listpack(Oracle o, String key) throws Exception {
        return o.redis().call("OBJECT", "ENCODING", key).contains("listpack");
    }

    /** HRANDFIELD: what both servers must agree on, then nothing changes (the command only reads). */
    private void randfield(Oracle o, Random rnd, long seed, int step, String key) throws Exception {
        String where = "seed " + seed + " step " + step + " HRANDFIELD " + key;
        String type = o.redis().call("TYPE", key);
        if (!type.contains("hash")) {
            o.checkStep(seed, step, "HRANDFIELD", key, Integer.toString(rnd.nextInt(7) - 3));
            return;
        }
        List<String> all = bulks(o.redis().call("HGETALL", key));
        java.util.Map<String, String> hash = new java.util.HashMap<>();
        for (int i = 0; i + 1 < all.size(); i += 2) hash.put(all.get(i), all.get(i + 1));
        int count = rnd.nextInt(13) - 6;
        boolean withValues = rnd.nextBoolean();
        if (rnd.nextInt(5) == 0) {
            // no count: one field of the hash
            String one = bulks(o.ferry().call("HRANDFIELD", key)).get(0);
            assertTrue(hash.containsKey(one), where);
            return;
        }
        String[] cmd = withValues ? new String[] {"HRANDFIELD", key, Integer.toString(count), "WITHVALUES"}
            : new String[] {"HRANDFIELD", key, Integer.toString(count)};
        List<String> r = bulks(o.redis().call(cmd)), fe = bulks(o.ferry().call(cmd));
        assertEquals(r.size(), fe.size(), where + " size");
        int step2 = withValues ? 2 : 1;
        HashSet<String> seen = new HashSet<>();
        for (int i = 0; i < fe.size(); i += step2) {
            String field = fe.get(i);
            assertTrue(hash.containsKey(field), where + " member " + field);
            if (withValues) assertEquals(hash.get(field), fe.get(i + 1), where + " value of " + field);
            if (count > 0) assertTrue(seen.add(field), where + " distinct " + field);
        }
        if (count >= hash.size()) {
            // the whole hash: same set on both (and in the same order for a listpack)
            if (listpack(o, key)) assertEquals(r, fe, where);
            else assertEquals(pairsSorted(withValues ? "HGETALL" : "HKEYS", r), pairsSorted(withValues ? "HGETALL" : "HKEYS", fe), where);
        }
        // the array framing (RESP3 nested pairs) must match too: compare with the fields blanked out
        String rs = o.redis().call("HRANDFIELD", key, "-1", withValues ? "WITHVALUES" : "COUNT");
        if (withValues) {
            String fs = o.ferry().call("HRANDFIELD", key, "-1", "WITHVALUES");
            assertEquals(shape(rs), shape(fs), where + " shape");
        }
    }

    /** A reply with bulk contents removed: the framing only. */
    static String shape(String reply) {
        return reply.replaceAll("\\$\\d+\r\n[^\r]*\r\n", "\\$\r\n");
    }

    /** HGETALL as sorted "field=value" pairs; HKEYS/HVALS sorted. */
    static List<String> pairsSorted(String cmd, List<String> flat) {
        List<String> out = new ArrayList<>();
        if (cmd.equalsIgnoreCase("HGETALL")) {
            for (int i = 0; i + 1 < flat.size(); i += 2) out.add(flat.get(i) + "=" + flat.get(i + 1));
        } else {
            out.addAll(flat);
        }
        Collections.sort(out);
        return out;
    }

    /** Every bulk string and simple/number value of a RESP2/RESP3 reply, flattened, in order. */
    static List<String> bulks(String reply) {
        List<String> out = new ArrayList<>();
        int p = 0;
        while (p < reply.length()) {
            char t = reply.charAt(p);
            int eol = reply.indexOf("\r\n", p);
            String head = reply.substring(p + 1, eol);
            p = eol + 2;
            switch (t) {
                case '$', '=' -> {
                    int n = Integer.parseInt(head);
                    if (n >= 0) {
                        out.add(reply.substring(p, p + n));
                        p += n + 2;
                    }
                }
                case '+', ':', ',', '-' -> out.add(head);
                default -> { } // aggregates, nulls
            }
        }
        return out;
    }
}
