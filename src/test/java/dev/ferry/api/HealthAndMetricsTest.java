package dev.ferry.api;

import dev.ferry.server.RespServer;
import dev.ferry.support.FerryPort;
import dev.ferry.support.OnFerry;
import dev.ferry.support.RawClient;
import io.netty.util.concurrent.EventExecutor;
import io.quarkus.arc.Arc;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The health probes and Prometheus meters, over the Quarkus HTTP test port. */
@QuarkusTest
class HealthAndMetricsTest {
    @TestHTTPResource("/")
    URL root;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void readinessIsThePortAndLivenessTheLoop() throws Exception {
        String ready = compact(get("q/health/ready"), 200);
        assertTrue(ready.contains("\"name\":\"ferry-resp\""), ready);
        assertTrue(ready.contains("\"status\":\"UP\""), ready);
        assertTrue(ready.contains("\"port\":" + FerryPort.get()), ready);
        assertTrue(ready.contains("\"clients\":"), ready);
        String live = compact(get("q/health/live"), 200);
        assertTrue(live.contains("\"name\":\"ferry-executing-loop\""), live);
        assertTrue(live.contains("\"status\":\"UP\""), live);
        assertTrue(live.contains("\"limit_ms\":2000"), live);
    }

    /**
     * A frozen executing loop makes liveness DOWN within the limit and UP again once it turns, while HTTP,
     * which never runs on that loop, keeps answering: readiness, and many fresh connections at once (on a
     * shared loop, some of them would land on the frozen one and hang).
     */
    @Test
    void livenessFollowsTheExecutingLoopAndHttpNeverWaitsForIt() throws Exception {
        Thread loop = Arc.container().instance(RespServer.class).get().loopThread();
        Vertx quarkusVertx = Arc.container().instance(Vertx.class).get();
        for (EventExecutor e : quarkusVertx.nettyEventLoopGroup()) {
            assertFalse(e.inEventLoop(loop), "the executing loop is one of Quarkus's (HTTP) event loops");
        }
        CountDownLatch frozen = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // what a command that never ends looks like from outside: the loop runs one task and does not come back
        OnFerry.executor().runOnContext(v -> {
            frozen.countDown();
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            assertTrue(frozen.await(5, TimeUnit.SECONDS));
            long start = System.nanoTime();
            HttpResponse<String> live;
            do {
                live = get("q/health/live");
                assertTrue(System.nanoTime() - start < 6_000_000_000L, "liveness stayed UP: " + live.body());
                if (live.statusCode() == 200) Thread.sleep(100);
            } while (live.statusCode() == 200);
            String down = compact(live, 503);
            assertTrue(down.contains("\"status\":\"DOWN\""), down);
            assertTrue(System.nanoTime() - start >= 1_000_000_000L, "DOWN before the limit: " + down);
            assertEquals(200, get("q/health/ready").statusCode());
            List<CompletableFuture<HttpResponse<String>>> many = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                HttpClient fresh = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
                many.add(fresh.sendAsync(request("q/health/ready", Duration.ofSeconds(2)), HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> f : many) assertEquals(200, f.get(3, TimeUnit.SECONDS).statusCode());
        } finally {
            release.countDown();
        }
        long start = System.nanoTime();
        while (get("q/health/live").statusCode() != 200) {
            assertTrue(System.nanoTime() - start < 3_000_000_000L, "liveness did not come back UP");
            Thread.sleep(50);
        }
        try (RawClient c = new RawClient(FerryPort.get())) {
            assertEquals("+PONG\r\n", c.call("PING"));
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
            double expired = gauge(before, "ferry_expired_keys");
            double processed = gauge(before, "ferry_commands_processed");
            for (int i = 0; i < 10; i++) c.call("PING");
            double after = gauge(get("q/metrics").body(), "ferry_commands_processed");
            assertTrue(after >= processed + 10, processed + " -> " + after);
            // a key that expires is counted, whether a read or the active cycle finds it
            c.call("SET", "api:metrics:ttl", "v", "PX", "1");
            Thread.sleep(20);
            assertEquals("$-1\r\n", c.call("GET", "api:metrics:ttl"));
            double expiredAfter = gauge(get("q/metrics").body(), "ferry_expired_keys");
            assertTrue(expiredAfter >= expired + 1, expired + " -> " + expiredAfter);
        }
    }

    @Test
    void snapshotMetricsFollowSaves() throws Exception {
        try (RawClient c = new RawClient(FerryPort.get())) {
            c.call("SELECT", "6");
            c.call("SET", "api:metrics:save", "v");
            String before = get("q/metrics").body();
            assertEquals(0, gauge(before, "ferry_rdb_bgsave_in_progress"));
            assertEquals(-1, gauge(before, "ferry_rdb_save_progress_percent"), "no snapshot runs");
            assertEquals(-1, gauge(before, "ferry_loading_progress_percent"), "nothing loads");
            assertTrue(gauge(before, "ferry_rdb_changes_since_last_save") >= 1);
            Thread.sleep(1100);
            assertEquals("+OK\r\n", c.call("SAVE"));
            String after = get("q/metrics").body();
            assertEquals(1, gauge(after, "ferry_rdb_last_bgsave_ok"));
            assertEquals(0, gauge(after, "ferry_rdb_changes_since_last_save"));
            assertTrue(gauge(after, "ferry_rdb_last_save_time_seconds") > gauge(before, "ferry_rdb_last_save_time_seconds"));
            c.call("DEL", "api:metrics:save");
        } finally {
            java.nio.file.Files.deleteIfExists(java.nio.file.Path.of("target/test-data/dump.rdb"));
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(request(path, Duration.ofSeconds(10)), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String path, Duration timeout) {
        return HttpRequest.newBuilder(URI.create(root.toString()).resolve(path)).timeout(timeout).GET().build();
    }

    private static String compact(HttpResponse<String> r, int status) {
        assertEquals(status, r.statusCode(), r.body());
        return r.body().replace(" ", "").replace("\n", "");
    }

    /** The value of an untagged gauge in the Prometheus text format. */
    private static double gauge(String text, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(text);
        assertTrue(m.find(), () -> name + " missing from /q/metrics");
        return Double.parseDouble(m.group(2));
    }
}
