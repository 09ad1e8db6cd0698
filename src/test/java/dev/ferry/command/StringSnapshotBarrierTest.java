package dev.ferry.command;

import dev.ferry.store.Dict;
import dev.ferry.store.StringValue;
import dev.ferry.support.FerryPort;
import dev.ferry.support.OnFerry;
import dev.ferry.support.RawClient;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * ARCHITECTURE.md rule 3 with values that change in place: a snapshot begun before a run of string writes sees
 * every key as it was at its epoch, although APPEND, SETRANGE and INCR write into the very buffers the keys
 * hold. That holds only while every such write goes through the store's write path (an entry looked up for
 * write, where the barrier hands the entry's bucket to the snapshot first); a command that changed a value
 * it had looked up for reading would show its change here.
 */
@QuarkusTest
class StringSnapshotBarrierTest {
    static final int DB = 13;

    @Test
    void inPlaceWritesAfterTheEpochAreNotSeenByTheSnapshot() throws Exception {
        try (RawClient c = new RawClient(FerryPort.get())) {
            c.call("SELECT", Integer.toString(DB));
            c.call("FLUSHDB");
            // raw strings with spare room, so that the writes below land in place
            for (String k : new String[] {"sb:app", "sb:range", "sb:grow", "sb:num-raw", "sb:keep", "sb:bit", "sb:bitgrow"}) {
                c.call("APPEND", k, "12345");
                c.call("APPEND", k, "6");
            }
            c.call("SET", "sb:int", "123456");      // an unshared int: INCR updates it in place
            c.call("SET", "sb:neg", "-50000");
            c.call("SET", "sb:shared", "7");
            c.call("SET", "sb:float", "1.5");
            c.call("SET", "sb:long", "L".repeat(100));
            c.call("SET", "sb:gone", "x");
            c.call("SET", "sb:ttl", "t");
            c.call("SET", "sb:bitsame", "hello");   // embstr: SETBIT of a bit it already has makes it raw
            Map<String, String> atEpoch = new TreeMap<>();
            for (int i = 0; i < 200; i++) c.call("SET", "sb:filler:" + i, "f" + i);

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
                assertEquals(":7\r\n", c.call("APPEND", "sb:app", "7"));
                assertEquals(":6\r\n", c.call("SETRANGE", "sb:range", "1", "AB"));
                assertEquals(":12\r\n", c.call("SETRANGE", "sb:grow", "10", "zz"));
                assertEquals(":123457\r\n", c.call("INCR", "sb:num-raw"));
                assertEquals(":123457\r\n", c.call("INCR", "sb:int"));
                assertEquals(":123458\r\n", c.call("INCR", "sb:int"));
                assertEquals(":-49999\r\n", c.call("INCR", "sb:neg"));
                assertEquals(":8\r\n", c.call("INCR", "sb:shared"));
                assertEquals("$3\r\n2.5\r\n", c.call("INCRBYFLOAT", "sb:float", "1"));
                assertEquals(":101\r\n", c.call("APPEND", "sb:long", "M"));
                assertEquals(":0\r\n", c.call("SETBIT", "sb:bit", "0", "1"));
                assertEquals(":0\r\n", c.call("SETBIT", "sb:bitgrow", "70", "1"));
                assertEquals(":1\r\n", c.call("SETBIT", "sb:bitsame", "2", "1"));
                assertEquals(":1\r\n", c.call("DEL", "sb:gone"));
                assertEquals(":1\r\n", c.call("EXPIRE", "sb:ttl", "1000"));
                assertEquals("+OK\r\n", c.call("SET", "sb:new", "n"));
                assertEquals("+OK\r\n", c.call("RENAME", "sb:keep", "sb:renamed"));
                for (int i = 0; i < 200; i += 3) c.call("APPEND", "sb:filler:" + i, "+");
                OnFerry.run(ctx -> {
                    while (!pinned[0].snapshotStep(64)) { }
                });
            } finally {
                OnFerry.run(ctx -> pinned[0].abortSnapshot());
            }
            assertEquals(new TreeMap<>(atEpoch), new TreeMap<>(seen));
            assertEquals("$7\r\n1234567\r\n", c.call("GET", "sb:app"), "the writes themselves happened");
            c.call("FLUSHDB");
        }
    }

    /** What a snapshot writes of an entry, copied now: the value object itself changes later. */
    private static String describe(Dict.Entry e) {
        StringValue v = (StringValue) e.value();
        return v.encodingName() + ":" + new String(v.toByteArray(), StandardCharsets.ISO_8859_1) + ":ttl=" + (e.expireAt() >= 0);
    }
}
