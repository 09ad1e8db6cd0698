package dev.ferry.command;

import dev.ferry.engine.*;

import dev.ferry.engine.ServerContext;
import dev.ferry.store.StringValue;
import dev.ferry.support.FerryPort;
import dev.ferry.support.Oracle;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisPeer;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** INFO: section and field names, layout and values, compared with a real redis-server's INFO. */
@QuarkusTest
class ServerInfoTest {
    static final int DB = 6;
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();

    /** Every section Ferry prints exists in Redis, in Redis's order; every field is one Redis prints there. */
    @Test
    void everyFieldIsARedisField() throws Exception {
        try (RawClient ferry = new RawClient(FerryPort.get()); RawClient real = new RawClient(redis.port())) {
            // make the dynamic sections non-empty on both sides
            for (RawClient c : List.of(ferry, real)) {
                c.call("SELECT", Integer.toString(DB));
                c.call("SET", "server:info:k", "v");
                c.call("NOSUCHCOMMAND");
            }
            Map<String, List<String>> r = sections(body(real.call("INFO", "everything")));
            Map<String, List<String>> f = sections(body(ferry.call("INFO", "everything")));
            List<String> redisOrder = new ArrayList<>(r.keySet());
            int last = -1;
            for (Map.Entry<String, List<String>> s : f.entrySet()) {
                String title = s.getKey();
                int at = redisOrder.indexOf(title);
                assertTrue(at >= 0, () -> "Redis has no section " + title);
                assertTrue(at > last, () -> "section " + title + " out of Redis's order");
                last = at;
                Set<String> redisFields = new LinkedHashSet<>();
                for (String line : r.get(title)) redisFields.add(fieldName(line));
                for (String line : s.getValue()) {
                    String name = fieldName(line);
                    if (name.startsWith("ferry_")) continue;
                    assertTrue(redisFields.contains(name), () -> "Redis has no field " + name + " in # " + title);
                }
            }
            // the sections a client or exporter reads are all there
            for (String title : List.of("Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU",
                "Commandstats", "Errorstats", "Keyspace")) {
                assertTrue(f.containsKey(title), title);
            }
            // fields that Ferry prints in Redis's relative order
            for (String title : f.keySet()) {
                List<String> order = new ArrayList<>();
                for (String line : r.get(title)) order.add(fieldName(line));
                int prev = -1;
                for (String line : f.get(title)) {
                    int at = order.indexOf(fieldName(line));
                    if (at < 0) continue;
                    assertTrue(at >= prev, () -> fieldName(line) + " out of Redis's order in # " + title);
                    prev = at;
                }
            }
        }
    }

    /** The default and "all" selections print the sections Redis prints (Latencystats aside). */
    @Test
    void sectionSelectionsMatchRedis() throws Exception {
        try (RawClient ferry = new RawClient(FerryPort.get()); RawClient real = new RawClient(redis.port())) {
            assertEquals(titles(real.call("INFO")), titles(ferry.call("INFO")));
            assertEquals(titles(real.call("INFO", "default")), titles(ferry.call("INFO", "default")));
            List<String> all = titles(real.call("INFO", "all"));
            all.remove("Latencystats");
            assertEquals(all, titles(ferry.call("INFO", "all")));
            for (String[] args : List.of(new String[] {"INFO", "server", "clients"}, new String[] {"INFO", "CPU", "server"},
                new String[] {"INFO", "modules", "cpu"}, new String[] {"INFO", "commandstats", "default"},
                new String[] {"INFO", "replication", "nosuch"}, new String[] {"INFO", "everything", "server"})) {
                List<String> expected = titles(real.call(args));
                expected.remove("Latencystats");
                assertEquals(expected, titles(ferry.call(args)), String.join(" ", args));
            }
        }
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            o.check("INFO", "nosuch");
            o.check("INFO", "modules");
            o.check("INFO", "cluster");
            o.check("INFO", "Cluster", "MODULES");
        }
    }

    /** CRLF line ends, "# Title" headers, one blank line between sections, none at the end. */
    @Test
    void layoutIsRedisLayout() throws Exception {
        try (RawClient ferry = new RawClient(FerryPort.get())) {
            String text = body(ferry.call("INFO", "everything"));
            assertTrue(text.startsWith("# Server\r\n"), text);
            assertTrue(text.endsWith("\r\n") && !text.endsWith("\r\n\r\n"), "no trailing blank line");
            assertFalse(text.replace("\r\n", "").contains("\n"), "bare LF");
            assertFalse(text.replace("\r\n", "").contains("\r"), "bare CR");
            String[] blocks = text.split("\r\n\r\n", -1);
            for (String block : blocks) {
                String[] lines = block.split("\r\n");
                assertTrue(lines[0].matches("# [A-Z][A-Za-z]+"), lines[0]);
                for (int i = 1; i < lines.length; i++) {
                    assertTrue(lines[i].matches("[A-Za-z0-9_|\\-]+:.*"), () -> "not a field line: " + block);
                }
            }
            // RESP3: a verbatim string of format txt, like Redis
            ferry.call("HELLO", "3");
            String resp3 = ferry.call("INFO", "server");
            assertTrue(resp3.startsWith("="), resp3);
            assertTrue(resp3.substring(resp3.indexOf("\r\n") + 2).startsWith("txt:# Server\r\n"), resp3);
        }
    }

    @Test
    void valuesDescribeThisServer() throws Exception {
        try (RawClient ferry = new RawClient(FerryPort.get())) {
            Map<String, String> v = fields(body(ferry.call("INFO", "everything")));
            assertEquals("7.0.15", v.get("redis_version"));
            assertTrue(v.containsKey("ferry_version"));
            assertEquals("standalone", v.get("redis_mode"));
            assertEquals(Long.toString(ProcessHandle.current().pid()), v.get("process_id"));
            assertEquals(Integer.toString(FerryPort.get()), v.get("tcp_port"));
            assertTrue(v.get("run_id").matches("[0-9a-f]{40}"));
            assertEquals("64", v.get("arch_bits"));
            assertTrue(Long.parseLong(v.get("connected_clients")) >= 1);
            assertEquals("0", v.get("blocked_clients"));
            assertTrue(Long.parseLong(v.get("used_memory")) > 0);
            assertTrue(Long.parseLong(v.get("used_memory_peak")) >= Long.parseLong(v.get("used_memory")));
            assertTrue(v.get("used_memory_human").matches("[0-9.]+[BKMGTP]"), v.get("used_memory_human"));
            assertEquals("jvm", v.get("mem_allocator"));
            assertEquals("noeviction", v.get("maxmemory_policy"));
            assertEquals("0", v.get("loading"));
            assertEquals("0", v.get("aof_enabled"));
            assertEquals("0", v.get("rdb_bgsave_in_progress"));
            assertEquals("master", v.get("role"));
            assertEquals("0", v.get("connected_slaves"));
            assertTrue(v.get("master_replid").matches("[0-9a-f]{40}"));
            assertEquals("0000000000000000000000000000000000000000", v.get("master_replid2"));
            assertEquals("-1", v.get("second_repl_offset"));
            // Ferry's default (ferry.repl-backlog-size 64mb), and the backlog exists from start-up
            assertEquals(Long.toString(64L << 20), v.get("repl_backlog_size"));
            assertEquals("1", v.get("repl_backlog_active"));
            assertTrue(v.get("used_cpu_user").matches("\\d+\\.\\d{6}"), v.get("used_cpu_user"));
            assertTrue(v.get("used_cpu_sys_main_thread").matches("\\d+\\.\\d{6}"));
            assertTrue(Double.parseDouble(v.get("used_cpu_user")) + Double.parseDouble(v.get("used_cpu_sys")) > 0);
            assertEquals("0", v.get("cluster_enabled"));
            long start = Long.parseLong(v.get("rdb_last_save_time"));
            assertEquals(Long.toString(start), ferry.call("LASTSAVE").substring(1).trim());
        }
    }

    /** Dirty count, commands, connections and hits/misses move as Redis's do. */
    @Test
    void countersFollowTheTraffic() throws Exception {
        try (RawClient ferry = new RawClient(FerryPort.get())) {
            ferry.call("SELECT", Integer.toString(DB));
            Map<String, String> before = fields(body(ferry.call("INFO", "all")));
            ferry.call("SET", "server:info:hit", "v");
            ferry.call("GET", "server:info:hit");
            ferry.call("GET", "server:info:miss");
            try (RawClient other = new RawClient(FerryPort.get())) {
                other.call("PING");
            }
            Map<String, String> after = fields(body(ferry.call("INFO", "all")));
            assertEquals(1, delta(before, after, "rdb_changes_since_last_save"));
            assertEquals(1, delta(before, after, "keyspace_hits"));
            assertEquals(1, delta(before, after, "keyspace_misses"));
            assertEquals(1, delta(before, after, "total_connections_received"));
            // INFO itself counts once it has run, as in Redis: SET, GET, GET, PING and the first INFO
            assertEquals(5, delta(before, after, "total_commands_processed"));
            assertTrue(delta(before, after, "total_net_input_bytes") > 0);
            assertTrue(delta(before, after, "total_net_output_bytes") > 0);
        }
    }

    @Test
    void instantaneousOpsAreSampled() throws Exception {
        try (RawClient ferry = new RawClient(FerryPort.get())) {
            StringBuilder batch = new StringBuilder();
            for (int i = 0; i < 200; i++) batch.append("PING\r\n");
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            while (System.nanoTime() < end) {
                ferry.sendRaw(batch.toString());
                for (int i = 0; i < 200; i++) ferry.readReply();
            }
            Map<String, String> v = fields(body(ferry.call("INFO", "stats")));
            assertTrue(Long.parseLong(v.get("instantaneous_ops_per_sec")) > 0, v.get("instantaneous_ops_per_sec"));
            assertTrue(Double.parseDouble(v.get("instantaneous_input_kbps")) > 0);
        }
    }

    /** After CONFIG RESETSTAT on both, the same errors give byte-identical INFO errorstats. */
    @Test
    void errorstatsMatchRedis() throws Exception {
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            o.check("CONFIG", "RESETSTAT");
            o.check("NOSUCHCOMMAND");
            o.check("GET");
            o.check("SELECT", "99");
            o.check("CONFIG", "SET", "nosuch", "1");
            o.check("AUTH", "x");
            o.check("INFO", "errorstats");
        }
    }

    /** After CONFIG RESETSTAT on both, the same commands give the same INFO commandstats (times aside). */
    @Test
    void commandstatsMatchRedis() throws Exception {
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            o.check("CONFIG", "RESETSTAT");
            o.check("SET", "server:info:cs", "v");
            o.check("GET", "server:info:cs");
            o.check("GET", "server:info:cs");
            o.check("CONFIG", "GET", "timeout");
            o.check("GET");
            o.check("CONFIG", "SET", "nosuch", "1");
            o.check("CONFIG");
            Set<String> f = commandStats(body(o.ferry().call("INFO", "commandstats")));
            Set<String> r = commandStats(body(o.redis().call("INFO", "commandstats")));
            assertEquals(r, f);
        }
    }

    @Test
    void keyspaceLinesMatchRedis() throws Exception {
        onLoop(ctx -> ctx.keyspace().flush(DB));
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            o.check("SELECT", Integer.toString(DB));
            o.redis().call("FLUSHDB");
            o.redis().call("SET", "server:info:a", "1");
            o.redis().call("SET", "server:info:b", "2", "PX", "100000");
            o.redis().call("SET", "server:info:c", "3", "EX", "100");
            onLoop(ctx -> {
                var db = ctx.keyspace().db(DB);
                db.add("server:info:a".getBytes(), StringValue.fromArgument("1".getBytes(), true));
                db.setExpire(db.add("server:info:b".getBytes(), StringValue.fromArgument("2".getBytes(), true)), System.currentTimeMillis() + 100_000);
                db.setExpire(db.add("server:info:c".getBytes(), StringValue.fromArgument("3".getBytes(), true)), System.currentTimeMillis() + 100_000);
            });
            String line = "db" + DB + ":keys=3,expires=2,avg_ttl=";
            assertTrue(body(o.redis().call("INFO", "keyspace")).contains("\r\n" + line), "redis");
            assertTrue(body(o.ferry().call("INFO", "keyspace")).contains("\r\n" + line), "ferry");
            onLoop(ctx -> ctx.keyspace().flush(DB));
            o.redis().call("FLUSHDB");
            assertFalse(body(o.ferry().call("INFO", "keyspace")).contains("\r\ndb" + DB + ":"), "empty dbs are not listed");
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    /** Runs an action on Ferry's executing event loop (the keyspace is single-threaded) and waits for it. */
    static void onLoop(Consumer<ServerContext> action) throws Exception {
        dev.ferry.support.OnFerry.run(action);
    }

    private static long delta(Map<String, String> before, Map<String, String> after, String field) {
        return Long.parseLong(after.get(field)) - Long.parseLong(before.get(field));
    }

    /** cmdstat lines with the microsecond figures masked. */
    private static Set<String> commandStats(String text) {
        Set<String> out = new java.util.TreeSet<>();
        for (String line : text.split("\r\n")) {
            if (!line.startsWith("cmdstat_")) continue;
            assertTrue(Pattern.matches("cmdstat_[a-z|\\-]+:calls=\\d+,usec=\\d+,usec_per_call=\\d+\\.\\d\\d,"
                + "rejected_calls=\\d+,failed_calls=\\d+", line), line);
            out.add(line.replaceAll("usec=\\d+,usec_per_call=[\\d.]+", "usec=*"));
        }
        return out;
    }

    /** The text of a bulk (RESP2) or verbatim (RESP3) reply. */
    static String body(String reply) {
        String text = reply.substring(reply.indexOf("\r\n") + 2, reply.length() - 2);
        return reply.startsWith("=") ? text.substring(4) : text;
    }

    private static List<String> titles(String reply) {
        return new ArrayList<>(sections(body(reply)).keySet());
    }

    static Map<String, List<String>> sections(String text) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        List<String> current = null;
        for (String line : text.split("\r\n")) {
            if (line.startsWith("# ")) {
                current = new ArrayList<>();
                out.put(line.substring(2), current);
            } else if (!line.isEmpty() && current != null) {
                current.add(line);
            }
        }
        return out;
    }

    static Map<String, String> fields(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : text.split("\r\n")) {
            int colon = line.indexOf(':');
            if (!line.startsWith("#") && colon > 0) out.put(line.substring(0, colon), line.substring(colon + 1));
        }
        return out;
    }

    /** A field's name; dynamic names (cmdstat_x, errorstat_X, dbN) stand for their family. */
    private static String fieldName(String line) {
        String name = line.substring(0, line.indexOf(':'));
        if (name.startsWith("cmdstat_")) return "cmdstat_";
        if (name.startsWith("errorstat_")) return "errorstat_";
        if (name.matches("db\\d+")) return "db";
        return name;
    }
}
