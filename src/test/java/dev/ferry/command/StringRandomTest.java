package dev.ferry.command;

import dev.ferry.engine.*;

import dev.ferry.support.FerryPort;
import dev.ferry.support.Oracle;
import dev.ferry.support.RedisPeer;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.ferry.command.StringOracleTest.ferryExpireAt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Long random sequences of string commands over a handful of keys, run on Ferry and on redis-server and
 * compared reply by reply (fixed seeds, so a failure replays). Relative expiries are long enough never to
 * fire during the run; absolute ones in the past expire at once on both. TTLs are compared at the end.
 */
@QuarkusTest
class StringRandomTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer("--enable-debug-command", "local");

    private static final String[] VALUES = {
        "", "0", "1", "-1", "7", "42", "-42", "100", "9223372036854775806", "9223372036854775807",
        "-9223372036854775808", "-9223372036854775807", "1.5", "-0.25", "3.0", "1e3", "0.1", "abc", "hello world",
        "foo", "bar", " 1", "01", "+5", "x\u0000y", "\u00e9t\u00e9", "12345678901234567890123", "inf", "0x10",
    };

    private static final String[] INTEGERS = {
        "0", "1", "-1", "2", "10", "-100", "1000000", "9223372036854775807", "-9223372036854775808",
        "9223372036854775808", "abc", "1.5", "", "-0", "+1",
    };

    private static final String[] FLOATS = {
        "0", "1", "-1", "0.1", "-0.1", "1.5", "3.0e2", "1e-5", "-2.5e-3", "123456.789", "1e20", "abc", "", "nan",
        "inf", "0x1p-1", ".5", "5.", "1e400", "-1e400",
    };

    @Test
    void randomSequenceResp2() throws Exception {
        run(20240601L, 2, 4000);
    }

    @Test
    void randomSequenceResp3() throws Exception {
        run(777L, 3, 2000);
    }

    private void run(long seed, int protocol, int steps) throws Exception {
        Random rnd = new Random(seed);
        String prefix = "sr" + protocol + ":";
        String[] keys = new String[6];
        for (int i = 0; i < keys.length; i++) keys[i] = prefix + i;
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            o.protocol(protocol);
            for (int step = 0; step < steps; step++) {
                o.checkStep(seed, step, randomCommand(rnd, keys));
                if (step % 500 == 499) {
                    compareTtls(o, keys);
                    compareDigests(o, keys);
                }
            }
            compareTtls(o, keys);
            compareDigests(o, keys);
        }
    }

    /** The keys' values and TTL flags are the same on both servers: DEBUG DIGEST-VALUE, byte for byte. */
    private static void compareDigests(Oracle o, String[] keys) throws Exception {
        String[] cmd = new String[2 + keys.length];
        cmd[0] = "DEBUG";
        cmd[1] = "DIGEST-VALUE";
        System.arraycopy(keys, 0, cmd, 2, keys.length);
        o.check(cmd);
    }

    /** Both servers agree on which keys exist and which carry a TTL, and on the TTL to within a few seconds. */
    private static void compareTtls(Oracle o, String[] keys) throws Exception {
        for (String k : keys) {
            String pttl = o.redis().call("PTTL", k);
            long redisTtl = Long.parseLong(pttl.substring(1).trim());
            long ferryAt = ferryExpireAt(k);
            if (redisTtl < 0) {
                assertEquals(redisTtl, ferryAt, "TTL state of " + k);
            } else {
                assertTrue(ferryAt > 0, "ferry has no TTL on " + k + ", redis has " + redisTtl);
                long ferryTtl = ferryAt - System.currentTimeMillis();
                assertTrue(Math.abs(ferryTtl - redisTtl) < 5_000, k + ": ferry " + ferryTtl + " redis " + redisTtl);
            }
        }
    }

    private static String pick(Random rnd, String[] from) {
        return from[rnd.nextInt(from.length)];
    }

    private static String[] randomCommand(Random rnd, String[] keys) {
        String k = pick(rnd, keys);
        String v = rnd.nextInt(4) == 0 ? randomText(rnd) : pick(rnd, VALUES);
        switch (rnd.nextInt(26)) {
            case 0: case 1: return new String[] {"GET", k};
            case 2: case 3: return setWithOptions(rnd, k, v);
            case 4: return new String[] {"SETNX", k, v};
            case 5: return new String[] {"SETEX", k, pick(rnd, new String[] {"1000", "5000", "0", "-1", "x"}), v};
            case 6: return new String[] {"PSETEX", k, pick(rnd, new String[] {"1000000", "0", "x"}), v};
            case 7: {
                List<String> a = new ArrayList<>(List.of("MGET"));
                for (int i = 0, n = 1 + rnd.nextInt(4); i < n; i++) a.add(pick(rnd, keys));
                return a.toArray(new String[0]);
            }
            case 8: case 9: {
                List<String> a = new ArrayList<>(List.of(rnd.nextInt(3) == 0 ? "MSETNX" : "MSET"));
                for (int i = 0, n = 1 + rnd.nextInt(3); i < n; i++) {
                    a.add(pick(rnd, keys));
                    a.add(pick(rnd, VALUES));
                }
                if (rnd.nextInt(20) == 0) a.remove(a.size() - 1);
                return a.toArray(new String[0]);
            }
            case 10: return new String[] {"GETSET", k, v};
            case 11: return new String[] {"GETDEL", k};
            case 12: return getex(rnd, k);
            case 13: return new String[] {"APPEND", k, v};
            case 14: return new String[] {"STRLEN", k};
            case 15: return new String[] {"INCR", k};
            case 16: return new String[] {"DECR", k};
            case 17: return new String[] {"INCRBY", k, pick(rnd, INTEGERS)};
            case 18: return new String[] {"DECRBY", k, pick(rnd, INTEGERS)};
            case 19: case 20: return new String[] {"INCRBYFLOAT", k, pick(rnd, FLOATS)};
            case 21: return new String[] {rnd.nextBoolean() ? "GETRANGE" : "SUBSTR", k, index(rnd), index(rnd)};
            case 22: return new String[] {"SETRANGE", k, pick(rnd, new String[] {"0", "1", "3", "10", "-1", "x"}), v};
            case 23: return lcs(rnd, keys);
            case 24: return new String[] {"SET", k, v};
            default: return new String[] {"GET", k};
        }
    }

    private static String randomText(Random rnd) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0, n = rnd.nextInt(12); i < n; i++) sb.append((char) ('a' + rnd.nextInt(4)));
        return sb.toString();
    }

    private static String index(Random rnd) {
        return Integer.toString(rnd.nextInt(30) - 15);
    }

    /** SET with a random selection of options, including conflicting ones and bad expire times. */
    private static String[] setWithOptions(Random rnd, String k, String v) {
        List<String> a = new ArrayList<>(List.of("SET", k, v));
        for (int i = 0, n = rnd.nextInt(4); i < n; i++) {
            switch (rnd.nextInt(10)) {
                case 0 -> a.add("NX");
                case 1 -> a.add("XX");
                case 2, 3 -> a.add(rnd.nextBoolean() ? "GET" : "get");
                case 4 -> a.add("KEEPTTL");
                case 5 -> a.addAll(List.of("EX", pick(rnd, new String[] {"1000", "0", "-5", "abc", "9223372036854776"})));
                case 6 -> a.addAll(List.of("PX", pick(rnd, new String[] {"2000000", "0"})));
                case 7 -> a.addAll(List.of("EXAT", pick(rnd, new String[] {"9999999999", "1", "0"})));
                case 8 -> a.addAll(List.of("PXAT", pick(rnd, new String[] {"9999999999999", "1"})));
                default -> a.add(pick(rnd, new String[] {"EX", "BOGUS", "PERSIST"}));
            }
        }
        return a.toArray(new String[0]);
    }

    private static String[] getex(Random rnd, String k) {
        return switch (rnd.nextInt(9)) {
            case 0 -> new String[] {"GETEX", k};
            case 1 -> new String[] {"GETEX", k, "PERSIST"};
            case 2 -> new String[] {"GETEX", k, "EX", "1000"};
            case 3 -> new String[] {"GETEX", k, "PX", "3000000"};
            case 4 -> new String[] {"GETEX", k, "EXAT", "9999999999"};
            case 5 -> new String[] {"GETEX", k, "PXAT", rnd.nextBoolean() ? "1" : "9999999999999"};
            case 6 -> new String[] {"GETEX", k, "EX", "0"};
            case 7 -> new String[] {"GETEX", k, "PERSIST", "EX", "10"};
            default -> new String[] {"GETEX", k, "KEEPTTL"};
        };
    }

    private static String[] lcs(Random rnd, String[] keys) {
        List<String> a = new ArrayList<>(List.of("LCS", pick(rnd, keys), pick(rnd, keys)));
        switch (rnd.nextInt(5)) {
            case 0 -> a.add("LEN");
            case 1 -> a.add("IDX");
            case 2 -> a.addAll(List.of("IDX", "WITHMATCHLEN"));
            case 3 -> a.addAll(List.of("IDX", "MINMATCHLEN", Integer.toString(rnd.nextInt(4))));
            default -> { }
        }
        return a.toArray(new String[0]);
    }

    // ---- INCRBYFLOAT formatting ------------------------------------------------------------------------

    /**
     * Random numbers of every shape strtold accepts (and some it refuses), added up on a few keys: every
     * reply, i.e. the long double result printed with %.17Lf and trimmed, must match byte for byte.
     */
    @Test
    void incrbyfloatFormatting() throws Exception {
        Random rnd = new Random(4242);
        String[] keys = {"sf:0", "sf:1", "sf:2", "sf:3"};
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            for (int step = 0; step < 5000; step++) {
                String k = pick(rnd, keys);
                if (rnd.nextInt(10) == 0) {
                    String start = randomNumber(rnd);
                    check(o, step, "SET", k, start);
                }
                check(o, step, "INCRBYFLOAT", k, randomNumber(rnd));
            }
        }
    }

    private static void check(Oracle o, int step, String... cmd) throws Exception {
        try {
            o.check(cmd);
        } catch (AssertionError e) {
            throw new AssertionError("step " + step + ": " + e.getMessage(), e);
        }
    }

    private static String randomNumber(Random rnd) {
        int shape = rnd.nextInt(20);
        if (shape == 0) return pick(rnd, FLOATS);
        if (shape == 1) {
            // hex float
            StringBuilder sb = new StringBuilder(rnd.nextBoolean() ? "0x" : "-0X");
            for (int i = 0, n = 1 + rnd.nextInt(10); i < n; i++) sb.append(Character.forDigit(rnd.nextInt(16), 16));
            if (rnd.nextBoolean()) sb.append('.').append(Character.forDigit(rnd.nextInt(16), 16));
            if (rnd.nextBoolean()) sb.append('p').append(rnd.nextInt(40) - 20);
            return sb.toString();
        }
        StringBuilder sb = new StringBuilder();
        if (rnd.nextInt(3) == 0) sb.append('-');
        int digits = 1 + rnd.nextInt(shape < 10 ? 8 : 25);
        int point = rnd.nextInt(digits + 1);
        for (int i = 0; i < digits; i++) {
            if (i == point && i > 0) sb.append('.');
            sb.append((char) ('0' + rnd.nextInt(10)));
        }
        // exponents near the ends of the long double range are rare: those values print thousands of digits
        int e = rnd.nextInt(40);
        if (e < 4) sb.append('e').append(rnd.nextInt(60) - 30);
        else if (e == 4) sb.append("E+").append(rnd.nextInt(400));
        else if (e == 5) sb.append('e').append(-rnd.nextInt(400));
        else if (e == 6) sb.append('e').append(4900 + rnd.nextInt(60));
        else if (e == 7) sb.append('e').append(-4900 - rnd.nextInt(80));
        return sb.toString();
    }
}
