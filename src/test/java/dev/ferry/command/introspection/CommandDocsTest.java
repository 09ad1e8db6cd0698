package dev.ferry.command.introspection;

import dev.ferry.engine.*;
import dev.ferry.command.Commands;

import dev.ferry.protocol.Reply;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisPeer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * command-docs.txt against a real redis-server 7.0.15: every documented command renders (through the
 * same reply writer COMMAND DOCS / COMMAND INFO use) to what Redis answers, apart from the per-argument
 * "since" / "deprecated_since" that the file does not keep and the few later-Redis additions Ferry accepts.
 */
public class CommandDocsTest {
    /** Ferry documents these beyond Redis 7.0: CLIENT SETINFO / NO-TOUCH (7.2), CLIENT KILL MAXAGE (7.4). */
    static final Set<String> LATER_THAN_7_0 = Set.of("client|setinfo", "client|no-touch", "client|kill");

    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();
    static RawClient client;

    @BeforeAll
    static void start() throws Exception {
        client = new RawClient(redis.port());
        client.call("HELLO", "3");
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) client.close();
    }

    @Test
    void everyDocumentedCommandMatchesRedisDocs() throws Exception {
        IntrospectionFamily ic = new IntrospectionFamily();
        Set<String> names = new TreeSet<>(CommandDocs.get().names());
        assertTrue(names.size() > 90, "the file documents the commands Ferry registers: " + names.size());
        for (String name : names) {
            if (LATER_THAN_7_0.contains(name)) continue;
            Map<?, ?> redisDocs = (Map<?, ?>) Tree.parse(client.call("COMMAND", "DOCS", name));
            assertEquals(1, redisDocs.size(), name + " is a Redis 7.0 command");
            Map<String, Object> expected = withoutArgSince(redisDocs.get(name));
            expected.remove("subcommands"); // Ferry lists only the subcommands it registers
            Map<?, ?> actual = (Map<?, ?>) Tree.parse(render(r -> ic.writeDocs(r, spec(name, 0, 0))));
            assertEquals(expected, actual, "COMMAND DOCS " + name);
        }
    }

    /**
     * ACL categories, tips and key specs of COMMAND INFO: given Redis's own arity, flags and key positions
     * for a command, Ferry derives the same categories and documents the same tips and key specs.
     */
    @Test
    void infoFactsMatchRedis() throws Exception {
        IntrospectionFamily ic = new IntrospectionFamily();
        for (String name : new TreeSet<>(CommandDocs.get().names())) {
            if (LATER_THAN_7_0.contains(name)) continue;
            List<?> entry = (List<?>) ((List<?>) Tree.parse(client.call("COMMAND", "INFO", name))).get(0);
            int flags = 0;
            for (Object f : (List<?>) entry.get(2)) flags |= flagBit((String) f);
            CommandSpec s = spec(name, ((Long) entry.get(1)).intValue(), flags, ((Long) entry.get(3)).intValue(),
                ((Long) entry.get(4)).intValue(), ((Long) entry.get(5)).intValue());
            if (!((List<?>) entry.get(9)).isEmpty()) s.sub("x", 2, 0, 0, 0, 0, c -> { }); // a container
            List<?> ours = (List<?>) Tree.parse(render(r -> ic.writeInfo(r, s)));
            assertEquals(entry.get(6), ours.get(6), "ACL categories of " + name);
            assertEquals(entry.get(7), ours.get(7), "tips of " + name);
            assertEquals(entry.get(8), ours.get(8), "key specs of " + name);
        }
    }

    @Test
    void syntaxErrorsAreReported() {
        assertThrows(IllegalArgumentException.class, () -> DocSyntax.parse("[NX | XX]"), "a oneof needs a label");
        assertThrows(IllegalArgumentException.class, () -> DocSyntax.parse("(a b"), "unclosed group");
        assertThrows(IllegalArgumentException.class, () -> DocSyntax.parse("[a b]"), "a block needs a label");
        assertThrows(IllegalArgumentException.class, () -> DocSyntax.parse("a ]"), "stray bracket");
        assertTrue(DocSyntax.parse("").isEmpty());
    }

    @Test
    void syntaxShapes() {
        List<DocSyntax.Arg> a = DocSyntax.parse("key [EX seconds:integer] [c: NX | XX] (kv: key value)... [PREFIX p+...] ip:port");
        assertEquals("key", a.get(0).type);
        assertEquals(0, a.get(0).keySpecIndex);
        assertEquals("EX", a.get(1).token);
        assertEquals("integer", a.get(1).type);
        assertTrue(a.get(1).optional);
        assertEquals("oneof", a.get(2).type);
        assertEquals("pure-token", a.get(2).args.get(0).type);
        assertEquals("nx", a.get(2).args.get(0).name);
        assertEquals("block", a.get(3).type);
        assertTrue(a.get(3).multiple);
        assertFalse(a.get(3).optional);
        assertEquals(1, a.get(3).args.get(0).keySpecIndex);
        assertTrue(a.get(4).multipleToken);
        assertEquals("ip:port", a.get(5).name);
        assertEquals("string", a.get(5).type);
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    static CommandSpec spec(String fullName, int arity, int flags) {
        return spec(fullName, arity, flags, 0, 0, 0);
    }

    static CommandSpec spec(String fullName, int arity, int flags, int first, int last, int step) {
        String group = CommandDocs.get().of(fullName).group;
        int bar = fullName.indexOf('|');
        if (bar < 0) return new CommandSpec(null, fullName, arity, flags, first, last, step, group, c -> { });
        CommandSpec parent = new CommandSpec(null, fullName.substring(0, bar), -2, 0, 0, 0, 0, group, c -> { });
        return new CommandSpec(parent, fullName.substring(bar + 1), arity, flags, first, last, step, group, c -> { });
    }

    static int flagBit(String name) {
        for (int i = 0; i < 16; i++) if (CommandFlags.names(1 << i).equals(List.of(name))) return 1 << i;
        return 0; // flags Ferry does not have (no_async_loading, movablekeys...) add no category
    }

    static String render(java.util.function.Consumer<Reply> writer) {
        Reply r = new Reply();
        r.protocol(3);
        writer.accept(r);
        return new String(r.toByteArray(), StandardCharsets.ISO_8859_1);
    }

    /** A docs map with "since" and "deprecated_since" removed from every argument, as Ferry keeps them. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> withoutArgSince(Object docs) {
        Map<String, Object> m = new LinkedHashMap<>((Map<String, Object>) docs);
        if (m.get("arguments") instanceof List<?> args) m.put("arguments", stripArgs(args));
        return m;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> stripArgs(List<?> args) {
        List<Object> out = new ArrayList<>();
        for (Object o : args) {
            Map<String, Object> a = new LinkedHashMap<>((Map<String, Object>) o);
            a.remove("since");
            a.remove("deprecated_since");
            if (a.get("arguments") instanceof List<?> nested) a.put("arguments", stripArgs(nested));
            out.add(a);
        }
        return out;
    }

    /**
     * A RESP2/RESP3 reply as a tree: String for simple and bulk strings (errors as "-text"), Long, null,
     * List for arrays and sets, LinkedHashMap for maps; verbatim strings lose their "txt:" prefix.
     */
    public static final class Tree {
        private final String s;
        private int pos;

        private Tree(String s) {
            this.s = s;
        }

        public static Object parse(String reply) {
            Tree t = new Tree(reply);
            Object o = t.value();
            if (t.pos != reply.length()) throw new IllegalArgumentException("trailing bytes in " + reply);
            return o;
        }

        private String line() {
            int end = s.indexOf("\r\n", pos);
            String l = s.substring(pos, end);
            pos = end + 2;
            return l;
        }

        private Object value() {
            String l = line();
            char type = l.charAt(0);
            String rest = l.substring(1);
            switch (type) {
                case '+': return rest;
                case '-': return "-" + rest;
                case ':': return Long.parseLong(rest);
                case '_': return null;
                case ',': return Double.parseDouble(rest);
                case '#': return rest.equals("t");
                case '$':
                case '=': {
                    int n = Integer.parseInt(rest);
                    if (n < 0) return null;
                    String v = s.substring(pos, pos + n);
                    pos += n + 2;
                    return type == '=' ? v.substring(4) : v;
                }
                case '*':
                case '~': {
                    int n = Integer.parseInt(rest);
                    if (n < 0) return null;
                    List<Object> out = new ArrayList<>();
                    for (int i = 0; i < n; i++) out.add(value());
                    return out;
                }
                case '%': {
                    int n = Integer.parseInt(rest);
                    Map<Object, Object> out = new LinkedHashMap<>();
                    for (int i = 0; i < n; i++) out.put(value(), value());
                    return out;
                }
                default: throw new IllegalArgumentException("reply type " + type);
            }
        }
    }
}
