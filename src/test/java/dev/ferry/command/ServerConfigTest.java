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
    static final RedisPeer redis = new RedisPeer("--enable-debug-command", "yes");

    /**
     * Settings whose value legitimately differs between Ferry and the oracle: the oracle's command line
     * (port, bind, dir, save, repl-diskless-sync-delay) and Ferry's documented differences (protected-mode).
     */
    static final Set<String> DIFFERENT = Set.of("port", "bind", "dir", "save", "repl-diskless-sync-delay", "protected-mode");

    @Test
    void getOfSingleNamesIsByteForByte() throws Exception {
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            String ferrySave = value(o.ferry().call("CONFIG", "GET", "save"));
            String redisSave = value(o.redis().call("CONFIG", "GET", "save"));
            try {
                o.check("CONFIG", "SET", "save", "3600 1 300 100 60 10000");
                for (String name : List.of("save", "appendonly", "maxmemory", "timeout", "databases", "maxmemory-policy",
                    "hz", "maxclients", "proto-max-bulk-len", "client-query-buffer-limit", "repl-backlog-size",
                    "requirepass", "notify-keyspace-events", "client-output-buffer-limit", "replica-read-only",
                    "slave-read-only", "dbfilename", "appendfsync", "rdbcompression", "rdbchecksum", "maxmemory-clients",
                    "replicaof", "slaveof", "list-max-listpack-size", "list-max-ziplist-size", "repl-timeout",
                    "enable-debug-command", "daemonize", "io-threads", "cluster-enabled", "tcp-keepalive")) {
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
            } finally {
                o.ferry().call("CONFIG", "SET", "save", ferrySave);
                o.redis().call("CONFIG", "SET", "save", redisSave);
            }
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

                // accepted values normalize like Redis
                String[][] good = {
                    {"maxmemory", "1gb"}, {"maxmemory", "10k"}, {"maxmemory", "5Kb"}, {"maxmemory", "05"},
                    {"maxmemory", ""}, {"maxmemory", "18446744073709551615"}, {"maxmemory", "0"},
                    {"maxmemory-policy", "ALLKEYS-LRU"}, {"appendfsync", "ALWAYS"}, {"slave-read-only", "NO"},
                    {"notify-keyspace-events", "KEA"}, {"notify-keyspace-events", "AKEg"},
                    {"notify-keyspace-events", "$lshzxetmd"}, {"notify-keyspace-events", "x"},
                    {"client-output-buffer-limit", "replica 1mb 2 3"}, {"client-output-buffer-limit", "PUBSUB 1 2 3 normal 5 6 7"},
                    {"client-output-buffer-limit", ""}, {"save", "10 1 10 1"}, {"save", "+1 0"}, {"save", ""},
                    {"hz", "1000"}, {"hz", "0"}, {"hz", "10"}, {"proto-max-bulk-len", "1mb"},
                    {"maxmemory-clients", "5%"}, {"maxmemory-clients", "1gb"}, {"appendonly", "NO"},
                };
                for (String[] g : good) {
                    o.check("CONFIG", "SET", g[0], g[1]);
                    o.check("CONFIG", "GET", g[0]);
                }
                // several at once, aliases count as different names
                o.check("CONFIG", "SET", "slave-read-only", "yes", "replica-read-only", "no");
                o.check("CONFIG", "GET", "replica-read-only");
                o.check("CONFIG", "SET", "timeout", "7", "maxmemory-policy", "volatile-ttl");
                o.check("CONFIG", "GET", "timeout");
                o.check("CONFIG", "GET", "maxmemory-policy");
            } finally {
                restore(o, originals);
            }
        }
    }

    /** Random CONFIG SET pairs from a fixed seed: same reply, then the same values, as redis-server. */
    @Test
    void randomSetsMatchRedis() throws Exception {
        String[] names = {"maxmemory-policy", "maxmemory-samples", "appendfsync", "hash-max-listpack-entries",
            "hash-max-ziplist-entries", "list-max-listpack-size", "slowlog-log-slower-than", "slowlog-max-len",
            "notify-keyspace-events", "replica-read-only", "slave-read-only", "repl-backlog-size", "repl-timeout",
            "active-expire-effort", "lfu-log-factor", "client-output-buffer-limit", "maxmemory-clients",
            "proto-max-bulk-len", "client-query-buffer-limit", "tcp-keepalive", "loglevel", "stream-node-max-bytes",
            "hll-sparse-max-bytes", "daemonize", "databases", "nosuch", "replica-announce-port", "rdbcompression",
            "hz", "lazyfree-lazy-user-del", "busy-reply-threshold", "lua-time-limit", "repl-diskless-load",
            "sanitize-dump-payload", "maxmemory-eviction-tenacity", "repl-backlog-ttl", "MaxMemory-Policy"};
        String[] values = {"0", "1", "-1", "yes", "no", "YES", "abc", "", "5mb", "1gb", "1k", "10", "100", "65536",
            "65535", "2147483648", "-2147483649", "05", "+5", " 5", "1.5", "everysec", "allkeys-lru", "noeviction",
            "KEA", "x", "$lshzxetmd", "Ag", "normal 0 0 0", "slave 1mb 2 3", "pubsub 1 2", "5%", "101%", "100%",
            "9223372036854775807", "9223372036854775808", "18446744073709551615", "2mb", "debug", "WARNING",
            "swapdb", "clients", "4", "1048576", "1048575"};
        Random rnd = new Random(20240607);
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            Map<String, String[]> originals = originals(o, names);
            try {
                for (int round = 0; round < 400; round++) {
                    int pairs = 1 + rnd.nextInt(3);
                    List<String> cmd = new ArrayList<>(List.of("CONFIG", "SET"));
                    for (int i = 0; i < pairs; i++) {
                        cmd.add(names[rnd.nextInt(names.length)]);
                        cmd.add(values[rnd.nextInt(values.length)]);
                    }
                    String reply = o.check(cmd.toArray(new String[0]));
                    if (reply.startsWith("+OK")) {
                        for (int i = 0; i < pairs; i++) o.check("CONFIG", "GET", cmd.get(2 + 2 * i));
                    }
                }
            } finally {
                restore(o, originals);
            }
        }
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
