package dev.ferry.command;

import dev.ferry.support.FerryPort;
import dev.ferry.support.Oracle;
import dev.ferry.support.RedisPeer;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every hash command's replies and errors, byte for byte against a real redis-server 7.0, in RESP2 and RESP3,
 * with the encoding (OBJECT ENCODING) checked where the listpack converts to a hashtable. Keys are prefixed
 * "ho:". Replies whose order depends on a hashtable's layout are compared as sorted multisets.
 */
@QuarkusTest
class HashOracleTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer("--enable-debug-command", "local");

    static Oracle oracle() throws Exception {
        return new Oracle(FerryPort.get(), redis.port());
    }

    /** Both servers back to the default thresholds (Ferry's settings outlive this class). */
    @AfterEach
    void defaults() throws Exception {
        try (Oracle o = oracle()) {
            o.check("CONFIG", "SET", "hash-max-listpack-entries", "512");
            o.check("CONFIG", "SET", "hash-max-listpack-value", "64");
        }
    }

    @Test
    void setGetAndFriends() throws Exception {
        for (int protocol : new int[] {2, 3}) {
            try (Oracle o = oracle()) {
                o.protocol(protocol);
                String k = "ho:sg" + protocol;
                o.check("DEL", k);
                o.check("HSET", k, "f1", "v1");
                o.check("HSET", k, "f1", "v2", "f2", "2", "f3", "-3");
                o.check("HSET", k, "f1");
                o.check("HSET", k, "f1", "v", "f2");
                o.check("HSET", k);
                o.check("HMSET", k, "f4", "4", "f5");
                o.check("HMSET", k, "f4", "4", "f5", "12345678901234567890");
                o.check("HSETNX", k, "f1", "x");
                o.check("HSETNX", k, "f6", "x");
                o.check("HSETNX", k, "f6");
                o.check("HGET", k, "f1");
                o.check("HGET", k, "f2");
                o.check("HGET", k, "f3");
                o.check("HGET", k, "nope");
                o.check("HGET", "ho:none", "f");
                o.check("HMGET", k, "f1", "nope", "f2", "f5");
                o.check("HMGET", "ho:none", "a", "b");
                o.check("HMGET", k);
                o.check("HLEN", k);
                o.check("HLEN", "ho:none");
                o.check("HSTRLEN", k, "f1");
                o.check("HSTRLEN", k, "f3");
                o.check("HSTRLEN", k, "f5");
                o.check("HSTRLEN", k, "nope");
                o.check("HSTRLEN", "ho:none", "f");
                o.check("HEXISTS", k, "f1");
                o.check("HEXISTS", k, "nope");
                o.check("HEXISTS", "ho:none", "f");
                o.check("HKEYS", k);
                o.check("HVALS", k);
                o.check("HGETALL", k);
                o.check("HKEYS", "ho:none");
                o.check("HVALS", "ho:none");
                o.check("HGETALL", "ho:none");
                o.check("OBJECT", "ENCODING", k);
                o.check("TYPE", k);
                o.check("HDEL", k, "f1", "nope", "f1", "f2");
                o.check("HDEL", "ho:none", "f");
                o.check("HDEL", k);
                o.check("HGETALL", k);
                o.check("HDEL", k, "f3", "f4", "f5", "f6", "more");
                o.check("EXISTS", k);
                o.check("HSET", k, "", "");
                o.check("HGET", k, "");
                o.check("HGETALL", k);
                o.check("DEL", k);
            }
        }
    }

    @Test
    void integerLookingFieldsAndValues() throws Exception {
        try (Oracle o = oracle()) {
            String k = "ho:int";
            o.check("DEL", k);
            String[] tricky = {"0", "-0", "00", "1", "-1", "127", "128", "-4096", "4095", "4096", "32767", "32768",
                "8388607", "8388608", "2147483647", "2147483648", "9223372036854775807", "-9223372036854775808",
                "9223372036854775808", "+1", " 1", "1.0", "abc"};
            for (String t : tricky) o.check("HSET", k, t, t + "v");
            for (String t : tricky) o.check("HSET", k, t + "f", t);
            for (String t : tricky) {
                o.check("HGET", k, t);
                o.check("HGET", k, t + "f");
                o.check("HSTRLEN", k, t + "f");
                o.check("HEXISTS", k, t);
            }
            o.check("HGETALL", k);
            o.check("DEBUG", "DIGEST-VALUE", k);
            o.check("HDEL", k, "-0", "128", "abc");
            o.check("HGETALL", k);
            o.check("DEBUG", "DIGEST-VALUE", k);
        }
    }

    @Test
    void wrongType() throws Exception {
        try (Oracle o = oracle()) {
            String k = "ho:str";
            o.check("SET", k, "x");
            o.check("HSET", k, "f", "v");
            o.check("HMSET", k, "f", "v");
            o.check("HSETNX", k, "f", "v");
            o.check("HGET", k, "f");
            o.check("HMGET", k, "f");
            o.check("HDEL", k, "f");
            o.check("HLEN", k);
            o.check("HSTRLEN", k, "f");
            o.check("HEXISTS", k, "f");
            o.check("HKEYS", k);
            o.check("HVALS", k);
            o.check("HGETALL", k);
            o.check("HINCRBY", k, "f", "1");
            o.check("HINCRBY", k, "f", "x");
            o.check("HINCRBYFLOAT", k, "f", "1");
            o.check("HINCRBYFLOAT", k, "f", "x");
            o.check("HRANDFIELD", k);
            o.check("HRANDFIELD", k, "1");
            o.check("HRANDFIELD", k, "x");
            o.check("HSCAN", k, "0");
            o.check("HSCAN", k, "x");
            o.check("HSET", "ho:h", "f", "v");
            o.check("GET", "ho:h");
            o.check("INCR", "ho:h");
            o.check("DEL", k, "ho:h");
        }
    }

    @Test
    void incrby() throws Exception {
        for (int protocol : new int[] {2, 3}) {
            try (Oracle o = oracle()) {
                o.protocol(protocol);
                String k = "ho:incr";
                o.check("DEL", k);
                o.check("HINCRBY", k, "a", "5");
                o.check("HINCRBY", k, "a", "-10");
                o.check("HINCRBY", k, "a", "x");
                o.check("HINCRBY", k, "a", "1.5");
                o.check("HINCRBY", k, "a", "");
                o.check("HINCRBY", k, "b", "9223372036854775807");
                o.check("HINCRBY", k, "b", "1");
                o.check("HINCRBY", k, "c", "-9223372036854775808");
                o.check("HINCRBY", k, "c", "-1");
                o.check("HSET", k, "s", "abc", "f", "1.5", "sp", " 1", "big", "9223372036854775808");
                o.check("HINCRBY", k, "s", "1");
                o.check("HINCRBY", k, "f", "1");
                o.check("HINCRBY", k, "sp", "1");
                o.check("HINCRBY", k, "big", "1");
                o.check("HINCRBYFLOAT", k, "a", "1.5");
                o.check("HINCRBYFLOAT", k, "f", "0.25");
                o.check("HINCRBYFLOAT", k, "f", "-1.75");
                o.check("HINCRBYFLOAT", k, "n", "3");
                o.check("HINCRBYFLOAT", k, "n", "1e3");
                o.check("HINCRBYFLOAT", k, "n", "0.1");
                o.check("HINCRBYFLOAT", k, "s", "1");
                o.check("HINCRBYFLOAT", k, "big", "1");
                o.check("HINCRBYFLOAT", k, "n", "x");
                o.check("HINCRBYFLOAT", k, "n", "inf");
                o.check("HINCRBYFLOAT", k, "n", "-inf");
                o.check("HINCRBYFLOAT", k, "n", "nan");
                o.check("HINCRBYFLOAT", k, "n", "");
                o.check("HSET", k, "inf", "inf");
                o.check("HINCRBYFLOAT", k, "inf", "1");
                o.check("HINCRBYFLOAT", k, "x", "1.7976931348623157e308");
                o.check("HINCRBYFLOAT", k, "x", "1.7976931348623157e308");
                o.check("HINCRBYFLOAT", "ho:incrnew", "f", "abc");
                o.check("EXISTS", "ho:incrnew");
                o.check("HINCRBY", "ho:incrnew", "f", "abc");
                o.check("EXISTS", "ho:incrnew");
                sameSorted(o, "HGETALL", k);
                o.check("OBJECT", "ENCODING", k);
                o.check("DEBUG", "DIGEST-VALUE", k);
                o.check("DEL", k);
            }
        }
    }

    @Test
    void conversions() throws Exception {
        try (Oracle o = oracle()) {
            o.check("CONFIG", "SET", "hash-max-listpack-entries", "4");
            o.check("CONFIG", "SET", "hash-max-listpack-value", "8");
            String k = "ho:conv";
            o.check("DEL", k);
            o.check("HSET", k, "a", "1", "b", "2", "c", "3", "d", "4");
            o.check("OBJECT", "ENCODING", k);
            o.check("HSET", k, "d", "5");
            o.check("OBJECT", "ENCODING", k);
            o.check("HSET", k, "e", "5");
            o.check("OBJECT", "ENCODING", k);
            o.check("HDEL", k, "a", "b", "c", "d");
            o.check("OBJECT", "ENCODING", k);
            o.check("DEBUG", "DIGEST-VALUE", k);
            // a long value or field converts, even when the HSET fails nothing else
            o.check("DEL", k);
            o.check("HSET", k, "a", "12345678");
            o.check("OBJECT", "ENCODING", k);
            o.check("HSET", k, "a", "123456789");
            o.check("OBJECT", "ENCODING", k);
            o.check("DEL", k);
            o.check("HSET", k, "123456789", "a");
            o.check("OBJECT", "ENCODING", k);
            // HSETNX on an existing field converts nothing
            o.check("DEL", k);
            o.check("HSET", k, "a", "1");
            o.check("HSETNX", k, "a", "123456789");
            o.check("OBJECT", "ENCODING", k);
            o.check("HSETNX", k, "b", "123456789");
            o.check("OBJECT", "ENCODING", k);
            // HINCRBYFLOAT and HINCRBY results longer than the limit
            o.check("DEL", k);
            o.check("HINCRBYFLOAT", k, "f", "1.5");
            o.check("HINCRBYFLOAT", k, "f", "0.001");
            o.check("OBJECT", "ENCODING", k);
            o.check("DEL", k);
            o.check("HINCRBY", k, "f", "123456789");
            o.check("OBJECT", "ENCODING", k);
            o.check("DEL", k);
            o.check("HINCRBY", k, "longfieldname", "1");
            o.check("OBJECT", "ENCODING", k);
            // an HSET of many pairs past the limit at once
            o.check("DEL", k);
            o.check("HMSET", k, "a", "1", "b", "2", "c", "3", "d", "4", "e", "5", "f", "6");
            o.check("OBJECT", "ENCODING", k);
            o.check("HLEN", k);
            o.check("DEBUG", "DIGEST-VALUE", k);
            sameSorted(o, "HGETALL", k);
            sameSorted(o, "HKEYS", k);
            sameSorted(o, "HVALS", k);
            o.check("HGET", k, "c");
            o.check("HSTRLEN", k, "c");
            o.check("HINCRBY", k, "c", "10");
            o.check("HINCRBYFLOAT", k, "c", "0.5");
            o.check("HEXISTS", k, "c");
            o.check("HMGET", k, "a", "x", "c");
            o.check("HDEL", k, "a", "b", "c", "d", "e", "f");
            o.check("EXISTS", k);
            // entries 0: the first field converts
            o.check("CONFIG", "SET", "hash-max-listpack-entries", "0");
            o.check("HSET", k, "a", "1");
            o.check("OBJECT", "ENCODING", k);
            o.check("DEL", k);
            o.check("CONFIG", "SET", "hash-max-listpack-entries", "4");
            o.check("CONFIG", "SET", "hash-max-listpack-value", "0");
            o.check("HSET", k, "", "");
            o.check("OBJECT", "ENCODING", k);
            o.check("HSET", k, "a", "");
            o.check("OBJECT", "ENCODING", k);
            o.check("DEL", k);
        }
    }

    @Test
    void randfield() throws Exception {
        for (int protocol : new int[] {2, 3}) {
            try (Oracle o = oracle()) {
                o.protocol(protocol);
                String k = "ho:rand";
                o.check("DEL", k);
                o.check("HRANDFIELD", k);
                o.check("HRANDFIELD", k, "5");
                o.check("HRANDFIELD", k, "-5", "WITHVALUES");
                o.check("HRANDFIELD", k, "0");
                o.check("HRANDFIELD", k, "x");
                o.check("HRANDFIELD", k, "1", "WITHVALUE");
                o.check("HRANDFIELD", k, "1", "WITHVALUES", "x");
                o.check("HRANDFIELD", k, "-9223372036854775808");
                o.check("HRANDFIELD", k, "-9223372036854775807");
                o.check("HRANDFIELD", k, "9223372036854775807", "withvalues");
                o.check("HRANDFIELD", k, "-4611686018427387904", "withvalues");
                o.check("HSET", k, "a", "1");
                o.check("HRANDFIELD", k);
                o.check("HRANDFIELD", k, "1");
                o.check("HRANDFIELD", k, "-3");
                o.check("HRANDFIELD", k, "-3", "withvalues");
                o.check("HRANDFIELD", k, "5", "WITHVALUES");
                o.check("HRANDFIELD", k, "0", "WITHVALUES");
                o.check("HSET", k, "b", "2", "c", "3");
                // whole-hash answers keep the listpack order
                o.check("HRANDFIELD", k, "3");
                o.check("HRANDFIELD", k, "10", "WITHVALUES");
                o.check("DEL", k);
            }
        }
    }

    @Test
    void scan() throws Exception {
        try (Oracle o = oracle()) {
            String k = "ho:scan";
            o.check("DEL", k);
            o.check("HSCAN", k, "0");
            o.check("HSCAN", k, "x");
            o.check("HSCAN", k, "0", "COUNT", "0");
            o.check("HSCAN", k, "0", "foo");
            o.check("HSET", k, "a1", "1", "b1", "2", "a2", "3", "7", "4");
            o.check("HSCAN", k, "0");
            o.check("HSCAN", k, "5");
            o.check("HSCAN", k, "0", "MATCH", "a*");
            o.check("HSCAN", k, "0", "match", "a*", "count", "1");
            o.check("HSCAN", k, "0", "COUNT", "1");
            o.check("HSCAN", k, "0", "COUNT", "0");
            o.check("HSCAN", k, "0", "COUNT", "x");
            o.check("HSCAN", k, "0", "COUNT");
            o.check("HSCAN", k, "0", "MATCH");
            o.check("HSCAN", k, "0", "TYPE", "string");
            o.check("HSCAN", k, "-1");
            o.check("HSCAN", k, "18446744073709551615");
            o.check("HSCAN", k, "18446744073709551616");
            o.check("HSCAN", k, "0", "MATCH", "7");
            o.protocol(3);
            o.check("HSCAN", k, "0");
            // a hashtable: a full walk returns every pair
            o.check("CONFIG", "SET", "hash-max-listpack-entries", "4");
            for (int i = 0; i < 50; i++) o.check("HSET", k, "f" + i, "v" + i);
            o.check("OBJECT", "ENCODING", k);
            assertEquals(fullScan(o.redis(), k, "f1*"), fullScan(o.ferry(), k, "f1*"));
            assertEquals(fullScan(o.redis(), k, null), fullScan(o.ferry(), k, null));
            o.check("DEL", k);
        }
    }

    /** COPY gives an independent hash in either encoding; RENAME keeps it; default thresholds crossed by HSET. */
    @Test
    void copyRenameAndBigHashes() throws Exception {
        for (int protocol : new int[] {2, 3}) {
            try (Oracle o = oracle()) {
                o.protocol(protocol);
                String k = "ho:big" + protocol, small = "ho:small" + protocol;
                o.check("DEL", k, k + "c", small, small + "c", small + "r");
                o.check("HSET", small, "a", "1", "b", "two");
                o.check("COPY", small, small + "c");
                o.check("HSET", small + "c", "a", "changed", "c", "3");
                o.check("HGETALL", small);
                o.check("HGETALL", small + "c");
                o.check("OBJECT", "ENCODING", small + "c");
                o.check("RENAME", small + "c", small + "r");
                o.check("HGETALL", small + "r");
                for (int i = 0; i < 600; i++) {
                    o.check("HSET", k, "element:" + i, "xxx");
                    if (i == 511 || i == 512) o.check("OBJECT", "ENCODING", k);
                }
                o.check("HSET", k, "element:5", "yyy");
                o.check("HLEN", k);
                o.check("HGET", k, "element:5");
                o.check("HGET", k, "element:600");
                o.check("DEBUG", "DIGEST-VALUE", k);
                o.check("COPY", k, k + "c");
                o.check("OBJECT", "ENCODING", k + "c");
                o.check("HDEL", k + "c", "element:1", "element:2");
                o.check("HLEN", k);
                o.check("HLEN", k + "c");
                o.check("DEBUG", "DIGEST-VALUE", k);
                o.check("DEBUG", "DIGEST-VALUE", k + "c");
                o.check("HRANDFIELD", k, "0");
                o.check("TYPE", k + "c");
                assertEquals(bulkCount(o.redis().call("HRANDFIELD", k, "-700")), bulkCount(o.ferry().call("HRANDFIELD", k, "-700")));
                assertEquals(bulkCount(o.redis().call("HRANDFIELD", k, "100", "WITHVALUES")),
                    bulkCount(o.ferry().call("HRANDFIELD", k, "100", "WITHVALUES")));
                assertEquals(bulkCount(o.redis().call("HRANDFIELD", k, "590")), bulkCount(o.ferry().call("HRANDFIELD", k, "590")));
                sameSorted(o, "HRANDFIELD", k, "1000", "WITHVALUES");
                sameSorted(o, "HKEYS", k);
                for (int i = 0; i < 600; i++) o.check("HDEL", k, "element:" + i);
                o.check("EXISTS", k);
                o.check("DEL", k + "c", small, small + "r");
            }
        }
    }

    /** HRANDFIELD's unique cases on a listpack: distinct members, values that belong to them, sizes as Redis's. */
    @Test
    void randfieldUniqueOnAListpack() throws Exception {
        for (int protocol : new int[] {2, 3}) {
            try (Oracle o = oracle()) {
                o.protocol(protocol);
                String k = "ho:rlp" + protocol;
                o.check("DEL", k);
                List<String> hset = new ArrayList<>(List.of("HSET", k));
                for (int i = 0; i < 100; i++) {
                    hset.add("f" + i);
                    hset.add(Integer.toString(i * 7));
                }
                o.check(hset.toArray(new String[0]));
                o.check("OBJECT", "ENCODING", k);
                List<String> keys = HashRandomTest.bulks(o.ferry().call("HKEYS", k));
                for (String count : new String[] {"2", "10", "33", "34", "60", "99"}) {
                    for (boolean withValues : new boolean[] {false, true}) {
                        String[] cmd = withValues ? new String[] {"HRANDFIELD", k, count, "WITHVALUES"} : new String[] {"HRANDFIELD", k, count};
                        String fr = o.ferry().call(cmd);
                        assertEquals(HashRandomTest.shape(o.redis().call(cmd)), HashRandomTest.shape(fr), String.join(" ", cmd));
                        List<String> got = HashRandomTest.bulks(fr);
                        java.util.Set<String> distinct = new java.util.HashSet<>();
                        for (int i = 0; i < got.size(); i += withValues ? 2 : 1) {
                            String f = got.get(i);
                            assertEquals(true, keys.contains(f), f);
                            assertEquals(true, distinct.add(f), "distinct " + f);
                            if (withValues) assertEquals(Integer.toString(Integer.parseInt(f.substring(1)) * 7), got.get(i + 1));
                        }
                        assertEquals(Integer.parseInt(count), distinct.size());
                    }
                }
                o.check("DEL", k);
            }
        }
    }

    private static int bulkCount(String reply) {
        return HashRandomTest.bulks(reply).size();
    }

    @Test
    void arity() throws Exception {
        try (Oracle o = oracle()) {
            o.check("HSET", "ho:a", "f");
            o.check("HSETNX", "ho:a", "f");
            o.check("HGET", "ho:a");
            o.check("HMGET", "ho:a");
            o.check("HDEL", "ho:a");
            o.check("HLEN");
            o.check("HSTRLEN", "ho:a");
            o.check("HEXISTS", "ho:a");
            o.check("HKEYS");
            o.check("HVALS", "ho:a", "b");
            o.check("HGETALL");
            o.check("HINCRBY", "ho:a", "f");
            o.check("HINCRBYFLOAT", "ho:a", "f");
            o.check("HRANDFIELD");
            o.check("HSCAN", "ho:a");
        }
    }

    /** The pairs of a complete HSCAN walk, sorted (each "field=value"). */
    static List<String> fullScan(dev.ferry.support.RawClient c, String key, String match) throws Exception {
        List<String> out = new ArrayList<>();
        String cursor = "0";
        do {
            String reply = match == null ? c.call("HSCAN", key, cursor, "COUNT", "3") : c.call("HSCAN", key, cursor, "MATCH", match);
            List<String> parts = HashRandomTest.bulks(reply);
            cursor = parts.get(0);
            if (reply.startsWith("-")) throw new AssertionError("HSCAN " + key + ": " + reply);
            for (int i = 1; i + 1 < parts.size(); i += 2) out.add(parts.get(i) + "=" + parts.get(i + 1));
        } while (!cursor.equals("0"));
        java.util.Collections.sort(out);
        return new ArrayList<>(new java.util.TreeSet<>(out));
    }

    /** Replies compared as sorted multisets of their bulk strings (hashtable order differs between servers). */
    static void sameSorted(Oracle o, String... cmd) throws Exception {
        List<String> r = HashRandomTest.bulks(o.redis().call(cmd)), f = HashRandomTest.bulks(o.ferry().call(cmd));
        assertEquals(HashRandomTest.pairsSorted(cmd[0], r), HashRandomTest.pairsSorted(cmd[0], f), String.join(" ", cmd));
    }
}
