package dev.ferry.command.hll;

import dev.ferry.store.Dict;
import dev.ferry.store.StringValue;
import dev.ferry.support.FerryPort;
import dev.ferry.support.OnFerry;
import dev.ferry.support.RawClient;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * ARCHITECTURE.md rule 3 for the HyperLogLog writes, PFCOUNT's cache write included (a command flagged
 * read-only that changes its key): a snapshot begun before them sees every key as it was at its epoch, which
 * holds only if each write goes through an entry looked up for write.
 */
@QuarkusTest
class HllSnapshotBarrierTest {
    static final int DB = 14;

    @Test
    void hllWritesAfterTheEpochAreNotSeenByTheSnapshot() throws Exception {
        try (RawClient c = new RawClient(FerryPort.get())) {
            c.call("SELECT", Integer.toString(DB));
            c.call("FLUSHDB");
            c.call("PFADD", "hs:sparse", "a", "b");
            c.call("PFADD", "hs:stale", "a", "b", "c");
            List<String> big = new ArrayList<>(List.of("PFADD", "hs:dense"));
            for (int i = 0; i < 3000; i++) big.add("d" + i);
            c.call(big.toArray(String[]::new));
            big.set(1, "hs:dense-stale");
            c.call(big.toArray(String[]::new));
            c.call("PFADD", "hs:dest", "z");
            for (int i = 0; i < 200; i++) c.call("PFADD", "hs:filler:" + i, "f" + i);
            Map<String, String> atEpoch = new TreeMap<>();

            Map<String, String> seen = OnFerry.call(ctx -> {
                Dict table = ctx.keyspace().db(DB).table();
                table.forEach(e -> atEpoch.put(new String(e.key(), StandardCharsets.UTF_8), describe(e)));
                Map<String, String> captured = new HashMap<>();
                table.beginSnapshot(chain -> {
                    for (Dict.Entry e = chain; e != null; e = e.next()) {
                        assertNull(captured.put(new String(e.key(), StandardCharsets.UTF_8), describe(e)), "seen twice");
                    }
                });
                return captured;
            });
            Dict[] pinned = new Dict[1];
            OnFerry.run(ctx -> pinned[0] = ctx.keyspace().db(DB).table());
            String staleBefore = c.call("GET", "hs:stale");
            try {
                assertEquals(":1\r\n", c.call("PFADD", "hs:sparse", "c", "d"));
                assertEquals(":1\r\n", c.call("PFADD", "hs:dense", "new1", "new2", "new3", "new4"));
                assertEquals(":3\r\n", c.call("PFCOUNT", "hs:stale"));
                c.call("PFCOUNT", "hs:dense-stale");
                assertEquals("+OK\r\n", c.call("PFMERGE", "hs:dest", "hs:sparse", "hs:dense"));
                assertEquals(":1\r\n", c.call("PFADD", "hs:new", "n"));
                for (int i = 0; i < 200; i += 3) c.call("PFADD", "hs:filler:" + i, "more", "still more");
                OnFerry.run(ctx -> {
                    while (!pinned[0].snapshotStep(64)) { }
                });
            } finally {
                OnFerry.run(ctx -> pinned[0].abortSnapshot());
            }
            assertEquals(new TreeMap<>(atEpoch), new TreeMap<>(seen));
            assertNotEquals(staleBefore, c.call("GET", "hs:stale"), "PFCOUNT stored the cardinality");
            c.call("FLUSHDB");
        }
    }

    private static String describe(Dict.Entry e) {
        StringValue v = (StringValue) e.value();
        return v.encodingName() + ":" + new String(v.toByteArray(), StandardCharsets.ISO_8859_1);
    }
}
