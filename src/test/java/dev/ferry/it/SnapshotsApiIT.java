package dev.ferry.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.support.Http;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisServer;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * /api/v1/snapshots over HTTP on the packaged Ferry with a file archive: a snapshot taken through the API is
 * archived and listed; one archived snapshot is shown by id; a restore from it brings back the data it holds and
 * drops what was written after it; the token and the problem answers.
 */
class SnapshotsApiIT {
    private static final String TOKEN = "snapshots-it-token";

    private static JsonNode await(Http http, String path, java.util.function.Predicate<JsonNode> done) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            HttpResponse<String> r = http.get(path);
            if (r.statusCode() == 200 && done.test(Http.json(r))) return Http.json(r);
            if (System.currentTimeMillis() > deadline) fail(path + " never got there: " + r.statusCode() + " " + r.body());
            Thread.sleep(50);
        }
    }

    @Test
    void takeListShowAndRestore() throws Exception {
        Path archive = Files.createTempDirectory("ferry-archive");
        int port = RedisServer.freePort(), httpPort = RedisServer.freePort();
        try (FerryProcess ferry = FerryProcess.start("-Dferry.port=" + port, "-Dquarkus.http.port=" + httpPort,
            "-Dferry.save=\"\"", "-Dferry.admin-token=" + TOKEN, "-Dferry.archive.url=" + archive.toUri())) {
            ferry.awaitReady(port);
            Http http = new Http("http://127.0.0.1:" + httpPort);
            try (RawClient c = new RawClient(port)) {
                c.call("MSET", "a", "1", "b", "2");

                assertEquals(401, http.send("POST", "/api/v1/snapshots", "", null).statusCode());
                assertEquals(401, http.send("POST", "/api/v1/snapshots", "", "wrong").statusCode());
                HttpResponse<String> taken = http.send("POST", "/api/v1/snapshots", "", TOKEN);
                assertEquals(202, taken.statusCode(), taken.body());
                assertEquals("/api/v1/snapshots/local", java.net.URI.create(taken.headers().firstValue("Location").orElseThrow()).getPath());

                JsonNode list = await(http, "/api/v1/snapshots", j -> j.get("archived").size() == 1 && j.get("local").get("archived").asBoolean());
                JsonNode snap = list.get("archived").get(0);
                assertEquals(2, snap.get("keys").asLong(), list.toString());
                assertEquals(list.get("local").get("offset").asLong(), snap.get("offset").asLong());
                assertEquals(list.get("local").get("crc64").asText(), snap.get("crc64").asText());
                String metrics = http.get("/q/metrics").body();
                assertTrue(metrics.contains("ferry_archive_uploads_ok_total 1.0"), "archive metrics:\n" + metrics);
                assertTrue(metrics.lines().anyMatch(l -> l.startsWith("ferry_archive_last_success_timestamp_seconds ")
                    && Double.parseDouble(l.split(" ")[1]) > 1.7e9), "last success time");
                assertTrue(metrics.contains("ferry_bootstrap_finished 1.0"), "the bootstrap (an empty archive) ended");
                String id = snap.get("id").asText();
                HttpResponse<String> one = http.get("/api/v1/snapshots/" + id);
                assertEquals(200, one.statusCode(), one.body());
                assertEquals(snap, Http.json(one));
                HttpResponse<String> missing = http.get("/api/v1/snapshots/no-such-id");
                assertEquals(404, missing.statusCode());
                assertEquals("application/problem+json", missing.headers().firstValue("Content-Type").orElse("").split(";")[0]);

                c.call("DEL", "a");
                c.call("SET", "c", "3");
                assertEquals(401, http.send("POST", "/api/v1/snapshots/" + id + "/restore", "", null).statusCode());
                assertEquals(404, http.send("POST", "/api/v1/snapshots/no-such-id/restore", "", TOKEN).statusCode());
                HttpResponse<String> restore = http.send("POST", "/api/v1/snapshots/" + id + "/restore", "", TOKEN);
                assertEquals(202, restore.statusCode(), restore.body());
                await(http, "/api/v1/snapshots", j -> "done".equals(j.get("restore").get("state").asText()));
                assertEquals("$1\r\n1\r\n", c.call("GET", "a"), "the snapshot's key is back");
                assertEquals("$-1\r\n", c.call("GET", "c"), "a key written after the snapshot is gone");
                assertEquals(":2\r\n", c.call("DBSIZE"));
            }
        }
    }

    /**
     * POST /api/v1/restore: the running master's dataset rebuilt as of a recorded offset (a snapshot before it and
     * the archived stream after it) has the digest recorded there; a new history starts; bad bodies answer 400.
     */
    @Test
    void restoreToAPointOfTheArchivedStream() throws Exception {
        Path archive = Files.createTempDirectory("ferry-archive");
        int port = RedisServer.freePort(), httpPort = RedisServer.freePort();
        try (FerryProcess ferry = FerryProcess.start("-Dferry.port=" + port, "-Dquarkus.http.port=" + httpPort,
            "-Dferry.save=\"\"", "-Dferry.enable-debug-command=local", "-Dferry.admin-token=" + TOKEN, "-Dferry.archive.url=" + archive.toUri())) {
            ferry.awaitReady(port);
            Http http = new Http("http://127.0.0.1:" + httpPort);
            try (RawClient c = new RawClient(port)) {
                java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
                PointInTimeRestoreIT.writes(c, rnd, 1000);
                assertEquals("+Background saving started\r\n", c.call("BGSAVE"));
                dev.ferry.support.ReplicationChecks.awaitUploads(c, 1, 30_000);
                PointInTimeRestoreIT.writes(c, rnd, 1000);
                String replid = dev.ferry.support.ReplicationChecks.info(c, "master_replid");
                long offset = dev.ferry.support.ReplicationChecks.stat(c, "master_repl_offset");
                String digest = c.call("DEBUG", "DIGEST");
                PointInTimeRestoreIT.writes(c, rnd, 1000);
                dev.ferry.support.ReplicationChecks.awaitStreamArchived(c, 30_000);
                assertTrue(!digest.equals(c.call("DEBUG", "DIGEST")));

                String point = replid + ":" + offset;
                assertEquals(401, http.send("POST", "/api/v1/restore", "{\"to\": \"" + point + "\"}", null).statusCode());
                for (String bad : new String[] {"{}", "{\"to\": 5}", "{\"to\": \"yesterday\"}", "{\"to\": \"" + point + "\", \"x\": 1}", "[]"}) {
                    HttpResponse<String> r = http.send("POST", "/api/v1/restore", bad, TOKEN);
                    assertEquals(400, r.statusCode(), bad + ": " + r.body());
                }
                HttpResponse<String> started = http.send("POST", "/api/v1/restore", "{\"to\": \"" + point + "\"}", TOKEN);
                assertEquals(202, started.statusCode(), started.body());
                JsonNode list = await(http, "/api/v1/snapshots", j -> j.get("restore").get("state").asText().matches("done|failed"));
                JsonNode restore = list.get("restore");
                assertEquals("done", restore.get("state").asText(), restore.toString());
                assertEquals(point, restore.get("to").asText());
                assertEquals(point, restore.get("reached").asText());
                assertEquals(digest, c.call("DEBUG", "DIGEST"), "the dataset as of " + point);
                assertTrue(!replid.equals(dev.ferry.support.ReplicationChecks.info(c, "master_replid")), "a new history");
                assertEquals("+OK\r\n", c.call("SET", "after", "restore"));
            }
        }
    }
}
