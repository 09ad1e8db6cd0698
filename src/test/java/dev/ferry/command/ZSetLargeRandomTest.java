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

/**
 * Large sorted sets (thousands of members: many leaves and inner levels of Ferry's tree) against a real
 * redis-server 7.0: random adds, score changes, removals and every ordered read — ranks, rank ranges both ways,
 * score and lex ranges with LIMIT, counts, range removals, pops, ZRANGESTORE — compared byte for byte, with
 * DEBUG DIGEST-VALUE every 250 steps. The small-set random test never leaves one leaf; this one crosses leaf
 * and node boundaries in every walk.
 */
@QuarkusTest
class ZSetLargeRandomTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer("--enable-debug-command", "local");

    private static final String[] KEYS = {"zl:0", "zl:1"};
    private static final String LEX = "zl:lex";
    private static final int MEMBERS = 6000;

    @Test
    void randomOrderedCommands() throws Exception {
        long seed = 20261203L;
        System.out.println("ZSetLargeRandomTest seed " + seed);
        Random rnd = new Random(seed);
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            o.check("DEL", "zl:0", "zl:1", LEX, "zl:dst");
            try {
                for (String k : KEYS) fill(o, rnd, k, 3000);
                fillLex(o, rnd, 3000);
                for (int step = 0; step < 3000; step++) {
                    o.checkStep(seed, step, command(rnd));
                    if (step % 250 == 249) {
                        o.check("DEBUG", "DIGEST-VALUE", "zl:0", "zl:1", LEX, "zl:dst");
                        for (String k : KEYS) o.check("ZCARD", k);
                    }
                    if (step % 1000 == 999) {
                        for (String k : KEYS) fill(o, rnd, k, 500);
                    }
                }
                o.check("DEBUG", "DIGEST-VALUE", "zl:0", "zl:1", LEX, "zl:dst");
                for (String k : KEYS) o.check("OBJECT", "ENCODING", k);
            } finally {
                o.check("DEL", "zl:0", "zl:1", LEX, "zl:dst");
            }
        }
    }

    private static void fill(Oracle o, Random rnd, String key, int n) throws Exception {
        List<String> c = new ArrayList<>(List.of("ZADD", key));
        for (int i = 0; i < n; i++) {
            c.add(score(rnd));
            c.add(member(rnd));
        }
        o.check(c.toArray(new String[0]));
    }

    private static void fillLex(Oracle o, Random rnd, int n) throws Exception {
        List<String> c = new ArrayList<>(List.of("ZADD", LEX));
        for (int i = 0; i < n; i++) {
            c.add("0");
            c.add(member(rnd));
        }
        o.check(c.toArray(new String[0]));
    }

    /** Scores crowd on a few hundred values, so that ties (ordered by member) are common. */
    private static String score(Random rnd) {
        int s = rnd.nextInt(400) - 50;
        return rnd.nextInt(5) == 0 ? s + ".5" : Integer.toString(s);
    }

    private static String member(Random rnd) {
        return "m" + rnd.nextInt(MEMBERS);
    }

    private static String bound(Random rnd) {
        int r = rnd.nextInt(20);
        if (r == 0) return "-inf";
        if (r == 1) return "+inf";
        String s = Integer.toString(rnd.nextInt(420) - 60);
        return rnd.nextBoolean() ? "(" + s : s;
    }

    private static String lexBound(Random rnd) {
        int r = rnd.nextInt(20);
        if (r == 0) return "-";
        if (r == 1) return "+";
        return (rnd.nextBoolean() ? "(" : "[") + member(rnd).substring(0, 1 + rnd.nextInt(4));
    }

    private static String index(Random rnd) {
        return Integer.toString(rnd.nextInt(7000) - 3500);
    }

    private static String[] command(Random rnd) {
        String k = KEYS[rnd.nextInt(KEYS.length)];
        switch (rnd.nextInt(22)) {
            case 0, 1, 2: {
                List<String> c = new ArrayList<>(List.of("ZADD", k));
                if (rnd.nextInt(5) == 0) c.add(rnd.nextBoolean() ? "GT" : "LT");
                if (rnd.nextInt(5) == 0) c.add("CH");
                for (int i = 0; i <= rnd.nextInt(20); i++) {
                    c.add(score(rnd));
                    c.add(member(rnd));
                }
                return c.toArray(new String[0]);
            }
            case 3: return new String[] {"ZINCRBY", k, score(rnd), member(rnd)};
            case 4: return new String[] {"ZREM", k, member(rnd), member(rnd), member(rnd)};
            case 5: return new String[] {rnd.nextBoolean() ? "ZRANK" : "ZREVRANK", k, member(rnd)};
            case 6: return new String[] {"ZSCORE", k, member(rnd)};
            case 7: return new String[] {"ZCOUNT", k, bound(rnd), bound(rnd)};
            case 8: {
                int start = rnd.nextInt(7000) - 3500;
                String end = Integer.toString(start + rnd.nextInt(80) - 10);
                return rnd.nextBoolean()
                        ? new String[] {"ZRANGE", k, Integer.toString(start), end, "WITHSCORES"}
                        : new String[] {"ZREVRANGE", k, Integer.toString(start), end};
            }
            case 9, 10: {
                List<String> c = new ArrayList<>(List.of(rnd.nextBoolean() ? "ZRANGEBYSCORE" : "ZREVRANGEBYSCORE", k, bound(rnd), bound(rnd)));
                if (rnd.nextBoolean()) c.add("WITHSCORES");
                c.addAll(List.of("LIMIT", Integer.toString(rnd.nextInt(300) - 5), Integer.toString(rnd.nextInt(60) - 1)));
                return c.toArray(new String[0]);
            }
            case 11: {
                String[] b = {bound(rnd), bound(rnd)};
                return rnd.nextBoolean()
                        ? new String[] {"ZRANGE", k, b[0], b[1], "BYSCORE", "LIMIT", Integer.toString(rnd.nextInt(100)), "25"}
                        : new String[] {"ZRANGE", k, b[0], b[1], "BYSCORE", "REV", "LIMIT", Integer.toString(rnd.nextInt(100)), "25"};
            }
            case 12: {
                List<String> c = new ArrayList<>(List.of(rnd.nextBoolean() ? "ZRANGEBYLEX" : "ZREVRANGEBYLEX", LEX, lexBound(rnd), lexBound(rnd)));
                c.addAll(List.of("LIMIT", Integer.toString(rnd.nextInt(200)), Integer.toString(rnd.nextInt(40) - 1)));
                return c.toArray(new String[0]);
            }
            case 13: return new String[] {"ZLEXCOUNT", LEX, lexBound(rnd), lexBound(rnd)};
            case 14: {
                int start = rnd.nextInt(7000) - 3500;
                return new String[] {"ZREMRANGEBYRANK", k, Integer.toString(start), Integer.toString(start + rnd.nextInt(40))};
            }
            case 15: {
                int lo = rnd.nextInt(420) - 60;
                return new String[] {"ZREMRANGEBYSCORE", k, Integer.toString(lo), "(" + (lo + 1 + rnd.nextInt(3))};
            }
            case 16: {
                String m = member(rnd);
                return new String[] {"ZREMRANGEBYLEX", LEX, "[" + m, "(" + m + "5"};
            }
            case 17: return new String[] {rnd.nextBoolean() ? "ZPOPMIN" : "ZPOPMAX", k, Integer.toString(rnd.nextInt(30))};
            case 18: return new String[] {"ZRANGESTORE", "zl:dst", k, index(rnd), index(rnd)};
            case 19: return new String[] {"ZRANGESTORE", "zl:dst", k, bound(rnd), bound(rnd), "BYSCORE", "LIMIT", "0", Integer.toString(rnd.nextInt(200))};
            case 20: return new String[] {"ZADD", LEX, "0", member(rnd)};
            default: return new String[] {"ZMSCORE", k, member(rnd), member(rnd)};
        }
    }
}
