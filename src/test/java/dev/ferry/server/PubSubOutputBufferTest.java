package dev.ferry.server;

import dev.ferry.support.FerryPort;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisPeer;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A subscriber that never reads belongs to the "pubsub" client-output-buffer-limit class: past its hard
 * limit (set low with CONFIG SET, the normal class left unlimited) it is disconnected, as redis-server
 * does, while the publisher and everyone else go on.
 */
@QuarkusTest
class PubSubOutputBufferTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();

    static final int MESSAGE = 64 * 1024;
    static final int MESSAGES = 400; // 25 MB: past the kernel's socket buffers and the 1 MB limit

    @Test
    void nonReadingSubscriberIsClosedPastThePubsubLimit() throws Exception {
        for (int port : new int[] {redis.port(), FerryPort.get()}) {
            try (RawClient admin = new RawClient(port)) {
                assertEquals("+OK\r\n", admin.call("CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0 pubsub 1mb 0 0"));
                try (Socket sub = new Socket("127.0.0.1", port); RawClient pub = new RawClient(port)) {
                    sub.setReceiveBufferSize(64 * 1024);
                    sub.getOutputStream().write(RawClient.encode("SUBSCRIBE".getBytes(), "pob:ch".getBytes()));
                    sub.getOutputStream().flush();
                    waitFor(admin, "*2\r\n$6\r\npob:ch\r\n:1\r\n");
                    byte[] payload = "x".repeat(MESSAGE).getBytes(StandardCharsets.US_ASCII);
                    int delivered = 0;
                    for (int i = 0; i < MESSAGES; i++) {
                        String r = pub.call("PUBLISH".getBytes(), "pob:ch".getBytes(), payload);
                        if (r.equals(":1\r\n")) delivered++;
                        else assertEquals(":0\r\n", r, "PUBLISH " + i + " on port " + port);
                    }
                    assertTrue(delivered < MESSAGES, "the subscriber was never closed on port " + port);
                    // the subscriber's connection ends after what the server had written before closing it
                    assertTrue(readsToEof(sub.getInputStream()), "subscriber still open on port " + port);
                    waitFor(admin, "*2\r\n$6\r\npob:ch\r\n:0\r\n");
                    // the publisher and the server carry on
                    assertEquals(":0\r\n", pub.call("PUBLISH", "pob:ch", "after"));
                    assertEquals("+PONG\r\n", admin.call("PING"));
                    String info = admin.call("CLIENT", "LIST", "TYPE", "pubsub");
                    assertTrue(!info.contains("cmd=subscribe"), info);
                } finally {
                    admin.call("CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0 pubsub 32mb 8mb 60");
                }
            }
        }
    }

    /** A reading subscriber under the same limit is not closed. */
    @Test
    void readingSubscriberKeepsUp() throws Exception {
        try (RawClient admin = new RawClient(FerryPort.get())) {
            assertEquals("+OK\r\n", admin.call("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 0 0"));
            try (RawClient sub = new RawClient(FerryPort.get()); RawClient pub = new RawClient(FerryPort.get())) {
                sub.call("SUBSCRIBE", "pob:r");
                byte[] payload = "y".repeat(16 * 1024).getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < 200; i++) {
                    assertEquals(":1\r\n", pub.call("PUBLISH".getBytes(), "pob:r".getBytes(), payload));
                    assertTrue(sub.readReply().startsWith("*3\r\n$7\r\nmessage\r\n$5\r\npob:r\r\n"));
                }
                sub.call("UNSUBSCRIBE");
            } finally {
                admin.call("CONFIG", "SET", "client-output-buffer-limit", "pubsub 32mb 8mb 60");
            }
        }
    }

    private static void waitFor(RawClient admin, String numsub) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        String last;
        while (!(last = admin.call("PUBSUB", "NUMSUB", numsub.contains("pob:ch") ? "pob:ch" : "x")).equals(numsub)) {
            assertTrue(System.currentTimeMillis() < deadline, "PUBSUB NUMSUB: " + last);
            Thread.sleep(10);
        }
    }

    private static boolean readsToEof(InputStream in) throws IOException {
        byte[] buf = new byte[1 << 16];
        long deadline = System.currentTimeMillis() + 20_000;
        try {
            while (System.currentTimeMillis() < deadline) {
                if (in.read(buf) < 0) return true;
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset by the server
        }
        return false;
    }
}
