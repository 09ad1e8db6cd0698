package dev.ferry.command;

import dev.ferry.support.FerryPort;
import dev.ferry.support.Oracle;
import dev.ferry.support.RedisPeer;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * OBJECT ENCODING and OBJECT REFCOUNT of strings against a real redis-server 7.0: Redis decides a string's
 * encoding from its history (SET's tryObjectEncoding, APPEND and SETRANGE leaving "raw" for good, INCR's
 * in-place update of an unshared integer, INCRBYFLOAT's "embstr", COPY unsharing a shared integer), so the
 * checks follow sequences of writes, and after each one compare the encoding, the refcount and the value
 * itself (replies come from buffers with spare room: every reader must stop at the length). Keys "se:".
 */
@QuarkusTest
class StringEncodingOracleTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();

    static Oracle oracle() throws Exception {
        Oracle o = new Oracle(FerryPort.get(), redis.port());
        o.check("SELECT", "9");
        o.check("FLUSHDB");
        return o;
    }

    /** The command, then the key's encoding, refcount, value and length on both servers. */
    private static void write(Oracle o, String key, String... cmd) throws IOException {
        o.check(cmd);
        state(o, key);
    }

    private static void state(Oracle o, String key) throws IOException {
        o.check("OBJECT", "ENCODING", key);
        o.check("OBJECT", "REFCOUNT", key);
        o.check("GET", key);
        o.check("STRLEN", key);
    }

    @Test
    void setDecidesByTryObjectEncoding() throws Exception {
        String[] values = {"0", "123", "9999", "10000", "12345", "-1", "-0", "007", "+5", " 1", "1 ", "3.0", "",
            "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
            "12345678901234567890", "x".repeat(44), "x".repeat(45), "1".repeat(21), "\u0000"};
        try (Oracle o = oracle()) {
            for (String v : values) {
                write(o, "se:k", "SET", "se:k", v);
                write(o, "se:nx", "SETNX", "se:nx", v);
                o.check("DEL", "se:nx");
                write(o, "se:ex", "SETEX", "se:ex", "100", v);
                write(o, "se:px", "PSETEX", "se:px", "100000", v);
                write(o, "se:gs", "GETSET", "se:gs", v);
                write(o, "se:m1", "MSET", "se:m1", v, "se:m2", v);
                state(o, "se:m2");
                o.check("DEL", "se:mnx");
                write(o, "se:mnx", "MSETNX", "se:mnx", v);
                write(o, "se:opt", "SET", "se:opt", v, "KEEPTTL", "GET");
                write(o, "se:opt", "SET", "se:opt", v, "EX", "100");
                o.check("DEL", "se:ap");
                write(o, "se:ap", "APPEND", "se:ap", v);
            }
        }
    }

    @Test
    void appendAndSetrangeLeaveARawStringForGood() throws Exception {
        try (Oracle o = oracle()) {
            // APPEND to an int, an embstr, a raw string; an empty APPEND still converts
            write(o, "se:a", "APPEND", "se:a", "5");
            write(o, "se:a", "APPEND", "se:a", "6");
            write(o, "se:a", "APPEND", "se:a", "");
            write(o, "se:b", "SET", "se:b", "abc");
            write(o, "se:b", "APPEND", "se:b", "");
            write(o, "se:c", "SET", "se:c", "y".repeat(50));
            write(o, "se:c", "APPEND", "se:c", "z");
            write(o, "se:d", "SET", "se:d", "12345");
            write(o, "se:d", "APPEND", "se:d", "6");
            // a numeric raw string stays raw, however short, until it is replaced
            write(o, "se:d", "SETRANGE", "se:d", "0", "9");
            write(o, "se:e", "APPEND", "se:e", "");
            // SETRANGE: a new key is raw at once; an empty patch changes nothing, not even the encoding
            write(o, "se:f", "SETRANGE", "se:f", "3", "ab");
            write(o, "se:g", "SET", "se:g", "1");
            write(o, "se:g", "SETRANGE", "se:g", "0", "");
            write(o, "se:g", "SETRANGE", "se:g", "0", "2");
            write(o, "se:h", "SET", "se:h", "hello");
            write(o, "se:h", "SETRANGE", "se:h", "10", "world");
            write(o, "se:h", "SETRANGE", "se:h", "2", "LL");
            // growth past the old end after appends, zeros in the gap
            write(o, "se:i", "APPEND", "se:i", "abcdefgh");
            write(o, "se:i", "APPEND", "se:i", "i");
            write(o, "se:i", "SETRANGE", "se:i", "20", "j");
            write(o, "se:i", "APPEND", "se:i", "k");
            // SET replaces the raw string with a fresh encoding
            write(o, "se:i", "SET", "se:i", "42");
        }
    }

    /** Shared integers are shared: a write to one key that holds 5 must not change another that holds 5. */
    @Test
    void sharedIntegersAreNeverWrittenInPlace() throws Exception {
        try (Oracle o = oracle()) {
            for (String k : new String[] {"se:s1", "se:s2", "se:s3", "se:s4", "se:s5"}) o.check("SET", k, "5");
            write(o, "se:s1", "APPEND", "se:s1", "1");
            write(o, "se:s2", "SETRANGE", "se:s2", "0", "7");
            write(o, "se:s3", "INCR", "se:s3");
            write(o, "se:s4", "INCRBYFLOAT", "se:s4", "0.5");
            write(o, "se:cp", "COPY", "se:s5", "se:cp");
            write(o, "se:cp", "INCRBY", "se:cp", "20000");
            write(o, "se:cp", "APPEND", "se:cp", "0");
            state(o, "se:s5");
            o.check("GET", "se:s5");
        }
    }

    @Test
    void countersUpdateUnsharedIntegersInPlace() throws Exception {
        try (Oracle o = oracle()) {
            write(o, "se:n", "SET", "se:n", "10000");
            write(o, "se:n", "INCR", "se:n");
            write(o, "se:n", "DECR", "se:n");
            write(o, "se:n", "DECR", "se:n");  // 9999: a shared integer again
            write(o, "se:n", "INCRBY", "se:n", "1");
            write(o, "se:n", "INCRBY", "se:n", "99989999");
            write(o, "se:n", "INCRBY", "se:n", "-100000000");  // fewer digits, negative, in place
            write(o, "se:n", "DECRBY", "se:n", "9223372036854775807");
            write(o, "se:n", "INCRBY", "se:n", "9223372036854775807");
            write(o, "se:n", "INCR", "se:n");
            write(o, "se:n", "INCRBY", "se:n", "-10");
            // from raw and embstr forms
            write(o, "se:r", "APPEND", "se:r", "1");
            write(o, "se:r", "APPEND", "se:r", "2");
            write(o, "se:r", "INCR", "se:r");
            write(o, "se:r2", "SETRANGE", "se:r2", "0", "123456");
            write(o, "se:r2", "INCRBY", "se:r2", "-123456");
            write(o, "se:f", "INCRBYFLOAT", "se:f", "3");
            write(o, "se:f", "INCR", "se:f");
            write(o, "se:f", "INCRBYFLOAT", "se:f", "1.5");
            write(o, "se:f", "INCRBYFLOAT", "se:f", "1e40");
            write(o, "se:f2", "APPEND", "se:f2", "2.5");
            write(o, "se:f2", "INCRBYFLOAT", "se:f2", "0.5");
            write(o, "se:f3", "SET", "se:f3", "007");
            o.check("INCR", "se:f3");
            state(o, "se:f3");
        }
    }

    @Test
    void keyCommandsKeepOrCopyTheEncoding() throws Exception {
        try (Oracle o = oracle()) {
            o.check("SET", "se:int", "77");
            o.check("SET", "se:big", "123456");
            o.check("SET", "se:emb", "hello");
            o.check("SET", "se:raw", "r".repeat(60));
            o.check("APPEND", "se:app", "12");
            for (String k : new String[] {"se:int", "se:big", "se:emb", "se:raw", "se:app"}) {
                write(o, k + ":copy", "COPY", k, k + ":copy");
                write(o, k + ":ren", "RENAME", k + ":copy", k + ":ren");
                o.check("MOVE", k + ":ren", "10");
                o.check("SELECT", "10");
                state(o, k + ":ren");
                o.check("FLUSHDB");
                o.check("SELECT", "9");
                o.check("GETEX", k, "PX", "100000");
                o.check("GETDEL", k);
                o.check("OBJECT", "ENCODING", k);
            }
            o.check("APPEND", "se:l1", "ohmytext");
            o.check("APPEND", "se:l1", "s");
            o.check("SET", "se:l2", "mynewtext");
            o.check("LCS", "se:l1", "se:l2");
            o.check("LCS", "se:l1", "se:l2", "IDX", "WITHMATCHLEN");
            o.check("MGET", "se:l1", "se:l2");
            o.check("GETRANGE", "se:l1", "-3", "-1");
            o.check("SET", "se:l1", "x", "GET");
        }
    }

    /**
     * A random sequence of string writes over a few keys (fixed seed, printed): after each command its reply,
     * and the encoding, refcount and value of every key it touched, must be Redis's.
     */
    @Test
    void randomWritesKeepEncodingsInStep() throws Exception {
        long seed = 0x5eed_0ddL;
        System.out.println("StringEncodingOracleTest seed " + seed);
        Random rnd = new Random(seed);
        String[] keys = {"se:r0", "se:r1", "se:r2", "se:r3", "se:r4"};
        String[] values = {"0", "5", "9999", "10000", "-3", "123456789", "007", "", "abc", "2.5", "x".repeat(44),
            "y".repeat(45), "9223372036854775807", "12a"};
        try (Oracle o = oracle()) {
            for (int i = 0; i < 2500; i++) {
                String k = keys[rnd.nextInt(keys.length)], k2 = keys[rnd.nextInt(keys.length)];
                String v = values[rnd.nextInt(values.length)];
                List<String> cmd = new ArrayList<>();
                switch (rnd.nextInt(13)) {
                    case 0 -> cmd.addAll(List.of("SET", k, v));
                    case 1, 2 -> cmd.addAll(List.of("APPEND", k, v));
                    case 3 -> cmd.addAll(List.of("SETRANGE", k, Integer.toString(rnd.nextInt(60)), v));
                    case 4 -> cmd.addAll(List.of("INCR", k));
                    case 5 -> cmd.addAll(List.of("DECRBY", k, Integer.toString(rnd.nextInt(20_001) - 10_000)));
                    case 6 -> cmd.addAll(List.of("INCRBYFLOAT", k, rnd.nextBoolean() ? "1" : "0.25"));
                    case 7 -> cmd.addAll(List.of("GETSET", k, v));
                    case 8 -> cmd.addAll(List.of("MSET", k, v, k2, values[rnd.nextInt(values.length)]));
                    case 9 -> cmd.addAll(List.of("COPY", k, k2, "REPLACE"));
                    case 10 -> cmd.addAll(List.of("RENAME", k, k2));
                    case 11 -> cmd.addAll(List.of("SETNX", k, v));
                    default -> cmd.addAll(List.of("DEL", k));
                }
                String label = "command " + i + " (seed " + seed + "): " + cmd;
                String expected = o.redis().call(cmd.toArray(new String[0]));
                String actual = o.ferry().call(cmd.toArray(new String[0]));
                assertEquals(expected, actual, label);
                for (String key : List.of(k, k2)) {
                    for (String[] probe : new String[][] {{"OBJECT", "ENCODING", key}, {"OBJECT", "REFCOUNT", key},
                        {"GET", key}}) {
                        assertEquals(o.redis().call(probe), o.ferry().call(probe),
                            label + " then " + String.join(" ", probe));
                    }
                }
            }
        }
    }
}
