package dev.ferry.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.support.Http;
import dev.ferry.support.RedisServer;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged Ferry without ferry.admin-token: the changing endpoints are closed (403, with any token or none),
 * the reading ones open, the probes UP.
 */
class AdminTokenMissingIT {
    @Test
    void withoutATokenChangesAreRefused() throws Exception {
        int port = RedisServer.freePort(), httpPort = RedisServer.freePort();
        try (FerryProcess ferry = FerryProcess.start("-Dferry.port=" + port, "-Dquarkus.http.port=" + httpPort)) {
            ferry.awaitPort(port);
            Http http = new Http("http://127.0.0.1:" + httpPort);
            for (String token : new String[] {null, "anything"}) {
                HttpResponse<String> r = http.send("PUT", "/api/v1/replication/master", "{\"host\": null}", token);
                assertEquals(403, r.statusCode(), r.body());
                assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse("").split(";")[0]);
                JsonNode p = Http.json(r);
                assertTrue(p.get("type").asText().endsWith("/admin-token-not-configured"), r.body());
                assertTrue(p.get("detail").asText().contains("ferry.admin-token is not configured"), r.body());
            }
            HttpResponse<String> get = http.get("/api/v1/replication");
            assertEquals(200, get.statusCode(), get.body());
            assertEquals("master", Http.json(get).get("role").asText());
            long deadline = System.currentTimeMillis() + 20_000;
            while (http.get("/q/health/started").statusCode() != 200) {
                assertTrue(System.currentTimeMillis() < deadline, "/q/health/started stayed DOWN");
                Thread.sleep(50);
            }
            assertEquals(200, http.get("/q/health/ready").statusCode());
        }
    }
}
