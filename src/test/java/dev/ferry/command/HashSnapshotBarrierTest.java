package dev.ferry.command;

import dev.ferry.store.Dict;
import dev.ferry.store.HashValue;
import dev.ferry.store.Listpack;
import dev.ferry.support.FerryPort;
import dev.ferry.support.OnFerry;
import dev.ferry.support.RawClient;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * ARCHITECTURE.md rule 3 for hashes: a snapshot begun before a run of hash writes sees every hash as it was at
 * its epoch. Listpack hashes are rebuilt by every write (copy-on-write), hashtable hashes change in place; both
 * hold only while every write goes through the store's write path (lookupForWrite / add), where the barrier
 * hands the entry to the snapshot first.
 */
@QuarkusTest
class HashSnapshotBarrierTest {
    static final int DB = 12;

    @Test
    void writesAfterTheEpochAreNotSeenByTheSnapshot() throws Exception {
        try (RawClient c = new RawClient(FerryPort.get())) {
            c.call("SELECT", Integer.toString(DB));
            c.call("FLUSHDB");
            c.call("HSET", "hb:small", "a", "1", "b", "2");
            c.call("HSET", "hb:del", "a", "1");
            c.call("HSET", "hb:incr", "n", "5", "f", "1.5");
            List<String> big = new ArrayList<>(List.of("HSET", "hb:big"));
            for (int i = 0; i < 600; i++) {
                big.add("f" + i);
                big.add("v" + i);
            }
            c.call(big.toArray(new String[0]));
            c.call("HSET", "hb:conv", "a", "1");
            for (int i = 0; i < 200; i++) c.call("HSET", "hb:filler:" + i, "f", "v" + i);
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
            try {
                assertEquals(":1\r\n", c.call("HSET", "hb:small", "a", "changed", "c", "3"));
                assertEquals(":1\r\n", c.call("HDEL", "hb:del", "a"));
                assertEquals(":6\r\n", c.call("HINCRBY", "hb:incr", "n", "1"));
                assertEquals("$3\r\n2.5\r\n", c.call("HINCRBYFLOAT", "hb:incr", "f", "1"));
                assertEquals(":1\r\n", c.call("HSET", "hb:big", "new", "x", "f1", "changed"));
                assertEquals(":2\r\n", c.call("HDEL", "hb:big", "f2", "f3"));
                assertEquals(":1\r\n", c.call("HSETNX", "hb:conv", "long", "x".repeat(100)));
                assertEquals(":1\r\n", c.call("HSET", "hb:new", "a", "1"));
                for (int i = 0; i < 200; i += 3) c.call("HSET", "hb:filler:" + i, "f", "changed");
                OnFerry.run(ctx -> {
                    while (!pinned[0].snapshotStep(64)) { }
                });
            } finally {
                OnFerry.run(ctx -> pinned[0].abortSnapshot());
            }
            assertEquals(new TreeMap<>(atEpoch), new TreeMap<>(seen));
            assertEquals("$7\r\nchanged\r\n", c.call("HGET", "hb:small", "a"), "the writes themselves happened");
            assertEquals("$9\r\nhashtable\r\n", c.call("OBJECT", "ENCODING", "hb:conv"));
            c.call("FLUSHDB");
        }
    }

    /** What a snapshot writes of a hash, copied now: encoding and sorted pairs. */
    private static String describe(Dict.Entry e) {
        HashValue h = (HashValue) e.value();
        List<String> pairs = new ArrayList<>();
        if (h.isListpack()) {
            byte[] lp = h.listpack();
            for (int p = Listpack.first(lp); p >= 0; ) {
                int v = Listpack.next(lp, p);
                pairs.add(new String(Listpack.text(lp, p), StandardCharsets.ISO_8859_1) + "="
                    + new String(Listpack.text(lp, v), StandardCharsets.ISO_8859_1));
                p = Listpack.next(lp, v);
            }
        } else {
            h.table().forEach(f -> pairs.add(new String(f.key, StandardCharsets.ISO_8859_1) + "="
                + new String(f.value(), StandardCharsets.ISO_8859_1)));
        }
        Collections.sort(pairs);
        return h.encodingName() + ":" + pairs;
    }
}
