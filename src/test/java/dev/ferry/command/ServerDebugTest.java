package dev.ferry.command;

import dev.ferry.engine.*;

import dev.ferry.store.StringValue;
import dev.ferry.support.FerryPort;
import dev.ferry.support.Oracle;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisPeer;

import io.quarkus.runtime.Quarkus;
import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.ferry.command.ServerInfoTest.body;
import static dev.ferry.command.ServerInfoTest.onLoop;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DEBUG, TIME, LASTSAVE and SHUTDOWN, against a real redis-server where the replies can be compared. */
@QuarkusTest
class ServerDebugTest {
    static final int DB = 6;
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer("--enable-debug-command", "local");

    /** DEBUG SLEEP delays only its own client: another client is answered meanwhile. */
    @Test
    void sleepDelaysOnlyItsClient() throws Exception {
        try (RawClient sleeper = new RawClient(FerryPort.get()); RawClient other = new RawClient(FerryPort.get())) {
            long start = System.nanoTime();
            sleeper.send("DEBUG".getBytes(), "SLEEP".getBytes(), "0.5".getBytes());
            Thread.sleep(50);
            assertEquals("+PONG\r\n", other.call("PING"));
            long pingMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(pingMs < 400, "the other client waited " + pingMs + " ms");
            // sent while the sleeper is paused: answered after the sleep, in order
            sleeper.send("PING".getBytes());
            assertEquals("+OK\r\n", sleeper.readReply());
            long sleptMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(sleptMs >= 490, "slept only " + sleptMs + " ms");
            assertEquals("+PONG\r\n", sleeper.readReply());
        }
    }

    @Test
    void sleepKeepsAPipelineInOrder() throws Exception {
        try (RawClient c = new RawClient(FerryPort.get())) {
            long start = System.nanoTime();
            c.sendRaw("PING\r\nDEBUG SLEEP 0.2\r\nECHO a\r\nDEBUG SLEEP 0.1\r\nECHO b\r\n");
            assertEquals("+PONG\r\n", c.readReply());
            assertEquals("+OK\r\n", c.readReply());
            assertEquals("$1\r\na\r\n", c.readReply());
            assertEquals("+OK\r\n", c.readReply());
            assertEquals("$1\r\nb\r\n", c.readReply());
            assertTrue((System.nanoTime() - start) / 1_000_000 >= 290);
        }
    }

    @Test
    void debugRepliesMatchRedis() throws Exception {
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            o.check("DEBUG");
            o.check("DEBUG", "nosuch");
            o.check("DEBUG", "SLEEP");
            o.check("DEBUG", "sleep", "1", "2");
            o.check("DEBUG", "SLEEP", "0");
            o.check("DEBUG", "SLEEP", "x");
            o.check("DEBUG", "SLEEP", "-1");
            o.check("DEBUG", "SLEEP", "0.01");
            o.check("DEBUG", "SET-ACTIVE-EXPIRE");
            o.check("DEBUG", "set-active-expire", "1", "2");
            o.check("DEBUG", "OBJECT");
            o.check("DEBUG", "OBJECT", "server:debug:nokey");
            o.check("DEBUG", "ERROR", "boom");
            o.check("DEBUG", "ERROR", "-WRONGTYPE boom");
            o.check("DEBUG", "LOG", "hello from a test");
            o.check("DEBUG", "HELP", "x");
            String help = o.ferry().call("DEBUG", "HELP");
            assertTrue(help.startsWith("*38\r\n+DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"), help);
            // every line of Ferry's help is a line of Redis's help, but the one where Ferry differs: a duplicate key
            // in RELOAD NOFLUSH is an error reply, where Redis says it kills the server
            String redisHelp = o.redis().call("DEBUG", "HELP");
            String ferryOwn = "+      conflicting keys will make the load fail with an error.";
            assertTrue(redisHelp.contains("+      conflicting keys will generate an exception and kill the server.\r\n"));
            for (String line : help.substring(help.indexOf("\r\n") + 2).split("\r\n")) {
                if (!line.equals(ferryOwn)) assertTrue(redisHelp.contains("\r\n" + line + "\r\n"), line);
            }
        }
    }

    /** DEBUG OBJECT: Redis's one-line format; encoding, refcount and length agree for strings. */
    @Test
    void objectDescribesStrings() throws Exception {
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            String[] values = {"v", "123", "12345678", "-5", "9999", "10000", "123456789012", "thirty-chars-of-text-0123456789",
                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWX", "012"};
            for (String v : values) {
                o.check("SET", "server:debug:obj", v);
                String f = o.ferry().call("DEBUG", "OBJECT", "server:debug:obj");
                String r = o.redis().call("DEBUG", "OBJECT", "server:debug:obj");
                String shape = "\\+Value at:0x[0-9a-f]+ refcount:\\d+ encoding:\\w+ serializedlength:\\d+ lru:\\d+ lru_seconds_idle:\\d+\r\n";
                assertTrue(f.matches(shape), f);
                assertEquals(stable(r), stable(f), v);
            }
        }
    }

    /** Masks the address and the LRU clock (they differ between any two servers). */
    private static String stable(String line) {
        return line.replaceAll("at:0x[0-9a-f]+", "at:*").replaceAll(" lru:\\d+ lru_seconds_idle:\\d+", "");
    }

    /** With the active cycle off an expired key stays in the table until touched; back on, the cron removes it. */
    @Test
    void setActiveExpireStopsTheBackgroundCycle() throws Exception {
        onLoop(ctx -> ctx.keyspace().flush(DB));
        try (RawClient c = new RawClient(FerryPort.get())) {
            c.call("SELECT", Integer.toString(DB));
            assertEquals("+OK\r\n", c.call("DEBUG", "SET-ACTIVE-EXPIRE", "0"));
            try {
                onLoop(ctx -> {
                    var db = ctx.keyspace().db(DB);
                    db.setExpire(db.add("server:debug:ttl".getBytes(), StringValue.fromArgument("v".getBytes(), true)), System.currentTimeMillis() + 50);
                });
                Thread.sleep(400);
                assertTrue(body(c.call("INFO", "keyspace")).contains("db" + DB + ":keys=1,expires=1,"), "still in the table");
            } finally {
                assertEquals("+OK\r\n", c.call("DEBUG", "SET-ACTIVE-EXPIRE", "1"));
            }
            long deadline = System.currentTimeMillis() + 3000;
            while (body(c.call("INFO", "keyspace")).contains("db" + DB + ":") && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(!body(c.call("INFO", "keyspace")).contains("db" + DB + ":"), "the cron expired it");
        }
    }

    @Test
    void timeAndLastsave() throws Exception {
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            o.check("TIME", "x");
            o.check("LASTSAVE", "x");
            String t = o.ferry().call("TIME");
            assertTrue(t.matches("\\*2\r\n\\$\\d+\r\n\\d+\r\n\\$\\d+\r\n\\d{1,6}\r\n"), t);
            long seconds = Long.parseLong(t.split("\r\n")[2]);
            assertTrue(Math.abs(seconds - System.currentTimeMillis() / 1000) <= 1);
            String last = o.ferry().call("LASTSAVE");
            assertTrue(last.matches(":\\d+\r\n"), last);
            assertTrue(Long.parseLong(last.substring(1).trim()) <= seconds);
        }
    }

    @Test
    void shutdownArgumentsMatchRedis() throws Exception {
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            o.check("SHUTDOWN", "ABORT");
            o.check("SHUTDOWN", "abort");
            o.check("SHUTDOWN", "foo");
            o.check("SHUTDOWN", "NOSAVE", "SAVE");
            o.check("SHUTDOWN", "ABORT", "NOW");
            o.check("SHUTDOWN", "NOSAVE", "ABORT");
        }
    }

    /**
     * SHUTDOWN replies nothing, closes the connection and then stops the server. The test swaps the stop
     * action for a latch (and puts Quarkus's exit back), so the shared test application keeps running.
     */
    @Test
    void shutdownClosesTheConnectionThenStops() throws Exception {
        CountDownLatch stopped = new CountDownLatch(1);
        onLoop(c -> c.onShutdown(stopped::countDown));
        try (RawClient c = new RawClient(FerryPort.get())) {
            c.send("SHUTDOWN".getBytes(), "NOSAVE".getBytes(), "NOW".getBytes());
            assertTrue(ServerConfigTest.closedSoon(c), "connection closed without a reply");
            assertTrue(stopped.await(5, TimeUnit.SECONDS), "shutdown action ran");
        } finally {
            onLoop(c -> c.onShutdown(() -> Quarkus.asyncExit(0)));
        }
        try (RawClient c = new RawClient(FerryPort.get())) {
            assertEquals("+PONG\r\n", c.call("PING"));
        }
    }
}
