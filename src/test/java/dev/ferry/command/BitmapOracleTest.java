package dev.ferry.command;

import dev.ferry.support.FerryPort;
import dev.ferry.support.Oracle;
import dev.ferry.support.RedisPeer;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.ferry.command.StringOracleTest.onFerry;

/**
 * SETBIT, GETBIT, BITCOUNT, BITPOS and BITOP: replies and errors byte for byte against a real redis-server
 * 7.0, edge cases and every error of bitops.c included. Keys are prefixed "bo:".
 */
@QuarkusTest
class BitmapOracleTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();

    static Oracle oracle() throws Exception {
        return new Oracle(FerryPort.get(), redis.port());
    }

    @Test
    void setbitAndGetbit() throws Exception {
        try (Oracle o = oracle()) {
            o.check("GETBIT", "bo:s", "0");
            o.check("SETBIT", "bo:s", "7", "1");
            o.check("GET", "bo:s");
            o.check("OBJECT", "ENCODING", "bo:s");
            o.check("SETBIT", "bo:s", "7", "1");
            o.check("SETBIT", "bo:s", "7", "0");
            o.check("SETBIT", "bo:s", "0", "1");
            o.check("SETBIT", "bo:s", "100", "1");
            o.check("STRLEN", "bo:s");
            o.check("GET", "bo:s");
            o.check("SETBIT", "bo:s", "200", "0");
            o.check("STRLEN", "bo:s");
            o.check("GETBIT", "bo:s", "0");
            o.check("GETBIT", "bo:s", "1");
            o.check("GETBIT", "bo:s", "100");
            o.check("GETBIT", "bo:s", "100000");
            o.check("getbit", "bo:s", "4294967295");
            // integers and embstr become raw strings
            o.check("SET", "bo:i", "123");
            o.check("GETBIT", "bo:i", "2");
            o.check("GETBIT", "bo:i", "3");
            o.check("SETBIT", "bo:i", "7", "0");
            o.check("GET", "bo:i");
            o.check("OBJECT", "ENCODING", "bo:i");
            o.check("SET", "bo:e", "hello");
            o.check("SETBIT", "bo:e", "2", "1");
            o.check("GET", "bo:e");
            o.check("OBJECT", "ENCODING", "bo:e");
            o.check("SET", "bo:e2", "hello");
            o.check("SETBIT", "bo:e2", "1", "1");
            o.check("GET", "bo:e2");
            // a TTL survives SETBIT
            o.check("SET", "bo:t", "x", "EX", "1000");
            o.check("SETBIT", "bo:t", "30", "1");
            o.check("TTL", "bo:t");
            // errors: offset first, then the bit, then the type
            o.check("SETBIT", "bo:s", "-1", "1");
            o.check("SETBIT", "bo:s", "abc", "1");
            o.check("SETBIT", "bo:s", "1.5", "1");
            o.check("SETBIT", "bo:s", "", "1");
            o.check("SETBIT", "bo:s", "4294967296", "1");
            o.check("SETBIT", "bo:s", "9223372036854775807", "1");
            o.check("SETBIT", "bo:s", "99999999999999999999", "1");
            o.check("SETBIT", "bo:s", "0", "2");
            o.check("SETBIT", "bo:s", "0", "-1");
            o.check("SETBIT", "bo:s", "0", "x");
            o.check("SETBIT", "bo:s", "0", "");
            o.check("SETBIT", "bo:s", "-1", "x");
            o.check("GETBIT", "bo:s", "-1");
            o.check("GETBIT", "bo:s", "x");
            o.check("GETBIT", "bo:s", "4294967296");
            o.check("GETBIT", "bo:nokey", "4294967296");
            o.check("SETBIT", "bo:s");
            o.check("SETBIT", "bo:s", "1", "1", "1");
            o.check("GETBIT", "bo:s");
            o.check("GETBIT", "bo:s", "1", "2");
            o.check("EXISTS", "bo:never");
            o.check("SETBIT", "bo:never", "-1", "1");
            o.check("SETBIT", "bo:never", "1", "2");
            o.check("EXISTS", "bo:never");
        }
    }

    @Test
    void bitcount() throws Exception {
        try (Oracle o = oracle()) {
            o.check("SET", "bo:c", "foobar");
            o.check("BITCOUNT", "bo:c");
            o.check("BITCOUNT", "bo:c", "0", "0");
            o.check("BITCOUNT", "bo:c", "1", "1");
            o.check("BITCOUNT", "bo:c", "1", "1", "BYTE");
            o.check("BITCOUNT", "bo:c", "5", "30", "BIT");
            o.check("BITCOUNT", "bo:c", "5", "30", "bit");
            o.check("BITCOUNT", "bo:c", "0", "-1", "BIT");
            o.check("BITCOUNT", "bo:c", "-2", "-1");
            o.check("BITCOUNT", "bo:c", "-1", "-2");
            o.check("BITCOUNT", "bo:c", "-1", "-2", "nonsense");
            o.check("BITCOUNT", "bo:c", "-100", "100");
            o.check("BITCOUNT", "bo:c", "-100", "100", "BIT");
            o.check("BITCOUNT", "bo:c", "3", "1");
            o.check("BITCOUNT", "bo:c", "3", "3", "BIT");
            o.check("BITCOUNT", "bo:c", "1", "6", "BIT");
            o.check("BITCOUNT", "bo:c", "47", "47", "BIT");
            o.check("BITCOUNT", "bo:c", "48", "100", "BIT");
            o.check("BITCOUNT", "bo:c", "-9223372036854775808", "9223372036854775807");
            o.check("BITCOUNT", "bo:c", "-9223372036854775808", "9223372036854775807", "BIT");
            o.check("BITCOUNT", "bo:c", "0");
            o.check("BITCOUNT", "bo:c", "0", "1", "BIT", "x");
            o.check("BITCOUNT", "bo:c", "0", "1", "WORD");
            o.check("BITCOUNT", "bo:c", "a", "1");
            o.check("BITCOUNT", "bo:c", "1", "a");
            o.check("BITCOUNT", "bo:c", "1", "a", "WORD");
            // a missing key answers 0 before its arguments are read (7.0)
            o.check("BITCOUNT", "bo:nokey");
            o.check("BITCOUNT", "bo:nokey", "0");
            o.check("BITCOUNT", "bo:nokey", "a", "b", "c");
            o.check("BITCOUNT", "bo:nokey", "0", "1", "2", "3");
            o.check("SET", "bo:empty", "");
            o.check("BITCOUNT", "bo:empty");
            o.check("BITCOUNT", "bo:empty", "0", "-1");
            o.check("BITCOUNT", "bo:empty", "0", "-1", "BIT");
            o.check("SET", "bo:ci", "-12345");
            o.check("BITCOUNT", "bo:ci");
            o.check("BITCOUNT", "bo:ci", "1", "3", "BIT");
            // long enough for the eight-byte loop
            o.check("SET", "bo:long", "The quick brown fox jumps over the lazy dog, again and again.");
            for (String[] r : new String[][] {{"0", "-1"}, {"3", "40"}, {"-30", "-2"}}) {
                o.check("BITCOUNT", "bo:long", r[0], r[1]);
                o.check("BITCOUNT", "bo:long", r[0], r[1], "BYTE");
            }
            for (String[] r : new String[][] {{"0", "-1"}, {"3", "400"}, {"13", "77"}, {"-300", "-9"}, {"9", "9"}}) {
                o.check("BITCOUNT", "bo:long", r[0], r[1], "BIT");
            }
        }
    }

    @Test
    void bitpos() throws Exception {
        try (Oracle o = oracle()) {
            o.check("SET", "bo:p", "\u0000\u00ff\u00f0");
            o.check("BITPOS", "bo:p", "1");
            o.check("BITPOS", "bo:p", "0");
            o.check("BITPOS", "bo:p", "1", "2");
            o.check("BITPOS", "bo:p", "1", "2", "-1", "BYTE");
            o.check("BITPOS", "bo:p", "1", "7", "15", "BIT");
            o.check("BITPOS", "bo:p", "1", "7", "-3", "bit");
            o.check("BITPOS", "bo:p", "0", "8", "15", "BIT");
            o.check("BITPOS", "bo:p", "0", "8", "BIT");
            o.check("BITPOS", "bo:p", "0", "1", "1");
            o.check("BITPOS", "bo:p", "0", "1");
            o.check("BITPOS", "bo:p", "1", "3", "1");
            o.check("BITPOS", "bo:p", "0", "-1", "-3");
            o.check("BITPOS", "bo:p", "0", "100");
            o.check("BITPOS", "bo:p", "1", "-100", "100");
            o.check("BITPOS", "bo:p", "1", "-100", "100", "BIT");
            // all ones: a clear bit is the first one past the end, unless an end was given
            o.check("SET", "bo:ones", "\u00ff\u00ff\u00ff");
            o.check("BITPOS", "bo:ones", "0");
            o.check("BITPOS", "bo:ones", "0", "0");
            o.check("BITPOS", "bo:ones", "0", "1");
            o.check("BITPOS", "bo:ones", "0", "0", "-1");
            o.check("BITPOS", "bo:ones", "0", "2", "BIT");
            o.check("BITPOS", "bo:ones", "0", "2", "-1", "BIT");
            o.check("BITPOS", "bo:ones", "0", "2", "9", "BIT");
            o.check("BITPOS", "bo:ones", "1", "-1");
            o.check("SET", "bo:zeros", "\u0000\u0000\u0000");
            o.check("BITPOS", "bo:zeros", "1");
            o.check("BITPOS", "bo:zeros", "1", "0", "-1", "BIT");
            o.check("BITPOS", "bo:zeros", "0", "5", "BIT");
            // missing and empty keys
            o.check("BITPOS", "bo:nokey", "0");
            o.check("BITPOS", "bo:nokey", "1");
            o.check("BITPOS", "bo:nokey", "0", "x", "y", "z");
            o.check("SET", "bo:empty", "");
            o.check("BITPOS", "bo:empty", "0");
            o.check("BITPOS", "bo:empty", "1");
            o.check("BITPOS", "bo:empty", "0", "0", "-1");
            o.check("BITPOS", "bo:empty", "0", "0", "-1", "BIT");
            o.check("SET", "bo:pi", "5");
            o.check("BITPOS", "bo:pi", "1");
            o.check("BITPOS", "bo:pi", "0", "2", "BIT");
            // errors
            o.check("BITPOS", "bo:p", "2");
            o.check("BITPOS", "bo:p", "-1");
            o.check("BITPOS", "bo:p", "x");
            o.check("BITPOS", "bo:nokey", "2");
            o.check("BITPOS", "bo:p", "1", "x");
            o.check("BITPOS", "bo:p", "1", "0", "x");
            o.check("BITPOS", "bo:p", "1", "0", "x", "WORD");
            o.check("BITPOS", "bo:p", "1", "0", "x", "BIT");
            o.check("BITPOS", "bo:p", "1", "0", "1", "WORD");
            o.check("BITPOS", "bo:p", "1", "0", "1", "BIT", "x");
            o.check("BITPOS", "bo:p");
            // long enough for the eight-byte loop
            o.check("SETBIT", "bo:lp", "400", "1");
            o.check("BITPOS", "bo:lp", "1");
            o.check("BITPOS", "bo:lp", "1", "3");
            o.check("BITPOS", "bo:lp", "1", "3", "49");
            o.check("BITPOS", "bo:lp", "1", "3", "399", "BIT");
            o.check("BITPOS", "bo:lp", "0", "400", "BIT");
            o.check("BITPOS", "bo:lp", "0", "400", "400", "BIT");
            o.check("BITOP", "NOT", "bo:lpn", "bo:lp");
            o.check("BITPOS", "bo:lpn", "0");
            o.check("BITPOS", "bo:lpn", "0", "1", "-1");
            o.check("BITPOS", "bo:lpn", "1", "401", "BIT");
            o.check("BITPOS", "bo:lpn", "0", "401", "BIT");
        }
    }

    @Test
    void bitop() throws Exception {
        try (Oracle o = oracle()) {
            o.check("SET", "bo:a", "foobar");
            o.check("SET", "bo:b", "abcdef");
            o.check("SET", "bo:s", "ab");
            for (String op : new String[] {"AND", "OR", "XOR", "and", "Or", "xOr"}) {
                o.check("BITOP", op, "bo:d", "bo:a", "bo:b");
                o.check("GET", "bo:d");
                o.check("BITOP", op, "bo:d", "bo:a", "bo:s", "bo:nokey");
                o.check("GET", "bo:d");
                o.check("BITOP", op, "bo:d", "bo:s", "bo:a");
                o.check("GET", "bo:d");
                o.check("BITOP", op, "bo:d", "bo:nokey", "bo:s");
                o.check("GET", "bo:d");
                o.check("BITOP", op, "bo:d", "bo:a");
                o.check("GET", "bo:d");
                o.check("BITOP", op, "bo:a2", "bo:a", "bo:a");
                o.check("GET", "bo:a2");
            }
            o.check("BITOP", "NOT", "bo:d", "bo:a");
            o.check("GET", "bo:d");
            o.check("OBJECT", "ENCODING", "bo:d");
            o.check("bitop", "not", "bo:d", "bo:d");
            o.check("GET", "bo:d");
            o.check("SET", "bo:n", "12");
            o.check("BITOP", "NOT", "bo:d", "bo:n");
            o.check("GET", "bo:d");
            // the destination loses its TTL; in place is fine
            o.check("SET", "bo:t", "x", "EX", "1000");
            o.check("BITOP", "OR", "bo:t", "bo:t", "bo:s");
            o.check("TTL", "bo:t");
            o.check("GET", "bo:t");
            // nothing to compute: the destination goes away
            o.check("BITOP", "AND", "bo:d", "bo:nokey");
            o.check("EXISTS", "bo:d");
            o.check("BITOP", "OR", "bo:d", "bo:nokey", "bo:nokey2");
            o.check("SET", "bo:empty", "");
            o.check("SET", "bo:d", "x");
            o.check("BITOP", "XOR", "bo:d", "bo:empty", "bo:nokey");
            o.check("EXISTS", "bo:d");
            o.check("BITOP", "NOT", "bo:d", "bo:empty");
            o.check("EXISTS", "bo:d");
            // long enough for any chunked loop
            o.check("SET", "bo:l1", "The quick brown fox jumps over the lazy dog, again and again.");
            o.check("SET", "bo:l2", "Pack my box with five dozen liquor jugs!");
            for (String op : new String[] {"AND", "OR", "XOR"}) {
                o.check("BITOP", op, "bo:d", "bo:l1", "bo:l2", "bo:a");
                o.check("GET", "bo:d");
            }
            o.check("BITOP", "NOT", "bo:d", "bo:l1");
            o.check("GET", "bo:d");
            // errors
            o.check("BITOP", "NOT", "bo:d", "bo:a", "bo:b");
            o.check("BITOP", "not", "bo:d", "bo:nokey", "bo:nokey");
            o.check("BITOP", "NAND", "bo:d", "bo:a");
            o.check("BITOP", "", "bo:d", "bo:a");
            o.check("BITOP", "NOT", "bo:d");
            o.check("BITOP", "AND", "bo:d");
            o.check("BITOP", "XOR2", "bo:d", "bo:a");
        }
    }

    /** WATCH sees the writes, not the no-ops: SETBIT of a bit the string already has touches nothing. */
    @Test
    void watch() throws Exception {
        try (Oracle o = oracle()) {
            o.check("SET", "bo:w", "hello");
            String[][] unchanged = {{"SETBIT", "bo:w", "2", "1"}, {"SETBIT", "bo:w", "0", "0"},
                {"BITOP", "AND", "bo:wnone", "bo:nokey"}};
            String[][] changed = {{"SETBIT", "bo:w", "0", "1"}, {"SETBIT", "bo:w", "100", "0"},
                {"BITOP", "NOT", "bo:w", "bo:w"}, {"BITOP", "OR", "bo:w", "bo:nokey"}};
            for (String[][] group : new String[][][] {unchanged, changed}) {
                for (String[] cmd : group) {
                    String watched = cmd[0].equals("BITOP") ? cmd[2] : cmd[1];
                    o.check("SET", "bo:w", "hello");
                    o.check("WATCH", watched);
                    o.check(cmd);
                    o.check("MULTI");
                    o.check("GET", "bo:w");
                    o.check("EXEC");
                }
            }
        }
    }

    /** SETBIT and GETBIT offsets stop below proto-max-bulk-len bytes. */
    @Test
    void protoMaxBulkLenCapsOffsets() throws Exception {
        long saved = onFerry(ctx -> ctx.settings().protoMaxBulkLen);
        try (Oracle o = oracle()) {
            onFerry(ctx -> ctx.settings().protoMaxBulkLen = 1024 * 1024);
            o.redis().call("CONFIG", "SET", "proto-max-bulk-len", "1048576");
            o.check("SETBIT", "bo:pm", "8388608", "1");
            o.check("GETBIT", "bo:pm", "8388608");
            o.check("SETBIT", "bo:pm", "8388607", "1");
            o.check("STRLEN", "bo:pm");
            o.check("GETBIT", "bo:pm", "8388607");
            o.check("BITCOUNT", "bo:pm");
            o.check("BITPOS", "bo:pm", "1");
            o.check("BITPOS", "bo:pm", "0", "-1");
            o.check("BITPOS", "bo:pm", "1", "-1048576", "-1");
            o.check("SETBIT", "bo:pm", "8388600", "1");
            o.check("BITCOUNT", "bo:pm", "-1", "-1");
            o.check("BITOP", "NOT", "bo:pmn", "bo:pm");
            o.check("BITCOUNT", "bo:pmn");
            o.check("BITPOS", "bo:pmn", "0");
            o.check("DEL", "bo:pm", "bo:pmn");
        } finally {
            onFerry(ctx -> ctx.settings().protoMaxBulkLen = saved);
            try (Oracle o = oracle()) {
                o.redis().call("CONFIG", "SET", "proto-max-bulk-len", "536870912");
            }
        }
    }
}
