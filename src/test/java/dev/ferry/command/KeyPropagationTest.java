package dev.ferry.command;

import dev.ferry.engine.*;

import dev.ferry.engine.ReplicationStream;
import dev.ferry.server.RespServer;
import dev.ferry.engine.ServerContext;
import dev.ferry.support.FerryPort;
import dev.ferry.support.RawClient;
import io.quarkus.arc.Arc;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the keys family sends to replicas (ARCHITECTURE.md rule 5, Redis 7.0's expire.c and db.c): relative and
 * second-based expiries become PEXPIREAT with the absolute millisecond time and the options kept, a time
 * in the past becomes DEL (UNLINK with lazyfree-lazy-expire), commands that change nothing send nothing,
 * and FLUSHDB / SWAPDB reach replicas even when they change nothing, as Redis forces them to.
 *
 * <p>The test attaches a consumer to the replication stream (on the executing event loop) and reads back the
 * commands that database 1 received.
 */
@QuarkusTest
class KeyPropagationTest {
    ServerContext ctx;
    final ConcurrentLinkedQueue<byte[]> chunks = new ConcurrentLinkedQueue<>();
    final ReplicationStream.Consumer consumer = (resp, offset) -> chunks.add(resp);
    RawClient c;

    @BeforeEach
    void attach() throws Exception {
        ctx = Arc.container().instance(RespServer.class).get().context();
        c = new RawClient(FerryPort.get());
        c.call("SELECT", "1");
        c.call("FLUSHDB");
        onLoop(() -> ctx.replication().addConsumer(consumer));
        // the stream names a database only when it changes: a write in database 3 makes the next write in
        // database 1 bring its SELECT, so that the decoder below knows where it is
        c.call("SELECT", "3");
        c.call("SET", "kp:select", "x");
        c.call("DEL", "kp:select");
        c.call("SELECT", "1");
    }

    @AfterEach
    void detach() throws Exception {
        onLoop(() -> ctx.replication().removeConsumer(consumer));
        c.call("FLUSHDB");
        c.close();
    }

    private void onLoop(Runnable r) throws Exception {
        dev.ferry.support.OnFerry.run(ctx -> r.run());
    }

    @Test
    void expiriesReachReplicasAsAbsoluteTimesOrDeletions() throws Exception {
        c.call("SET", "kp:a", "v");
        long before = System.currentTimeMillis();
        assertEquals(":1\r\n", c.call("EXPIRE", "kp:a", "100"));
        long after = System.currentTimeMillis();
        c.call("PEXPIRE", "kp:a", "5000", "NX");           // refused: the key has a TTL
        long before2 = System.currentTimeMillis();
        c.call("PEXPIRE", "kp:a", "200000", "XX");
        long after2 = System.currentTimeMillis();
        c.call("EXPIREAT", "kp:a", "4102444800", "gt");
        c.call("pexpireat", "kp:a", "4102444800123", "GT");
        c.call("EXPIRE", "kp:none", "100");
        c.call("PERSIST", "kp:a");
        c.call("PERSIST", "kp:a");                          // nothing to remove
        c.call("EXPIRE", "kp:a", "-1");
        c.call("SET", "kp:b", "v");
        c.call("PEXPIREAT", "kp:b", "1");

        List<List<String>> got = commandsInDb1();
        assertEquals(9, got.size(), got::toString);
        assertEquals(List.of("SET", "kp:a", "v"), got.get(0));
        assertPexpireat(got.get(1), before + 100_000, after + 100_000);
        assertPexpireat(got.get(2), before2 + 200_000, after2 + 200_000);
        assertEquals("XX", got.get(2).get(3));
        assertEquals(List.of("PEXPIREAT", "kp:a", "4102444800000", "gt"), got.get(3));
        assertEquals(List.of("pexpireat", "kp:a", "4102444800123", "GT"), got.get(4));
        assertEquals(List.of("PERSIST", "kp:a"), got.get(5));
        assertEquals(List.of("DEL", "kp:a"), got.get(6));
        assertEquals(List.of("SET", "kp:b", "v"), got.get(7));
        assertEquals(List.of("DEL", "kp:b"), got.get(8));
    }

    @Test
    void lazyfreeLazyExpireTurnsTheDeletionIntoUnlink() throws Exception {
        c.call("SET", "kp:u", "v");
        setLazyExpire("yes");
        try {
            assertEquals(":1\r\n", c.call("EXPIRE", "kp:u", "0"));
        } finally {
            setLazyExpire("no");
        }
        assertEquals(List.of(List.of("SET", "kp:u", "v"), List.of("UNLINK", "kp:u")), commandsInDb1());
    }

    /** A key that expired and is noticed by a read (or the active cycle) reaches the stream as UNLINK too. */
    @Test
    void lazyfreeLazyExpireAlsoAppliesToKeysFoundExpired() throws Exception {
        setLazyExpire("yes");
        try {
            c.call("SET", "kp:w", "v", "PX", "1");
            Thread.sleep(20);
            assertEquals("$-1\r\n", c.call("GET", "kp:w"));
        } finally {
            setLazyExpire("no");
        }
        List<List<String>> got = commandsInDb1();
        assertEquals(List.of("UNLINK", "kp:w"), got.get(got.size() - 1), got::toString);
    }

    @Test
    void keyCommandsPropagateAsTheyAreAndOnlyWhenTheyChangeSomething() throws Exception {
        c.call("SET", "kp:r", "v");
        c.call("RENAME", "kp:r", "kp:s");
        c.call("RENAME", "kp:none", "kp:x");                // error
        c.call("RENAME", "kp:s", "kp:s");                   // same key: no change
        c.call("RENAMENX", "kp:s", "kp:s");
        c.call("COPY", "kp:s", "kp:t");
        c.call("COPY", "kp:s", "kp:t");                     // exists: no change
        c.call("MOVE", "kp:t", "4");
        c.call("DEL", "kp:none", "kp:none2");
        c.call("UNLINK", "kp:s", "kp:none");
        c.call("EXISTS", "kp:s");
        c.call("TOUCH", "kp:s");
        c.call("FLUSHDB");                                  // already empty: Redis propagates it anyway
        c.call("SWAPDB", "1", "1");
        c.call("FLUSHDB", "bogus");                         // error
        c.call("SELECT", "4");
        c.call("FLUSHDB", "ASYNC");
        c.call("SELECT", "1");

        List<List<String>> got = commandsInDb1();
        assertEquals(List.of(
            List.of("SET", "kp:r", "v"),
            List.of("RENAME", "kp:r", "kp:s"),
            List.of("COPY", "kp:s", "kp:t"),
            List.of("MOVE", "kp:t", "4"),
            List.of("UNLINK", "kp:s", "kp:none"),
            List.of("FLUSHDB"),
            List.of("SWAPDB", "1", "1")), got);
        List<List<String>> db4 = commands(4);
        assertEquals(List.of(List.of("FLUSHDB", "ASYNC")), db4);
    }

    private void setLazyExpire(String value) throws Exception {
        onLoop(() -> {
            try {
                ctx.settings().param("lazyfree-lazy-expire").prepare(value).run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static void assertPexpireat(List<String> cmd, long min, long max) {
        assertEquals("PEXPIREAT", cmd.get(0), cmd::toString);
        assertEquals("kp:a", cmd.get(1));
        long at = Long.parseLong(cmd.get(2));
        assertTrue(at >= min && at <= max, at + " not in [" + min + ", " + max + "]");
    }

    private List<List<String>> commandsInDb1() {
        return commands(1);
    }

    /** The stream so far, decoded, with SELECTs applied: the commands replicas would run in database db. */
    private List<List<String>> commands(int db) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] b : chunks) all.writeBytes(b);
        String s = all.toString(StandardCharsets.ISO_8859_1);
        List<List<String>> out = new ArrayList<>();
        int pos = 0, current = -1;
        while (pos < s.length()) {
            int eol = s.indexOf("\r\n", pos);
            int n = Integer.parseInt(s.substring(pos + 1, eol));
            pos = eol + 2;
            List<String> argv = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                eol = s.indexOf("\r\n", pos);
                int len = Integer.parseInt(s.substring(pos + 1, eol));
                argv.add(s.substring(eol + 2, eol + 2 + len));
                pos = eol + 2 + len + 2;
            }
            if (argv.get(0).equalsIgnoreCase("SELECT")) current = Integer.parseInt(argv.get(1));
            else if (current == db) out.add(argv);
        }
        return out;
    }
}
