package dev.ferry.command;

import dev.ferry.support.FerryPort;
import dev.ferry.support.Oracle;
import dev.ferry.support.RedisPeer;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every list command's replies and errors, byte for byte against a real redis-server 7.0, in RESP2 and RESP3.
 * Keys are prefixed "lo:" (Ferry's keyspace is shared by all test classes).
 */
@QuarkusTest
class ListOracleTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();

    static Oracle oracle() throws Exception {
        return new Oracle(FerryPort.get(), redis.port());
    }

    @Test
    void resp2() throws Exception {
        try (Oracle o = oracle()) {
            all(o, "lo2:");
        }
    }

    @Test
    void resp3() throws Exception {
        try (Oracle o = oracle()) {
            o.protocol(3);
            all(o, "lo3:");
        }
    }

    private static void all(Oracle o, String p) throws Exception {
        pushAndPop(o, p);
        reads(o, p);
        changes(o, p);
        lpos(o, p);
        moves(o, p);
        lmpop(o, p);
        wrongTypeAndArity(o, p);
        blockingForms(o, p);
    }

    private static void pushAndPop(Oracle o, String p) throws Exception {
        String k = p + "pp";
        o.check("LPUSH", k, "a");
        o.check("LPUSH", k, "b", "c", "d");
        o.check("RPUSH", k, "e", "1", "-1", "9223372036854775807", "");
        o.check("LRANGE", k, "0", "-1");
        o.check("LLEN", k);
        o.check("LPUSHX", p + "none", "a");
        o.check("RPUSHX", p + "none", "a", "b");
        o.check("EXISTS", p + "none");
        o.check("LPUSHX", k, "x", "y");
        o.check("RPUSHX", k, "z");
        o.check("LPOP", k);
        o.check("RPOP", k);
        o.check("LPOP", k, "0");
        o.check("RPOP", k, "0");
        o.check("LPOP", k, "2");
        o.check("RPOP", k, "3");
        o.check("LPOP", k, "-1");
        o.check("LPOP", k, "abc");
        o.check("RPOP", k, "1.5");
        o.check("LPOP", k, "1", "2");
        o.check("LPOP", p + "none");
        o.check("RPOP", p + "none");
        o.check("LPOP", p + "none", "0");
        o.check("LPOP", p + "none", "3");
        o.check("RPOP", p + "none", "-3");
        o.check("LRANGE", k, "0", "-1");
        o.check("RPOP", k, "100");
        o.check("EXISTS", k);
        o.check("RPUSH", k, "only");
        o.check("LPOP", k);
        o.check("EXISTS", k);
        o.check("LLEN", k);
    }

    private static void reads(Oracle o, String p) throws Exception {
        String k = p + "rd";
        String[] push = new String[12];
        push[0] = "RPUSH";
        push[1] = k;
        for (int i = 0; i < 10; i++) push[2 + i] = "v" + i;
        o.check(push);
        for (String[] r : new String[][] {{"0", "-1"}, {"0", "0"}, {"-1", "-1"}, {"-100", "100"}, {"5", "2"}, {"10", "20"},
            {"-3", "-1"}, {"2", "-8"}, {"2", "-9"}, {"9", "9"}, {"-9223372036854775808", "9223372036854775807"},
            {"9223372036854775807", "-9223372036854775808"}, {"x", "1"}, {"1", "x"}, {"1.0", "2"}}) {
            o.check("LRANGE", k, r[0], r[1]);
        }
        o.check("LRANGE", p + "none", "0", "-1");
        o.check("LRANGE", p + "none", "x", "-1");
        for (String i : new String[] {"0", "9", "10", "-1", "-10", "-11", "4", "9223372036854775807", "-9223372036854775808", "x", ""}) {
            o.check("LINDEX", k, i);
        }
        o.check("LINDEX", p + "none", "0");
        o.check("LINDEX", p + "none", "x");
        o.check("LLEN", p + "none");
        o.check("OBJECT", "ENCODING", k);
        o.check("TYPE", k);
    }

    private static void changes(Oracle o, String p) throws Exception {
        String k = p + "ch";
        o.check("RPUSH", k, "a", "b", "c", "b", "a", "b");
        o.check("LSET", k, "0", "A");
        o.check("LSET", k, "-1", "B");
        o.check("LSET", k, "6", "x");
        o.check("LSET", k, "-7", "x");
        o.check("LSET", k, "x", "x");
        o.check("LSET", p + "none", "0", "x");
        o.check("LSET", p + "none", "x", "x");
        o.check("LRANGE", k, "0", "-1");
        o.check("LINSERT", k, "BEFORE", "b", "1");
        o.check("LINSERT", k, "after", "b", "2");
        o.check("LINSERT", k, "AFTER", "B", "3");
        o.check("LINSERT", k, "before", "A", "0");
        o.check("LINSERT", k, "before", "nope", "0");
        o.check("LINSERT", k, "middle", "b", "0");
        o.check("LINSERT", p + "none", "before", "b", "0");
        o.check("LINSERT", p + "none", "middle", "b", "0");
        o.check("LRANGE", k, "0", "-1");
        o.check("LREM", k, "1", "b");
        o.check("LRANGE", k, "0", "-1");
        o.check("LREM", k, "-1", "b");
        o.check("LRANGE", k, "0", "-1");
        o.check("RPUSH", k, "b", "b", "c", "b");
        o.check("LREM", k, "0", "b");
        o.check("LREM", k, "0", "zz");
        o.check("LREM", k, "x", "b");
        o.check("LREM", p + "none", "x", "b");
        o.check("LREM", p + "none", "1", "b");
        o.check("LRANGE", k, "0", "-1");
        o.check("RPUSH", k, "c", "c", "c");
        o.check("LREM", k, "-9223372036854775808", "c");
        o.check("LRANGE", k, "0", "-1");
        o.check("LTRIM", k, "1", "-2");
        o.check("LRANGE", k, "0", "-1");
        o.check("LTRIM", k, "0", "100");
        o.check("LTRIM", k, "-100", "100");
        o.check("LTRIM", k, "x", "1");
        o.check("LTRIM", p + "none", "0", "1");
        o.check("LTRIM", p + "none", "x", "1");
        o.check("LRANGE", k, "0", "-1");
        o.check("LTRIM", k, "5", "1");
        o.check("EXISTS", k);
        o.check("RPUSH", k, "a", "b");
        o.check("LREM", k, "0", "a");
        o.check("LREM", k, "0", "b");
        o.check("EXISTS", k);
    }

    private static void lpos(Oracle o, String p) throws Exception {
        String k = p + "pos";
        o.check("RPUSH", k, "a", "b", "c", "1", "2", "3", "c", "c");
        String[][] cases = {
            {"c"}, {"x"}, {"c", "RANK", "2"}, {"c", "RANK", "-1"}, {"c", "RANK", "-3"}, {"c", "RANK", "4"},
            {"c", "RANK", "0"}, {"c", "COUNT", "0"}, {"c", "COUNT", "2"}, {"c", "COUNT", "10"}, {"x", "COUNT", "0"},
            {"c", "COUNT", "-1"}, {"c", "MAXLEN", "-1"}, {"c", "MAXLEN", "3"}, {"c", "MAXLEN", "2"},
            {"c", "RANK", "-1", "COUNT", "2", "MAXLEN", "2"}, {"c", "RANK", "2", "COUNT", "0"}, {"c", "rank", "x"},
            {"c", "COUNT", "x"}, {"c", "MAXLEN", "x"}, {"c", "RANK"}, {"c", "FOO", "1"}, {"c", "COUNT", "1", "RANK"},
            {"c", "RANK", "-9223372036854775807"}, {"c", "RANK", "9223372036854775807"}, {"c", "RANK", "-2", "COUNT", "0"},
            {"c", "MAXLEN", "0", "COUNT", "0"},
            {"c", "RANK", "-9223372036854775808"}, {"c", "RANK", "-9223372036854775808", "COUNT", "0"},
            {"c", "RANK", "-9223372036854775808", "COUNT", "2"},
        };
        for (String[] c : cases) {
            String[] cmd = new String[2 + c.length];
            cmd[0] = "LPOS";
            cmd[1] = k;
            System.arraycopy(c, 0, cmd, 2, c.length);
            o.check(cmd);
        }
        o.check("LPOS", p + "none", "a");
        o.check("LPOS", p + "none", "a", "COUNT", "1");
        o.check("LPOS", p + "none", "a", "RANK", "0");
        o.check("LPOS", p + "none", "a", "BAD");
    }

    private static void moves(Oracle o, String p) throws Exception {
        String s = p + "src", d = p + "dst";
        o.check("RPUSH", s, "a", "b", "c");
        o.check("LMOVE", s, d, "LEFT", "RIGHT");
        o.check("LMOVE", s, d, "right", "left");
        o.check("LMOVE", s, d, "UP", "left");
        o.check("LMOVE", s, d, "left", "DOWN");
        o.check("LMOVE", p + "none", d, "UP", "left");
        o.check("LMOVE", p + "none", d, "left", "left");
        o.check("LRANGE", d, "0", "-1");
        o.check("LMOVE", d, d, "left", "right");
        o.check("LRANGE", d, "0", "-1");
        o.check("RPOPLPUSH", d, d);
        o.check("LRANGE", d, "0", "-1");
        o.check("RPOPLPUSH", s, d);
        o.check("EXISTS", s);
        o.check("RPOPLPUSH", s, d);
        o.check("LRANGE", d, "0", "-1");
        o.check("SET", p + "str", "x");
        o.check("LMOVE", d, p + "str", "left", "left");
        o.check("RPOPLPUSH", p + "str", d);
        o.check("RPOPLPUSH", d, p + "str");
        o.check("LRANGE", d, "0", "-1");
        o.check("RPUSH", p + "one", "x");
        o.check("LMOVE", p + "one", p + "one", "left", "left");
        o.check("LRANGE", p + "one", "0", "-1");
        o.check("LMOVE", p + "one", p + "two", "left", "left");
        o.check("EXISTS", p + "one");
        o.check("LRANGE", p + "two", "0", "-1");
    }

    private static void lmpop(Oracle o, String p) throws Exception {
        String a = p + "ma", b = p + "mb";
        o.check("RPUSH", b, "1", "2", "3", "4", "5");
        o.check("LMPOP", "2", a, b, "LEFT");
        o.check("LMPOP", "2", a, b, "RIGHT", "COUNT", "2");
        o.check("LMPOP", "1", a, "LEFT");
        o.check("LMPOP", "2", a, b, "left", "count", "10");
        o.check("EXISTS", b);
        o.check("LMPOP", "2", a, b, "left");
        o.check("LMPOP", "0", a, "left");
        o.check("LMPOP", "-1", a, "left");
        o.check("LMPOP", "x", a, "left");
        o.check("LMPOP", "3", a, "left");
        o.check("LMPOP", "1", a, "middle");
        o.check("LMPOP", "1", a, "left", "COUNT");
        o.check("LMPOP", "1", a, "left", "COUNT", "0");
        o.check("LMPOP", "1", a, "left", "COUNT", "-1");
        o.check("LMPOP", "1", a, "left", "COUNT", "x");
        o.check("LMPOP", "1", a, "left", "COUNT", "1", "COUNT", "1");
        o.check("LMPOP", "1", a, "left", "FOO");
        o.check("LMPOP", "9223372036854775807", a, "left");
        o.check("SET", p + "mstr", "x");
        o.check("LMPOP", "2", a, p + "mstr", "left");
        o.check("RPUSH", a, "x");
        o.check("LMPOP", "2", a, p + "mstr", "left");
        o.check("LMPOP", "2", p + "mstr", a, "left");
    }

    private static void wrongTypeAndArity(Oracle o, String p) throws Exception {
        String s = p + "string";
        o.check("SET", s, "v");
        String[][] cases = {
            {"LPUSH", s, "a"}, {"RPUSH", s, "a"}, {"LPUSHX", s, "a"}, {"RPUSHX", s, "a"}, {"LPOP", s}, {"RPOP", s},
            {"LPOP", s, "2"}, {"LPOP", s, "0"}, {"LLEN", s}, {"LRANGE", s, "0", "1"}, {"LINDEX", s, "0"},
            {"LINDEX", s, "x"}, {"LSET", s, "0", "x"}, {"LINSERT", s, "BEFORE", "a", "b"}, {"LREM", s, "0", "a"},
            {"LTRIM", s, "0", "1"}, {"LPOS", s, "a"}, {"LMOVE", s, p + "x", "LEFT", "LEFT"}, {"RPOPLPUSH", s, p + "x"},
            {"LMPOP", "1", s, "LEFT"}, {"BLPOP", s, "0"}, {"BRPOP", p + "nothing", s, "0"}, {"BLMOVE", s, p + "x", "LEFT", "LEFT", "0"},
            {"BRPOPLPUSH", s, p + "x", "0"}, {"BLMPOP", "0", "1", s, "LEFT"},
            {"GET", p + "pp"},
            {"LPUSH", s}, {"LPOP"}, {"LLEN"}, {"LLEN", s, s}, {"LRANGE", s, "0"}, {"LINDEX", s}, {"LSET", s, "0"},
            {"LINSERT", s, "BEFORE", "a"}, {"LREM", s, "0"}, {"LTRIM", s, "0"}, {"LPOS", s}, {"LMOVE", s, s, "LEFT"},
            {"RPOPLPUSH", s}, {"LMPOP", "1", s}, {"BLPOP", s}, {"BLMOVE", s, s, "LEFT", "LEFT"}, {"BRPOPLPUSH", s, s},
            {"BLMPOP", "0", "1", s},
        };
        for (String[] c : cases) o.check(c);
        o.check("RPUSH", p + "lst", "a");
        o.check("GET", p + "lst");
        o.check("INCR", p + "lst");
    }

    /** The blocking commands where they do not block: data there, argument errors, and inside MULTI. */
    private static void blockingForms(Oracle o, String p) throws Exception {
        String a = p + "ba", b = p + "bb";
        o.check("RPUSH", b, "1", "2", "3", "4");
        o.check("BLPOP", a, b, "0");
        o.check("BRPOP", a, b, "0.5");
        o.check("BLMOVE", b, a, "LEFT", "RIGHT", "0");
        o.check("BRPOPLPUSH", b, a, "0");
        o.check("BLMPOP", "0", "2", p + "none", a, "RIGHT", "COUNT", "5");
        o.check("BLPOP", a, "-1");
        o.check("BLPOP", a, "x");
        o.check("BLPOP", a, "");
        o.check("BLPOP", a, "nan");
        o.check("BLPOP", a, "-0.002");
        o.check("BLPOP", a, "1e16");
        o.check("BLPOP", a, "9223372036854775807");
        o.check("BLPOP", a, "inf");
        o.check("BRPOP", a, "1e400");
        o.check("BLMOVE", a, b, "LEFT", "UP", "0");
        o.check("BLMOVE", a, b, "LEFT", "LEFT", "x");
        o.check("BLMOVE", a, b, "X", "LEFT", "x");
        o.check("BRPOPLPUSH", a, b, "-1");
        o.check("BLMPOP", "x", "1", a, "LEFT");
        o.check("BLMPOP", "-1", "1", a, "LEFT");
        o.check("BLMPOP", "0", "0", a, "LEFT");
        o.check("BLMPOP", "0", "1", a, "UP");
        o.check("BLMPOP", "0", "1", a, "LEFT", "COUNT", "0");
        o.check("BLMPOP", "0", "2", a, "LEFT");
        // inside MULTI a blocking command never blocks: it answers as its non-blocking form would on empty keys
        o.check("MULTI");
        o.check("BLPOP", a, "0");
        o.check("BRPOP", a, b, "0");
        o.check("BLMOVE", a, b, "LEFT", "LEFT", "0");
        o.check("BRPOPLPUSH", a, b, "0");
        o.check("BLMPOP", "0", "1", a, "LEFT");
        o.check("RPUSH", a, "x", "y");
        o.check("BLMPOP", "0", "1", a, "LEFT");
        o.check("BLPOP", a, "0");
        o.check("EXEC");
    }
}
