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
 * What list commands send to replicas, compared with what a real redis-server 7.0 sends (attached to it with
 * SYNC): LMPOP as LPOP/RPOP key count, LMOVE and RPOPLPUSH as themselves, commands that change nothing not at
 * all. {@link #compare} is shared with the blocking tests, whose scenarios use several clients.
 */
@QuarkusTest
class ListPropagationTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();

    static final String[][] SCRIPT = {
        {"RPUSH", "lp:a", "1", "2", "3", "4", "5", "6"},
        {"LPUSH", "lp:a", "0"},
        {"LPUSHX", "lp:none", "x"},
        {"RPUSHX", "lp:a", "7"},
        {"LPOP", "lp:a"},
        {"RPOP", "lp:a", "2"},
        {"LPOP", "lp:a", "0"},
        {"LPOP", "lp:none"},
        {"LSET", "lp:a", "0", "one"},
        {"LINSERT", "lp:a", "BEFORE", "one", "zero"},
        {"LINSERT", "lp:a", "BEFORE", "nope", "zero"},
        {"LREM", "lp:a", "0", "nope"},
        {"LREM", "lp:a", "1", "zero"},
        {"LTRIM", "lp:a", "0", "-1"},
        {"LTRIM", "lp:a", "1", "-1"},
        {"LMOVE", "lp:a", "lp:b", "LEFT", "right"},
        {"lmove", "lp:a", "lp:b", "right", "LEFT"},
        {"LMOVE", "lp:none", "lp:b", "LEFT", "LEFT"},
        {"RPOPLPUSH", "lp:a", "lp:b"},
        {"RPOPLPUSH", "lp:none", "lp:b"},
        {"LMPOP", "2", "lp:none", "lp:b", "LEFT"},
        {"LMPOP", "2", "lp:none", "lp:b", "RIGHT", "COUNT", "10"},
        {"LMPOP", "1", "lp:none", "RIGHT", "COUNT", "10"},
        {"LMPOP", "1", "lp:a", "left", "count", "2"},
        {"RPUSH", "lp:c", "x", "y", "z"},
    };

    /** The blocking commands when they do not block: propagated as their non-blocking effects. */
    static final String[][] BLOCKING_SCRIPT = {
        {"BLPOP", "lp:none", "lp:c", "0"},
        {"BRPOP", "lp:c", "0"},
        {"BLMOVE", "lp:c", "lp:d", "LEFT", "RIGHT", "0"},
        {"RPUSH", "lp:c", "x", "y", "z"},
        {"BRPOPLPUSH", "lp:c", "lp:d", "0"},
        {"BLMPOP", "0", "2", "lp:none", "lp:c", "LEFT", "COUNT", "5"},
        {"LLEN", "lp:d"},
    };

    @Test
    void streamsMatchRedis() throws Exception {
        List<List<String>> ferry = compare(redis.port(), port -> {
            try (RawClient c = new RawClient(port)) {
                for (String[] cmd : SCRIPT) c.call(cmd);
            }
        });
        assertTrue(ferry.contains(List.of("RPOP", "lp:b", "2")), ferry::toString);
        assertTrue(ferry.contains(List.of("LPOP", "lp:b", "1")), ferry::toString);
    }

    @Test
    void blockingCommandsWithDataMatchRedis() throws Exception {
        List<List<String>> ferry = compare(redis.port(), port -> {
            try (RawClient c = new RawClient(port)) {
                for (String[] cmd : BLOCKING_SCRIPT) c.call(cmd);
            }
        });
        assertTrue(ferry.contains(List.of("LPOP", "lp:c")), ferry::toString);
    }

    /** What a scenario does, run once against redis-server and once against Ferry. */
    interface Scenario {
        void run(int port) throws Exception;
    }

    /**
     * Runs the scenario on both servers and asserts that their replication streams carry the same commands on
     * "lp:" keys (SELECT and PING aside); returns Ferry's.
     */
    static List<List<String>> compare(int redisPort, Scenario scenario) throws Exception {
        List<List<String>> fromRedis;
        try (Tap tap = new Tap(redisPort); RawClient marker = new RawClient(redisPort)) {
            scenario.run(redisPort);
            marker.call("SET", "lp:end", "1");
            fromRedis = tap.until();
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
        try (RawClient marker = new RawClient(FerryPort.get())) {
            scenario.run(FerryPort.get());
            marker.call("SET", "lp:end", "1");
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
        List<List<String>> fromFerry = commands(new ByteArrayInputStream(bytes));
        assertEquals(fromRedis, fromFerry);
        return fromFerry;
    }

    /** Commands on "lp:" keys (and MULTI/EXEC around them) up to the marker SET. */
    private static List<List<String>> commands(InputStream in) throws Exception {
        List<List<String>> out = new ArrayList<>();
        List<String> cmd;
        while ((cmd = readCommand(in)) != null) {
            String name = cmd.get(0).toUpperCase();
            if (name.equals("MULTI") || name.equals("EXEC")) {
                out.add(List.of(name));
                continue;
            }
            if (!onTestKeys(cmd)) continue;
            if (cmd.get(1).equals("lp:end")) return out;
            out.add(cmd);
        }
        throw new AssertionError("stream ended before the marker: " + out);
    }

    private static boolean onTestKeys(List<String> cmd) {
        for (int i = 1; i < cmd.size(); i++) if (cmd.get(i).startsWith("lp:")) return true;
        return false;
    }

    /** A replica of redis-server reduced to SYNC, skipping the RDB, then reading the command stream. */
    static final class Tap implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;

        Tap(int port) throws Exception {
            socket = new Socket("127.0.0.1", port);
            in = StringPropagationTest.RedisTap.sync(socket);
        }

        List<List<String>> until() throws Exception {
            return commands(in);
        }

        @Override
        public void close() throws Exception {
            socket.close();
        }
    }
}
