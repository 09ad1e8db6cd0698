package dev.ferry.it;

import dev.ferry.support.Peers;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.ferry.support.ReplicationChecks.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * High availability on the engine Redis operators already run: three real redis-sentinel processes watch a
 * Ferry master and two Ferry replicas. The master is killed (SIGKILL); the sentinels agree it is down, elect a
 * leader, promote a replica (MULTI, REPLICAOF NO ONE, CONFIG REWRITE, CLIENT KILL, EXEC) and re-point the
 * other at it. The promoted one holds every write WAIT acknowledged, and the new pair replicates.
 */
class SentinelFailoverIT {
    private static final String MASTER_NAME = "mymaster";

    @Test
    void sentinelsPromoteAReplicaThatKeepsEveryAcknowledgedWrite() throws Exception {
        String sentinelBin = Peers.require("redis-sentinel");
        int[] ports = {RedisServer.freePort(), RedisServer.freePort(), RedisServer.freePort()};
        List<FerryProcess> ferries = new ArrayList<>();
        List<Process> sentinels = new ArrayList<>();
        List<Path> sentinelDirs = new ArrayList<>();
        int[] sentinelPorts = new int[3];
        try {
            for (int i = 0; i < 3; i++) {
                List<String> props = new ArrayList<>(List.of("-Dferry.port=" + ports[i], "-Dferry.save=\"\"",
                    "-Dferry.enable-debug-command=local"));
                if (i > 0) props.add("-Dferry.replicaof=127.0.0.1 " + ports[0]);
                ferries.add(FerryProcess.start(props.toArray(new String[0])));
            }
            for (int i = 0; i < 3; i++) ferries.get(i).awaitPort(ports[i]);
            try (RawClient master = new RawClient(ports[0])) {
                awaitTrue(() -> master.call("INFO", "replication").split("state=online").length == 3,
                    "both replicas online", ferries.get(0));
                for (int i = 0; i < 500; i++) master.call("SET", "k:" + i, "v:" + i);
                assertEquals(":2\r\n", master.call("WAIT", "2", "5000"), "both replicas acknowledged the writes");
            }

            for (int i = 0; i < 3; i++) {
                sentinelPorts[i] = RedisServer.freePort();
                Path dir = Files.createTempDirectory("sentinel");
                sentinelDirs.add(dir);
                Path conf = dir.resolve("sentinel.conf");
                Files.writeString(conf, String.join("\n",
                    "port " + sentinelPorts[i], "bind 127.0.0.1", "daemonize no", "dir " + dir,
                    "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + ports[0] + " 2",
                    "sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
                    "sentinel failover-timeout " + MASTER_NAME + " 10000",
                    "sentinel parallel-syncs " + MASTER_NAME + " 1", ""));
                sentinels.add(new ProcessBuilder(sentinelBin, conf.toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("sentinel.log").toFile()).start());
            }
            // every sentinel knows both replicas and the two other sentinels before the master dies
            for (int sp : sentinelPorts) {
                awaitTrue(() -> {
                    try (RawClient s = new RawClient(sp)) {
                        String m = s.call("SENTINEL", "MASTER", MASTER_NAME);
                        return field(m, "num-slaves").equals("2") && field(m, "num-other-sentinels").equals("2");
                    } catch (IOException e) {
                        return false;
                    }
                }, "sentinel " + sp + " sees the replicas and the other sentinels", sentinelDirs);
            }

            ferries.get(0).process.destroyForcibly();
            ferries.get(0).process.waitFor(10, TimeUnit.SECONDS);

            int[] promoted = {-1};
            awaitTrue(() -> {
                try (RawClient s = new RawClient(sentinelPorts[0])) {
                    String addr = s.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME);
                    for (int i = 1; i < 3; i++) if (addr.contains("\r\n" + ports[i] + "\r\n")) promoted[0] = i;
                    return promoted[0] > 0;
                }
            }, "the sentinels promote a replica", sentinelDirs);
            int newMaster = ports[promoted[0]];
            int other = ports[3 - promoted[0]];
            // each check on a connection of its own: Sentinel's reconfiguration of an instance ends with CLIENT KILL
            // TYPE normal, which closes any connection a test held to it
            awaitTrue(() -> {
                try (RawClient c = new RawClient(newMaster)) {
                    return "master".equals(info(c, "role"));
                }
            }, "the promoted replica is a master", sentinelDirs);
            awaitTrue(() -> {
                try (RawClient c = new RawClient(other)) {
                    return Integer.toString(newMaster).equals(info(c, "master_port")) && "up".equals(info(c, "master_link_status"));
                }
            }, "the other replica follows the new master", sentinelDirs);
            try (RawClient m = new RawClient(newMaster); RawClient r = new RawClient(other)) {
                for (int i = 0; i < 500; i++) assertEquals("$" + ("v:" + i).length() + "\r\nv:" + i + "\r\n", m.call("GET", "k:" + i),
                    "an acknowledged write survived the failover");
                m.call("SET", "after", "failover");
                assertEquals(":1\r\n", m.call("WAIT", "1", "5000"));
                assertSameData(m, r, ferries.get(3 - promoted[0])::log);
            }
        } finally {
            for (Process s : sentinels) {
                s.destroy();
                s.waitFor(10, TimeUnit.SECONDS);
            }
            for (FerryProcess f : ferries) f.close();
        }
    }

    interface Check {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(Check check, String what, Object diagnostics) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (check.holds()) return;
            } catch (java.io.IOException e) {
                // Sentinel reconfigures an instance with CLIENT KILL TYPE normal, which can close the connection a
                // check just opened: not yet, ask again
            }
            Thread.sleep(100);
        }
        StringBuilder why = new StringBuilder(what + " did not happen");
        if (diagnostics instanceof FerryProcess f) why.append('\n').append(f.log());
        if (diagnostics instanceof List<?> dirs) {
            for (Object d : dirs) {
                Path log = ((Path) d).resolve("sentinel.log");
                if (Files.exists(log)) why.append("\n--- ").append(log).append('\n').append(Files.readString(log));
            }
        }
        fail(why.toString());
    }

    /** A field of SENTINEL MASTER's flat array of name/value bulk strings. */
    private static String field(String reply, String name) {
        String[] lines = reply.split("\r\n");
        for (int i = 0; i + 2 < lines.length; i++) if (lines[i].equals(name)) return lines[i + 2];
        return "";
    }
}
