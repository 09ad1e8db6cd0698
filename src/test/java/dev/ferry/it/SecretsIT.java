package dev.ferry.it;

import dev.ferry.support.Eventually;
import dev.ferry.support.Http;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisServer;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.util.List;
import java.util.Map;

import static dev.ferry.support.ReplicationChecks.info;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * No secret leaves through the channels operators share: a replica that authenticates to its master (masterauth),
 * has its own password (requirepass), an admin token, and S3 credentials from the environment (for an S3 endpoint
 * that refuses connections, so uploads fail and are logged and retried) is driven through its failure paths (a wrong
 * AUTH, a wrong admin token, failed uploads), and then its whole log, INFO, CLIENT LIST, the metrics, the health
 * probes and the admin API's answers are searched for every secret. CONFIG GET requirepass/masterauth do answer
 * them, to an authenticated client, as Redis does.
 */
class SecretsIT {
    static final String MASTER_PASSWORD = "m4ster-Secret-7f3a", REPLICA_PASSWORD = "r3plica-Secret-91c0",
        ADMIN_TOKEN = "adm1n-Secret-c0e5", AWS_KEY_ID = "AKIAFERRYSECRET00042", AWS_SECRET = "aws-Secret-8d2e44b1";
    static final List<String> SECRETS = List.of(MASTER_PASSWORD, REPLICA_PASSWORD, ADMIN_TOKEN, AWS_KEY_ID, AWS_SECRET);

    @Test
    void secretsAppearNowhereButWhereTheyAreAskedFor() throws Exception {
        int port = RedisServer.freePort(), httpPort = RedisServer.freePort(), refusing;
        try (ServerSocket s = new ServerSocket(0)) {
            refusing = s.getLocalPort(); // closed again: connections to it are refused
        }
        try (RedisServer master = RedisServer.start("--requirepass", MASTER_PASSWORD);
             FerryProcess ferry = FerryProcess.startWithEnv(Map.of("AWS_ACCESS_KEY_ID", AWS_KEY_ID, "AWS_SECRET_ACCESS_KEY", AWS_SECRET),
                 "-Dferry.port=" + port, "-Dquarkus.http.port=" + httpPort, "-Dferry.replicaof=127.0.0.1 " + master.port(),
                 "-Dferry.masterauth=" + MASTER_PASSWORD, "-Dferry.requirepass=" + REPLICA_PASSWORD, "-Dferry.admin-token=" + ADMIN_TOKEN,
                 "-Dferry.archive.url=s3://ferry-secrets/tier", "-Dferry.archive.s3.endpoint=http://127.0.0.1:" + refusing,
                 "-Dferry.archive.s3.region=us-east-1", "-Dferry.archive.role=both", "-Dferry.archive.bootstrap-failure=empty");
             RawClient m = new RawClient(master.port())) {
            ferry.awaitPort(port);
            m.call("AUTH", MASTER_PASSWORD);
            m.call("SET", "k", "v");
            try (RawClient c = new RawClient(port)) {
                assertEquals("-WRONGPASS invalid username-password pair or user is disabled.\r\n", c.call("AUTH", "not-" + REPLICA_PASSWORD));
                assertEquals("+OK\r\n", c.call("AUTH", REPLICA_PASSWORD));
                Eventually.waitFor(() -> "up".equals(info(c, "master_link_status")), "the replica's link up, authenticated");
                c.call("BGSAVE");
                Eventually.waitFor(() -> Long.parseLong(info(c, "archive_uploads_failed")) >= 1, "an upload failed against the refusing endpoint");
                Http http = new Http("http://127.0.0.1:" + httpPort);
                assertEquals(401, http.send("PUT", "/api/v1/replication/master", "{\"host\":\"127.0.0.1\",\"port\":1}", "not-" + ADMIN_TOKEN).statusCode());
                StringBuilder seen = new StringBuilder();
                seen.append(c.call("INFO", "everything")).append(c.call("CLIENT", "LIST"));
                for (String path : List.of("/q/metrics", "/q/health", "/q/health/ready", "/api/v1/replication", "/api/v1/snapshots")) {
                    seen.append(http.get(path).body());
                }
                seen.append(ferry.log());
                for (String secret : SECRETS) assertFalse(seen.toString().contains(secret), "a secret is shown: " + secret + "\n" + seen);
                // asked for by an authenticated client, as in Redis
                assertEquals("*2\r\n$11\r\nrequirepass\r\n$" + REPLICA_PASSWORD.length() + "\r\n" + REPLICA_PASSWORD + "\r\n",
                    c.call("CONFIG", "GET", "requirepass"));
            }
        }
    }
}
