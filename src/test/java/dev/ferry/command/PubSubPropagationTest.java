package dev.ferry.command;

import dev.ferry.engine.ReplicationStream;
import dev.ferry.support.FerryPort;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisPeer;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

import static dev.ferry.command.StringOracleTest.onFerry;
import static dev.ferry.command.StringPropagationTest.readCommand;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * PUBLISH and SPUBLISH reach the replication stream although they change no key (Redis 7.0's
 * forceCommandPropagation: a replica's subscribers and Sentinel's hello messages depend on it), with
 * their SELECT and inside MULTI/EXEC as Redis sends them. Compared with a real redis-server's replica
 * stream: everything between two marker SETs except PINGs, SELECTs and MULTI/EXEC included.
 */
@QuarkusTest
class PubSubPropagationTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();

    static final String[][] SCRIPT = {
        {"PUBLISH", "pp:ch", "hello"},
        {"publish", "pp:ch", ""},
        {"SPUBLISH", "pp:shard", "m"},
        {"SELECT", "5"},
        {"PUBLISH", "pp:ch", "in db 5"},
        {"SET", "pp:k5", "v"},
        {"SELECT", "0"},
        {"PUBLISH", "pp:ch", "back in 0"},
        {"PUBLISH", "pp:ch"},
        {"MULTI"},
        {"PUBLISH", "pp:ch", "a"},
        {"SET", "pp:k", "v"},
        {"EXEC"},
        {"MULTI"},
        {"PUBLISH", "pp:ch", "alone"},
        {"EXEC"},
        {"MULTI"},
        {"GET", "pp:k"},
        {"EXEC"},
        {"PUBSUB", "NUMSUB", "pp:ch"},
        {"SUBSCRIBE", "pp:never"},
        {"RESET"},
    };

    @Test
    void publishIsInTheStreamLikeRedis() throws Exception {
        List<List<String>> fromRedis;
        try (Tap tap = new Tap(redis.port()); RawClient client = new RawClient(redis.port());
             RawClient sub = new RawClient(redis.port())) {
            run(client, sub);
            fromRedis = tap.between();
        }

        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        ReplicationStream.Consumer consumer = (resp, offset) -> {
            synchronized (captured) {
                captured.writeBytes(resp);
            }
        };
        onFerry(ctx -> {
            ctx.replication().addConsumer(consumer);
            return null;
        });
        try (RawClient client = new RawClient(FerryPort.get()); RawClient sub = new RawClient(FerryPort.get())) {
            run(client, sub);
        } finally {
            onFerry(ctx -> {
                ctx.replication().removeConsumer(consumer);
                return null;
            });
        }
        byte[] bytes;
        synchronized (captured) {
            bytes = captured.toByteArray();
        }
        List<List<String>> fromFerry = between(new ByteArrayInputStream(bytes));
        assertEquals(fromRedis, fromFerry);
        assertTrue(fromFerry.contains(List.of("PUBLISH", "pp:ch", "hello")), fromFerry::toString);
        assertTrue(fromFerry.contains(List.of("SPUBLISH", "pp:shard", "m")), fromFerry::toString);
    }

    /** The script between the markers, with a subscriber listening to pp:ch (its messages do not matter). */
    private static void run(RawClient client, RawClient sub) throws IOException {
        sub.call("SUBSCRIBE", "pp:ch");
        client.call("SET", "pp:start", "1");
        for (String[] cmd : SCRIPT) {
            String reply = client.call(cmd);
            assertTrue(!reply.isEmpty());
        }
        client.call("SET", "pp:end", "1");
        sub.call("UNSUBSCRIBE");
    }

    /** Commands after SET pp:start and before SET pp:end, without PINGs and other tests' expirations. */
    static List<List<String>> between(InputStream in) throws IOException {
        List<List<String>> out = new ArrayList<>();
        boolean started = false;
        List<String> cmd;
        while ((cmd = readCommand(in)) != null) {
            if (cmd.equals(List.of("SET", "pp:start", "1"))) {
                started = true;
                continue;
            }
            if (!started) continue;
            if (cmd.equals(List.of("SET", "pp:end", "1"))) return out;
            String name = cmd.get(0).toUpperCase();
            if (name.equals("PING") || name.equals("REPLCONF")) continue;
            if ((name.equals("DEL") || name.equals("UNLINK")) && !cmd.get(1).startsWith("pp:")) continue;
            out.add(cmd);
        }
        fail("stream ended before the end marker: " + out);
        return out;
    }

    /** A replica of redis-server reduced to SYNC and reading the stream. */
    static final class Tap implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;

        Tap(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            in = StringPropagationTest.RedisTap.sync(socket);
        }

        List<List<String>> between() throws IOException {
            return PubSubPropagationTest.between(in);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
