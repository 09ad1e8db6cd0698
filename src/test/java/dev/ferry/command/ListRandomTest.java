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
 * Long random sequences of list commands over a handful of keys, on Ferry and on redis-server, compared reply
 * by reply (fixed seeds, printed in a failure), with OBJECT ENCODING, DEBUG DIGEST-VALUE of the keys every
 * few hundred steps and DEBUG DIGEST at the end. Small list-max-listpack-size settings (a count and a size
 * class) make the quicklist split, fill and empty its nodes all the time; large elements cross the byte limits.
 */
@QuarkusTest
class ListRandomTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer("--enable-debug-command", "local");

    private static final String[] VALUES = {
        "", "0", "1", "-1", "a", "b", "c", "abc", "127", "128", "-4096", "4095", "32767", "-32768", "8388607",
        "2147483647", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "01", "1.5", "x y",
    };
    private static final boolean BLOCKING = true;
    private static final String[] INDEXES = {"0", "1", "2", "-1", "-2", "3", "5", "-5", "10", "-10", "100", "-100", "x"};

    @Test
    void countFillResp2() throws Exception {
        run(20260101L, 2, 3000, "3");
    }

    @Test
    void sizeFillResp3() throws Exception {
        run(4242L, 3, 2500, "-1");
    }

    private void run(long seed, int protocol, int steps, String fill) throws Exception {
        Random rnd = new Random(seed);
        String prefix = "lr" + protocol + ":";
        String[] keys = new String[5];
        for (int i = 0; i < keys.length - 1; i++) keys[i] = prefix + i;
        keys[keys.length - 1] = prefix + "str";
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            String before = o.ferry().call("CONFIG", "GET", "list-max-listpack-size");
            try {
                o.check("CONFIG", "SET", "list-max-listpack-size", fill);
                o.protocol(protocol);
                // DEBUG DIGEST covers the whole dataset: start both from empty
                o.check("FLUSHALL");
                o.check("SET", keys[keys.length - 1], "string");
                for (int step = 0; step < steps; step++) {
                    o.checkStep(seed, step, randomCommand(rnd, keys));
                    if (step % 300 == 299) {
                        for (String k : keys) o.checkStep(seed, step, "OBJECT", "ENCODING", k);
                        compareDigests(o, keys);
                    }
                }
                compareDigests(o, keys);
                o.check("DEBUG", "DIGEST");
            } finally {
                String value = before.split("\r\n")[4];
                o.ferry().call("CONFIG", "SET", "list-max-listpack-size", value);
            }
        }
    }

    private static void compareDigests(Oracle o, String[] keys) throws Exception {
        String[] cmd = new String[2 + keys.length];
        cmd[0] = "DEBUG";
        cmd[1] = "DIGEST-VALUE";
        System.arraycopy(keys, 0, cmd, 2, keys.length);
        o.check(cmd);
    }

    private static String pick(Random rnd, String[] from) {
        return from[rnd.nextInt(from.length)];
    }

    private static String value(Random rnd) {
        int r = rnd.nextInt(20);
        if (r == 0) return "big".repeat(300 + rnd.nextInt(1200));
        if (r < 4) return Long.toString(rnd.nextLong() >> rnd.nextInt(64));
        return pick(rnd, VALUES);
    }

    private static String side(Random rnd) {
        return rnd.nextInt(8) == 0 ? "middle" : rnd.nextBoolean() ? "LEFT" : "right";
    }

    private static String[] randomCommand(Random rnd, String[] keys) {
        String k = pick(rnd, keys);
        switch (rnd.nextInt(24)) {
            case 0: case 1: case 2: case 3: {
                List<String> a = new ArrayList<>(List.of(rnd.nextBoolean() ? "LPUSH" : "RPUSH", k));
                for (int i = 0, n = 1 + rnd.nextInt(rnd.nextInt(6) == 0 ? 40 : 4); i < n; i++) a.add(value(rnd));
                return a.toArray(new String[0]);
            }
            case 4: return new String[] {rnd.nextBoolean() ? "LPUSHX" : "RPUSHX", k, value(rnd), value(rnd)};
            case 5: case 6: return new String[] {rnd.nextBoolean() ? "LPOP" : "RPOP", k};
            case 7: return new String[] {rnd.nextBoolean() ? "LPOP" : "RPOP", k, pick(rnd, new String[] {"0", "1", "2", "5", "50", "-1"})};
            case 8: return new String[] {"LLEN", k};
            case 9: case 10: return new String[] {"LRANGE", k, pick(rnd, INDEXES), pick(rnd, INDEXES)};
            case 11: return new String[] {"LINDEX", k, pick(rnd, INDEXES)};
            case 12: return new String[] {"LSET", k, pick(rnd, INDEXES), value(rnd)};
            case 13: return new String[] {"LINSERT", k, rnd.nextBoolean() ? "BEFORE" : "AFTER", value(rnd), value(rnd)};
            case 14: return new String[] {"LREM", k, pick(rnd, new String[] {"0", "1", "-1", "2", "-2"}), value(rnd)};
            case 15: return new String[] {"LTRIM", k, pick(rnd, INDEXES), pick(rnd, INDEXES)};
            case 16: {
                List<String> a = new ArrayList<>(List.of("LPOS", k, value(rnd)));
                if (rnd.nextBoolean()) a.addAll(List.of("RANK", pick(rnd, new String[] {"1", "2", "-1", "-2", "0"})));
                if (rnd.nextBoolean()) a.addAll(List.of("COUNT", pick(rnd, new String[] {"0", "1", "3"})));
                if (rnd.nextBoolean()) a.addAll(List.of("MAXLEN", pick(rnd, new String[] {"0", "2", "10"})));
                return a.toArray(new String[0]);
            }
            case 17: case 18: return new String[] {"LMOVE", k, pick(rnd, keys), side(rnd), side(rnd)};
            case 19: return new String[] {"RPOPLPUSH", k, pick(rnd, keys)};
            case 20: {
                List<String> a = new ArrayList<>(List.of("LMPOP"));
                int n = 1 + rnd.nextInt(3);
                a.add(Integer.toString(n));
                for (int i = 0; i < n; i++) a.add(pick(rnd, keys));
                a.add(side(rnd));
                if (rnd.nextBoolean()) a.addAll(List.of("COUNT", pick(rnd, new String[] {"1", "3", "0", "100"})));
                return a.toArray(new String[0]);
            }
            case 21: if (!BLOCKING) return new String[] {"TYPE", k};
                return new String[] {rnd.nextBoolean() ? "BLPOP" : "BRPOP", pick(rnd, keys), k, "0.01"};
            case 22: if (!BLOCKING) return new String[] {"TYPE", k};
                return new String[] {"BLMOVE", k, pick(rnd, keys), side(rnd), side(rnd), "0.01"};
            default: return new String[] {"TYPE", k};
        }
    }
}
