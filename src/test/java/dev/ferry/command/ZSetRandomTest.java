package dev.ferry.command;

import dev.ferry.command.introspection.CommandDocsTest;
import dev.ferry.support.FerryPort;
import dev.ferry.support.Oracle;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisPeer;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random sorted-set commands against Ferry and a real redis-server 7.0 over a small key space, with small
 * listpack thresholds (6 entries, 8 bytes) so that keys cross to the skiplist often, grow, shrink and empty out.
 * Every reply is compared byte for byte, OBJECT ENCODING too; DEBUG DIGEST-VALUE of all keys every 300 steps
 * and DEBUG DIGEST at the end. ZRANDMEMBER is compared by what is deterministic (count, distinctness,
 * membership, scores), ZSCAN by the whole walk's member/score pairs. Lex commands run on keys whose scores are
 * all 0 (with mixed scores their result depends on a skiplist's random levels, in Redis too).
 */
@QuarkusTest
class ZSetRandomTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer("--enable-debug-command", "local");

    private static final String[] MEMBERS = {
        "a", "b", "c", "d", "e", "f", "g", "h", "aa", "ab", "ba", "1", "-5", "0", "12345678901", "3.5",
        "long-member-1", "long-member-2", "", "zz",
    };
    private static final String[] SCORES = {
        "0", "1", "2", "3", "-1", "1.5", "2.5", "-0", "0.1", "inf", "-inf", "1e20", "-2.25", "10", "100", "7", "1e18",
    };
    private static final String[] BOUNDS = {
        "-inf", "+inf", "0", "1", "(1", "2", "(2.5", "3", "10", "(inf", "-1", "(0", "1e20",
    };
    private static final String[] LEX = {"-", "+", "[a", "(a", "[b", "(ba", "[c", "[1", "(zz", "[", "[h", "(0"};

    @Test
    void randomSequenceResp2() throws Exception {
        run(20261201L, 2, 4000);
    }

    @Test
    void randomSequenceResp3() throws Exception {
        run(4242L, 3, 2500);
    }

    private static void both(Oracle o, String... cmd) throws Exception {
        o.ferry().call(cmd);
        o.redis().call(cmd);
    }

    private void run(long seed, int protocol, int steps) throws Exception {
        System.out.println("ZSetRandomTest seed " + seed + " protocol " + protocol);
        Random rnd = new Random(seed);
        String[] keys = {"zr:0", "zr:1", "zr:2", "zr:3", "zr:4"};
        String[] lexKeys = {"zr:l0", "zr:l1"};
        String[] all = {"zr:0", "zr:1", "zr:2", "zr:3", "zr:4", "zr:l0", "zr:l1", "zr:s"};
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            o.check("FLUSHALL");
            both(o, "CONFIG", "SET", "zset-max-listpack-entries", "6");
            both(o, "CONFIG", "SET", "zset-max-listpack-value", "8");
            try {
                o.protocol(protocol);
                o.check("SET", "zr:s", "string");
                for (int step = 0; step < steps; step++) {
                    if (rnd.nextInt(12) == 0) {
                        String[] cmd = lexCommand(rnd, lexKeys);
                        o.checkStep(seed, step, cmd);
                    } else if (rnd.nextInt(40) == 0) {
                        // the test's reply parser reads RESP2 (RESP3's ",inf" is not a number to it)
                        if (protocol == 2) randmember(o, rnd, pick(rnd, keys), protocol);
                    } else if (rnd.nextInt(40) == 0) {
                        zscan(o, pick(rnd, keys));
                    } else {
                        String[] cmd = randomCommand(rnd, keys);
                        o.checkStep(seed, step, cmd);
                        String k = cmd[0].equals("ZMPOP") || cmd[0].startsWith("ZUNION") ? null : cmd[1];
                        if (k != null && k.startsWith("zr:")) o.checkStep(seed, step, "OBJECT", "ENCODING", k);
                    }
                    if (step % 300 == 299) digests(o, all);
                }
                digests(o, all);
                o.check("DEBUG", "DIGEST");
            } finally {
                both(o, "CONFIG", "SET", "zset-max-listpack-entries", "128");
                both(o, "CONFIG", "SET", "zset-max-listpack-value", "64");
            }
        }
    }

    private static void digests(Oracle o, String[] keys) throws Exception {
        String[] cmd = new String[2 + keys.length];
        cmd[0] = "DEBUG";
        cmd[1] = "DIGEST-VALUE";
        System.arraycopy(keys, 0, cmd, 2, keys.length);
        o.check(cmd);
        for (String k : keys) o.check("OBJECT", "ENCODING", k);
    }

    private static String pick(Random rnd, String[] from) {
        return from[rnd.nextInt(from.length)];
    }

    private static List<String> pairs(Random rnd, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(pick(rnd, SCORES));
            out.add(pick(rnd, MEMBERS));
        }
        return out;
    }

    private static String[] cmd(List<String> parts) {
        return parts.toArray(new String[0]);
    }

    private static String index(Random rnd) {
        return Integer.toString(rnd.nextInt(20) - 10);
    }

    private static String[] randomCommand(Random rnd, String[] keys) {
        String k = rnd.nextInt(30) == 0 ? "zr:s" : pick(rnd, keys);
        String m = pick(rnd, MEMBERS);
        List<String> c = new ArrayList<>();
        switch (rnd.nextInt(30)) {
            case 0, 1, 2, 3, 4 -> {
                c.add("ZADD");
                c.add(k);
                for (String opt : new String[] {"NX", "XX", "GT", "LT", "CH", "INCR"}) if (rnd.nextInt(8) == 0) c.add(opt);
                c.addAll(pairs(rnd, 1 + rnd.nextInt(rnd.nextInt(4) == 0 ? 8 : 3)));
            }
            case 5 -> {
                c.add("ZINCRBY");
                c.add(k);
                c.add(pick(rnd, SCORES));
                c.add(m);
            }
            case 6, 7 -> {
                c.add("ZREM");
                c.add(k);
                for (int i = 0; i <= rnd.nextInt(3); i++) c.add(pick(rnd, MEMBERS));
            }
            case 8 -> { c.add("ZCARD"); c.add(k); }
            case 9 -> { c.add("ZCOUNT"); c.add(k); c.add(pick(rnd, BOUNDS)); c.add(pick(rnd, BOUNDS)); }
            case 10 -> { c.add("ZSCORE"); c.add(k); c.add(m); }
            case 11 -> { c.add("ZMSCORE"); c.add(k); c.add(m); c.add(pick(rnd, MEMBERS)); }
            case 12 -> { c.add(rnd.nextBoolean() ? "ZRANK" : "ZREVRANK"); c.add(k); c.add(m); }
            case 13, 14 -> {
                c.add("ZRANGE");
                c.add(k);
                int shape = rnd.nextInt(3);
                if (shape == 0) {
                    c.add(index(rnd));
                    c.add(index(rnd));
                } else {
                    c.add(pick(rnd, BOUNDS));
                    c.add(pick(rnd, BOUNDS));
                    c.add("BYSCORE");
                    if (rnd.nextBoolean()) { c.add("LIMIT"); c.add(index(rnd)); c.add(index(rnd)); }
                }
                if (rnd.nextBoolean()) c.add("REV");
                if (rnd.nextBoolean()) c.add("WITHSCORES");
            }
            case 15 -> {
                c.add(rnd.nextBoolean() ? "ZRANGEBYSCORE" : "ZREVRANGEBYSCORE");
                c.add(k);
                c.add(pick(rnd, BOUNDS));
                c.add(pick(rnd, BOUNDS));
                if (rnd.nextBoolean()) c.add("WITHSCORES");
                if (rnd.nextBoolean()) { c.add("LIMIT"); c.add(index(rnd)); c.add(index(rnd)); }
            }
            case 16 -> { c.add("ZREVRANGE"); c.add(k); c.add(index(rnd)); c.add(index(rnd)); if (rnd.nextBoolean()) c.add("WITHSCORES"); }
            case 17 -> {
                c.add("ZRANGESTORE");
                c.add(pick(rnd, keys));
                c.add(k);
                if (rnd.nextBoolean()) {
                    c.add(index(rnd));
                    c.add(index(rnd));
                } else {
                    c.add(pick(rnd, BOUNDS));
                    c.add(pick(rnd, BOUNDS));
                    c.add("BYSCORE");
                }
            }
            case 18 -> { c.add("ZREMRANGEBYRANK"); c.add(k); c.add(index(rnd)); c.add(index(rnd)); }
            case 19 -> { c.add("ZREMRANGEBYSCORE"); c.add(k); c.add(pick(rnd, BOUNDS)); c.add(pick(rnd, BOUNDS)); }
            case 20, 21 -> {
                c.add(rnd.nextBoolean() ? "ZPOPMIN" : "ZPOPMAX");
                c.add(k);
                if (rnd.nextBoolean()) c.add(Integer.toString(rnd.nextInt(5)));
            }
            case 22 -> {
                c.add("ZMPOP");
                int n = 1 + rnd.nextInt(3);
                c.add(Integer.toString(n));
                for (int i = 0; i < n; i++) c.add(pick(rnd, keys));
                c.add(rnd.nextBoolean() ? "MIN" : "MAX");
                if (rnd.nextBoolean()) { c.add("COUNT"); c.add(Integer.toString(1 + rnd.nextInt(4))); }
            }
            case 23, 24, 25, 26 -> {
                String op = pick(rnd, new String[] {"ZUNION", "ZINTER", "ZDIFF"});
                boolean store = rnd.nextBoolean();
                c.add(store ? op + "STORE" : op);
                if (store) c.add(pick(rnd, keys));
                int n = 1 + rnd.nextInt(3);
                c.add(Integer.toString(n));
                for (int i = 0; i < n; i++) c.add(pick(rnd, keys));
                if (!op.equals("ZDIFF") && rnd.nextInt(3) == 0) {
                    c.add("WEIGHTS");
                    for (int i = 0; i < n; i++) c.add(pick(rnd, new String[] {"1", "2", "0", "-1", "0.5"}));
                }
                if (!op.equals("ZDIFF") && rnd.nextInt(3) == 0) {
                    c.add("AGGREGATE");
                    c.add(pick(rnd, new String[] {"SUM", "MIN", "MAX"}));
                }
                if (!store && rnd.nextBoolean()) c.add("WITHSCORES");
            }
            case 27 -> {
                c.add("ZINTERCARD");
                int n = 1 + rnd.nextInt(3);
                c.add(Integer.toString(n));
                for (int i = 0; i < n; i++) c.add(pick(rnd, keys));
                if (rnd.nextBoolean()) { c.add("LIMIT"); c.add(Integer.toString(rnd.nextInt(3))); }
            }
            default -> { c.add("TYPE"); c.add(k); }
        }
        return cmd(c);
    }

    private static String[] lexCommand(Random rnd, String[] lexKeys) {
        String k = pick(rnd, lexKeys);
        List<String> c = new ArrayList<>();
        switch (rnd.nextInt(8)) {
            case 0, 1, 2 -> {
                c.add("ZADD");
                c.add(k);
                for (int i = 0; i <= rnd.nextInt(4); i++) { c.add("0"); c.add(pick(rnd, MEMBERS)); }
            }
            case 3 -> { c.add("ZREM"); c.add(k); c.add(pick(rnd, MEMBERS)); }
            case 4 -> {
                c.add(rnd.nextBoolean() ? "ZRANGEBYLEX" : "ZREVRANGEBYLEX");
                c.add(k);
                c.add(pick(rnd, LEX));
                c.add(pick(rnd, LEX));
                if (rnd.nextBoolean()) { c.add("LIMIT"); c.add(index(rnd)); c.add(index(rnd)); }
            }
            case 5 -> { c.add("ZLEXCOUNT"); c.add(k); c.add(pick(rnd, LEX)); c.add(pick(rnd, LEX)); }
            case 6 -> { c.add("ZREMRANGEBYLEX"); c.add(k); c.add(pick(rnd, LEX)); c.add(pick(rnd, LEX)); }
            default -> {
                c.add("ZRANGE");
                c.add(k);
                c.add(pick(rnd, LEX));
                c.add(pick(rnd, LEX));
                c.add("BYLEX");
                if (rnd.nextBoolean()) c.add("REV");
            }
        }
        return cmd(c);
    }

    /** ZRANDMEMBER: the same count, distinct when asked, members of the set with their scores. */
    private static void randmember(Oracle o, Random rnd, String key, int protocol) throws Exception {
        long count = rnd.nextInt(12) - 6;
        boolean withScores = rnd.nextBoolean();
        String[] cmd = withScores ? new String[] {"ZRANDMEMBER", key, Long.toString(count), "WITHSCORES"}
            : new String[] {"ZRANDMEMBER", key, Long.toString(count)};
        String fr = o.ferry().call(cmd);
        String rr = o.redis().call(cmd);
        if (fr.startsWith("-") || rr.startsWith("-")) {
            assertEquals(rr, fr, String.join(" ", cmd));
            return;
        }
        List<?> f = (List<?>) CommandDocsTest.Tree.parse(fr);
        List<?> r = (List<?>) CommandDocsTest.Tree.parse(rr);
        assertEquals(r.size(), f.size(), "size of " + String.join(" ", cmd));
        TreeMap<String, String> members = scores(o.ferry(), key, protocol);
        Set<String> seen = new HashSet<>();
        int step = withScores && protocol == 2 ? 2 : 1;
        for (int i = 0; i < f.size(); i += step) {
            String m;
            String s = null;
            if (withScores && protocol == 3) {
                List<?> pair = (List<?>) f.get(i);
                m = (String) pair.get(0);
                s = String.valueOf(pair.get(1));
            } else {
                m = (String) f.get(i);
                if (withScores) s = (String) f.get(i + 1);
            }
            assertTrue(members.containsKey(m), m + " in " + key);
            if (s != null) assertEquals(members.get(m), s, "score of " + m);
            if (count > 0) assertTrue(seen.add(m), "distinct " + m);
        }
    }

    private static TreeMap<String, String> scores(RawClient c, String key, int protocol) throws Exception {
        TreeMap<String, String> out = new TreeMap<>();
        List<?> all = (List<?>) CommandDocsTest.Tree.parse(c.call("ZRANGE", key, "0", "-1", "WITHSCORES"));
        if (protocol == 3) {
            for (Object p : all) out.put((String) ((List<?>) p).get(0), String.valueOf(((List<?>) p).get(1)));
        } else {
            for (int i = 0; i < all.size(); i += 2) out.put((String) all.get(i), (String) all.get(i + 1));
        }
        return out;
    }

    /** A whole ZSCAN walk: the same member/score pairs on both servers. */
    private static void zscan(Oracle o, String key) throws Exception {
        assertEquals(walk(o.redis(), key), walk(o.ferry(), key), "ZSCAN of " + key);
    }

    private static TreeMap<String, String> walk(RawClient c, String key) throws Exception {
        TreeMap<String, String> out = new TreeMap<>();
        String cursor = "0";
        do {
            String reply = c.call("ZSCAN", key, cursor, "COUNT", "3");
            if (reply.startsWith("-")) {
                out.put("error", reply);
                return out;
            }
            List<?> r = (List<?>) CommandDocsTest.Tree.parse(reply);
            cursor = (String) r.get(0);
            List<?> items = (List<?>) r.get(1);
            for (int i = 0; i < items.size(); i += 2) out.put((String) items.get(i), (String) items.get(i + 1));
        } while (!cursor.equals("0"));
        return out;
    }
}
