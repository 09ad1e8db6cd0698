package dev.ferry.api;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The HTTP port refuses the cleartext HTTP/2 upgrade (h2c) that Java's HttpClient asks for by default: Vert.x's
 * upgrade path sometimes answered with HTTP/1.1 bytes after its 101 and then stalled, so the server stays on HTTP/1.1.
 */
@QuarkusTest
class HttpUpgradeTest {
    @TestHTTPResource("/")
    URL root;

    @Test
    void anH2cUpgradeRequestIsAnsweredInHttp11() throws Exception {
        try (Socket s = new Socket(root.getHost(), root.getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET /q/health/live HTTP/1.1\r\nHost: " + root.getHost() + "\r\n"
                + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            String status = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            assertEquals("HTTP/1.1 200 OK", status);
        }
    }
}
