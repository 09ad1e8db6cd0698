package dev.ferry.command;

import dev.ferry.support.FerryPort;
import dev.ferry.support.Oracle;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisPeer;
import dev.ferry.support.Resp;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Long random sequences of set commands over a few keys (and one string key), on Ferry and on redis-server,
 * compared reply by reply (fixed seeds: a failure names its seed and step), with set-max-intset-entries 4 on
 * both so that sets cross from intset to hashtable often; OBJECT ENCODING of every written key is compared,
 * DEBUG DIGEST-VALUE of the keys every 200 steps and DEBUG DIGEST of the whole dataset at the end.
 * Hashtable member order is the table's own, so those replies compare as sorted lists; SPOP and SRANDMEMBER
 * compare what is deterministic, then Redis is made to lose exactly what Ferry popped.
 */
@QuarkusTest
class SetRandomTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer("--enable-debug-command", "local");

    private static final String[] MEMBERS = {
        "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "-1", "100000", "-3000000000", "9223372036854775807",
        "-9223372036854775808", "a", "b", "c", "d", "e", "01", "", "x y",
    };

    @Test
    void randomSequenceResp2() throws Exception {
        run(20261201L, 2, 3000);
    }

    @Test
    void randomSequenceResp3() throws Exception {
        run(4242L, 3, 2000);
    }

    private void run(long seed, int protocol, int steps) throws Exception {
        Random rnd = new Random(seed);
        String[] keys = new String[5];
        for (int i = 0; i < keys.length; i++) keys[i] = "sx:" + i;
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            o.protocol(protocol);
            // DEBUG DIGEST covers every key: start both from nothing
            o.check("FLUSHALL");
            o.check("CONFIG", "SET", "set-max-intset-entries", "4");
            try {
                o.check("SET", "sx:str", "text");
                for (int step = 0; step < steps; step++) {
                    try {
                        step(o, rnd, keys);
                    } catch (AssertionError e) {
                        throw new AssertionError("seed " + seed + " step " + step + ": " + e.getMessage(), e);
                    }
                    if (step % 200 == 199) compareDigests(o, keys);
                }
                compareDigests(o, keys);
                o.check("DEBUG", "DIGEST");
            } finally {
                o.check("CONFIG", "SET", "set-max-intset-entries", "512");
            }
        }
    }

    private static void compareDigests(Oracle o, String[] keys) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("DEBUG", "DIGEST-VALUE"));
        cmd.addAll(List.of(keys));
        cmd.add("sx:str");
        o.check(cmd.toArray(new String[0]));
    }

    private static String pick(Random rnd, String[] from) {
        return from[rnd.nextInt(from.length)];
    }

    /** A key of the run, now and then the string key or one that never exists. */
    private static String key(Random rnd, String[] keys) {
        int r = rnd.nextInt(30);
        if (r == 0) return "sx:str";
        if (r == 1) return "sx:none";
        return pick(rnd, keys);
    }

    private static String[] members(Random rnd, int max) {
        String[] out = new String[1 + rnd.nextInt(max)];
        for (int i = 0; i < out.length; i++) out[i] = pick(rnd, MEMBERS);
        return out;
    }

    private static String[] cat(String[] a, String... b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String[] keyList(Random rnd, String[] keys) {
        String[] out = new String[1 + rnd.nextInt(3)];
        for (int i = 0; i < out.length; i++) out[i] = key(rnd, keys);
        return out;
    }

    private static void step(Oracle o, Random rnd, String[] keys) throws IOException {
        String k = key(rnd, keys);
        switch (rnd.nextInt(20)) {
            case 0, 1, 2, 3 -> {
                o.check(cat(new String[] {"SADD", k}, members(rnd, 4)));
                encoding(o, k);
            }
            case 4, 5 -> {
                o.check(cat(new String[] {"SREM", k}, members(rnd, 3)));
                encoding(o, k);
            }
            case 6 -> o.check("SCARD", k);
            case 7 -> o.check("SISMEMBER", k, pick(rnd, MEMBERS));
            case 8 -> o.check(cat(new String[] {"SMISMEMBER", k}, members(rnd, 3)));
            case 9 -> SetOracleTest.unordered(o, "SMEMBERS", k);
            case 10 -> {
                String dst = key(rnd, keys);
                o.check("SMOVE", k, dst, pick(rnd, MEMBERS));
                encoding(o, k);
                encoding(o, dst);
            }
            case 11 -> {
                String op = pick(rnd, new String[] {"SINTER", "SUNION", "SDIFF"});
                SetOracleTest.unordered(o, cat(new String[] {op}, keyList(rnd, keys)));
            }
            case 12 -> {
                String[] ks = keyList(rnd, keys);
                String[] cmd = cat(new String[] {"SINTERCARD", Integer.toString(ks.length)}, ks);
                if (rnd.nextBoolean()) cmd = cat(cmd, "LIMIT", Integer.toString(rnd.nextInt(4)));
                o.check(cmd);
            }
            case 13 -> {
                String op = pick(rnd, new String[] {"SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"});
                String dst = rnd.nextInt(10) == 0 ? "sx:str2" : pick(rnd, keys);
                o.check(cat(new String[] {op, dst}, keyList(rnd, keys)));
                encoding(o, dst);
                o.check("DEL", "sx:str2");
            }
            case 14 -> sscan(o, k, rnd);
            case 15, 16 -> spop(o, k, rnd);
            case 17 -> srandmember(o, k, rnd);
            default -> o.check("TYPE", k);
        }
    }

    private static void encoding(Oracle o, String key) throws IOException {
        o.check("OBJECT", "ENCODING", key);
    }

    private static void sscan(Oracle o, String k, Random rnd) throws IOException {
        String[] opts = switch (rnd.nextInt(4)) {
            case 0 -> new String[] {};
            case 1 -> new String[] {"COUNT", Integer.toString(rnd.nextInt(5) + 1)};
            case 2 -> new String[] {"MATCH", pick(rnd, new String[] {"*", "1*", "[a-c]", "?"})};
            default -> new String[] {"MATCH", "*", "COUNT", "2"};
        };
        String enc = o.redis().call("OBJECT", "ENCODING", k);
        if (!enc.contains("hashtable")) {
            o.check(cat(new String[] {"SSCAN", k, "0"}, opts));
            return;
        }
        assertEquals(scanAll(o.redis(), k, opts), scanAll(o.ferry(), k, opts), "SSCAN " + k + " " + String.join(" ", opts));
    }

    private static TreeSet<String> scanAll(RawClient c, String k, String[] opts) throws IOException {
        TreeSet<String> out = new TreeSet<>();
        String cursor = "0";
        int rounds = 0;
        do {
            Resp.Parts p = Resp.split(c.call(cat(new String[] {"SSCAN", k, cursor}, opts)));
            cursor = Resp.bulkValue(p.elements().get(0));
            out.addAll(Resp.split(p.elements().get(1)).values());
            assertTrue(++rounds < 1000, "scan ends");
        } while (!cursor.equals("0"));
        return out;
    }

    /** Members of a key on Ferry (as a set of payloads). */
    private static Set<String> ferryMembers(Oracle o, String k) throws IOException {
        String reply = o.ferry().call("SMEMBERS", k);
        if (reply.startsWith("-")) return Set.of();
        return new HashSet<>(Resp.split(reply).values());
    }

    private static void spop(Oracle o, String k, Random rnd) throws IOException {
        String count = rnd.nextInt(3) == 0 ? null : pick(rnd, new String[] {"0", "1", "2", "3", "5", "10", "-1", "x"});
        String[] cmd = count == null ? new String[] {"SPOP", k} : new String[] {"SPOP", k, count};
        Set<String> before = ferryMembers(o, k);
        String f = o.ferry().call(cmd);
        String r = o.redis().call(cmd);
        if (f.startsWith("-") || r.startsWith("-") || count == null && (f.startsWith("$-1") || f.startsWith("_"))) {
            assertEquals(r, f, String.join(" ", cmd));
            return;
        }
        List<String> popped;
        List<String> redisPopped;
        if (count == null) {
            assertEquals(r.charAt(0), f.charAt(0), String.join(" ", cmd));
            popped = List.of(Resp.bulkValue(f));
            redisPopped = List.of(Resp.bulkValue(r));
        } else {
            Resp.Parts fp = Resp.split(f), rp = Resp.split(r);
            assertEquals(rp.header(), fp.header(), String.join(" ", cmd));
            popped = fp.values();
            redisPopped = rp.values();
            assertEquals(popped.size(), new HashSet<>(popped).size(), "distinct: " + popped);
        }
        assertTrue(before.containsAll(popped), "popped " + popped + " from " + before);
        resync(o, k, redisPopped, popped);
    }

    /** Puts back on Redis what it popped and removes what Ferry popped; rebuilds the key where encodings differ. */
    private static void resync(Oracle o, String k, List<String> redisPopped, List<String> ferryPopped) throws IOException {
        if (!redisPopped.isEmpty()) o.redis().call(cat(new String[] {"SADD", k}, redisPopped.toArray(new String[0])));
        if (!ferryPopped.isEmpty()) o.redis().call(cat(new String[] {"SREM", k}, ferryPopped.toArray(new String[0])));
        SetOracleTest.unordered(o, "SMEMBERS", k);
        String fe = o.ferry().call("OBJECT", "ENCODING", k);
        String re = o.redis().call("OBJECT", "ENCODING", k);
        if (!fe.equals(re)) {
            // SPOP's "new set" strategy and the re-adding above may legitimately leave different encodings
            List<String> members = new ArrayList<>(new TreeSet<>(ferryMembers(o, k)));
            o.check("DEL", k);
            o.check(cat(new String[] {"SADD", k}, members.toArray(new String[0])));
        }
        encoding(o, k);
    }

    private static void srandmember(Oracle o, String k, Random rnd) throws IOException {
        String count = rnd.nextInt(4) == 0 ? null : pick(rnd, new String[] {"0", "1", "2", "4", "6", "20", "-1", "-5", "x"});
        String[] cmd = count == null ? new String[] {"SRANDMEMBER", k} : new String[] {"SRANDMEMBER", k, count};
        Set<String> members = ferryMembers(o, k);
        String f = o.ferry().call(cmd);
        String r = o.redis().call(cmd);
        if (f.startsWith("-") || r.startsWith("-") || count == null) {
            if (count == null && !f.startsWith("-") && !f.startsWith("$-1") && !f.startsWith("_")) {
                assertEquals(r.charAt(0), f.charAt(0), String.join(" ", cmd));
                assertTrue(members.contains(Resp.bulkValue(f)), f);
            } else {
                assertEquals(r, f, String.join(" ", cmd));
            }
            return;
        }
        Resp.Parts fp = Resp.split(f), rp = Resp.split(r);
        assertEquals(rp.header(), fp.header(), String.join(" ", cmd));
        assertTrue(members.containsAll(fp.values()), fp.values() + " from " + members);
        if (!count.startsWith("-")) assertEquals(fp.values().size(), new HashSet<>(fp.values()).size(), "distinct");
    }
}
