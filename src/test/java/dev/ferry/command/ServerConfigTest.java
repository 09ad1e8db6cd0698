package dev.ferry.command;

import dev.ferry.engine.*;

import dev.ferry.support.FerryPort;
import dev.ferry.support.Oracle;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisPeer;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CONFIG GET / SET / RESETSTAT / REWRITE / HELP against a real redis-server, and settings that act live. */
@QuarkusTest
class ServerConfigTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer("--enable-debug-command", "local");

    /**
     * Settings whose value legitimately differs between Ferry and the oracle: the oracle's command line
     * (port, bind, dir, save, repl-diskless-sync-delay) and what is true of Ferry where Redis's default would
     * claim a feature Ferry does not have (dynamic-hz, latency-tracking, tcp-keepalive).
     */
    static final Set<String> DIFFERENT = Set.of("port", "bind", "dir", "save", "repl-diskless-sync-delay",
        "dynamic-hz", "latency-tracking", "tcp-keepalive",
        // Ferry's own defaults, for the archive's sake (README): a larger backlog that is never dropped
        "repl-backlog-size", "repl-backlog-ttl",
        // disk-based full syncs by default: diskless was not measured faster (README)
        "repl-diskless-sync");

    static final String CONFIG_SET_FAILED = "-ERR CONFIG SET failed (possibly related to argument '%s') - ";

    /** The start of Ferry's refusal to change a setting of a feature it does not have. */
    static final String REFUSED = "-ERR CONFIG SET failed (possibly related to argument '%s') - Ferry ";

    @Test
    void getOfSingleNamesIsByteForByte() throws Exception {
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            for (String name : List.of("save", "appendonly", "maxmemory", "timeout", "databases", "maxmemory-policy",
                "hz", "maxclients", "proto-max-bulk-len", "client-query-buffer-limit",
                "requirepass", "notify-keyspace-events", "client-output-buffer-limit", "replica-read-only",
                "slave-read-only", "dbfilename", "appendfsync", "rdbcompression", "rdbchecksum", "maxmemory-clients",
                "replicaof", "slaveof", "list-max-listpack-size", "list-max-ziplist-size", "repl-timeout",
                "enable-debug-command", "daemonize", "io-threads", "cluster-enabled", "lazyfree-lazy-expire")) {
                o.check("CONFIG", "GET", name);
            }
            o.check("CONFIG", "GET", "TIMEOUT");
            o.check("CONFIG", "GET", "timeout", "TIMEOUT");
            o.check("CONFIG", "GET", "nosuch");
            o.check("CONFIG", "GET", "nosuch", "timeout");
            o.check("CONFIG", "GET");
            o.check("CONFIG");
            o.check("CONFIG", "nosuch");
            o.check("CONFIG", "REWRITE");
            o.check("CONFIG", "REWRITE", "x");
            o.check("CONFIG", "RESETSTAT", "x");
            o.check("CONFIG", "HELP");
            o.check("CONFIG", "help");
            // RESP3: a map
            o.ferry().call("HELLO", "3");
            o.redis().call("HELLO", "3");
            o.check("CONFIG", "GET", "timeout");
            o.check("CONFIG", "GET", "nosuch");
            // several names: Redis lists them in its hash order, so compare as maps
            assertEquals(pairs(o.redis().call("CONFIG", "GET", "appendonly", "databases")),
                pairs(o.ferry().call("CONFIG", "GET", "appendonly", "databases")));
        }
    }

    /** Every name Ferry knows exists in Redis, with Redis's default value, under every pattern. */
    @Test
    void globsListRedisNamesWithRedisDefaults() throws Exception {
        try (RawClient ferry = new RawClient(FerryPort.get()); RawClient real = new RawClient(redis.port())) {
            for (String pattern : List.of("*", "maxmemory*", "*read-only*", "repl-*", "*MAX*", "hash-max-?istpack-*",
                "[ab]*", "timeout")) {
                Map<String, String> f = pairs(ferry.call("CONFIG", "GET", pattern));
                Map<String, String> r = pairs(real.call("CONFIG", "GET", pattern));
                assertFalse(f.isEmpty(), pattern);
                for (Map.Entry<String, String> e : f.entrySet()) {
                    assertTrue(r.containsKey(e.getKey()), () -> "Redis has no setting " + e.getKey());
                    if (!DIFFERENT.contains(e.getKey())) {
                        assertEquals(r.get(e.getKey()), e.getValue(), () -> "value of " + e.getKey());
                    }
                }
            }
            // patterns whose Redis names Ferry all has: the same set of names
            for (String pattern : List.of("maxmemory*", "*read-only*", "repl-*", "*ziplist*", "*listpack*", "lazyfree-*")) {
                assertEquals(pairs(real.call("CONFIG", "GET", pattern)).keySet(),
                    pairs(ferry.call("CONFIG", "GET", pattern)).keySet(), pattern);
            }
            // several patterns: each setting once
            Map<String, String> f = pairs(ferry.call("CONFIG", "GET", "maxmemory", "maxmemory*", "MAXMEMORY"));
            assertEquals(pairs(real.call("CONFIG", "GET", "maxmemory", "maxmemory*", "MAXMEMORY")).keySet(), f.keySet());
        }
    }

    @Test
    void setErrorsAreRedisWords() throws Exception {
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            Map<String, String[]> originals = originals(o, "timeout", "maxmemory", "maxmemory-policy", "appendfsync",
                "slave-read-only", "notify-keyspace-events", "client-output-buffer-limit", "save", "hz",
                "proto-max-bulk-len", "maxmemory-clients", "appendonly");
            try {
                String[][] cases = {
                    {"CONFIG", "SET", "nosuch", "1"},
                    {"CONFIG", "SET", "timeout", "abc"},
                    {"CONFIG", "SET", "timeout", "-1"},
                    {"CONFIG", "SET", "timeout", "2147483648"},
                    {"CONFIG", "SET", "timeout", "05"},
                    {"CONFIG", "SET", "timeout", "+5"},
                    {"CONFIG", "SET", "timeout", " 5"},
                    {"CONFIG", "SET", "timeout", "1.5"},
                    {"CONFIG", "SET", "timeout", ""},
                    {"CONFIG", "SET", "TIMEOUT", "abc"},
                    {"CONFIG", "SET", "maxmemory", "abc"},
                    {"CONFIG", "SET", "maxmemory", "-5"},
                    {"CONFIG", "SET", "maxmemory", "1.5gb"},
                    {"CONFIG", "SET", "appendonly", "maybe"},
                    {"CONFIG", "SET", "maxmemory-policy", "foo"},
                    {"CONFIG", "SET", "appendfsync", "sometimes"},
                    {"CONFIG", "SET", "SLAVE-read-only", "x"},
                    {"CONFIG", "SET", "timeout", "1", "timeout", "2"},
                    {"CONFIG", "SET", "daemonize", "yes"},
                    {"CONFIG", "SET", "databases", "3"},
                    {"CONFIG", "SET", "replicaof", "x"},
                    {"CONFIG", "SET", "dir", "/tmp"},
                    {"CONFIG", "SET", "dbfilename", "a/b"},
                    {"CONFIG", "SET", "timeout", "1", "nosuch", "2"},
                    {"CONFIG", "SET", "nosuch", "2", "timeout", "x"},
                    {"CONFIG", "SET", "timeout", "x", "nosuch", "2"},
                    {"CONFIG", "SET", "timeout", "5", "maxmemory", "x"},
                    {"CONFIG", "SET", "timeout", "1", "daemonize", "yes", "nosuch", "1"},
                    {"CONFIG", "SET", "timeout", "x", "daemonize", "yes"},
                    {"CONFIG", "SET", "hz", "x"},
                    {"CONFIG", "SET", "maxclients", "0"},
                    {"CONFIG", "SET", "maxclients", "4294967296"},
                    {"CONFIG", "SET", "proto-max-bulk-len", "10"},
                    {"CONFIG", "SET", "proto-max-bulk-len", "9223372036854775808"},
                    {"CONFIG", "SET", "client-query-buffer-limit", "1"},
                    {"CONFIG", "SET", "save", "1"},
                    {"CONFIG", "SET", "save", "  5  6 "},
                    {"CONFIG", "SET", "save", "0 1"},
                    {"CONFIG", "SET", "save", "x y"},
                    {"CONFIG", "SET", "notify-keyspace-events", "q"},
                    {"CONFIG", "SET", "client-output-buffer-limit", "normal 1 2"},
                    {"CONFIG", "SET", "client-output-buffer-limit", "foo 1 2 3"},
                    {"CONFIG", "SET", "client-output-buffer-limit", "normal x 2 3"},
                    {"CONFIG", "SET", "client-output-buffer-limit", "normal 1 2 -3"},
                    {"CONFIG", "SET", "maxmemory-clients", "101%"},
                    {"CONFIG", "SET", "maxmemory-clients", "x"},
                    {"CONFIG", "SET", "timeout"},
                    {"CONFIG", "SET", "timeout", "1", "hz"},
                    {"CONFIG", "SET"},
                };
                for (String[] cmd : cases) o.check(cmd);
                // nothing of a refused multi-set was applied
                o.check("CONFIG", "GET", "timeout");
                o.check("CONFIG", "GET", "maxmemory");

                // accepted values normalize like Redis; a setting of a missing feature accepts its current value
                String[][] good = {
                    {"maxmemory", ""}, {"maxmemory", "0"}, {"maxmemory", "0kb"}, {"maxmemory-policy", "NOEVICTION"},
                    {"appendonly", "NO"}, {"save", ""}, {"notify-keyspace-events", ""}, {"slave-read-only", "YES"},
                    {"appendfsync", "EVERYSEC"}, {"maxmemory-clients", "0"},
                    {"client-output-buffer-limit", "replica 1mb 2 3"}, {"client-output-buffer-limit", "PUBSUB 1 2 3 normal 5 6 7"},
                    {"client-output-buffer-limit", ""}, {"hz", "1000"}, {"hz", "0"}, {"hz", "10"},
                    {"proto-max-bulk-len", "1mb"}, {"lazyfree-lazy-expire", "YES"}, {"lazyfree-lazy-expire", "no"},
                };
                for (String[] g : good) {
                    o.check("CONFIG", "SET", g[0], g[1]);
                    o.check("CONFIG", "GET", g[0]);
                }
                // several at once, aliases count as different names
                o.check("CONFIG", "SET", "slave-read-only", "yes", "replica-read-only", "yes");
                o.check("CONFIG", "GET", "replica-read-only");
                o.check("CONFIG", "SET", "timeout", "7", "hz", "11");
                o.check("CONFIG", "GET", "timeout");
                o.check("CONFIG", "GET", "hz");
            } finally {
                restore(o, originals);
            }
        }
    }

    /**
     * A setting of a feature Ferry does not have refuses any value but its current one, with Redis's
     * CONFIG SET error form naming the feature (ARCHITECTURE.md rule 9). Redis accepts every one of these
     * values, so the refusal is about the feature, not the value.
     */
    @Test
    void settingsOfMissingFeaturesRefuseToChange() throws Exception {
        String[][] cases = {
            {"maxmemory", "1gb", "maxmemory limit or eviction"}, {"maxmemory-policy", "allkeys-lru", "eviction"},
            {"maxmemory-samples", "7", "eviction"}, {"maxmemory-clients", "5%", "client eviction"},
            {"appendonly", "yes", "append-only file"}, {"appendfsync", "always", "append-only file"},
            {"repl-diskless-load", "swapdb", "diskless loading"},
            {"shutdown-timeout", "5", "replication"}, {"notify-keyspace-events", "KEA", "keyspace notifications"},
            {"lazyfree-lazy-server-del", "yes", "lazy freeing"}, {"activerehashing", "no", "rehashes"},
            {"dynamic-hz", "yes", "dynamic hz"}, {"slowlog-max-len", "10", "slow log"},
            {"latency-tracking", "yes", "latency tracking"}, {"list-compress-depth", "1", "compress list nodes"},
            {"stream-node-max-entries", "10", "streams"},
            {"busy-reply-threshold", "100", "scripting"}, {"tracking-table-max-keys", "10", "client tracking"},
            {"tcp-keepalive", "300", "TCP keepalive"},
            {"loglevel", "warning", "quarkus.log.level"},
        };
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            for (String[] c : cases) {
                String before = value(o.ferry().call("CONFIG", "GET", c[0]));
                String redisBefore = value(o.redis().call("CONFIG", "GET", c[0]));
                String refused = o.ferry().call("CONFIG", "SET", c[0], c[1]);
                assertTrue(refused.startsWith(String.format(REFUSED, c[0])) && refused.contains(c[2]), c[0] + ": " + refused);
                assertEquals(before, value(o.ferry().call("CONFIG", "GET", c[0])), c[0]);
                // the current value, in any spelling Redis accepts for it, is accepted
                assertEquals("+OK\r\n", o.ferry().call("CONFIG", "SET", c[0], before), c[0]);
                assertEquals("+OK\r\n", o.redis().call("CONFIG", "SET", c[0], c[1]), "Redis takes " + c[0] + " " + c[1]);
                assertEquals("+OK\r\n", o.redis().call("CONFIG", "SET", c[0], redisBefore), c[0]);
            }
            assertEquals("+OK\r\n", o.ferry().call("CONFIG", "SET", "maxmemory", "0kb"));
            assertEquals("+OK\r\n", o.ferry().call("CONFIG", "SET", "appendonly", "NO"));
            // all or nothing: a refused setting leaves the others of the same CONFIG SET unchanged
            String timeout = value(o.ferry().call("CONFIG", "GET", "timeout"));
            assertTrue(o.ferry().call("CONFIG", "SET", "timeout", "77", "maxmemory", "1gb")
                .startsWith(String.format(REFUSED, "maxmemory")));
            assertEquals(timeout, value(o.ferry().call("CONFIG", "GET", "timeout")));
        }
    }

    /**
     * Random CONFIG SET pairs from a fixed seed: same reply, then the same values, as redis-server; except
     * that where Ferry lacks the feature it refuses a change Redis makes (then Redis is put back in step).
     */
    @Test
    void randomSetsMatchRedis() throws Exception {
        String[] names = {"maxmemory-policy", "maxmemory-samples", "appendfsync", "hash-max-listpack-entries",
            "hash-max-ziplist-entries", "list-max-listpack-size", "slowlog-log-slower-than", "slowlog-max-len",
            "notify-keyspace-events", "replica-read-only", "slave-read-only", "repl-backlog-size", "repl-timeout",
            "active-expire-effort", "lfu-log-factor", "client-output-buffer-limit", "maxmemory-clients",
            "proto-max-bulk-len", "client-query-buffer-limit", "tcp-keepalive", "loglevel", "stream-node-max-bytes",
            "hll-sparse-max-bytes", "daemonize", "databases", "nosuch", "replica-announce-port", "rdbcompression",
            "hz", "lazyfree-lazy-user-del", "busy-reply-threshold", "lua-time-limit", "repl-diskless-load",
            "sanitize-dump-payload", "maxmemory-eviction-tenacity", "repl-backlog-ttl", "MaxMemory-Policy",
            "repl-diskless-sync", "repl-diskless-sync-delay", "repl-diskless-sync-max-replicas", "min-slaves-to-write",
            "min-replicas-max-lag"};
        String[] values = {"0", "1", "-1", "yes", "no", "YES", "abc", "", "5mb", "1gb", "1k", "10", "100", "65536",
            "65535", "2147483648", "-2147483649", "05", "+5", " 5", "1.5", "everysec", "allkeys-lru", "noeviction",
            "KEA", "x", "$lshzxetmd", "Ag", "normal 0 0 0", "slave 1mb 2 3", "pubsub 1 2", "5%", "101%", "100%",
            "9223372036854775807", "9223372036854775808", "18446744073709551615", "2mb", "debug", "WARNING",
            "swapdb", "clients", "4", "1048576", "1048575"};
        Random rnd = new Random(20240607);
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            Map<String, String[]> originals = originals(o, names);
            try {
                // start in step: Redis takes Ferry's values (they differ where Redis's default would claim a feature)
                for (String n : originals.keySet()) o.redis().call("CONFIG", "SET", n, originals.get(n)[0]);
                for (int round = 0; round < 400; round++) {
                    int pairs = 1 + rnd.nextInt(3);
                    List<String> cmd = new ArrayList<>(List.of("CONFIG", "SET"));
                    for (int i = 0; i < pairs; i++) {
                        cmd.add(names[rnd.nextInt(names.length)]);
                        cmd.add(values[rnd.nextInt(values.length)]);
                    }
                    String[] args = cmd.toArray(new String[0]);
                    String expected = o.redis().call(args);
                    String reply = o.ferry().call(args);
                    if (!reply.equals(expected)) {
                        // Ferry refused a change of a missing feature; Redis made it, or failed on a later value
                        int refusedAt = pairNamed(reply, cmd, REFUSED);
                        int redisFailedAt = expected.startsWith("+OK") ? pairs : pairNamed(expected, cmd, CONFIG_SET_FAILED);
                        assertTrue(refusedAt >= 0 && refusedAt < redisFailedAt, () -> String.join(" ", cmd) + ": Redis "
                            + expected + " Ferry " + reply);
                        // Redis changed what Ferry refused to change, or refused for another reason: back in step
                        for (int i = 0; i < pairs; i++) {
                            String n = cmd.get(2 + 2 * i);
                            if (originals.containsKey(n)) {
                                o.redis().call("CONFIG", "SET", n, value(o.ferry().call("CONFIG", "GET", n)));
                            }
                        }
                    } else if (reply.startsWith("+OK")) {
                        for (int i = 0; i < pairs; i++) o.check("CONFIG", "GET", cmd.get(2 + 2 * i));
                    }
                }
            } finally {
                restore(o, originals);
            }
        }
    }

    /** The index of the name/value pair of cmd that an error of the given form names; -1 when none. */
    private static int pairNamed(String reply, List<String> cmd, String form) {
        for (int i = 2; i < cmd.size(); i += 2) {
            // the value phase names a setting by its own (lower-case) name, as Redis does
            if (reply.startsWith(String.format(form, cmd.get(i).toLowerCase(Locale.ROOT)))) return (i - 2) / 2;
        }
        return -1;
    }

    @Test
    void resetStatZeroesCounters() throws Exception {
        try (RawClient c = new RawClient(FerryPort.get())) {
            c.call("NOSUCHCOMMAND");
            c.call("GET", "server:cfg:k");
            assertEquals("+OK\r\n", c.call("CONFIG", "RESETSTAT"));
            String info = c.call("INFO", "stats");
            assertTrue(info.contains("\r\ntotal_commands_processed:1\r\n"), info);
            assertTrue(info.contains("\r\ntotal_error_replies:0\r\n"), info);
            assertTrue(info.contains("\r\nkeyspace_misses:0\r\n"), info);
            assertTrue(info.contains("\r\ntotal_connections_received:0\r\n"), info);
        }
    }

    @Test
    void requirepassTakesEffectForNewConnections() throws Exception {
        try (RawClient admin = new RawClient(FerryPort.get())) {
            assertEquals("+OK\r\n", admin.call("CONFIG", "SET", "requirepass", "s3cret"));
            try (RawClient other = new RawClient(FerryPort.get())) {
                assertEquals("-NOAUTH Authentication required.\r\n", other.call("PING"));
                assertEquals("+OK\r\n", other.call("AUTH", "s3cret"));
                assertEquals("+PONG\r\n", other.call("PING"));
            } finally {
                // the connection that set the password stays authenticated, as in Redis
                assertEquals("+OK\r\n", admin.call("CONFIG", "SET", "requirepass", ""));
            }
            try (RawClient after = new RawClient(FerryPort.get())) {
                assertEquals("+PONG\r\n", after.call("PING"));
            }
        }
    }

    @Test
    void maxclientsRejectsConnectionsOverTheLimit() throws Exception {
        try (RawClient admin = new RawClient(FerryPort.get())) {
            String original = value(admin.call("CONFIG", "GET", "maxclients"));
            assertEquals("+OK\r\n", admin.call("CONFIG", "SET", "maxclients", "1"));
            try (RawClient second = new RawClient(FerryPort.get())) {
                assertEquals("-ERR max number of clients reached\r\n", second.readReply());
                assertTrue(closedSoon(second));
            } finally {
                assertEquals("+OK\r\n", admin.call("CONFIG", "SET", "maxclients", original));
            }
            try (RawClient third = new RawClient(FerryPort.get())) {
                assertEquals("+PONG\r\n", third.call("PING"));
            }
        }
    }

    @Test
    void timeoutClosesIdleClients() throws Exception {
        try (RawClient admin = new RawClient(FerryPort.get())) {
            assertEquals("+OK\r\n", admin.call("CONFIG", "SET", "timeout", "1"));
        }
        try (RawClient idle = new RawClient(FerryPort.get())) {
            assertEquals("+PONG\r\n", idle.call("PING"));
            // idle for more than one second: the once-a-second check closes it within about two seconds
            long start = System.nanoTime();
            assertTrue(idle.closedByServer(), "idle client should be closed");
            long waitedMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waitedMs >= 900 && waitedMs < 5000, "closed after " + waitedMs + " ms");
        } finally {
            try (RawClient admin = new RawClient(FerryPort.get())) {
                assertEquals("+OK\r\n", admin.call("CONFIG", "SET", "timeout", "0"));
            }
        }
    }

    /** proto-max-bulk-len is read by the parser live: a bigger bulk is a protocol error, as in Redis. */
    @Test
    void protoMaxBulkLenTakesEffect() throws Exception {
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            Map<String, String[]> originals = originals(o, "proto-max-bulk-len");
            try {
                o.check("CONFIG", "SET", "proto-max-bulk-len", "1mb");
                // only the header of a bulk one byte too long: both servers answer and hang up right there
                String header = "*3\r\n$3\r\nSET\r\n$14\r\nserver:cfg:big\r\n$" + (1024 * 1024 + 1) + "\r\n";
                o.ferry().sendRaw(header);
                o.redis().sendRaw(header);
                assertEquals(o.redis().readReply(), o.ferry().readReply());
                assertTrue(closedSoon(o.ferry()));
                assertTrue(closedSoon(o.redis()));
            } finally {
                try (Oracle again = new Oracle(FerryPort.get(), redis.port())) {
                    restore(again, originals);
                }
            }
        }
    }

    @Test
    void hzIsClampedAndShownByInfo() throws Exception {
        try (RawClient c = new RawClient(FerryPort.get())) {
            try {
                assertEquals("+OK\r\n", c.call("CONFIG", "SET", "hz", "100"));
                String info = c.call("INFO", "server");
                assertTrue(info.contains("\r\nhz:100\r\n") && info.contains("\r\nconfigured_hz:100\r\n"), info);
            } finally {
                assertEquals("+OK\r\n", c.call("CONFIG", "SET", "hz", "10"));
            }
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    /** Each side's own value of each setting, to put back afterwards. */
    private static Map<String, String[]> originals(Oracle o, String... names) throws IOException {
        Map<String, String[]> m = new LinkedHashMap<>();
        for (String n : new LinkedHashSet<>(List.of(names))) {
            Map<String, String> f = pairs(o.ferry().call("CONFIG", "GET", n));
            Map<String, String> r = pairs(o.redis().call("CONFIG", "GET", n));
            if (f.size() == 1 && r.size() == 1) {
                m.put(n, new String[] {f.values().iterator().next(), r.values().iterator().next()});
            }
        }
        return m;
    }

    private static void restore(Oracle o, Map<String, String[]> originals) throws IOException {
        for (Map.Entry<String, String[]> e : originals.entrySet()) {
            String f = value(o.ferry().call("CONFIG", "GET", e.getKey()));
            String r = value(o.redis().call("CONFIG", "GET", e.getKey()));
            if (f.equals(e.getValue()[0]) && r.equals(e.getValue()[1])) continue;
            assertEquals("+OK\r\n", o.ferry().call("CONFIG", "SET", e.getKey(), e.getValue()[0]), e.getKey());
            assertEquals("+OK\r\n", o.redis().call("CONFIG", "SET", e.getKey(), e.getValue()[1]), e.getKey());
        }
    }

    /**
     * True when the server hangs up within a few seconds. (RawClient.closedByServer also says true when its
     * 20-second read times out, so the time is what tells a close from silence.)
     */
    static boolean closedSoon(RawClient c) {
        long start = System.nanoTime();
        boolean closed = c.closedByServer();
        return closed && System.nanoTime() - start < 5_000_000_000L;
    }

    /** The value of a one-setting CONFIG GET reply. */
    static String value(String reply) {
        Map<String, String> p = pairs(reply);
        assertEquals(1, p.size(), reply);
        return p.values().iterator().next();
    }

    /** Parses a CONFIG GET reply (RESP2 array or RESP3 map of bulk strings) into name -> value. */
    static Map<String, String> pairs(String reply) {
        Map<String, String> m = new LinkedHashMap<>();
        int pos = reply.indexOf("\r\n") + 2;
        List<String> items = new ArrayList<>();
        while (pos < reply.length()) {
            int eol = reply.indexOf("\r\n", pos);
            int len = Integer.parseInt(reply.substring(pos + 1, eol));
            items.add(reply.substring(eol + 2, eol + 2 + len));
            pos = eol + 2 + len + 2;
        }
        for (int i = 0; i + 1 < items.size(); i += 2) m.put(items.get(i), items.get(i + 1));
        return m;
    }
}
