package dev.ferry.it;

import dev.ferry.support.RawClient;
import dev.ferry.support.RedisServer;

import java.util.ArrayList;
import java.util.List;

import static dev.ferry.support.ReplicationChecks.info;
import static dev.ferry.support.ReplicationChecks.stat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** One restore (ferry.archive.restore-to) in a Ferry process of its own on an empty dir, and what came of it. */
record PointInTimeRestore(String digest, long offset, String log) {

    /** Restores from the archive the properties name to target; waits for the bootstrap to end. */
    static PointInTimeRestore run(List<String> archiveProps, String target) throws Exception {
        int port = RedisServer.freePort();
        List<String> p = new ArrayList<>(List.of("-Dferry.port=" + port, "-Dferry.save=\"\"", "-Dferry.enable-debug-command=local",
            "-Dferry.archive.restore-to=" + target));
        p.addAll(archiveProps);
        try (FerryProcess restored = FerryProcess.start(p.toArray(new String[0]))) {
            restored.awaitReady(port);
            try (RawClient r = new RawClient(port)) {
                long deadline = System.currentTimeMillis() + 60_000;
                while (!"done".equals(info(r, "bootstrap_state"))) {
                    if (System.currentTimeMillis() > deadline) fail("not restored: " + restored.log());
                    Thread.sleep(50);
                }
                assertEquals("0", info(r, "archive_active"), "a restored server archives nothing");
                return new PointInTimeRestore(r.call("DEBUG", "DIGEST"), stat(r, "master_repl_offset"), restored.log());
            }
        }
    }

    /** Whether the restore reached its point: it said it restored there and nothing stopped it short. */
    boolean reached(String target) {
        return log.contains("Restored the dataset as of " + target) && !log.contains("holds no stream after")
            && !log.contains("Restore: reached offset");
    }
}
