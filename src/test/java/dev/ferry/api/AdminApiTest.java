package dev.ferry.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.support.Eventually;
import dev.ferry.support.FerryPort;
import dev.ferry.support.Http;
import dev.ferry.support.OnFerry;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisServer;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.net.http.HttpResponse;

import static dev.ferry.support.ReplicationChecks.info;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin API over HTTP on the shared test Ferry (ferry.admin-token=test-admin-token in the test profile): the
 * replication state, REPLICAOF through PUT with its token checks, problem JSON for every error, and readiness of a
 * replica. Every test that makes Ferry a replica makes it a master again.
 */
@QuarkusTest
class AdminApiTest {
    static final String TOKEN = "test-admin-token";
    private static final String MASTER = "/api/v1/replication/master";

    @TestHTTPResource("/")
    URL root;
    private Http http;

    @BeforeEach
    void client() {
        http = new Http(root.toString());
    }

    @Test
    void theStateOfAMasterIsInfoReplication() throws Exception {
        HttpResponse<String> r = http.get("/api/v1/replication");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode s = Http.json(r);
        try (RawClient c = new RawClient(FerryPort.get())) {
            assertEquals("master", s.get("role").asText());
            assertEquals(info(c, "master_replid"), s.get("replid").asText());
            assertEquals(info(c, "master_replid2"), s.get("replid2").asText());
            assertEquals(Long.parseLong(info(c, "second_repl_offset")), s.get("secondReplOffset").asLong());
            assertEquals(Long.parseLong(info(c, "repl_backlog_size")), s.get("backlog").get("size").asLong());
            // nothing writes between the two reads: the offsets are the same
            assertEquals(Long.parseLong(info(c, "master_repl_offset")), s.get("offset").asLong());
            assertEquals(Long.parseLong(info(c, "repl_backlog_histlen")), s.get("backlog").get("histlen").asLong());
        }
        assertTrue(s.get("replicas").isArray());
        assertTrue(s.get("master").isNull(), r.body());
    }

    @Test
    void changingTheMasterTakesTheToken() throws Exception {
        String body = "{\"host\": null}";
        for (String token : new String[] {null, "wrong-token", TOKEN + "x", ""}) {
            HttpResponse<String> r = http.send("PUT", MASTER, body, token);
            assertProblem(r, 401, "admin-token-required");
            assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"), r.headers().toString());
            assertFalse(r.body().contains(TOKEN), r.body());
        }
        // another scheme is no token either
        HttpResponse<String> basic = http.send(http.request(MASTER).header("Authorization", "Basic " + TOKEN)
            .header("Content-Type", "application/json").PUT(java.net.http.HttpRequest.BodyPublishers.ofString(body)));
        assertProblem(basic, 401, "admin-token-required");
        assertEquals(200, http.send("PUT", MASTER, body, TOKEN).statusCode());
    }

    @Test
    void badBodiesAreProblems() throws Exception {
        for (String bad : new String[] {"{}", "{\"none\": true}", "{\"host\": \"127.0.0.1\"}",
            "{\"host\": \"127.0.0.1\", \"port\": 70000}", "{\"host\": \"127.0.0.1\", \"port\": \"6379\"}",
            "{\"host\": \"\", \"port\": 6379}", "{\"host\": \"a b\", \"port\": 6379}", "{\"host\": null, \"port\": 6379}",
            "{\"host\": 5, \"port\": 6379}", "[]", "\"x\"", "{\"host\":"}) {
            assertProblem(http.send("PUT", MASTER, bad, TOKEN), 400, "bad-body");
        }
        HttpResponse<String> empty = http.send(http.request(MASTER).header("Authorization", "Bearer " + TOKEN)
            .header("Content-Type", "application/json").PUT(java.net.http.HttpRequest.BodyPublishers.noBody()));
        assertProblem(empty, 400, "bad-body");
        HttpResponse<String> text = http.send(http.request(MASTER).header("Authorization", "Bearer " + TOKEN)
            .header("Content-Type", "text/plain").PUT(java.net.http.HttpRequest.BodyPublishers.ofString("NO ONE")));
        assertEquals(415, text.statusCode(), text.body());
        assertProblem(text, 415, null);
        assertEquals("master", Http.json(http.get("/api/v1/replication")).get("role").asText());
    }

    @Test
    void unknownPathsAndMethodsAreProblems() throws Exception {
        assertProblem(http.get("/api/v1/nothing"), 404, null);
        assertProblem(http.get("/api/v2/replication"), 404, null);
        HttpResponse<String> delete = http.send("DELETE", "/api/v1/replication", null, TOKEN);
        assertProblem(delete, 405, null);
        assertProblem(http.get(MASTER), 405, null);
    }

    /**
     * With the token, Ferry becomes the replica of a real redis-server (202 while the link connects, then the link
     * is up and Redis's data is in, and readiness is UP), then a master again (200), with the old history as replid2.
     */
    @Test
    void replicaOfARealRedisAndBack() throws Exception {
        try (RedisServer redis = RedisServer.start(); RawClient r = new RawClient(redis.port());
             RawClient f = new RawClient(FerryPort.get())) {
            r.call("SET", "api:admin:from-redis", "v");
            try {
                HttpResponse<String> put = http.send("PUT", MASTER,
                    "{\"host\": \"127.0.0.1\", \"port\": " + redis.port() + "}", TOKEN);
                assertEquals(202, put.statusCode(), put.body());
                JsonNode s = Http.json(put);
                assertEquals("replica", s.get("role").asText());
                assertEquals(redis.port(), s.get("master").get("port").asInt());
                assertFalse(s.get("master").get("linkUp").asBoolean());
                Eventually.waitFor(() -> Http.json(http.get("/api/v1/replication")).get("master").get("linkUp").asBoolean(),
                    "the link to redis-server up");
                JsonNode up = Http.json(http.get("/api/v1/replication"));
                assertEquals("connected", up.get("master").get("linkState").asText());
                assertTrue(up.get("master").get("linkDownSinceSeconds").isNull());
                assertTrue(up.get("master").get("linkUpSinceSeconds").asLong() >= 0);
                assertEquals("slave", info(f, "role"));
                assertEquals("$1\r\nv\r\n", f.call("GET", "api:admin:from-redis"));
                Eventually.waitFor(() -> http.get("/q/health/ready").statusCode() == 200, "readiness UP on a synced replica");
                String replid = up.get("replid").asText();
                // the same master again: nothing changes, and the link is up
                assertEquals(200, http.send("PUT", MASTER, "{\"host\": \"127.0.0.1\", \"port\": " + redis.port() + "}",
                    TOKEN).statusCode());

                HttpResponse<String> back = http.send("PUT", MASTER, "{\"host\": null}", TOKEN);
                assertEquals(200, back.statusCode(), back.body());
                JsonNode m = Http.json(back);
                assertEquals("master", m.get("role").asText());
                assertTrue(m.get("master").isNull());
                assertEquals(replid, m.get("replid2").asText(), "the old history continues as replid2");
                assertEquals("master", info(f, "role"));
            } finally {
                f.call("REPLICAOF", "NO", "ONE");
                f.call("DEL", "api:admin:from-redis");
                freshHistory();
            }
        }
    }

    /** A replica whose master does not answer is not ready; once a master again, it is. */
    @Test
    void aReplicaOfAnUnreachableMasterIsNotReady() throws Exception {
        int nobody = RedisServer.freePort();
        try {
            assertEquals(200, http.get("/q/health/ready").statusCode());
            HttpResponse<String> put = http.send("PUT", MASTER, "{\"host\": \"127.0.0.1\", \"port\": " + nobody + "}", TOKEN);
            assertEquals(202, put.statusCode(), put.body());
            HttpResponse<String> ready = http.get("/q/health/ready");
            assertEquals(503, ready.statusCode(), ready.body());
            assertTrue(ready.body().replace(" ", "").contains("\"master\":\"127.0.0.1:" + nobody + "\""), ready.body());
            assertEquals(200, http.get("/q/health/live").statusCode());
            assertEquals(200, http.get("/q/health/started").statusCode());
            Thread.sleep(1500);  // the cron tries again and publishes: still down
            assertEquals(503, http.get("/q/health/ready").statusCode());
            assertEquals(200, http.send("PUT", MASTER, "{\"host\": null}", TOKEN).statusCode());
            HttpResponse<String> again = http.get("/q/health/ready");
            assertEquals(200, again.statusCode(), again.body());
        } finally {
            try (RawClient f = new RawClient(FerryPort.get())) {
                f.call("REPLICAOF", "NO", "ONE");
            }
            freshHistory();
        }
    }

    /**
     * The shared Ferry back to a history of its own with no replid2, as it started: the promotion kept the replica's
     * history as replid2, which other test classes (ServerInfoTest) expect to find empty.
     */
    private static void freshHistory() throws Exception {
        OnFerry.run(ctx -> ctx.replication().newHistory());
    }

    /** The token is in no answer: INFO, CONFIG GET, the metrics, the OpenAPI document, the problems. */
    @Test
    void theTokenIsShownNowhere() throws Exception {
        try (RawClient c = new RawClient(FerryPort.get())) {
            assertFalse(c.call("INFO", "everything").contains(TOKEN));
            assertFalse(c.call("CONFIG", "GET", "*").contains(TOKEN));
        }
        assertFalse(http.get("/q/metrics").body().contains(TOKEN));
        assertFalse(http.get("/q/openapi").body().contains(TOKEN));
        assertFalse(http.send("PUT", MASTER, "{}", TOKEN).body().contains(TOKEN));
    }

    @Test
    void startedIsUpOnceTheStartUpIsOver() throws Exception {
        HttpResponse<String> r = http.get("/q/health/started");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("ferry-startup"), r.body());
    }

    /** An RFC 9457 problem: its media type and its four members; slug, when given, ends its type. */
    static void assertProblem(HttpResponse<String> r, int status, String slug) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse("").split(";")[0], r.body());
        JsonNode p = Http.json(r);
        assertEquals(status, p.get("status").asInt(), r.body());
        assertTrue(p.get("title").isTextual() && !p.get("title").asText().isEmpty(), r.body());
        assertTrue(p.get("detail").isTextual() && !p.get("detail").asText().isEmpty(), r.body());
        assertTrue(p.get("type").isTextual(), r.body());
        if (slug != null) assertTrue(p.get("type").asText().endsWith("/" + slug), r.body());
        assertFalse(r.body().contains("Exception") || r.body().contains("\tat "), r.body());
    }
}
