package dev.ferry.command;

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
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PUB/SUB frames byte for byte against redis-server 7.0: (un)subscribe sequences in RESP2 and RESP3, the
 * subscriber-mode rules, PING in that mode, PUBSUB's subcommands, PUBLISH counts and delivery to several
 * subscribers and patterns, RESET and closed connections, CLIENT LIST and INFO fields.
 *
 * <p>Channel order across several channels (PUBSUB CHANNELS, UNSUBSCRIBE without arguments) is a hash
 * table's order in Redis: those replies are compared as sorted frames. Each test uses its own channel
 * prefix and ends its subscriptions before closing, since Ferry's pubsub state outlives a test.
 */
@QuarkusTest
class PubSubOracleTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();

    /** A client on each server, driven together. */
    static final class Pair implements AutoCloseable {
        final RawClient ferry, redis;

        Pair(int redisPort) throws IOException {
            ferry = new RawClient(FerryPort.get());
            redis = new RawClient(redisPort);
        }

        /** Sends the command to both and compares the next {@code frames} replies byte for byte. */
        List<String> check(int frames, String... args) throws IOException {
            byte[][] b = bytes(args);
            redis.send(b);
            ferry.send(b);
            List<String> out = new ArrayList<>();
            for (int i = 0; i < frames; i++) {
                String r = redis.readReply();
                String f = ferry.readReply();
                int n = i;
                assertEquals(r, f, () -> "frame " + n + " of " + String.join(" ", args));
                out.add(f);
            }
            return out;
        }

        String check(String... args) throws IOException {
            return check(1, args).get(0);
        }

        /** As {@link #check} when the frames' order is a hash table's: compares them sorted. */
        void checkUnordered(int frames, String... args) throws IOException {
            byte[][] b = bytes(args);
            redis.send(b);
            ferry.send(b);
            List<String> r = new ArrayList<>(), f = new ArrayList<>();
            for (int i = 0; i < frames; i++) {
                r.add(redis.readReply());
                f.add(ferry.readReply());
            }
            assertEquals(sortedFrames(r), sortedFrames(f), () -> String.join(" ", args));
        }

        /**
         * RESP3: sends the command and a PING, and compares everything both answer up to the +PONG (for
         * replies whose frames interleave with pushes).
         */
        void checkThroughPing(String... args) throws IOException {
            redis.send(bytes(args));
            redis.send(bytes("PING"));
            ferry.send(bytes(args));
            ferry.send(bytes("PING"));
            assertEquals(untilPong(redis), untilPong(ferry), () -> String.join(" ", args));
        }

        private static String untilPong(RawClient c) throws IOException {
            StringBuilder sb = new StringBuilder();
            String f;
            do {
                f = c.readReply();
                sb.append(f);
            } while (!f.equals("+PONG\r\n"));
            return sb.toString();
        }

        /** Reads the next pushed frame on both and compares. */
        String expectPush() throws IOException {
            String r = redis.readReply();
            String f = ferry.readReply();
            assertEquals(r, f, "pushed frame");
            return f;
        }

        void hello3() throws IOException {
            ferry.call("HELLO", "3");
            redis.call("HELLO", "3");
        }

        @Override
        public void close() throws IOException {
            ferry.close();
            redis.close();
        }
    }

    /** Frames with their count fields removed, sorted (the counts go down as the frames come). */
    static List<String> sortedFrames(List<String> frames) {
        List<String> out = new ArrayList<>();
        for (String f : frames) out.add(f.replaceAll(":\\d+\r\n$", ""));
        out.sort(null);
        return out;
    }

    static byte[][] bytes(String... args) {
        byte[][] b = new byte[args.length][];
        for (int i = 0; i < args.length; i++) b[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
        return b;
    }

    @Test
    void subscribeAndUnsubscribeFramesResp2AndResp3() throws Exception {
        for (int proto : new int[] {2, 3}) {
            try (Pair p = new Pair(redis.port())) {
                if (proto == 3) p.hello3();
                String pre = "os" + proto + ":";
                p.check("UNSUBSCRIBE");
                p.check("PUNSUBSCRIBE");
                p.check("SUNSUBSCRIBE");
                p.check("UNSUBSCRIBE", pre + "never");
                p.check(3, "SUBSCRIBE", pre + "a", pre + "b", pre + "a");
                p.check(2, "PSUBSCRIBE", pre + "p*", pre + "p*");
                p.check(2, "SSUBSCRIBE", pre + "s1", pre + "s2");
                p.check("SSUBSCRIBE", pre + "a"); // shard channels are their own namespace
                p.check("UNSUBSCRIBE", pre + "b");
                p.check(2, "UNSUBSCRIBE", pre + "x", pre + "b");
                p.check("PUNSUBSCRIBE", pre + "p*");
                p.check("PUNSUBSCRIBE");
                p.check("PUNSUBSCRIBE", pre + "q");
                p.check("SUNSUBSCRIBE", pre + "s2");
                p.checkUnordered(2, "SUNSUBSCRIBE");
                p.check("SUNSUBSCRIBE");
                p.check("UNSUBSCRIBE");
                p.check("UNSUBSCRIBE");
                p.check("SUBSCRIBE");
                p.check("PSUBSCRIBE");
                p.check("SSUBSCRIBE");
                // out of pubsub mode again: everything runs
                p.check("GET", pre + "k");
                p.check(3, "SUBSCRIBE", pre + "c1", pre + "c2", pre + "c3");
                p.check(2, "PSUBSCRIBE", pre + "x*", pre + "y*");
                p.checkUnordered(3, "UNSUBSCRIBE");
                p.checkUnordered(2, "PUNSUBSCRIBE");
                p.check("GET", pre + "k");
            }
        }
    }

    @Test
    void subscriberModeRulesResp2() throws Exception {
        try (Pair p = new Pair(redis.port())) {
            p.check("SUBSCRIBE", "om:a");
            for (String[] cmd : new String[][] {
                {"GET", "om:k"}, {"SET", "om:k", "v"}, {"MULTI"}, {"EXEC"}, {"CLIENT", "LIST"}, {"CLIENT", "INFO"},
                {"PUBLISH", "om:a", "x"}, {"PUBSUB", "NUMPAT"}, {"ECHO", "x"}, {"HELLO"}, {"nosuch", "x"},
                {"GET"}, {"PING"}, {"ping", "hello"}, {"PING", "a", "b"}, {"ping", ""}, {"CLIENT", "nosuch"},
            }) {
                p.check(cmd);
            }
            p.check("PSUBSCRIBE", "om:*");
            p.check("UNSUBSCRIBE", "om:a");
            p.check("GET", "om:k"); // still subscribed to a pattern
            p.check("SSUBSCRIBE", "om:s");
            p.check("PUNSUBSCRIBE");
            p.check("PING");
            p.check("SUNSUBSCRIBE");
            p.check("PING");
            p.check("GET", "om:k");
            // RESET leaves pubsub mode, silently dropping every subscription
            p.check(2, "SUBSCRIBE", "om:r1", "om:r2");
            p.check("PSUBSCRIBE", "om:r*");
            p.check("RESET");
            p.check("PUBSUB", "NUMSUB", "om:r1", "om:r2");
            p.check("GET", "om:k");
            p.check("UNSUBSCRIBE");
            // QUIT is allowed
            p.check("SUBSCRIBE", "om:q");
            p.check("QUIT");
            assertTrue(p.ferry.closedByServer());
        }
    }

    @Test
    void resp3AllowsEveryCommandWhileSubscribed() throws Exception {
        try (Pair p = new Pair(redis.port())) {
            p.hello3();
            p.check("SUBSCRIBE", "o3:a");
            p.check("GET", "o3:k");
            p.check("PING");
            p.check("PING", "x");
            p.check("SET", "o3:k", "v");
            p.check("PUBSUB", "NUMSUB", "o3:a");
            // a message to oneself comes before PUBLISH's own reply
            p.checkThroughPing("PUBLISH", "o3:a", "self");
            p.check("MULTI");
            p.check("PUBLISH", "o3:a", "in-multi");
            p.check("SUBSCRIBE", "o3:b");
            p.checkThroughPing("EXEC");
            p.check("UNSUBSCRIBE", "o3:a");
            p.check("UNSUBSCRIBE", "o3:b");
            p.check("DEL", "o3:k");
        }
    }

    /** Push frames go through CLIENT REPLY OFF and SKIP (Redis 7.0's CLIENT_PUSHING); other replies do not. */
    @Test
    void pushesIgnoreClientReplyOff() throws Exception {
        try (Pair p = new Pair(redis.port()); Pair pub = new Pair(redis.port())) {
            p.check(0, "CLIENT", "REPLY", "OFF");
            p.check("SUBSCRIBE", "or:a");
            p.check(0, "PING");
            pub.check("PUBLISH", "or:a", "to a client with replies off");
            p.expectPush();
            p.check("UNSUBSCRIBE");
            p.check(0, "GET", "or:k");
            p.check("CLIENT", "REPLY", "ON");
            p.check(0, "CLIENT", "REPLY", "SKIP");
            p.check(2, "SUBSCRIBE", "or:b", "or:c");
            p.check("CLIENT", "REPLY", "SKIP"); // refused in pubsub mode, and the refusal is not skipped
            p.check("PING");
            p.checkUnordered(2, "UNSUBSCRIBE");
            p.hello3();
            p.check("SUBSCRIBE", "or:d");
            p.check(0, "CLIENT", "REPLY", "OFF");
            p.check("PUBLISH", "or:d", "self"); // the message, not PUBLISH's count
            p.check("CLIENT", "REPLY", "ON");
            p.check("UNSUBSCRIBE");
        }
    }

    @Test
    void transactionsWithSubscriptions() throws Exception {
        try (Pair p = new Pair(redis.port())) {
            p.check("MULTI");
            p.check("SUBSCRIBE", "ot:a");
            p.check("SSUBSCRIBE", "ot:s");
            p.check("PSUBSCRIBE", "ot:*");
            p.check("EXEC");
            p.check("GET", "x");
            p.check("UNSUBSCRIBE");
            p.check("PUNSUBSCRIBE");
            p.check("GET", "x");
        }
    }

    @Test
    void pubsubSubcommands() throws Exception {
        try (Oracle o = new Oracle(FerryPort.get(), redis.port());
             Pair s1 = new Pair(redis.port()); Pair s2 = new Pair(redis.port())) {
            for (int proto : new int[] {2, 3}) {
                o.protocol(proto);
                o.check("PUBSUB", "HELP");
                o.check("PUBSUB", "help", "x");
                o.check("PUBSUB");
                o.check("PUBSUB", "nosuch");
                o.check("PUBSUB", "NUMPAT", "x");
                o.check("PUBSUB", "CHANNELS", "a", "b");
                o.check("PUBSUB", "channels", "a", "b", "c");
                o.check("PUBSUB", "SHARDCHANNELS", "a", "b");
                o.check("PUBSUB", "NUMSUB");
                o.check("PUBSUB", "SHARDNUMSUB");
                o.check("PUBSUB", "NUMSUB", "op:none");
                o.check("PUBSUB", "CHANNELS", "op:*");
                o.check("PUBSUB", "NUMPAT");
            }
            s1.check(2, "SUBSCRIBE", "op:a", "op:b");
            s2.check("SUBSCRIBE", "op:a");
            s2.check("PSUBSCRIBE", "op:*");
            s1.check("PSUBSCRIBE", "op:*");
            s1.check("PSUBSCRIBE", "op:?");
            s1.check("SSUBSCRIBE", "op:a");
            s2.check("SSUBSCRIBE", "op:s");
            for (int proto : new int[] {2, 3}) {
                o.protocol(proto);
                o.check("PUBSUB", "NUMSUB", "op:a", "op:b", "op:c", "op:a");
                o.check("PUBSUB", "NUMPAT");
                o.check("PUBSUB", "CHANNELS", "op:a*");
                o.check("PUBSUB", "CHANNELS", "op:[b]");
                o.check("PUBSUB", "SHARDCHANNELS", "op:s");
                o.check("PUBSUB", "SHARDCHANNELS", "op:nothing*");
                o.check("PUBSUB", "SHARDNUMSUB", "op:a", "op:s", "op:b");
                assertEquals(sortedLines(o.redis().call("PUBSUB", "CHANNELS", "op:*")),
                    sortedLines(o.ferry().call("PUBSUB", "CHANNELS", "op:*")));
                assertEquals(sortedLines(o.redis().call("PUBSUB", "SHARDCHANNELS")),
                    sortedLines(o.ferry().call("PUBSUB", "SHARDCHANNELS")));
                assertEquals(infoPubsub(o.redis().call("INFO", "stats")), infoPubsub(o.ferry().call("INFO", "stats")));
            }
            o.protocol(2);
            s1.checkUnordered(2, "UNSUBSCRIBE");
            s1.checkUnordered(2, "PUNSUBSCRIBE");
            s1.check("SUNSUBSCRIBE");
            s2.check("RESET");
            o.check("PUBSUB", "NUMSUB", "op:a", "op:b");
            o.check("PUBSUB", "NUMPAT");
            o.check("PUBSUB", "SHARDNUMSUB", "op:a", "op:s");
            assertEquals(infoPubsub(o.redis().call("INFO", "stats")), infoPubsub(o.ferry().call("INFO", "stats")));
        }
    }

    @Test
    void publishReachesChannelsAndPatterns() throws Exception {
        try (Pair pub = new Pair(redis.port()); Pair a = new Pair(redis.port()); Pair b = new Pair(redis.port());
             Pair c = new Pair(redis.port())) {
            a.check(2, "SUBSCRIBE", "od:news", "od:other");
            b.check("PSUBSCRIBE", "od:n*");
            c.hello3();
            c.check("SUBSCRIBE", "od:news");
            c.check("PSUBSCRIBE", "od:*s");
            c.check("SSUBSCRIBE", "od:news");
            pub.check("PUBLISH", "od:news", "hello");
            a.expectPush();
            b.expectPush();
            c.expectPush();
            c.expectPush();
            pub.check("PUBLISH", "od:nothing", "");
            b.expectPush();
            pub.check("PUBLISH", "od:other", "bin\r\n\u0000\u00ff");
            a.expectPush();
            pub.check("PUBLISH", "elsewhere", "x");
            pub.check("SPUBLISH", "od:news", "sharded");
            c.expectPush();
            pub.check("SPUBLISH", "od:other", "nobody");
            // a pipeline of publishes arrives in order
            byte[] many = new byte[0];
            for (int i = 0; i < 50; i++) many = concat(many, RawClient.encode(bytes("PUBLISH", "od:other", "m" + i)));
            pub.ferry.sendRaw(many);
            pub.redis.sendRaw(many);
            for (int i = 0; i < 50; i++) {
                assertEquals(pub.redis.readReply(), pub.ferry.readReply());
                a.expectPush();
            }
            // a subscriber in pubsub mode still answers PING after the messages
            a.check("PING");
            a.checkUnordered(2, "UNSUBSCRIBE");
            b.check("PUNSUBSCRIBE");
            c.check("UNSUBSCRIBE");
            c.check("PUNSUBSCRIBE");
            c.check("SUNSUBSCRIBE");
            pub.check("PUBLISH", "od:news", "gone");
        }
    }

    @Test
    void closedSubscriberIsUnsubscribed() throws Exception {
        try (RawClient admin = new RawClient(FerryPort.get())) {
            RawClient sub = new RawClient(FerryPort.get());
            sub.call("SUBSCRIBE", "oc:a");
            sub.call("PSUBSCRIBE", "oc:*");
            sub.call("SSUBSCRIBE", "oc:s");
            assertEquals("*2\r\n$4\r\noc:a\r\n:1\r\n", admin.call("PUBSUB", "NUMSUB", "oc:a"));
            sub.close();
            long deadline = System.currentTimeMillis() + 5000;
            while (!admin.call("PUBSUB", "NUMSUB", "oc:a").equals("*2\r\n$4\r\noc:a\r\n:0\r\n")) {
                assertTrue(System.currentTimeMillis() < deadline, "still subscribed after close");
                Thread.sleep(10);
            }
            assertEquals(":0\r\n", admin.call("PUBLISH", "oc:a", "x"));
            assertEquals(":0\r\n", admin.call("SPUBLISH", "oc:s", "x"));
            assertEquals("*0\r\n", admin.call("PUBSUB", "SHARDCHANNELS", "oc:*"));
        }
    }

    @Test
    void clientListAndInfoFields() throws Exception {
        try (Pair p = new Pair(redis.port()); Pair admin = new Pair(redis.port())) {
            p.hello3();
            p.check(2, "SUBSCRIBE", "ol:a", "ol:b");
            p.check("PSUBSCRIBE", "ol:*");
            p.check(3, "SSUBSCRIBE", "ol:s", "ol:t", "ol:u");
            assertEquals(fields(p.redis.call("CLIENT", "INFO")), fields(p.ferry.call("CLIENT", "INFO")));
            String ferryId = p.ferry.call("CLIENT", "ID").trim().substring(1);
            String redisId = p.redis.call("CLIENT", "ID").trim().substring(1);
            assertEquals(fields(admin.redis.call("CLIENT", "LIST", "ID", redisId)),
                fields(admin.ferry.call("CLIENT", "LIST", "ID", ferryId)));
            assertEquals(admin.redis.call("CLIENT", "LIST", "TYPE", "pubsub").contains("id=" + redisId + " "),
                admin.ferry.call("CLIENT", "LIST", "TYPE", "pubsub").contains("id=" + ferryId + " "));
            assertTrue(admin.ferry.call("CLIENT", "LIST", "TYPE", "pubsub").contains("id=" + ferryId + " "));
            p.check("RESET");
            assertEquals(fields(admin.redis.call("CLIENT", "LIST", "ID", redisId)),
                fields(admin.ferry.call("CLIENT", "LIST", "ID", ferryId)));
            assertTrue(!admin.ferry.call("CLIENT", "LIST", "TYPE", "pubsub").contains("id=" + ferryId + " "));
        }
    }

    /** flags, sub, psub, ssub of a CLIENT INFO / LIST line. */
    static String fields(String line) {
        StringBuilder out = new StringBuilder();
        for (String f : new String[] {"flags", "sub", "psub", "ssub"}) {
            Matcher m = Pattern.compile(" " + f + "=(\\S*)").matcher(line);
            assertTrue(m.find(), f + " in " + line);
            out.append(f).append('=').append(m.group(1)).append(' ');
        }
        return out.toString();
    }

    static String infoPubsub(String info) {
        StringBuilder out = new StringBuilder();
        for (String l : info.split("\r\n")) if (l.startsWith("pubsub")) out.append(l).append('\n');
        assertTrue(out.length() > 0, info);
        return out.toString();
    }

    static List<String> sortedLines(String reply) {
        List<String> l = new ArrayList<>(Arrays.asList(reply.split("\r\n")));
        l.sort(null);
        return l;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
