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
 * Random sequences of bitmap and string commands over a few keys, run on Ferry and on redis-server and
 * compared reply by reply. The seed is fixed and printed, so a failure replays; offsets and ranges are
 * drawn near the strings' ends and byte boundaries, where the edge cases are.
 */
@QuarkusTest
class BitmapRandomTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();

    private static final String[] VALUES = {
        "", "0", "7", "123", "-42", "abc", "foobar", "\u00ff", "\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff",
        "\u0000", "\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0001",
        "The quick brown fox jumps over the lazy dog", "\u0080\u0001\u00fe",
    };

    @Test
    void randomSequenceResp2() throws Exception {
        run(20261201L, 2, 6000);
    }

    @Test
    void randomSequenceResp3() throws Exception {
        run(4242L, 3, 3000);
    }

    private void run(long seed, int protocol, int steps) throws Exception {
        System.out.println("BitmapRandomTest seed " + seed + " protocol " + protocol);
        Random rnd = new Random(seed);
        String prefix = "br" + protocol + ":";
        String[] keys = new String[4];
        for (int i = 0; i < keys.length; i++) keys[i] = prefix + i;
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            o.protocol(protocol);
            for (String k : keys) o.check("DEL", k);
            for (int step = 0; step < steps; step++) {
                o.checkStep(seed, step, randomCommand(rnd, keys));
                if (step % 100 == 99) for (String k : keys) o.check("GET", k);
            }
            for (String k : keys) {
                o.check("GET", k);
                o.check("OBJECT", "ENCODING", k);
            }
        }
    }

    /** An index near 0, near a length of up to ~20 bytes (in bits or bytes), negative, or huge. */
    private static String index(Random rnd, boolean bits) {
        int scale = bits ? 8 : 1;
        return switch (rnd.nextInt(10)) {
            case 0 -> String.valueOf(-rnd.nextInt(25 * scale) - 1);
            case 1 -> rnd.nextBoolean() ? "9223372036854775807" : "-9223372036854775808";
            case 2 -> "x";
            default -> String.valueOf(rnd.nextInt(25 * scale));
        };
    }

    private static String[] randomCommand(Random rnd, String[] keys) {
        String k = keys[rnd.nextInt(keys.length)];
        List<String> c = new ArrayList<>();
        if (rnd.nextInt(4) == 0) return randomBitfield(rnd, k);
        int kind = rnd.nextInt(100);
        if (kind < 22) {
            c.add("SETBIT");
            c.add(k);
            int r = rnd.nextInt(40);
            c.add(r == 0 ? "-1" : r == 1 ? "abc" : r == 2 ? "4294967296" : String.valueOf(rnd.nextInt(r < 30 ? 100 : 400)));
            int b = rnd.nextInt(20);
            c.add(b == 0 ? "2" : b == 1 ? "x" : String.valueOf(b & 1));
        } else if (kind < 32) {
            c.add("GETBIT");
            c.add(k);
            int r = rnd.nextInt(30);
            c.add(r == 0 ? "-1" : r == 1 ? "4294967296" : String.valueOf(rnd.nextInt(200)));
        } else if (kind < 50) {
            c.add("BITCOUNT");
            c.add(k);
            int form = rnd.nextInt(10);
            boolean bits = rnd.nextBoolean();
            if (form > 1) {
                c.add(index(rnd, bits));
                c.add(index(rnd, bits));
                if (form > 5) c.add(unit(rnd, bits));
            } else if (form == 1) {
                c.add(index(rnd, bits));
            }
        } else if (kind < 70) {
            c.add("BITPOS");
            c.add(k);
            int b = rnd.nextInt(20);
            c.add(b == 0 ? "2" : String.valueOf(b & 1));
            int form = rnd.nextInt(8);
            boolean bits = rnd.nextBoolean();
            if (form >= 1) c.add(index(rnd, bits));
            if (form >= 3) c.add(index(rnd, bits));
            if (form >= 5) c.add(unit(rnd, bits));
        } else if (kind < 82) {
            c.add("BITOP");
            String[] ops = {"AND", "OR", "XOR", "NOT", "and", "xor"};
            String op = rnd.nextInt(40) == 0 ? "NAND" : ops[rnd.nextInt(ops.length)];
            c.add(op);
            c.add(k);
            int n = op.equalsIgnoreCase("not") && rnd.nextInt(10) > 0 ? 1 : 1 + rnd.nextInt(3);
            for (int i = 0; i < n; i++) c.add(rnd.nextInt(8) == 0 ? k + ":missing" : keys[rnd.nextInt(keys.length)]);
        } else if (kind < 88) {
            c.add("SET");
            c.add(k);
            c.add(VALUES[rnd.nextInt(VALUES.length)]);
        } else if (kind < 92) {
            c.add("APPEND");
            c.add(k);
            c.add(VALUES[rnd.nextInt(VALUES.length)]);
        } else if (kind < 95) {
            c.add("SETRANGE");
            c.add(k);
            c.add(String.valueOf(rnd.nextInt(30)));
            c.add(VALUES[rnd.nextInt(VALUES.length)]);
        } else if (kind < 97) {
            c.add("DEL");
            c.add(k);
        } else {
            c.add("GET");
            c.add(k);
        }
        return c.toArray(String[]::new);
    }

    /**
     * BITFIELD or BITFIELD_RO with 0..5 operations: random types (valid ones mostly, near the limits often),
     * plain or #N offsets, values at and past the types' bounds, OVERFLOW modes between operations, and now
     * and then a malformed argument.
     */
    private static String[] randomBitfield(Random rnd, String k) {
        List<String> c = new ArrayList<>();
        boolean ro = rnd.nextInt(5) == 0;
        c.add(ro ? "BITFIELD_RO" : rnd.nextBoolean() ? "BITFIELD" : "bitfield");
        c.add(k);
        int n = rnd.nextInt(6);
        String[] modes = {"WRAP", "SAT", "FAIL", "sat", "fail"};
        String[] limits = {"0", "1", "-1", "127", "128", "-128", "-129", "255", "256", "9223372036854775807",
            "-9223372036854775808", "4611686018427387904", "-4611686018427387905", "x"};
        for (int i = 0; i < n; i++) {
            int what = rnd.nextInt(ro ? 12 : 10);
            if (what == 0) {
                c.add("OVERFLOW");
                c.add(rnd.nextInt(30) == 0 ? "SATURATE" : modes[rnd.nextInt(modes.length)]);
                continue;
            }
            String op = what >= 7 ? "GET" : what >= 4 ? "SET" : "INCRBY";
            if (rnd.nextInt(60) == 0) op = "SETX";
            c.add(op);
            int t = rnd.nextInt(40);
            boolean signed = rnd.nextBoolean();
            int bits = t < 8 ? (signed ? 64 : 63) - t % 3 : t < 12 ? 1 : t < 14 ? 8 : 1 + rnd.nextInt(signed ? 64 : 63);
            String type = (signed ? "i" : "u") + bits;
            if (t == 39) type = rnd.nextBoolean() ? "u64" : rnd.nextBoolean() ? "i65" : "x8";
            c.add(rnd.nextInt(10) == 0 ? type.toUpperCase() : type);
            int o = rnd.nextInt(40);
            c.add(o == 0 ? "-1" : o == 1 ? "#-1" : o == 2 ? "4294967296" : o < 12 ? "#" + rnd.nextInt(6)
                : String.valueOf(rnd.nextInt(200)));
            if (!op.equals("GET")) {
                c.add(rnd.nextInt(3) == 0 ? limits[rnd.nextInt(limits.length)]
                    : String.valueOf(rnd.nextLong() >> rnd.nextInt(64)));
            }
        }
        if (rnd.nextInt(30) == 0) c.add("GET");
        return c.toArray(String[]::new);
    }

    private static String unit(Random rnd, boolean bits) {
        int r = rnd.nextInt(12);
        if (r == 0) return "WORD";
        return bits ? (r % 2 == 0 ? "BIT" : "bit") : (r % 2 == 0 ? "BYTE" : "byte");
    }
}
