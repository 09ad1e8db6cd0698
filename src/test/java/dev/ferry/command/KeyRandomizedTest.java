package dev.ferry.command;

import dev.ferry.engine.*;

import dev.ferry.support.FerryPort;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisPeer;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A few thousand random keys-family commands over a dozen keys (fixed seed), mixed with string writes that
 * change encodings (APPEND, SETRANGE, INCR), sent to Ferry and to a real redis-server and compared reply by reply. Runs in database 2 with 4 as the MOVE / COPY / SWAPDB target.
 *
 * <p>Replies are compared byte for byte, except where Redis itself is not deterministic: KEYS and SCAN
 * (order: compared as sorted lists, SCAN walked to the end), RANDOMKEY (compared as "some key" / nil) and
 * relative TTLs and OBJECT IDLETIME (the two servers run each command a few milliseconds apart: compared within
 * a margin).
 * TTLs are far in the future, so nothing expires on its own during the run.
 */
@QuarkusTest
class KeyRandomizedTest {
    static final long SEED = 20240607L;
    static final int COMMANDS = 4000;
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();

    @Test
    void randomSequenceMatchesRedis() throws IOException {
        Random rnd = new Random(SEED);
        try (RawClient ferry = new RawClient(FerryPort.get()); RawClient real = new RawClient(redis.port())) {
            for (RawClient c : List.of(ferry, real)) {
                c.call("SELECT", "4");
                c.call("FLUSHDB");
                c.call("SELECT", "2");
                c.call("FLUSHDB");
            }
            int compared = 0;
            for (int i = 0; i < COMMANDS; i++) {
                String[] cmd = randomCommand(rnd);
                String label = "command " + i + ": " + String.join(" ", cmd);
                switch (cmd[0]) {
                    case "KEYS" -> assertEquals(sorted(parse(real.call(cmd))), sorted(parse(ferry.call(cmd))), label);
                    case "SCAN" -> assertEquals(fullScan(real, cmd), fullScan(ferry, cmd), label);
                    case "RANDOMKEY" -> assertEquals(parse(real.call(cmd)) == null, parse(ferry.call(cmd)) == null, label);
                    case "TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME" -> compareTtl(cmd, real.call(cmd), ferry.call(cmd), label);
                    case "OBJECT" -> {
                        String expected = real.call(cmd), actual = ferry.call(cmd);
                        // idle seconds may tick between the two calls on a busy machine
                        if (cmd[1].equals("IDLETIME") && expected.startsWith(":") && actual.startsWith(":")) {
                            compareTtl(cmd, expected, actual, label);
                        } else {
                            assertEquals(expected, actual, label);
                        }
                    }
                    default -> assertEquals(real.call(cmd), ferry.call(cmd), label);
                }
                compared++;
            }
            assertEquals(COMMANDS, compared);
            // the end states agree too
            for (String db : new String[] {"2", "4"}) {
                real.call("SELECT", db);
                ferry.call("SELECT", db);
                assertEquals(sorted(parse(real.call("KEYS", "*"))), sorted(parse(ferry.call("KEYS", "*"))), "db " + db);
                assertEquals(real.call("DBSIZE"), ferry.call("DBSIZE"));
                real.call("FLUSHDB");
                ferry.call("FLUSHDB");
            }
        }
    }

    private static final String[] VALUES = {"0", "42", "9999", "10000", "-7", "007", "hello", "", "3.14",
        "x".repeat(44), "y".repeat(45), "12345678901234567890"};
    private static final String[] OPTIONS = {"NX", "XX", "GT", "LT", "nx", "gt", "bogus"};

    private static String key(Random rnd) {
        return "rk:" + rnd.nextInt(12);
    }

    /** Absolute times after 2100, spread over ~11 days, so relative ones (at most 11 days) are always earlier. */
    private static long absoluteMs(Random rnd) {
        return 4102444800000L + (long) (rnd.nextDouble() * 1e9);
    }

    private static String[] randomCommand(Random rnd) {
        int p = rnd.nextInt(100);
        if (p < 14) return new String[] {"SET", key(rnd), VALUES[rnd.nextInt(VALUES.length)]};
        if (p < 18) return keysCommand(rnd.nextBoolean() ? "DEL" : "UNLINK", rnd);
        if (p < 22) return keysCommand("EXISTS", rnd);
        if (p < 24) return keysCommand("TOUCH", rnd);
        if (p < 27) return new String[] {"TYPE", key(rnd)};
        if (p < 31) return new String[] {rnd.nextBoolean() ? "RENAME" : "RENAMENX", key(rnd), key(rnd)};
        if (p < 34) return new String[] {"MOVE", key(rnd), rnd.nextInt(10) == 0 ? "2" : "4"};
        if (p < 38) return copyCommand(rnd);
        if (p < 56) return expireCommand(rnd);
        if (p < 66) {
            String[] ttl = {"TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"};
            return new String[] {ttl[rnd.nextInt(4)], key(rnd)};
        }
        if (p < 70) return new String[] {"PERSIST", key(rnd)};
        if (p < 75) {
            // encodings and refcounts carry history (APPEND and SETRANGE leave a raw string, COPY of a shared
            // integer is unshared) that RENAME, MOVE, COPY and SWAPDB must keep
            String[] sub = {"ENCODING", "REFCOUNT", "ENCODING", "REFCOUNT", "FREQ", "IDLETIME"};
            return new String[] {"OBJECT", sub[rnd.nextInt(sub.length)], key(rnd)};
        }
        if (p < 78) return new String[] {"KEYS", rnd.nextBoolean() ? "*" : "rk:1*"};
        if (p < 82) return scanCommand(rnd);
        if (p < 84) return new String[] {"RANDOMKEY"};
        if (p < 88) return new String[] {"DBSIZE"};
        if (p < 90) return new String[] {"SWAPDB", "2", "4"};
        if (p < 91) return new String[] {"FLUSHDB"};
        if (p < 93) return new String[] {"APPEND", key(rnd), VALUES[rnd.nextInt(VALUES.length)]};
        if (p < 94) return new String[] {"SETRANGE", key(rnd), Integer.toString(rnd.nextInt(4)), VALUES[rnd.nextInt(VALUES.length)]};
        if (p < 96) return new String[] {rnd.nextBoolean() ? "INCR" : "DECR", key(rnd)};
        if (p < 97) return new String[] {"INCRBY", key(rnd), Integer.toString(rnd.nextInt(20001) - 10000)};
        return new String[] {"GET", key(rnd)};
    }

    private static String[] keysCommand(String name, Random rnd) {
        int n = 1 + rnd.nextInt(3);
        String[] cmd = new String[n + 1];
        cmd[0] = name;
        for (int i = 1; i <= n; i++) cmd[i] = key(rnd);
        return cmd;
    }

    private static String[] copyCommand(Random rnd) {
        List<String> cmd = new ArrayList<>(List.of("COPY", key(rnd), key(rnd)));
        if (rnd.nextInt(3) == 0) cmd.addAll(List.of("DB", rnd.nextInt(5) == 0 ? "2" : "4"));
        if (rnd.nextInt(3) == 0) cmd.add("REPLACE");
        if (rnd.nextInt(20) == 0) cmd.add("bogus");
        return cmd.toArray(new String[0]);
    }

    private static String[] expireCommand(Random rnd) {
        List<String> cmd = new ArrayList<>();
        int kind = rnd.nextInt(4);
        boolean past = rnd.nextInt(8) == 0;
        switch (kind) {
            case 0 -> cmd.addAll(List.of("EXPIRE", key(rnd), past ? "-" + rnd.nextInt(100) : Long.toString(100_000 + rnd.nextInt(900_000))));
            case 1 -> cmd.addAll(List.of("PEXPIRE", key(rnd), past ? "-" + rnd.nextInt(100_000) : Long.toString(100_000_000L + (long) (rnd.nextDouble() * 9e8))));
            case 2 -> cmd.addAll(List.of("EXPIREAT", key(rnd), past ? Integer.toString(rnd.nextInt(1_000_000)) : Long.toString(absoluteMs(rnd) / 1000)));
            default -> cmd.addAll(List.of("PEXPIREAT", key(rnd), past ? Integer.toString(rnd.nextInt(1_000_000)) : Long.toString(absoluteMs(rnd))));
        }
        int options = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(3);
        for (int i = 0; i < options; i++) cmd.add(OPTIONS[rnd.nextInt(OPTIONS.length)]);
        if (rnd.nextInt(40) == 0) cmd.set(2, "notanumber");
        return cmd.toArray(new String[0]);
    }

    private static String[] scanCommand(Random rnd) {
        List<String> cmd = new ArrayList<>(List.of("SCAN", "0"));
        if (rnd.nextBoolean()) cmd.addAll(List.of("COUNT", Integer.toString(1 + rnd.nextInt(20))));
        if (rnd.nextBoolean()) cmd.addAll(List.of("MATCH", rnd.nextBoolean() ? "rk:1*" : "*"));
        if (rnd.nextInt(3) == 0) cmd.addAll(List.of("TYPE", rnd.nextBoolean() ? "string" : "hash"));
        return cmd.toArray(new String[0]);
    }

    /** Both servers' TTLs: equal when negative (-1, -2), close otherwise (the commands ran ms apart). */
    private static void compareTtl(String[] cmd, String expected, String actual, String label) {
        long e = (Long) parse(expected), a = (Long) parse(actual);
        if (e < 0 || a < 0) {
            assertEquals(e, a, label);
            return;
        }
        long margin = cmd[0].startsWith("P") ? 2000 : 2;
        assertTrue(Math.abs(e - a) <= margin, label + ": redis " + e + ", ferry " + a);
    }

    /** Walks SCAN from cursor 0 to the end with the command's options; the keys, sorted. */
    private static List<String> fullScan(RawClient c, String[] cmd) throws IOException {
        List<String> keys = new ArrayList<>();
        String cursor = "0";
        int guard = 0;
        do {
            String[] step = cmd.clone();
            step[1] = cursor;
            @SuppressWarnings("unchecked")
            List<Object> reply = (List<Object>) parse(c.call(step));
            cursor = (String) reply.get(0);
            for (Object k : (List<?>) reply.get(1)) keys.add((String) k);
            assertTrue(++guard < 10_000, "SCAN does not end");
        } while (!cursor.equals("0"));
        return sorted(new ArrayList<>(new java.util.TreeSet<>(keys)));
    }

    @SuppressWarnings("unchecked")
    static List<String> sorted(Object list) {
        List<String> out = new ArrayList<>((List<String>) list);
        Collections.sort(out);
        return out;
    }

    // ---- a small RESP reader over RawClient's reply text -----------------------------------------------

    /** Parses one reply: Long for integers, String for simple and bulk strings, "-ERR..." for errors, List for arrays, null for nils. */
    static Object parse(String reply) {
        int[] pos = {0};
        return value(reply, pos);
    }

    private static Object value(String s, int[] pos) {
        int eol = s.indexOf("\r\n", pos[0]);
        char type = s.charAt(pos[0]);
        String line = s.substring(pos[0] + 1, eol);
        pos[0] = eol + 2;
        switch (type) {
            case '+': return line;
            case '-': return "-" + line;
            case ':': return Long.parseLong(line);
            case '_': return null;
            case '$': {
                int n = Integer.parseInt(line);
                if (n < 0) return null;
                String v = s.substring(pos[0], pos[0] + n);
                pos[0] += n + 2;
                return v;
            }
            case '*', '~': {
                int n = Integer.parseInt(line);
                if (n < 0) return null;
                List<Object> out = new ArrayList<>(n);
                for (int i = 0; i < n; i++) out.add(value(s, pos));
                return out;
            }
            default: throw new IllegalArgumentException("reply type " + type);
        }
    }
}
