package dev.ferry.it;

import dev.ferry.support.RawClient;
import dev.ferry.support.RedisServer;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The runtime contract of the packaged jar: the start-up line, serving, and a clear failure on a busy port. */
class StartupIT {

    @Test
    void startsLogsReadyAndServes() throws Exception {
        int port = RedisServer.freePort();
        try (FerryProcess ferry = FerryProcess.start("-Dferry.port=" + port, "-Dferry.dir=target/it-data")) {
            ferry.awaitPort(port);
            try (RawClient c = new RawClient(port)) {
                assertEquals("+PONG\r\n", c.call("PING"));
                assertEquals("+OK\r\n", c.call("SET", "it:k", "v"));
                assertEquals("$1\r\nv\r\n", c.call("GET", "it:k"));
            }
            assertTrue(ferry.log().contains("ready to accept connections tcp on 127.0.0.1:" + port), ferry.log());
        }
    }

    @Test
    void busyPortIsAClearErrorAndANonZeroExit() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            try (FerryProcess ferry = FerryProcess.start("-Dferry.port=" + port)) {
                assertTrue(ferry.process.waitFor(60, TimeUnit.SECONDS), "Ferry exits");
                assertNotEquals(0, ferry.process.exitValue());
                String log = ferry.log();
                assertTrue(log.contains("Could not listen on 127.0.0.1:" + port) && log.contains("Address already in use"), log);
            }
        }
    }
}
