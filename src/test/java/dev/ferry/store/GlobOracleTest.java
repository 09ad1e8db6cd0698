package dev.ferry.store;

import dev.ferry.support.FerryPort;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisPeer;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * KEYS and SCAN MATCH through the real protocol, Ferry against redis-server 7.0.15: the same keys (binary
 * ones too) in both, the same set of names back for fixed and seeded random patterns, and the patterns that
 * used to freeze Ferry's only executing loop answered while another client is served.
 */
@QuarkusTest
class GlobOracleTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();

    /** A database of its own: KEYS sees every key of the database, and other tests use 0 to 6. */
    static final String DB = "11";
    static final String ALPHABET = "ab*?[]^-\\";

    static final Set<String> KEYS = new LinkedHashSet<>();
    static final List<String> PATTERNS = new ArrayList<>();

    static {
        for (String k : List.of("", "a", "b", "A", "B", "ab", "ba", "abc", "aaa", "hello", "hallo", "hllo",
            "heeeello", "Hello", "HELLO", "*", "?", "[", "]", "\\", "^", "-", "[]", "a*b", "a?b", "a[b", "a]b",
            "a\\b", "a-b", "x^y", "_", "`", "Z", "z", "{", "0", "9", " ", "a b", "\r\n", "\u0000", "a\u0000b",
            "\u0001", "\u0002", "\u007f", "\u0080", "\u0081", "\u00c0", "\u00e0", "\u00fe", "\u00ff", "caf\u00c3\u00a9",
            "user:1", "user:22", "user:333", "session:user:1", "a".repeat(100), "a".repeat(99) + "b",
            "a".repeat(1100))) {
            KEYS.add(k);
        }
        for (GlobTest.Case c : GlobTest.CASES) if (c.subject().length() < 2000) KEYS.add(c.subject());

        PATTERNS.addAll(List.of("*", "**", "", "?", "??", "???", "*?", "?*", "a*", "*a", "*a*", "a*b", "a?b",
            "h?llo", "h*llo", "h[ae]llo", "h[^e]llo", "h[a-b]llo", "[z-a]", "[a-]", "[a-]b", "[a-", "[]", "[]]",
            "[^]", "[^]]", "[abc", "[", "a[", "[^", "[\\]]", "[\\", "[^\\", "\\", "\\\\", "a\\", "\\*", "\\?",
            "\\[", "[a-\u00ff]", "[\u0001-\u0080]", "[\u0080-\u00ff]", "[^\u0000-\u007f]", "[\u0000]", "*\u0000*",
            "[A-z]", "[a-z]", "[A-Z]", "[0-9]", "user:*", "user:?", "user:[0-9][0-9]", "*user*", "*:*:*",
            "a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", "a*".repeat(25) + "b", "a*".repeat(30) + "a",
            "*a".repeat(30) + "*", "a*".repeat(1000) + "a", "a*".repeat(1001) + "a", "a*".repeat(1001),
            "*".repeat(3000) + "b"));
        for (GlobTest.Case c : GlobTest.CASES) if (!c.nocase()) PATTERNS.add(c.pattern());
    }

    @BeforeAll
    static void load() throws IOException {
        for (int port : new int[] {FerryPort.get(), redis.port()}) {
            try (RawClient c = new RawClient(port)) {
                assertEquals("+OK\r\n", c.call("SELECT", DB));
                assertEquals("+OK\r\n", c.call("FLUSHDB"));
                for (String k : KEYS) assertEquals("+OK\r\n", c.call(bytes("SET"), bytes(k), bytes("v")));
            }
        }
    }

    @AfterAll
    static void clean() throws IOException {
        try (RawClient c = new RawClient(FerryPort.get())) {
            c.call("SELECT", DB);
            c.call("FLUSHDB");
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void keysAreAllThere() throws IOException {
        try (Pair both = new Pair()) {
            assertEquals(":" + KEYS.size() + "\r\n", both.redis.call("DBSIZE"));
            assertEquals(":" + KEYS.size() + "\r\n", both.ferry.call("DBSIZE"));
            assertEquals(new TreeSet<>(KEYS), both.keys(both.redis, "*"));
            assertEquals(new TreeSet<>(KEYS), both.keys(both.ferry, "*"));
        }
    }

    @Test
    void fixedPatternsMatchLikeRedis() throws IOException {
        try (Pair both = new Pair()) {
            for (String p : PATTERNS) both.compareKeys(p);
        }
    }

    /** The table of GlobTest is not just Ferry's opinion: redis-server gives the same answers. */
    @Test
    void theUnitTableIsWhatRedisSays() throws IOException {
        try (Pair both = new Pair()) {
            for (GlobTest.Case c : GlobTest.CASES) {
                if (c.nocase() || c.subject().length() >= 2000) continue;
                // KEYS answers a bare "*" without the matcher (every key, the empty one too)
                if (Glob.matchesAll(c.p())) continue;
                boolean listed = both.keys(both.redis, c.pattern()).contains(c.subject());
                assertEquals(c.expected(), listed, () -> "redis-server on " + c);
            }
        }
    }

    @Test
    void randomPatternsMatchLikeRedis() throws IOException {
        long seed = Long.getLong("glob.seed", 7_000_015L);
        System.out.println("GlobOracleTest seed " + seed + " (-Dglob.seed=... to repeat another)");
        Random rnd = new Random(seed);
        try (Pair both = new Pair()) {
            for (int i = 0; i < 3000; i++) {
                String alphabet = i % 3 == 0 ? ALPHABET + "AzZ_\u00ff\u0080\u0000" : ALPHABET;
                both.compareKeys(GlobTest.random(rnd, alphabet, 1 + i % 10), "seed " + seed);
            }
        }
    }

    @Test
    void scanMatchAgrees() throws IOException {
        try (Pair both = new Pair()) {
            for (String p : List.of("*", "a*", "[a-]", "[abc", "\\", "[\\", "*\u0000*", "[a-\u00ff]",
                "a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", "a*".repeat(1001) + "a")) {
                assertEquals(both.scan(both.redis, p), both.scan(both.ferry, p),
                    () -> "SCAN MATCH " + GlobTest.show(p));
            }
        }
    }

    /**
     * Each of these ran for minutes on Ferry's executing loop (5 stars 0.3 s, 7 over a minute), and every
     * other client waited. Now a bystander's PING is answered while they run, and each answers as Redis.
     */
    @Test
    void pathologicalPatternsDoNotFreezeTheServer() throws Exception {
        List<String> evil = List.of(
            "a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b",
            "a*".repeat(25) + "b",
            "a*".repeat(30) + "b",
            "*a".repeat(30) + "*b",
            "*?".repeat(30) + "*b");
        try (Pair both = new Pair(); RawClient bystander = new RawClient(FerryPort.get())) {
            List<Set<String>> expected = new ArrayList<>();
            for (String p : evil) expected.add(both.keys(both.redis, p));
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                for (int round = 0; round < 5; round++) {
                    for (String p : evil) both.ferry.send(bytes("KEYS"), bytes(p));
                    for (String p : evil) both.ferry.send(bytes("SCAN"), bytes("0"), bytes("MATCH"), bytes(p),
                        bytes("COUNT"), bytes("1000"));
                    long t0 = System.nanoTime();
                    assertEquals("+PONG\r\n", bystander.call("PING"));
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    assertTrue(ms < 2000, "PING waited " + ms + " ms behind the pathological KEYS");
                    for (int i = 0; i < evil.size(); i++) {
                        assertEquals(expected.get(i), elements(both.ferry.readReply()), "KEYS " + evil.get(i));
                    }
                    for (int i = 0; i < evil.size(); i++) both.ferry.readReply();
                }
            }, "the pathological KEYS did not return: the executing loop is frozen");
        }
    }

    /** A client on each server, both on the test database. */
    static final class Pair implements AutoCloseable {
        final RawClient ferry;
        final RawClient redis;

        Pair() throws IOException {
            ferry = new RawClient(FerryPort.get());
            redis = new RawClient(GlobOracleTest.redis.port());
            assertEquals("+OK\r\n", ferry.call("SELECT", DB));
            assertEquals("+OK\r\n", redis.call("SELECT", DB));
        }

        Set<String> keys(RawClient c, String pattern) throws IOException {
            return elements(c.call(bytes("KEYS"), bytes(pattern)));
        }

        void compareKeys(String pattern, String... note) throws IOException {
            Set<String> expected = keys(redis, pattern);
            Set<String> actual = keys(ferry, pattern);
            assertEquals(expected, actual, () -> "KEYS " + GlobTest.show(pattern) + " " + String.join(" ", note));
        }

        /** Every key a full SCAN MATCH returns (a key may come twice; the set drops that). */
        Set<String> scan(RawClient c, String pattern) throws IOException {
            Set<String> out = new TreeSet<>();
            String cursor = "0";
            do {
                String reply = c.call(bytes("SCAN"), bytes(cursor), bytes("MATCH"), bytes(pattern), bytes("COUNT"),
                    bytes("7"));
                Reader r = new Reader(reply);
                assertEquals("*2", r.line());
                cursor = r.bulk();
                int n = Integer.parseInt(r.line().substring(1));
                for (int i = 0; i < n; i++) out.add(r.bulk());
            } while (!cursor.equals("0"));
            return out;
        }

        @Override
        public void close() throws IOException {
            ferry.close();
            redis.close();
        }
    }

    /** The elements of an array of bulk strings, sorted (KEYS's order is the hash table's, not Redis's). */
    static Set<String> elements(String reply) {
        Reader r = new Reader(reply);
        String head = r.line();
        assertTrue(head.startsWith("*"), () -> "not an array: " + GlobTest.show(reply));
        int n = Integer.parseInt(head.substring(1));
        Set<String> out = new TreeSet<>();
        for (int i = 0; i < n; i++) out.add(r.bulk());
        assertEquals(reply.length(), r.pos, "trailing bytes after the array");
        assertEquals(n, out.size(), "a key listed twice");
        return out;
    }

    /** Reads RESP framing from the raw reply text (ISO-8859-1, so one char per byte). */
    static final class Reader {
        final String s;
        int pos;

        Reader(String s) {
            this.s = s;
        }

        String line() {
            int end = s.indexOf("\r\n", pos);
            String l = s.substring(pos, end);
            pos = end + 2;
            return l;
        }

        String bulk() {
            String head = line();
            assertTrue(head.startsWith("$"), () -> "not a bulk: " + head);
            int len = Integer.parseInt(head.substring(1));
            String v = s.substring(pos, pos + len);
            assertEquals("\r\n", s.substring(pos + len, pos + len + 2));
            pos += len + 2;
            return v;
        }
    }
}
