package dev.ferry.it;

import dev.ferry.support.RandomWorkload;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisServer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.ferry.support.ReplicationChecks.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Ferry -> Ferry -> Ferry: a chained replica gets the same stream and offsets as its master's master; then
 * the middle one is promoted (REPLICAOF NO ONE) and the old master is re-pointed at it: both continue with a
 * partial resync (the promoted one serves its old history as replid2), no full resync, equal digests, and WAIT
 * on the new master counts both replicas.
 */
class FerryChainIT {

    @Test
    void chainPromotionAndRepointingContinuePartially() throws Exception {
        int[] ports = {RedisServer.freePort(), RedisServer.freePort(), RedisServer.freePort()};
        List<FerryProcess> ferries = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                List<String> props = new ArrayList<>(List.of("-Dferry.port=" + ports[i], "-Dferry.save=\"\"",
                    "-Dferry.enable-debug-command=local"));
                if (i > 0) props.add("-Dferry.replicaof=127.0.0.1 " + ports[i - 1]);
                ferries.add(FerryProcess.start(props.toArray(new String[0])));
                ferries.get(i).awaitPort(ports[i]);
                if (i == 0) {
                    // DEBUG POPULATE is not propagated (as in Redis): its keys reach the replicas in the snapshot
                    try (RawClient a = new RawClient(ports[0])) {
                        fillEveryType(a);
                    }
                }
            }
            try (RawClient a = new RawClient(ports[0]); RawClient b = new RawClient(ports[1]);
                 RawClient c = new RawClient(ports[2])) {
                RandomWorkload writes = new RandomWorkload(7L, "rw:");
                writes.run(a, 3000);
                assertSameData(a, b, ferries.get(1)::log);
                assertSameData(a, c, ferries.get(2)::log);
                assertEquals(info(a, "master_repl_offset"), info(c, "master_repl_offset"), "the chain shares offsets");
                assertEquals(info(a, "master_replid"), info(c, "master_replid"), "and the history's id");

                // B becomes a master: C (its replica) reconnects and continues; A follows B and continues too, as
                // long as A wrote nothing after B left it (no key of A may expire meanwhile: its DEL would fork
                // the histories, and Redis would answer that with a full resync too)
                a.call("DEBUG", "SET-ACTIVE-EXPIRE", "0");
                // nor a PING of A's replication cron (every repl-ping-replica-period while A has a replica): one that
                // fell between B leaving and A noticing it put 14 bytes in A's history that B never had, and A's
                // PSYNC then got a full resync (seen once in CI: sync_full 2), as Redis would answer too
                a.call("CONFIG", "SET", "repl-ping-replica-period", "3600");
                String oldId = info(a, "master_replid");
                long full = stat(b, "sync_full"), partial = stat(b, "sync_partial_ok");
                assertEquals("+OK\r\n", b.call("REPLICAOF", "NO", "ONE"));
                assertEquals(oldId, info(b, "master_replid2"));
                assertEquals("+OK\r\n", a.call("REPLICAOF", "127.0.0.1", Integer.toString(ports[1])));
                writes.run(b, 2000);
                assertSameData(b, a, ferries.get(0)::log);
                assertSameData(b, c, ferries.get(2)::log);
                assertEquals(full, stat(b, "sync_full"), "B served no full resync after its promotion");
                assertEquals(partial + 2, stat(b, "sync_partial_ok"), "A and C continued partially on B");
                assertEquals(2, stat(b, "connected_slaves"));
                b.call("SET", "rw:wait", "1");
                assertEquals(":2\r\n", b.call("WAIT", "2", "5000"));
            }
        } finally {
            for (FerryProcess f : ferries) f.close();
        }
    }
}
