package dev.ferry.command.hll;

import dev.ferry.support.FerryPort;
import dev.ferry.support.Oracle;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisPeer;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PFADD, PFCOUNT and PFMERGE on Ferry and on redis-server 7.0, replies compared byte for byte, and the HLL
 * strings themselves compared with GET after every write: the sparse and dense layouts, the cached
 * cardinality and its stale bit, the promotion to dense, and the errors for strings that are not (valid) HLLs.
 */
@QuarkusTest
class HllOracleTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer("--enable-debug-command", "local");

    static Oracle oracle() throws Exception {
        return new Oracle(FerryPort.get(), redis.port());
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The command on both, then GET and OBJECT ENCODING of the key compared. */
    static void checkAndGet(Oracle o, String key, String... cmd) throws IOException {
        o.check(cmd);
        o.check("GET", key);
        o.check("OBJECT", "ENCODING", key);
    }

    @Test
    void basics() throws Exception {
        try (Oracle o = oracle()) {
            o.check("DEL", "hb:a", "hb:b", "hb:c", "hb:d", "hb:e");
            o.check("PFCOUNT", "hb:a");
            o.check("PFCOUNT", "hb:a", "hb:b");
            checkAndGet(o, "hb:a", "PFADD", "hb:a");
            checkAndGet(o, "hb:a", "PFADD", "hb:a");
            checkAndGet(o, "hb:a", "PFCOUNT", "hb:a");
            checkAndGet(o, "hb:a", "PFADD", "hb:a", "x", "y", "z", "x");
            checkAndGet(o, "hb:a", "PFADD", "hb:a", "x");
            checkAndGet(o, "hb:a", "PFCOUNT", "hb:a");
            checkAndGet(o, "hb:a", "PFCOUNT", "hb:a");
            checkAndGet(o, "hb:b", "PFADD", "hb:b", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l");
            o.check("PFCOUNT", "hb:a", "hb:b");
            o.check("PFCOUNT", "hb:a", "hb:b", "hb:missing");
            o.check("GET", "hb:b");
            checkAndGet(o, "hb:c", "PFMERGE", "hb:c", "hb:a", "hb:b");
            checkAndGet(o, "hb:c", "PFCOUNT", "hb:c");
            checkAndGet(o, "hb:d", "PFMERGE", "hb:d");
            checkAndGet(o, "hb:d", "PFMERGE", "hb:d", "hb:missing");
            checkAndGet(o, "hb:a", "PFMERGE", "hb:a", "hb:a");
            // an empty element, binary and long elements
            checkAndGet(o, "hb:e", "PFADD", "hb:e", "");
            o.check(new byte[][] {b("PFADD"), b("hb:e"), b("\u0000\u00ff\r\n"), new byte[1000]});
            o.check("GET", "hb:e");
            // introspection
            o.check("COMMAND", "INFO", "pfadd", "pfcount", "pfmerge");
            o.check("COMMAND", "DOCS", "pfadd", "pfcount", "pfmerge");
            o.check("COMMAND", "GETKEYS", "PFMERGE", "d", "s1", "s2");
            o.check("COMMAND", "GETKEYS", "PFCOUNT", "a", "b");
            // arity
            o.check("PFADD");
            o.check("PFCOUNT");
            o.check("PFMERGE");
            // a dense input makes PFMERGE's destination dense
            List<String> cmd = new ArrayList<>(List.of("PFADD", "hb:big"));
            for (int i = 0; i < 3000; i++) cmd.add("e" + i);
            o.check("DEL", "hb:big");
            checkAndGet(o, "hb:big", cmd.toArray(String[]::new));
            checkAndGet(o, "hb:big", "PFCOUNT", "hb:big");
            checkAndGet(o, "hb:big", "PFCOUNT", "hb:big");
            checkAndGet(o, "hb:d", "PFMERGE", "hb:d", "hb:big", "hb:a");
            checkAndGet(o, "hb:d", "PFCOUNT", "hb:d");
            o.check("PFCOUNT", "hb:big", "hb:a", "hb:b");
            checkAndGet(o, "hb:big", "PFADD", "hb:big", "e1", "e2");
            checkAndGet(o, "hb:big", "PFADD", "hb:big", "new-one", "new-two", "new-three");
        }
    }

    /** Which HLL commands touch WATCHed keys, and the keyspace hits and misses they count. */
    @Test
    void watchAndStats() throws Exception {
        try (Oracle o = oracle()) {
            o.check("DEL", "hw:a", "hw:b");
            o.check("PFADD", "hw:a", "x", "y");
            String[][] cases = {
                {"PFCOUNT", "hw:a"},          // stale cache stored: a write
                {"PFCOUNT", "hw:a"},          // from the cache: no write
                {"PFADD", "hw:a", "x"},       // nothing changed
                {"PFADD", "hw:a", "zz"},      // a register changed
                {"PFCOUNT", "hw:a", "hw:b"},  // the union: never a write
                {"PFMERGE", "hw:a"},          // always a write
            };
            for (String[] c : cases) {
                o.check("WATCH", "hw:a");
                o.check(c);
                o.check("MULTI");
                o.check("PING");
                o.check("EXEC");
            }
            o.check(new byte[][] {b("SET"), b("hw:s"), b("HYLL\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u007f\u00ff")});
            o.check("OBJECT", "ENCODING", "hw:s");
            o.check("PFCOUNT", "hw:s");
            o.check("OBJECT", "ENCODING", "hw:s");
            o.check("DEBUG", "DIGEST-VALUE", "hw:a", "hw:s");

            o.check("CONFIG", "RESETSTAT");
            o.check("PFADD", "hw:a", "q");
            o.check("PFADD", "hw:none2", "q");
            o.check("PFCOUNT", "hw:a");
            o.check("PFCOUNT", "hw:none");
            o.check("PFCOUNT", "hw:a", "hw:none", "hw:s");
            o.check("PFMERGE", "hw:m", "hw:a", "hw:none");
            o.check("PFMERGE", "hw:m", "hw:a");
            for (String field : new String[] {"keyspace_hits:", "keyspace_misses:"}) {
                assertEquals(infoField(o.redis(), field), infoField(o.ferry(), field), field);
            }
        }
    }

    private static String infoField(RawClient c, String field) throws IOException {
        for (String line : c.call("INFO", "stats").split("\r\n")) if (line.startsWith(field)) return line;
        return null;
    }

    @Test
    void wrongTypesAndCorruption() throws Exception {
        try (Oracle o = oracle()) {
            o.check("DEL", "hc:s", "hc:i", "hc:h", "hc:t");
            o.check("SET", "hc:s", "not an hll at all, no");
            o.check("PFADD", "hc:s", "x");
            o.check("PFCOUNT", "hc:s");
            o.check("PFCOUNT", "hc:s", "hc:missing");
            o.check("PFCOUNT", "hc:missing", "hc:s");
            o.check("PFMERGE", "hc:s", "hc:missing");
            o.check("PFMERGE", "hc:new", "hc:s");
            o.check("EXISTS", "hc:new");
            o.check("SET", "hc:i", "12345678901234567");
            o.check("PFADD", "hc:i", "x");
            o.check("SET", "hc:i", "123");
            o.check("PFCOUNT", "hc:i");
            // 15 bytes: shorter than a header
            o.check(new byte[][] {b("SET"), b("hc:h"), b("HYLL\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000")});
            o.check("PFCOUNT", "hc:h");

            String header = "HYLL\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0080";
            String[] sparse = {
                "",                                        // no opcodes
                "\u007f",                                  // an XZERO cut short
                "\u007f\u00ff",                            // the valid empty HLL
                "\u007f\u00ff\u0000",                      // one register too many
                "\u007f\u00fe",                            // one register too few
                "\u007f\u00fe\u0080",                      // VAL at the last register
                "\u007f\u00fe\u0083",                      // VAL running past the end
                "\u0000\u007f\u00fe",                      // ZERO then XZERO
                "\u0080\u0080\u007f\u00fd",                // two VALs of equal value, not merged
                "\u00fc\u0000\u007f\u00fc",                // VAL 32, ZERO, XZERO
                "\u0040\u0010\u007f\u00ff",                // more registers than 16384
                "\u0080\u0084\u0088\u008c\u0090\u0094\u0098\u009c\u007f\u00f7",
            };
            for (int i = 0; i < sparse.length; i++) {
                String k = "hc:sp" + i;
                byte[] value = b(header + sparse[i]);
                o.check(new byte[][] {b("SET"), b(k), value});
                o.check("PFCOUNT", k);
                o.check("GET", k);
                o.check("OBJECT", "ENCODING", k);
                o.check(new byte[][] {b("SET"), b(k), value});
                o.check("PFCOUNT", k, "hc:missing");
                o.check("PFMERGE", "hc:m" + i, k);
                o.check("GET", "hc:m" + i);
                // PFADD into a code ending in a cut XZERO: Redis 7.0 splits it writing past the string's end (and
                // later reads those bytes back); Ferry refuses it as corrupted instead
                if (sparse[i].equals("\u007f")) {
                    o.check(new byte[][] {b("SET"), b(k), value});
                    assertEquals("-INVALIDOBJ Corrupted HLL object detected\r\n", o.ferry().call("PFADD", k, "elem0"));
                    continue;
                }
                o.check(new byte[][] {b("SET"), b(k), value});
                for (int n = 0; n < 30; n++) {
                    o.check("PFADD", k, "elem" + n, "other" + n);
                    o.check("GET", k);
                }
                o.check("PFCOUNT", k);
                o.check("GET", k);
            }
            // an unknown encoding, and a dense HLL of the wrong length
            o.check(new byte[][] {b("SET"), b("hc:t"), b("HYLL\u0002\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0080\u007f\u00ff")});
            o.check("PFADD", "hc:t", "x");
            o.check(new byte[][] {b("SET"), b("hc:t"), b("HYLL\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0080\u007f\u00ff")});
            o.check("PFADD", "hc:t", "x");
            o.check("PFCOUNT", "hc:t");
            o.check("PFMERGE", "hc:t2", "hc:t");

            // a real dense HLL corrupted with SETRANGE: registers of 63, a wrong encoding byte, a stale cache
            List<String> cmd = new ArrayList<>(List.of("PFADD", "hc:d"));
            for (int i = 0; i < 5000; i++) cmd.add("d" + i);
            o.check("DEL", "hc:d");
            o.check(cmd.toArray(String[]::new));
            o.check("PFCOUNT", "hc:d");
            o.check(new byte[][] {b("SETRANGE"), b("hc:d"), b("16"), b("\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff")});
            o.check("PFCOUNT", "hc:d");
            o.check(new byte[][] {b("SETRANGE"), b("hc:d"), b("15"), b("\u0080")});
            o.check("PFCOUNT", "hc:d");
            o.check("GET", "hc:d");
            o.check("PFADD", "hc:d", "more", "and", "more");
            o.check("PFCOUNT", "hc:d", "hc:sp2");
            o.check("PFMERGE", "hc:dm", "hc:d", "hc:sp2");
            o.check("GET", "hc:dm");
            o.check(new byte[][] {b("SETRANGE"), b("hc:d"), b("4"), b("\u0001")});
            o.check("PFCOUNT", "hc:d");
            o.check("PFADD", "hc:d", "x");
            o.check("GET", "hc:d");
            o.check(new byte[][] {b("SETRANGE"), b("hc:d"), b("4"), b("\u0000")});
            o.check("APPEND", "hc:d", "x");
            o.check("PFCOUNT", "hc:d");
            o.check("PFADD", "hc:d", "x");
            // the cached cardinality is trusted as it is, whatever the registers
            o.check("PFADD", "hc:c");
            o.check(new byte[][] {b("SETRANGE"), b("hc:c"), b("8"), b("\u0039\u0030\u0000\u0000\u0000\u0000\u0000\u007f")});
            o.check("PFCOUNT", "hc:c");
            o.check("GET", "hc:c");
        }
    }

    /** PFCOUNT after each of 1..100000 distinct elements (pipelined), equal to Redis's every time. */
    @Test
    void countsUpTo100k() throws Exception {
        try (Oracle o = oracle()) {
            o.check("DEL", "hn:k");
            o.check("DEL", "hn:sparse");
            String ferry = pipeline(o.ferry(), "hn:k", 100_000);
            String redisReplies = pipeline(o.redis(), "hn:k", 100_000);
            String[] a = redisReplies.split("\r\n"), f = ferry.split("\r\n");
            for (int i = 0; i < Math.min(a.length, f.length); i++) assertEquals(a[i], f[i], "reply " + i);
            assertEquals(redisReplies, ferry);
            o.check("GET", "hn:k");
        }
    }

    private static String pipeline(RawClient c, String key, int n) throws IOException {
        StringBuilder all = new StringBuilder();
        int batch = 100;
        for (int start = 0; start < n; start += batch) {
            int end = Math.min(n, start + batch);
            for (int i = start; i < end; i++) {
                c.send(b("PFADD"), b(key), b("element:" + i));
                c.send(b("PFCOUNT"), b(key));
            }
            for (int i = start; i < end; i++) {
                all.append(c.readReply());
                all.append(c.readReply());
            }
        }
        return all.toString();
    }

    /**
     * The sparse code grown one element at a time under several small hll-sparse-max-bytes: the promotion to
     * dense happens exactly where Redis's happens (when the grown code would pass the limit, not reach it).
     */
    @Test
    void promotionBoundary() throws Exception {
        try (Oracle o = oracle()) {
            try {
                for (int max : new int[] {18, 19, 20, 21, 25, 33, 40, 64, 100}) {
                    o.check("CONFIG", "SET", "hll-sparse-max-bytes", Integer.toString(max));
                    String k = "hp:" + max;
                    o.check("DEL", k);
                    for (int i = 0; i < 120; i++) {
                        o.check("PFADD", k, "p" + i);
                        o.check("GET", k);
                    }
                    o.check("PFCOUNT", k);
                    o.check("GET", k);
                }
            } finally {
                o.redis().call("CONFIG", "SET", "hll-sparse-max-bytes", "3000");
                o.ferry().call("CONFIG", "SET", "hll-sparse-max-bytes", "3000");
            }
        }
    }

    @Test
    void randomSequence() throws Exception {
        run(20261201L, 600, null);
    }

    @Test
    void randomSequenceSmallSparse() throws Exception {
        run(777L, 600, "60");
    }

    @Test
    void randomSequenceResp3() throws Exception {
        run(31337L, 300, "200");
    }

    private void run(long seed, int steps, String sparseMax) throws Exception {
        System.out.println("HllOracleTest seed " + seed + " hll-sparse-max-bytes " + sparseMax);
        Random rnd = new Random(seed);
        String[] keys = new String[4];
        for (int i = 0; i < keys.length; i++) keys[i] = "hr" + seed + ":" + i;
        try (Oracle o = oracle()) {
            if (seed == 31337L) o.protocol(3);
            if (sparseMax != null) o.check("CONFIG", "SET", "hll-sparse-max-bytes", sparseMax);
            try {
                for (String k : keys) o.check("DEL", k);
                int dense = 0, sparse = 0;
                for (int step = 0; step < steps; step++) {
                    String k = keys[rnd.nextInt(keys.length)];
                    int kind = rnd.nextInt(100);
                    List<String> c = new ArrayList<>();
                    if (kind < 45) {
                        c.add("PFADD");
                        c.add(k);
                        int n = rnd.nextInt(10) == 0 ? rnd.nextInt(400) : rnd.nextInt(5);
                        int universe = rnd.nextBoolean() ? 40 : 100_000;
                        for (int i = 0; i < n; i++) c.add("v" + rnd.nextInt(universe));
                    } else if (kind < 70) {
                        c.add("PFCOUNT");
                        c.add(k);
                        if (rnd.nextInt(3) == 0) c.add(keys[rnd.nextInt(keys.length)]);
                        if (rnd.nextInt(5) == 0) c.add("hr:none");
                    } else if (kind < 85) {
                        c.add("PFMERGE");
                        c.add(k);
                        int n = rnd.nextInt(3);
                        for (int i = 0; i < n; i++) c.add(keys[rnd.nextInt(keys.length)]);
                    } else if (kind < 88) {
                        c.add("DEL");
                        c.add(k);
                    } else {
                        c.add("GET");
                        c.add(k);
                    }
                    o.checkStep(seed, step, c.toArray(String[]::new));
                    try {
                        String got = o.check("GET", k);
                        if (got.startsWith("$" + Hll.DENSE_SIZE + "\r\n")) dense++;
                        else if (got.startsWith("$") && !got.startsWith("$-1")) sparse++;
                    } catch (AssertionError e) {
                        throw new AssertionError("seed " + seed + " step " + step + " " + c.get(0) + ": " + e.getMessage(), e);
                    }
                }
                // the sequence went through both encodings
                assertTrue(dense > 0 && sparse > 0, "dense " + dense + " sparse " + sparse);
                for (String k : keys) {
                    o.check("GET", k);
                    o.check("STRLEN", k);
                    o.check("OBJECT", "ENCODING", k);
                    o.check("DEBUG", "DIGEST-VALUE", k);
                }
            } finally {
                if (sparseMax != null) {
                    o.redis().call("CONFIG", "SET", "hll-sparse-max-bytes", "3000");
                    o.ferry().call("CONFIG", "SET", "hll-sparse-max-bytes", "3000");
                }
            }
        }
    }
}
