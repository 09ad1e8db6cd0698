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
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CLIENT and its subcommands, against a real redis-server where the replies are deterministic. */
@QuarkusTest
class ClientCommandsTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();

    @Test
    void errorsAndSimpleRepliesMatchRedis() throws Exception {
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            String[][] cases = {
                {"CLIENT"}, {"CLIENT", "nosuch"}, {"client", "Nosuch", "x"}, {"CLIENT", "ID", "x"},
                {"CLIENT", "LIST", "x"}, {"CLIENT", "LIST", "TYPE", "x"}, {"CLIENT", "LIST", "TYPE", "normal", "x"},
                {"CLIENT", "LIST", "TYPE", "master"}, {"CLIENT", "LIST", "TYPE", "PUBSUB"}, {"CLIENT", "LIST", "TYPE", "slave"},
                {"CLIENT", "LIST", "ID"}, {"CLIENT", "LIST", "ID", "x"}, {"CLIENT", "LIST", "ID", "999999"},
                {"CLIENT", "LIST", "id", "999999", "x"},
                {"CLIENT", "KILL"}, {"CLIENT", "KILL", "1.2.3.4:5"}, {"CLIENT", "KILL", "ID"},
                {"CLIENT", "KILL", "ID", "0"}, {"CLIENT", "KILL", "ID", "x"}, {"CLIENT", "KILL", "ID", "-5"},
                {"CLIENT", "KILL", "ID", "999999"}, {"CLIENT", "KILL", "TYPE", "x"}, {"CLIENT", "KILL", "USER", "x"},
                {"CLIENT", "KILL", "USER", "default", "ID", "999999"}, {"CLIENT", "KILL", "SKIPME", "maybe"},
                {"CLIENT", "KILL", "ID", "5", "TYPE"}, {"CLIENT", "KILL", "foo", "bar"},
                {"CLIENT", "KILL", "ADDR", "1.2.3.4:5", "SKIPME", "no"}, {"CLIENT", "KILL", "TYPE", "master"},
                {"CLIENT", "SETNAME"}, {"CLIENT", "SETNAME", "a b"}, {"CLIENT", "SETNAME", "a\nb"},
                {"CLIENT", "SETNAME", "clientcmd-name"}, {"CLIENT", "GETNAME"}, {"CLIENT", "SETNAME", ""},
                {"CLIENT", "GETNAME"}, {"CLIENT", "GETNAME", "x"},
                {"CLIENT", "NO-EVICT", "maybe"}, {"CLIENT", "NO-EVICT", "on"}, {"CLIENT", "NO-EVICT", "OFF"},
                {"CLIENT", "NO-EVICT"}, {"CLIENT", "REPLY", "x"}, {"CLIENT", "REPLY"}, {"CLIENT", "REPLY", "ON"},
                {"CLIENT", "INFO", "x"}, {"CLIENT", "HELP", "x"},
            };
            for (String[] c : cases) o.check(c);
        }
    }

    @Test
    void replyOffSkipOnMatchesRedis() throws Exception {
        String pipeline = "CLIENT REPLY OFF\r\nPING\r\nGET clientcmd:missing\r\nCLIENT REPLY SKIP\r\nPING a\r\n"
            + "CLIENT REPLY ON\r\nPING b\r\nCLIENT REPLY SKIP\r\nPING c\r\nPING d\r\nCLIENT REPLY SKIP\r\n"
            + "CLIENT REPLY SKIP\r\nPING e\r\nPING f\r\nCLIENT REPLY SKIP\r\nNOSUCH\r\nCLIENT REPLY OFF\r\n"
            + "CLIENT REPLY ON\r\nPING g\r\n";
        try (RawClient f = new RawClient(FerryPort.get()); RawClient r = new RawClient(redis.port())) {
            f.sendRaw(pipeline);
            r.sendRaw(pipeline);
            for (int i = 0; i < 6; i++) assertEquals(r.readReply(), f.readReply(), "reply " + i);
            assertEquals(r.call("PING", "after"), f.call("PING", "after"));
        }
    }

    @Test
    void setNameGetNameAndId() throws Exception {
        try (RawClient f = new RawClient(FerryPort.get())) {
            String id = f.call("CLIENT", "ID");
            assertTrue(id.matches(":[1-9][0-9]*\r\n"), id);
            assertEquals("+OK\r\n", f.call("CLIENT", "SETNAME", "clientcmd-me"));
            assertEquals("$12\r\nclientcmd-me\r\n", f.call("CLIENT", "GETNAME"));
            Map<String, String> info = fields(bulk(f.call("CLIENT", "INFO")).trim());
            assertEquals(id.substring(1, id.length() - 2), info.get("id"));
            assertEquals("clientcmd-me", info.get("name"));
        }
        try (RawClient fresh = new RawClient(FerryPort.get())) {
            assertEquals("$-1\r\n", fresh.call("CLIENT", "GETNAME"));
        }
    }

    /** CLIENT INFO / LIST lines carry Redis 7.0's fields in Redis's order, then 7.2's lib-name and lib-ver. */
    @Test
    void infoLineHasRedisFieldsInOrder() throws Exception {
        try (RawClient f = new RawClient(FerryPort.get()); RawClient r = new RawClient(redis.port())) {
            List<String> expected = new ArrayList<>(fields(bulk(r.call("CLIENT", "INFO")).trim()).keySet());
            expected.addAll(List.of("lib-name", "lib-ver"));
            f.call("SELECT", "7");
            f.call("CLIENT", "SETINFO", "LIB-NAME", "clientcmd-lib");
            f.call("CLIENT", "SETINFO", "lib-ver", "1.2.3");
            String text = bulk(f.call("CLIENT", "INFO"));
            assertTrue(text.endsWith("\n") && text.indexOf('\n') == text.length() - 1, text);
            Map<String, String> info = fields(text.trim());
            assertEquals(expected, new ArrayList<>(info.keySet()));
            assertEquals("7", info.get("db"));
            assertEquals("N", info.get("flags"));
            assertEquals("-1", info.get("multi"));
            assertEquals("client|info", info.get("cmd"));
            assertEquals("default", info.get("user"));
            assertEquals("2", info.get("resp"));
            assertEquals("clientcmd-lib", info.get("lib-name"));
            assertEquals("1.2.3", info.get("lib-ver"));
            assertEquals("10", info.get("argv-mem"), "CLIENT INFO is 6 + 4 bytes of arguments");
            assertEquals(f.call("CLIENT", "ID"), ":" + info.get("id") + "\r\n");
            assertTrue(Long.parseLong(info.get("age")) >= 0 && Long.parseLong(info.get("idle")) >= 0);
            assertTrue(info.get("addr").matches("127\\.0\\.0\\.1:[0-9]+"), info.get("addr"));
            assertEquals("127.0.0.1:" + FerryPort.get(), info.get("laddr"));
            f.call("CLIENT", "NO-EVICT", "on");
            f.call("CLIENT", "NO-TOUCH", "on");
            assertEquals("eT", fields(bulk(f.call("CLIENT", "INFO")).trim()).get("flags"));
            f.call("CLIENT", "NO-TOUCH", "off");
            assertEquals("e", fields(bulk(f.call("CLIENT", "INFO")).trim()).get("flags"));
        }
    }

    @Test
    void listShowsEveryConnectionAndFilters() throws Exception {
        try (RawClient a = new RawClient(FerryPort.get()); RawClient b = new RawClient(FerryPort.get())) {
            String idA = id(a), idB = id(b);
            b.call("CLIENT", "SETNAME", "clientcmd-b");
            b.call("PING");
            Map<String, Map<String, String>> all = lines(bulk(a.call("CLIENT", "LIST")));
            assertEquals("client|list", all.get(idA).get("cmd"));
            assertEquals("clientcmd-b", all.get(idB).get("name"));
            assertEquals("ping", all.get(idB).get("cmd"));
            assertEquals("0", all.get(idB).get("argv-mem"), "argv of an idle client is freed");
            assertTrue(lines(bulk(a.call("CLIENT", "LIST", "TYPE", "normal"))).containsKey(idB));
            assertEquals(List.of(idB, idA),
                new ArrayList<>(lines(bulk(a.call("CLIENT", "LIST", "ID", idB, "999999", idA))).keySet()));
            assertEquals("$0\r\n\r\n", a.call("CLIENT", "LIST", "TYPE", "pubsub"));
        }
    }

    @Test
    void killByIdClosesTheOtherConnection() throws Exception {
        try (RawClient killer = new RawClient(FerryPort.get()); RawClient victim = new RawClient(FerryPort.get())) {
            String id = id(victim);
            assertEquals(":0\r\n", killer.call("CLIENT", "KILL", "ID", id, "MAXAGE", "100000"), "too young");
            assertEquals(":1\r\n", killer.call("CLIENT", "KILL", "ID", id));
            assertClosed(victim);
            assertEquals(":0\r\n", killer.call("CLIENT", "KILL", "ID", id), "already gone");
            assertEquals("+PONG\r\n", killer.call("PING"));
        }
    }

    @Test
    void killOldFormByAddress() throws Exception {
        try (RawClient killer = new RawClient(FerryPort.get()); RawClient victim = new RawClient(FerryPort.get())) {
            String addr = fields(bulk(victim.call("CLIENT", "INFO")).trim()).get("addr");
            assertEquals("+OK\r\n", killer.call("CLIENT", "KILL", addr));
            assertClosed(victim);
            assertEquals("-ERR No such client\r\n", killer.call("CLIENT", "KILL", addr));
        }
    }

    @Test
    void killFiltersAreAnded() throws Exception {
        try (RawClient killer = new RawClient(FerryPort.get()); RawClient victim = new RawClient(FerryPort.get())) {
            String id = id(victim);
            Map<String, String> v = fields(bulk(victim.call("CLIENT", "INFO")).trim());
            assertEquals(":0\r\n", killer.call("CLIENT", "KILL", "ID", id, "ADDR", "1.2.3.4:5"));
            assertEquals(":0\r\n", killer.call("CLIENT", "KILL", "ID", id, "TYPE", "pubsub"));
            assertEquals(":0\r\n", killer.call("CLIENT", "KILL", "ID", id, "LADDR", "1.2.3.4:5"));
            assertEquals("+PONG\r\n", victim.call("PING"));
            assertEquals(":1\r\n", killer.call("CLIENT", "KILL", "ID", id, "ADDR", v.get("addr"),
                "LADDR", v.get("laddr"), "TYPE", "normal", "USER", "default", "SKIPME", "yes"));
            assertClosed(victim);
        }
    }

    @Test
    void killingOneselfClosesAfterTheReply() throws Exception {
        try (RawClient self = new RawClient(FerryPort.get())) {
            String id = id(self);
            assertEquals(":0\r\n", self.call("CLIENT", "KILL", "ID", id), "SKIPME yes is the default");
            assertEquals(":1\r\n", self.call("CLIENT", "KILL", "ID", id, "SKIPME", "no"));
            assertClosed(self);
        }
        try (RawClient self = new RawClient(FerryPort.get())) {
            String addr = fields(bulk(self.call("CLIENT", "INFO")).trim()).get("addr");
            assertEquals("+OK\r\n", self.call("CLIENT", "KILL", addr), "the old form may kill oneself");
            assertClosed(self);
        }
    }

    @Test
    void laterRedisOptions() throws Exception {
        try (RawClient f = new RawClient(FerryPort.get())) {
            assertEquals("-ERR maxage is not an integer or out of range\r\n", f.call("CLIENT", "KILL", "MAXAGE", "x"));
            assertEquals("-ERR maxage should be greater than 0\r\n", f.call("CLIENT", "KILL", "MAXAGE", "0"));
            assertEquals("-ERR Unrecognized option 'lib-x'\r\n", f.call("CLIENT", "SETINFO", "lib-x", "v"));
            assertEquals("-ERR LIB-NAME cannot contain spaces, newlines or special characters.\r\n",
                f.call("CLIENT", "SETINFO", "LIB-NAME", "a b"));
            assertEquals("-ERR syntax error\r\n", f.call("CLIENT", "NO-TOUCH", "x"));
            assertEquals("+OK\r\n", f.call("CLIENT", "NO-TOUCH", "ON"));
        }
    }

    @Test
    void resp3InfoIsVerbatimLikeRedis() throws Exception {
        try (RawClient f = new RawClient(FerryPort.get()); RawClient r = new RawClient(redis.port())) {
            f.call("HELLO", "3");
            r.call("HELLO", "3");
            assertTrue(r.call("CLIENT", "INFO").matches("(?s)=[0-9]+\r\ntxt:id=.*\n\r\n"));
            assertTrue(f.call("CLIENT", "INFO").matches("(?s)=[0-9]+\r\ntxt:id=.*resp=3 .*\n\r\n"));
            assertEquals(r.call("CLIENT", "GETNAME"), f.call("CLIENT", "GETNAME"));
        }
    }

    @Test
    void helpIsStatusLines() throws Exception {
        try (RawClient f = new RawClient(FerryPort.get()); RawClient r = new RawClient(redis.port())) {
            String ours = f.call("CLIENT", "HELP");
            String theirs = r.call("CLIENT", "HELP");
            String first = "+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n";
            assertTrue(theirs.contains(first) && ours.contains(first), ours);
            assertTrue(ours.endsWith("+HELP\r\n+    Prints this help.\r\n"), ours);
            for (String sub : List.of("SETNAME", "GETNAME", "KILL", "LIST", "INFO", "REPLY", "NO-EVICT", "SETINFO")) {
                assertTrue(ours.contains("\r\n+" + sub), sub);
            }
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    /** The server closed the connection: a command gets no reply, only the end of the stream. */
    static void assertClosed(RawClient c) {
        assertThrows(IOException.class, () -> c.call("PING"));
    }

    static String id(RawClient c) throws Exception {
        String r = c.call("CLIENT", "ID");
        return r.substring(1, r.length() - 2);
    }

    /** The text of a RESP2 bulk reply. */
    static String bulk(String reply) {
        assertTrue(reply.startsWith("$"), reply);
        return reply.substring(reply.indexOf("\r\n") + 2, reply.length() - 2);
    }

    /** "a=1 b=2" in order. */
    static Map<String, String> fields(String line) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String kv : line.split(" ")) {
            int eq = kv.indexOf('=');
            out.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return out;
    }

    /** CLIENT LIST text by client id, in order. */
    static Map<String, Map<String, String>> lines(String text) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) continue;
            Map<String, String> f = fields(line);
            out.put(f.get("id"), f);
        }
        return out;
    }
}
