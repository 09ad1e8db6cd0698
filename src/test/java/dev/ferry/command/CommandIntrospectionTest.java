package dev.ferry.command;

import dev.ferry.engine.*;
import dev.ferry.command.introspection.CommandDocs;
import dev.ferry.command.introspection.CommandDocsTest;

import dev.ferry.server.RespServer;
import dev.ferry.support.FerryPort;
import dev.ferry.support.Oracle;
import dev.ferry.support.Peers;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisPeer;

import io.quarkus.arc.Arc;
import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** COMMAND and its subcommands against a real redis-server, and through the clients that read them. */
@QuarkusTest
class CommandIntrospectionTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();

    static CommandTable table() {
        return Arc.container().instance(RespServer.class).get().context().commands();
    }

    /** Byte for byte, in RESP2 and RESP3: these commands' flags, key specs and docs are Redis's own. */
    @Test
    void deterministicRepliesMatchRedis() throws Exception {
        String[][] cases = {
            {"COMMAND", "INFO", "get"}, {"COMMAND", "INFO", "set"}, {"COMMAND", "INFO", "nosuch"},
            {"COMMAND", "INFO", "GET", "nosuch", "SET"}, {"COMMAND", "INFO", "get|x", "client|list|x", "client|nosuch"},
            {"COMMAND", "INFO", "client|list"}, {"COMMAND", "INFO", "CLIENT|ID"}, {"COMMAND", "INFO", "client|setname"},
            {"COMMAND", "INFO", "client|getname"}, {"COMMAND", "INFO", "client|info"}, {"COMMAND", "INFO", "client|no-evict"},
            {"COMMAND", "INFO", "client|reply"}, {"COMMAND", "INFO", "client|help"},
            {"COMMAND", "INFO", "command|docs"}, {"COMMAND", "INFO", "command|getkeys"}, {"COMMAND", "INFO", "command|list"},
            {"COMMAND", "DOCS", "get"}, {"COMMAND", "DOCS", "nosuch"}, {"COMMAND", "DOCS", "get", "nosuch"},
            {"COMMAND", "DOCS", "client|getname"}, {"COMMAND", "DOCS", "command|count"},
            {"COMMAND", "HELP"}, {"COMMAND", "HELP", "x"}, {"COMMAND", "nosuch"}, {"COMMAND", "COUNT", "x"},
            {"COMMAND", "GETKEYS"}, {"COMMAND", "GETKEYS", "get"}, {"COMMAND", "GETKEYS", "get", "k"},
            {"COMMAND", "GETKEYS", "GET", "k", "x"}, {"COMMAND", "GETKEYS", "set", "a"}, {"COMMAND", "GETKEYS", "set", "a", "b", "EX", "5"},
            {"COMMAND", "GETKEYS", "nosuch", "a"}, {"COMMAND", "GETKEYS", "client", "list"},
            {"COMMAND", "GETKEYS", "client", "nosuch", "x"}, {"COMMAND", "GETKEYS", "ping", "x"},
            {"COMMAND", "GETKEYSANDFLAGS", "get", "k"}, {"COMMAND", "GETKEYSANDFLAGS", "ping", "x"},
            {"COMMAND", "LIST", "x"}, {"COMMAND", "LIST", "FILTERBY"}, {"COMMAND", "LIST", "FILTERBY", "x", "y"},
            {"COMMAND", "LIST", "FILTERBY", "ACLCAT"}, {"COMMAND", "LIST", "FILTERBY", "module", "x"},
            {"COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuch"}, {"COMMAND", "LIST", "FILTERBY", "PATTERN", "nosuch*"},
            {"COMMAND", "LIST", "FILTERBY", "PATTERN", "get"}, {"COMMAND", "LIST", "FILTERBY", "PATTERN", "CLIENT|SETN*"},
        };
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            for (String[] c : cases) o.check(c);
            o.ferry().call("HELLO", "3");
            o.redis().call("HELLO", "3");
            for (String[] c : cases) o.check(c);
        }
    }

    @Test
    void countIsTheNumberOfRegisteredCommands() throws Exception {
        int registered = table().size();
        try (RawClient f = new RawClient(FerryPort.get())) {
            assertEquals(":" + registered + "\r\n", f.call("COMMAND", "COUNT"));
            List<?> all = (List<?>) CommandDocsTest.Tree.parse(f.call("COMMAND"));
            assertEquals(registered, all.size());
            assertEquals(all, CommandDocsTest.Tree.parse(f.call("COMMAND", "INFO")));
            List<?> names = (List<?>) CommandDocsTest.Tree.parse(f.call("COMMAND", "LIST"));
            assertEquals(table().allWithSubcommands().size(), names.size());
            assertEquals(registered, names.stream().filter(n -> !((String) n).contains("|")).count());
            for (Object entry : all) {
                List<?> e = (List<?>) entry;
                assertEquals(10, e.size(), "COMMAND entry of " + e.get(0));
                assertEquals(table().get((String) e.get(0)).arity, ((Long) e.get(1)).intValue());
            }
        }
    }

    /** What Ferry lists is what Redis lists, restricted to the commands Ferry has. */
    @Test
    void listFiltersAgreeWithRedis() throws Exception {
        try (RawClient f = new RawClient(FerryPort.get()); RawClient r = new RawClient(redis.port())) {
            for (String[] filter : new String[][] {{"PATTERN", "c*"}, {"ACLCAT", "connection"}, {"ACLCAT", "DANGEROUS"},
                {"ACLCAT", "fast"}, {"ACLCAT", "admin"}}) {
                List<?> ours = (List<?>) CommandDocsTest.Tree.parse(f.call("COMMAND", "LIST", "FILTERBY", filter[0], filter[1]));
                List<?> theirs = (List<?>) CommandDocsTest.Tree.parse(r.call("COMMAND", "LIST", "FILTERBY", filter[0], filter[1]));
                List<String> expected = new ArrayList<>();
                for (CommandSpec s : table().allWithSubcommands()) {
                    if (theirs.contains(s.fullName) && CommandDocs.get().of(s.fullName) != null) expected.add(s.fullName);
                }
                assertFalse(expected.isEmpty(), String.join(" ", filter));
                for (String name : expected) assertTrue(ours.contains(name), name + " in " + String.join(" ", filter));
            }
        }
    }

    /** GETKEYS / GETKEYSANDFLAGS for every documented command shape Ferry has (SET's flags vary with GET). */
    @Test
    void getKeysMatchRedis() throws Exception {
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            o.check("COMMAND", "GETKEYS", "set", "k", "v", "GET");
            o.check("COMMAND", "GETKEYSANDFLAGS", "SET", "k", "v");
            o.check("COMMAND", "GETKEYSANDFLAGS", "SET", "k", "v", "NX", "get");
            o.check("COMMAND", "GETKEYSANDFLAGS", "SET", "k", "v", "EX", "get");
            o.check("COMMAND", "GETKEYSANDFLAGS", "GET", "k");
        }
    }

    /** COMMAND DOCS through Jedis: SET has its arguments tree. */
    @Test
    void docsParseInJedis() {
        try (Jedis j = new Jedis("127.0.0.1", FerryPort.get())) {
            Object reply = j.sendCommand(Protocol.Command.COMMAND, "DOCS", "SET");
            List<?> top = assertInstanceOf(List.class, reply);
            assertEquals(2, top.size());
            assertEquals("set", text(top.get(0)));
            Map<String, Object> doc = pairs((List<?>) top.get(1));
            assertEquals("Set the string value of a key", text(doc.get("summary")));
            assertEquals("string", text(doc.get("group")));
            List<?> args = (List<?>) doc.get("arguments");
            assertEquals(5, args.size());
            Map<String, Object> key = pairs((List<?>) args.get(0));
            assertEquals("key", text(key.get("type")));
            assertEquals(0L, key.get("key_spec_index"));
            Map<String, Object> expiration = pairs((List<?>) args.get(4));
            assertEquals("expiration", text(expiration.get("name")));
            assertEquals("oneof", text(expiration.get("type")));
            assertEquals(List.of("optional"), ((List<?>) expiration.get("flags")).stream().map(CommandIntrospectionTest::text).toList());
            List<?> choices = (List<?>) expiration.get("arguments");
            assertEquals("KEEPTTL", text(pairs((List<?>) choices.get(4)).get("token")));
        }
    }

    /** redis-cli builds its help from COMMAND DOCS; it must read every command's docs. */
    @Test
    void redisCliReadsTheDocs() throws Exception {
        String cli = Peers.require("redis-cli");
        String port = Integer.toString(FerryPort.get());
        String out = run(cli, "-p", port, "--no-raw", "COMMAND", "DOCS", "set");
        assertTrue(out.contains("\"arguments\""), out);
        assertTrue(out.contains("\"KEEPTTL\""), out);
        String all = run(cli, "-p", port, "--no-raw", "COMMAND", "DOCS");
        for (CommandSpec s : table().all()) assertTrue(all.contains("\"" + s.fullName + "\""), s.fullName);
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        return text;
    }

    static String text(Object o) {
        assertNotNull(o);
        return o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : o.toString();
    }

    /** A RESP2 map (a flat array of name, value) by name. */
    static Map<String, Object> pairs(List<?> flat) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) m.put(text(flat.get(i)), flat.get(i + 1));
        return m;
    }
}
