package dev.ferry.api;

import dev.ferry.support.FerryPort;
import dev.ferry.support.RawClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The health probes and Prometheus meters, over the Quarkus HTTP test port. */
@QuarkusTest
class HealthAndMetricsTest {
    @TestHTTPResource("/")
    URL root;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void readinessAndLivenessAreUpWithThePort() throws Exception {
        for (String path : new String[] {"q/health/ready", "q/health/live"}) {
            HttpResponse<String> r = get(path);
            assertEquals(200, r.statusCode(), r.body());
            String body = r.body().replace(" ", "").replace("\n", "");
            assertTrue(body.contains("\"name\":\"ferry-resp\""), body);
            assertTrue(body.contains("\"status\":\"UP\""), body);
            assertTrue(body.contains("\"port\":" + FerryPort.get()), body);
            assertTrue(body.contains("\"clients\":"), body);
        }
    }

    @Test
    void metricsFollowTheServer() throws Exception {
        try (RawClient c = new RawClient(FerryPort.get())) {
            c.call("SELECT", "6");
            c.call("SET", "api:metrics:k", "v");
            String before = get("q/metrics").body();
            assertTrue(gauge(before, "ferry_clients_connected") >= 1, before);
            assertTrue(gauge(before, "ferry_keys") >= 1);
            assertTrue(gauge(before, "ferry_expired_keys") >= 0);
            double processed = gauge(before, "ferry_commands_processed");
            for (int i = 0; i < 10; i++) c.call("PING");
            double after = gauge(get("q/metrics").body(), "ferry_commands_processed");
            assertTrue(after >= processed + 10, processed + " -> " + after);
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(root.toString()).resolve(path))
            .timeout(Duration.ofSeconds(10)).GET().build();
        return http.send(req, HttpResponse.BodyHandlers.ofString());
    }

    /** The value of an untagged gauge in the Prometheus text format. */
    private static double gauge(String text, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(text);
        assertTrue(m.find(), () -> name + " missing from /q/metrics");
        return Double.parseDouble(m.group(2));
    }
}
