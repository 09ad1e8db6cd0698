package dev.ferry.command;

import dev.ferry.support.FerryPort;
import dev.ferry.support.Oracle;
import dev.ferry.support.RedisPeer;
import dev.ferry.support.Resp;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every set command's replies and errors, byte for byte against a real redis-server 7.0, with OBJECT ENCODING
 * after the writes (intset / hashtable, conversions by size and by a non-integer member). Replies whose order
 * is the hash table's (members of a hashtable set) are compared as sorted element lists; random picks by
 * their deterministic properties. Keys are prefixed "se:".
 */
@QuarkusTest
class SetOracleTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();

    static Oracle oracle() throws Exception {
        return new Oracle(FerryPort.get(), redis.port());
    }

    /** Same reply up to the order of its top-level elements. */
    static String unordered(Oracle o, String... args) throws IOException {
        String expected = o.redis().call(args);
        String actual = o.ferry().call(args);
        assertEquals(Resp.split(expected).sorted(), Resp.split(actual).sorted(), () -> "reply to " + String.join(" ", args)
            + "\nredis: " + expected + "\nferry: " + actual);
        return actual;
    }

    /** Writes then OBJECT ENCODING of the key, on both. */
    static void write(Oracle o, String... args) throws IOException {
        o.check(args);
        o.check("OBJECT", "ENCODING", args[1]);
    }

    static void maxIntset(Oracle o, int n) throws IOException {
        o.check("CONFIG", "SET", "set-max-intset-entries", Integer.toString(n));
    }

    @Test
    void addRemoveAndMembership() throws Exception {
        try (Oracle o = oracle()) {
            o.check("DEL", "se:a", "se:b");
            o.check("SCARD", "se:a");
            o.check("SISMEMBER", "se:a", "1");
            o.check("SMISMEMBER", "se:a", "1", "2");
            o.check("SMEMBERS", "se:a");
            o.check("SREM", "se:a", "1");
            write(o, "SADD", "se:a", "3", "1", "2", "1");
            o.check("SMEMBERS", "se:a");
            write(o, "SADD", "se:a", "-5", "70000", "-9223372036854775808", "9223372036854775807");
            o.check("SMEMBERS", "se:a");
            o.check("SCARD", "se:a");
            o.check("SISMEMBER", "se:a", "70000");
            o.check("SISMEMBER", "se:a", "70001");
            o.check("SISMEMBER", "se:a", "abc");
            o.check("SMISMEMBER", "se:a", "1", "x", "-5", "70000", "01");
            write(o, "SREM", "se:a", "70000", "nope", "1", "1");
            o.check("SMEMBERS", "se:a");
            write(o, "SREM", "se:a", "abc");
            // integer-looking members that are not canonical make a hashtable
            for (String m : new String[] {"01", "-0", "+1", " 1", "1 ", "9223372036854775808", "-9223372036854775809", "1.0", ""}) {
                o.check("DEL", "se:b");
                write(o, "SADD", "se:b", "5", m);
                unordered(o, "SMEMBERS", "se:b");
                o.check("SISMEMBER", "se:b", m);
                o.check("DEL", "se:b");
                write(o, "SADD", "se:b", m);
            }
            // the whole set removed: the key goes
            write(o, "SADD", "se:c", "x", "y");
            write(o, "SREM", "se:c", "x", "y", "z");
            o.check("EXISTS", "se:c");
            write(o, "SADD", "se:c", "1", "2");
            write(o, "SREM", "se:c", "1", "2", "2");
            o.check("EXISTS", "se:c");
            // hashtable members
            write(o, "SADD", "se:h", "a", "b", "c", "1", "2");
            unordered(o, "SMEMBERS", "se:h");
            o.check("SISMEMBER", "se:h", "1");
            o.check("SMISMEMBER", "se:h", "a", "1", "z");
            write(o, "SREM", "se:h", "a", "1");
            write(o, "SREM", "se:h", "b", "c", "2");
            o.check("EXISTS", "se:h");
            // arity
            o.check("SADD", "se:a");
            o.check("SREM", "se:a");
            o.check("SCARD");
            o.check("SCARD", "se:a", "x");
            o.check("SISMEMBER", "se:a");
            o.check("SMISMEMBER", "se:a");
            o.check("SMEMBERS");
            o.check("SPOP");
            o.check("SRANDMEMBER");
            o.check("SMOVE", "se:a", "se:b");
            o.check("SINTER");
            o.check("SINTERCARD", "1");
            o.check("SINTERSTORE", "se:d");
            o.check("SUNION");
            o.check("SUNIONSTORE", "se:d");
            o.check("SDIFF");
            o.check("SDIFFSTORE", "se:d");
            o.check("SSCAN", "se:a");
        }
    }

    @Test
    void intsetWidthsAndConversionBySize() throws Exception {
        try (Oracle o = oracle()) {
            try {
                o.check("DEL", "se:w", "se:n");
                write(o, "SADD", "se:w", "1");
                write(o, "SADD", "se:w", "40000");
                write(o, "SADD", "se:w", "-3000000000");
                o.check("SMEMBERS", "se:w");
                write(o, "SREM", "se:w", "-3000000000", "40000");
                o.check("SMEMBERS", "se:w");
                maxIntset(o, 4);
                write(o, "SADD", "se:w", "2", "3", "4");
                write(o, "SADD", "se:w", "4");
                write(o, "SADD", "se:w", "5");
                unordered(o, "SMEMBERS", "se:w");
                write(o, "SREM", "se:w", "5", "4", "3");
                // never back to intset
                write(o, "SADD", "se:w", "3");
                // several at once past the limit
                write(o, "SADD", "se:n", "1", "2", "3", "4", "5", "6");
                o.check("DEL", "se:n");
                write(o, "SADD", "se:n", "1", "2", "3", "4");
                maxIntset(o, 0);
                write(o, "SADD", "se:n", "5");
                o.check("DEL", "se:n");
                write(o, "SADD", "se:n", "7");
                maxIntset(o, 2);
                // non-integer member
                o.check("DEL", "se:n");
                write(o, "SADD", "se:n", "1");
                write(o, "SADD", "se:n", "x");
                write(o, "SREM", "se:n", "x");
                o.check("OBJECT", "ENCODING", "se:n");
            } finally {
                maxIntset(o, 512);
            }
        }
    }

    @Test
    void wrongTypeAgainstAString() throws Exception {
        try (Oracle o = oracle()) {
            o.check("SET", "se:str", "v");
            o.check("SADD", "se:set", "1");
            String[][] cmds = {
                {"SADD", "se:str", "1"}, {"SREM", "se:str", "1"}, {"SCARD", "se:str"}, {"SISMEMBER", "se:str", "1"},
                {"SMISMEMBER", "se:str", "1"}, {"SMEMBERS", "se:str"}, {"SPOP", "se:str"}, {"SPOP", "se:str", "2"},
                {"SPOP", "se:str", "0"}, {"SRANDMEMBER", "se:str"}, {"SRANDMEMBER", "se:str", "2"},
                {"SRANDMEMBER", "se:str", "0"}, {"SRANDMEMBER", "se:str", "-2"}, {"SMOVE", "se:str", "se:set", "1"},
                {"SMOVE", "se:set", "se:str", "1"}, {"SMOVE", "se:none", "se:str", "1"}, {"SINTER", "se:set", "se:str"},
                {"SINTER", "se:none", "se:str"}, {"SINTERCARD", "2", "se:none", "se:str"},
                {"SINTERSTORE", "se:d", "se:set", "se:str"}, {"SUNION", "se:set", "se:str"},
                {"SUNIONSTORE", "se:d", "se:str"}, {"SDIFF", "se:str", "se:set"}, {"SDIFF", "se:none", "se:str"},
                {"SDIFFSTORE", "se:d", "se:set", "se:str"}, {"SSCAN", "se:str", "0"}, {"SSCAN", "se:str", "x"},
            };
            for (String[] c : cmds) o.check(c);
            o.check("SMEMBERS", "se:set");
            o.check("GET", "se:str");
            // a string destination is replaced by a store
            write(o, "SINTERSTORE", "se:str", "se:set");
            o.check("TYPE", "se:str");
        }
    }

    @Test
    void spopAndSrandmember() throws Exception {
        for (int protocol : new int[] {2, 3}) {
            try (Oracle o = oracle()) {
                o.protocol(protocol);
                o.check("DEL", "se:p", "se:q");
                o.check("SPOP", "se:p");
                o.check("SPOP", "se:p", "0");
                o.check("SPOP", "se:p", "3");
                o.check("SPOP", "se:p", "-1");
                o.check("SPOP", "se:p", "x");
                o.check("SPOP", "se:p", "1", "2");
                o.check("SRANDMEMBER", "se:p");
                o.check("SRANDMEMBER", "se:p", "0");
                o.check("SRANDMEMBER", "se:p", "3");
                o.check("SRANDMEMBER", "se:p", "-3");
                o.check("SRANDMEMBER", "se:p", "x");
                o.check("SRANDMEMBER", "se:p", "-9223372036854775808");
                o.check("SRANDMEMBER", "se:p", "1", "2");
                o.check("SADD", "se:p", "1", "2", "3");
                o.check("SPOP", "se:p", "-1");
                o.check("SPOP", "se:p", "0");
                o.check("SRANDMEMBER", "se:p", "0");
                o.check("SRANDMEMBER", "se:p", "-9223372036854775808");
                // the whole set: sorted from the intset, the key deleted
                o.check("SRANDMEMBER", "se:p", "3");
                o.check("SRANDMEMBER", "se:p", "10");
                o.check("SPOP", "se:p", "3");
                o.check("EXISTS", "se:p");
                o.check("SADD", "se:p", "1", "2", "3");
                o.check("SPOP", "se:p", "100");
                o.check("EXISTS", "se:p");
                // one member: no choice
                o.check("SADD", "se:p", "a");
                o.check("SRANDMEMBER", "se:p");
                o.check("SRANDMEMBER", "se:p", "-3");
                o.check("SPOP", "se:p");
                o.check("EXISTS", "se:p");
                // random picks: properties
                for (String[] members : new String[][] {ints(0, 40), words(40)}) {
                    for (String count : new String[] {"1", "5", "20", "30", "39", "-5", "-100"}) {
                        o.check("DEL", "se:q");
                        o.check(concat(new String[] {"SADD", "se:q"}, members));
                        checkRandom(o, members, "SRANDMEMBER", count);
                        if (!count.startsWith("-")) checkRandom(o, members, "SPOP", count);
                        o.check("OBJECT", "ENCODING", "se:q");
                    }
                    o.check("DEL", "se:q");
                    o.check(concat(new String[] {"SADD", "se:q"}, members));
                    String f = o.ferry().call("SPOP", "se:q");
                    String m = Resp.bulkValue(f);
                    assertTrue(Set.of(members).contains(m), f);
                    o.redis().call("SREM", "se:q", m);
                    o.check("SCARD", "se:q");
                    o.check("SISMEMBER", "se:q", m);
                    String r = o.ferry().call("SRANDMEMBER", "se:q");
                    assertTrue(Set.of(members).contains(Resp.bulkValue(r)), r);
                }
            }
        }
    }

    /**
     * One SRANDMEMBER or SPOP with a count on se:q (holding members) on both servers: same reply type and
     * length, members of the set, distinct unless the count is negative; after SPOP, Redis loses the same
     * members as Ferry so that the two stay equal.
     */
    private static void checkRandom(Oracle o, String[] members, String cmd, String count) throws IOException {
        Resp.Parts f = Resp.split(o.ferry().call(cmd, "se:q", count));
        Resp.Parts r = Resp.split(o.redis().call(cmd, "se:q", count));
        assertEquals(r.header(), f.header(), cmd + " " + count);
        Set<String> all = Set.of(members);
        List<String> values = f.values();
        assertTrue(all.containsAll(values), cmd + " " + count + ": " + values);
        if (!count.startsWith("-")) assertEquals(values.size(), new HashSet<>(values).size(), "distinct: " + values);
        if (cmd.equals("SPOP")) {
            List<String> args = new ArrayList<>(List.of("SREM", "se:q"));
            args.addAll(values);
            // whatever Redis popped goes back, then Ferry's pops are removed
            List<String> back = new ArrayList<>(List.of("SADD", "se:q"));
            back.addAll(r.values());
            if (r.values().size() > 0) o.redis().call(back.toArray(new String[0]));
            if (values.size() > 0) o.redis().call(args.toArray(new String[0]));
            unordered(o, "SMEMBERS", "se:q");
            o.check("SCARD", "se:q");
        }
    }

    static String[] ints(int from, int to) {
        String[] out = new String[to - from];
        for (int i = from; i < to; i++) out[i - from] = Integer.toString(i * 3 - 7);
        return out;
    }

    static String[] words(int n) {
        String[] out = new String[n];
        for (int i = 0; i < n; i++) out[i] = "w" + i;
        return out;
    }

    static String[] concat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void smove() throws Exception {
        try (Oracle o = oracle()) {
            o.check("DEL", "se:m1", "se:m2", "se:m3");
            o.check("SMOVE", "se:m1", "se:m2", "a");
            o.check("SADD", "se:m1", "1", "2", "a");
            write(o, "SMOVE", "se:m1", "se:m2", "1");
            o.check("OBJECT", "ENCODING", "se:m1");
            write(o, "SMOVE", "se:m1", "se:m2", "1");
            write(o, "SMOVE", "se:m1", "se:m2", "a");
            write(o, "SMOVE", "se:m1", "se:m1", "2");
            write(o, "SMOVE", "se:m1", "se:m1", "9");
            write(o, "SMOVE", "se:m1", "se:m3", "x");
            write(o, "SMOVE", "se:m1", "se:m3", "2");
            o.check("EXISTS", "se:m1");
            o.check("SADD", "se:m1", "2");
            write(o, "SMOVE", "se:m1", "se:m3", "2");
            o.check("SMEMBERS", "se:m3");
            write(o, "SMOVE", "se:m2", "se:m3", "a");
            o.check("SMEMBERS", "se:m2");
            unordered(o, "SMEMBERS", "se:m3");
        }
    }

    @Test
    void intersectionUnionDifference() throws Exception {
        for (int protocol : new int[] {2, 3}) {
            try (Oracle o = oracle()) {
                o.protocol(protocol);
                try {
                    maxIntset(o, 8);
                    o.check("DEL", "se:i1", "se:i2", "se:i3", "se:h1", "se:h2", "se:d", "se:big");
                    o.check("SADD", "se:i1", "1", "2", "3", "4", "5");
                    o.check("SADD", "se:i2", "3", "4", "5", "6");
                    o.check("SADD", "se:i3", "5", "4", "100000");
                    o.check("SADD", "se:h1", "a", "b", "3", "4", "5");
                    o.check("SADD", "se:h2", "b", "c", "5");
                    o.check("SADD", "se:big", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10");
                    String[][] sets = {
                        {"se:i1"}, {"se:i1", "se:i2"}, {"se:i1", "se:i2", "se:i3"}, {"se:i1", "se:none"},
                        {"se:none", "se:i1"}, {"se:h1", "se:h2"}, {"se:i1", "se:h1"}, {"se:h1", "se:i1", "se:i3"},
                        {"se:i1", "se:i1"}, {"se:h1", "se:h1", "se:h2"}, {"se:big", "se:i1"}, {"se:i1", "se:big"},
                        {"se:big", "se:h1", "se:i2"}, {"se:i2", "se:big", "se:none", "se:h1"}, {"se:none"},
                        {"se:h2", "se:i1", "se:i2"}, {"se:big", "se:i2", "se:i3"},
                    };
                    for (String[] keys : sets) {
                        unordered(o, concat(new String[] {"SINTER"}, keys));
                        unordered(o, concat(new String[] {"SUNION"}, keys));
                        unordered(o, concat(new String[] {"SDIFF"}, keys));
                        o.check(concat(new String[] {"SINTERCARD", Integer.toString(keys.length)}, keys));
                        o.check(concat(new String[] {"SINTERCARD", Integer.toString(keys.length)}, concat(keys, new String[] {"LIMIT", "1"})));
                        o.check(concat(new String[] {"SINTERCARD", Integer.toString(keys.length)}, concat(keys, new String[] {"limit", "0"})));
                        for (String store : new String[] {"SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"}) {
                            write(o, concat(new String[] {store, "se:d"}, keys));
                            unordered(o, "SMEMBERS", "se:d");
                            o.check("EXISTS", "se:d");
                        }
                    }
                    // intset results come back sorted
                    o.check("SINTER", "se:i1", "se:i2");
                    o.check("SUNION", "se:i1", "se:i2");
                    o.check("SDIFF", "se:i1", "se:i2");
                    // a store replaces the destination and its TTL; an empty result deletes it
                    o.check("SET", "se:d", "x", "EX", "100");
                    write(o, "SUNIONSTORE", "se:d", "se:i1");
                    o.check("TTL", "se:d");
                    o.check("EXPIRE", "se:d", "100");
                    write(o, "SINTERSTORE", "se:d", "se:i1", "se:d");
                    o.check("TTL", "se:d");
                    write(o, "SDIFFSTORE", "se:d", "se:i1", "se:i1");
                    o.check("EXISTS", "se:d");
                    write(o, "SINTERSTORE", "se:d", "se:i1", "se:none");
                    // the destination among the sources
                    o.check("SADD", "se:d", "1", "9");
                    write(o, "SUNIONSTORE", "se:d", "se:d", "se:i2");
                    write(o, "SDIFFSTORE", "se:d", "se:d", "se:i2");
                    // SDIFF's second algorithm leaves a hashtable even when the result is small
                    o.check("DEL", "se:d");
                    write(o, "SDIFFSTORE", "se:d", "se:big", "se:big2", "se:i1", "se:i2", "se:i3");
                    o.check("SADD", "se:s1", "1", "2", "3", "4", "5", "6", "7", "8");
                    write(o, "SDIFFSTORE", "se:d", "se:s1", "se:i1", "se:i2", "se:i3", "se:none");
                    // SINTERCARD's errors
                    o.check("SINTERCARD", "0", "se:i1");
                    o.check("SINTERCARD", "-1", "se:i1");
                    o.check("SINTERCARD", "x", "se:i1");
                    o.check("SINTERCARD", "2", "se:i1");
                    o.check("SINTERCARD", "1", "se:i1", "LIMIT");
                    o.check("SINTERCARD", "1", "se:i1", "LIMIT", "-1");
                    o.check("SINTERCARD", "1", "se:i1", "LIMIT", "x");
                    o.check("SINTERCARD", "1", "se:i1", "LIMIT", "1", "LIMIT", "2");
                    o.check("SINTERCARD", "1", "se:i1", "FOO", "1");
                    o.check("SINTERCARD", "1", "se:none", "LIMIT", "-1");
                    o.check("SINTERCARD", "2", "se:i1", "se:i2", "LIMIT", "2");
                    o.check("SINTERCARD", "1", "se:i1", "LIMIT", "9223372036854775807");
                } finally {
                    maxIntset(o, 512);
                }
            }
        }
    }

    /** Generic key commands on sets: TYPE, COPY (an independent copy in the same encoding), TTL kept by writes. */
    @Test
    void keyCommandsOnSets() throws Exception {
        try (Oracle o = oracle()) {
            o.check("DEL", "se:k1", "se:k2", "se:k3", "se:k4");
            o.check("SADD", "se:k1", "1", "2", "3");
            o.check("SADD", "se:k2", "a", "b", "1");
            o.check("TYPE", "se:k1");
            o.check("TYPE", "se:k2");
            write(o, "COPY", "se:k1", "se:k3");
            write(o, "COPY", "se:k2", "se:k4");
            write(o, "SADD", "se:k3", "x");
            write(o, "SREM", "se:k4", "a", "b");
            o.check("SMEMBERS", "se:k1");
            unordered(o, "SMEMBERS", "se:k2");
            unordered(o, "SMEMBERS", "se:k3");
            o.check("SMEMBERS", "se:k4");
            o.check("OBJECT", "ENCODING", "se:k1");
            o.check("OBJECT", "ENCODING", "se:k2");
            o.check("EXPIRE", "se:k1", "100");
            o.check("SADD", "se:k1", "4");
            o.check("SREM", "se:k1", "1");
            o.check("SPOP", "se:k1", "0");
            o.check("TTL", "se:k1");
            o.check("SMOVE", "se:k1", "se:k2", "2");
            o.check("TTL", "se:k1");
            o.check("SREM", "se:k1", "3", "4");
            o.check("EXISTS", "se:k1");
            o.check("TTL", "se:k1");
            o.check("RENAME", "se:k2", "se:k1");
            unordered(o, "SMEMBERS", "se:k1");
            o.check("OBJECT", "REFCOUNT", "se:k1");
        }
    }

    /** What COMMAND says of the set commands (movablekeys for SINTERCARD comes from its numkeys key spec). */
    @Test
    void commandIntrospection() throws Exception {
        try (Oracle o = oracle()) {
            for (String c : new String[] {"sadd", "srem", "scard", "sismember", "smismember", "smembers", "spop",
                "srandmember", "smove", "sinter", "sintercard", "sinterstore", "sunion", "sunionstore", "sdiff",
                "sdiffstore", "sscan"}) {
                // (COMMAND DOCS is CommandDocsTest's: Ferry keeps no per-argument "since")
                o.check("COMMAND", "INFO", c);
            }
            o.check("COMMAND", "GETKEYS", "SINTERCARD", "2", "a", "b", "LIMIT", "1");
            o.check("COMMAND", "GETKEYSANDFLAGS", "SMOVE", "a", "b", "m");
            o.check("COMMAND", "GETKEYS", "SDIFFSTORE", "d", "a", "b");
        }
    }

    @Test
    void sscan() throws Exception {
        try (Oracle o = oracle()) {
            o.check("DEL", "se:sc", "se:sh");
            o.check("SSCAN", "se:sc", "0");
            o.check("SSCAN", "se:sc", "0", "COUNT", "0");
            o.check("SSCAN", "se:sc", "x");
            o.check("SADD", "se:sc", "1", "12", "123", "-4");
            o.check("SSCAN", "se:sc", "0");
            o.check("SSCAN", "se:sc", "7");
            o.check("SSCAN", "se:sc", "0", "MATCH", "1*");
            o.check("SSCAN", "se:sc", "0", "match", "*", "COUNT", "1");
            o.check("SSCAN", "se:sc", "0", "COUNT", "0");
            o.check("SSCAN", "se:sc", "0", "COUNT", "-1");
            o.check("SSCAN", "se:sc", "0", "COUNT", "x");
            o.check("SSCAN", "se:sc", "0", "COUNT");
            o.check("SSCAN", "se:sc", "0", "TYPE", "set");
            o.check("SSCAN", "se:sc", "0", "FOO", "bar");
            o.check("SSCAN", "se:sc", "-1");
            o.check("SSCAN", "se:sc", " 1");
            String[] members = words(300);
            o.check(concat(new String[] {"SADD", "se:sh"}, members));
            for (String[] opts : new String[][] {{}, {"COUNT", "7"}, {"MATCH", "w1*"}, {"MATCH", "w1*", "COUNT", "1000"}}) {
                assertEquals(scanAll(o.redis(), opts), scanAll(o.ferry(), opts), String.join(" ", opts));
            }
        }
    }

    private static TreeSet<String> scanAll(dev.ferry.support.RawClient c, String[] opts) throws IOException {
        TreeSet<String> out = new TreeSet<>();
        String cursor = "0";
        int rounds = 0;
        do {
            Resp.Parts p = Resp.split(c.call(concat(new String[] {"SSCAN", "se:sh", cursor}, opts)));
            cursor = Resp.bulkValue(p.elements().get(0));
            out.addAll(Resp.split(p.elements().get(1)).values());
            assertTrue(++rounds < 1000, "scan ends");
        } while (!cursor.equals("0"));
        return out;
    }
}
