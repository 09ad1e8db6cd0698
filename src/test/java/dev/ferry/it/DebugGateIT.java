package dev.ferry.it;

import dev.ferry.support.Oracle;
import dev.ferry.support.Peers;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisServer;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * enable-debug-command as in Redis 7.0 (finding 7), on the packaged jar with its real defaults: DEBUG is
 * refused unless the setting allows the client, with Redis's words, before AUTH, and inside MULTI it
 * aborts the transaction.
 */
class DebugGateIT {
    static final String NOT_ALLOWED = "-ERR DEBUG command not allowed. If the enable-debug-command option is set to "
        + "\"local\", you can run it from a local connection, otherwise you need to set this option in the "
        + "configuration file, and then restart the server.\r\n";

    @Test
    void refusedByDefaultWithRedisWords() throws Exception {
        int port = RedisServer.freePort();
        try (RedisServer redis = RedisServer.start(); FerryProcess ferry = FerryProcess.start("-Dferry.port=" + port)) {
            ferry.awaitPort(port);
            try (Oracle o = new Oracle(port, redis.port())) {
                assertEquals(NOT_ALLOWED, o.check("DEBUG", "HELP"));
                o.check("debug", "sleep", "0");
                o.check("DEBUG", "OBJECT", "nokey");
                o.check("DEBUG", "nosuch", "a", "b");
                o.check("DEBUG");
                o.check("CONFIG", "GET", "enable-debug-command");
                o.check("CONFIG", "SET", "enable-debug-command", "yes");
                o.check("MULTI");
                o.check("DEBUG", "SLEEP", "0");
                o.check("PING");
                o.check("EXEC");
                // counted as rejected calls, like Redis's rejectCommand (calls=0, so usec is 0 on both)
                String ferryStats = o.ferry().call("INFO", "commandstats");
                String redisStats = o.redis().call("INFO", "commandstats");
                assertEquals(line(redisStats, "cmdstat_debug:"), line(ferryStats, "cmdstat_debug:"));
                o.check("CONFIG", "SET", "requirepass", "pw");
            }
            // the gate comes before AUTH in Redis 7.0's processCommand
            try (Oracle o = new Oracle(port, redis.port())) {
                assertEquals(NOT_ALLOWED, o.check("DEBUG", "HELP"));
                o.check("PING");
            }
        }
    }

    @Test
    void localAllowsOnlyLoopbackClients() throws Exception {
        String external = Peers.externalAddress();
        int port = RedisServer.freePort();
        try (FerryProcess ferry = FerryProcess.start("-Dferry.port=" + port, "-Dferry.bind=0.0.0.0",
            "-Dferry.protected-mode=no", "-Dferry.enable-debug-command=local")) {
            ferry.awaitPort(port);
            try (RawClient local = new RawClient(port); RawClient remote = new RawClient(external, port)) {
                assertEquals("+OK\r\n", local.call("DEBUG", "SLEEP", "0"));
                assertEquals(NOT_ALLOWED, remote.call("DEBUG", "SLEEP", "0"));
                assertEquals("+PONG\r\n", remote.call("PING"));
                assertEquals("*2\r\n$20\r\nenable-debug-command\r\n$5\r\nlocal\r\n",
                    remote.call("CONFIG", "GET", "enable-debug-command"));
            }
        }
    }

    @Test
    void anUnknownValueStopsTheStart() throws Exception {
        int port = RedisServer.freePort();
        try (FerryProcess ferry = FerryProcess.start("-Dferry.port=" + port, "-Dferry.enable-debug-command=maybe")) {
            assertTrue(ferry.process.waitFor(60, TimeUnit.SECONDS), "Ferry exits");
            assertNotEquals(0, ferry.process.exitValue());
            assertTrue(ferry.log().contains("ferry.enable-debug-command 'maybe': argument(s) must be one of the following: no, yes, local"),
                ferry.log());
        }
    }

    private static String line(String text, String prefix) {
        for (String l : text.split("\r\n")) if (l.startsWith(prefix)) return l;
        return null;
    }
}
