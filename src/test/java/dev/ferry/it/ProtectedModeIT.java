package dev.ferry.it;

import dev.ferry.support.Oracle;
import dev.ferry.support.Peers;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisServer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static dev.ferry.support.ReplicationChecks.stat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * protected-mode as Redis 7.0, on the packaged jar with its defaults: bound to 0.0.0.0 without a password, a client
 * from another address than loopback gets Redis's DENIED error and is disconnected, byte for byte as a real
 * redis-server (bound the same way) answers the same client; loopback clients are served; a password or
 * CONFIG SET protected-mode no opens the port to others.
 */
class ProtectedModeIT {

    @Test
    void otherHostsAreDeniedUntilAPasswordOrCONFIGSET() throws Exception {
        String external = Peers.externalAddress();
        int port = RedisServer.freePort();
        try (RedisServer redis = RedisServer.start("--bind", "0.0.0.0");
             FerryProcess ferry = FerryProcess.start("-Dferry.port=" + port, "-Dferry.bind=0.0.0.0")) {
            ferry.awaitPort(port);
            String denied = greeting(external, redis.port());
            assertTrue(denied.startsWith("-DENIED Redis is running in protected mode"), denied);
            assertEquals(denied, greeting(external, port));
            try (Oracle local = new Oracle(port, redis.port())) {
                local.check("CONFIG", "GET", "protected-mode");
                local.check("PING");
                assertEquals(1, stat(local.ferry(), "rejected_connections"));
                // a password lifts it: the other host is asked to authenticate instead
                local.check("CONFIG", "SET", "requirepass", "pw");
                try (Oracle remote = new Oracle(new RawClient(external, port), new RawClient(external, redis.port()))) {
                    remote.check("PING");
                    remote.check("AUTH", "pw");
                    remote.check("PING");
                    // the rule is applied when a client connects: one already in stays after the password goes
                    local.check("AUTH", "pw");
                    local.check("CONFIG", "SET", "requirepass", "");
                    remote.check("PING");
                }
                assertEquals(denied, greeting(external, port));
                local.check("CONFIG", "SET", "protected-mode", "no");
                try (Oracle remote = new Oracle(new RawClient(external, port), new RawClient(external, redis.port()))) {
                    remote.check("PING");
                }
                local.check("CONFIG", "SET", "protected-mode", "maybe");
            }
        }
    }

    /** Everything the server sends to a client that connects from host and sends nothing, until it closes. */
    private static String greeting(String host, int port) throws IOException {
        try (Socket s = new Socket(host, port)) {
            s.setSoTimeout(1_000);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            try {
                for (int n; (n = in.read(buf)) > 0; ) got.write(buf, 0, n);
            } catch (java.net.SocketTimeoutException e) {
                // a server that does not deny keeps the connection open and says nothing
            }
            return got.toString(StandardCharsets.UTF_8);
        }
    }
}
