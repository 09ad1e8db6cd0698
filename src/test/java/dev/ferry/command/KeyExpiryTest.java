package dev.ferry.command;

import dev.ferry.engine.*;

import dev.ferry.support.FerryPort;
import dev.ferry.support.RawClient;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static dev.ferry.command.KeyRandomizedTest.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Expiry as clients see it, in database 3: keys vanish on their own (active expiry), expired keys are never
 * listed or read even while still in the table (lazy expiry), TTL values round like Redis's, and looking at
 * a key does not reset its idle time.
 */
@QuarkusTest
class KeyExpiryTest {
    RawClient c;

    @BeforeEach
    void open() throws IOException {
        c = new RawClient(FerryPort.get());
        assertEquals("+OK\r\n", c.call("SELECT", "3"));
        c.call("FLUSHDB");
    }

    @AfterEach
    void close() throws IOException {
        c.call("FLUSHDB");
        c.close();
    }

    private long integer(String... cmd) throws IOException {
        return (Long) parse(c.call(cmd));
    }

    /** Keys with PEXPIRE 50 disappear without anyone touching them: DBSIZE drops within about a second. */
    @Test
    void activeExpiryRemovesUntouchedKeys() throws IOException, InterruptedException {
        // one write, so that the 50 ms have not run out before DBSIZE counts the keys
        StringBuilder burst = new StringBuilder(resp("SET", "ae:keep", "v"));
        for (int i = 0; i < 200; i++) burst.append(resp("SET", "ae:" + i, "v")).append(resp("PEXPIRE", "ae:" + i, "50"));
        long start = System.nanoTime();
        c.sendRaw(burst + resp("DBSIZE"));
        for (int i = 0; i < 401; i++) c.readReply();
        assertEquals(201, (Long) parse(c.readReply()));
        long size;
        do {
            Thread.sleep(20);
            size = integer("DBSIZE");
        } while (size > 1 && System.nanoTime() - start < 3_000_000_000L);
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(1, size, "keys left after " + elapsedMs + " ms");
        assertTrue(elapsedMs < 1200, "active expiry took " + elapsedMs + " ms");
        assertEquals(1, integer("EXISTS", "ae:keep"));
    }

    /**
     * Expired keys still in the table (the active cycle has not reached them) are invisible to KEYS, SCAN,
     * EXISTS, TTL and GET. KEYS, DBSIZE and SCAN are sent in one write, so they run back to back on the event
     * loop and DBSIZE shows how many expired keys were physically there when KEYS and SCAN skipped them.
     */
    @Test
    void expiredKeysAreNeverListed() throws IOException, InterruptedException {
        int attempts = 0;
        long physical;
        do {
            c.call("FLUSHDB");
            c.call("SET", "le:live", "v");
            StringBuilder burst = new StringBuilder();
            for (int i = 0; i < 500; i++) {
                burst.append(resp("SET", "le:" + i, "v")).append(resp("PEXPIRE", "le:" + i, "1"));
            }
            c.sendRaw(burst.toString());
            for (int i = 0; i < 1000; i++) c.readReply();
            Thread.sleep(5);
            // SCAN deletes the expired keys it meets, so DBSIZE goes between KEYS (which does not) and SCAN
            c.sendRaw(resp("KEYS", "*") + resp("DBSIZE") + resp("SCAN", "0", "COUNT", "100000"));
            List<?> keys = (List<?>) parse(c.readReply());
            physical = (Long) parse(c.readReply());
            List<?> scan = (List<?>) parse(c.readReply());
            assertEquals(List.of("le:live"), keys);
            assertEquals("0", scan.get(0));
            assertEquals(List.of("le:live"), scan.get(1));
        } while (physical == 1 && ++attempts < 20);
        assertTrue(physical > 1, "never caught an expired key still in the table");
        assertEquals(0, integer("EXISTS", "le:7"));
        assertEquals(-2, integer("TTL", "le:8"));
        assertNull(parse(c.call("GET", "le:9")));
        assertEquals("none", parse(c.call("TYPE", "le:10")));
    }

    private static String resp(String... args) {
        StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) sb.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
        return sb.toString();
    }

    @Test
    void ttlValues() throws IOException {
        assertEquals(-2, integer("TTL", "tv:none"));
        assertEquals(-2, integer("PTTL", "tv:none"));
        c.call("SET", "tv:a", "v");
        assertEquals(-1, integer("TTL", "tv:a"));
        assertEquals(-1, integer("PTTL", "tv:a"));
        assertEquals(-1, integer("EXPIRETIME", "tv:a"));
        assertEquals(-1, integer("PEXPIRETIME", "tv:a"));

        long before = System.currentTimeMillis();
        assertEquals(1, integer("EXPIRE", "tv:a", "100"));
        long after = System.currentTimeMillis();
        assertEquals(100, integer("TTL", "tv:a"));
        long pttl = integer("PTTL", "tv:a");
        assertTrue(pttl > 99_000 && pttl <= 100_000, "PTTL " + pttl);
        long at = integer("PEXPIRETIME", "tv:a");
        assertTrue(at >= before + 100_000 && at <= after + 100_000, "PEXPIRETIME " + at);
        assertEquals((at + 500) / 1000, integer("EXPIRETIME", "tv:a"));

        // seconds round to the nearest, not down: 1600 ms left is 2 s, 1400 ms is 1 s
        assertEquals(1, integer("PEXPIRE", "tv:a", "1600"));
        assertEquals(2, integer("TTL", "tv:a"));
        assertEquals(1, integer("PEXPIRE", "tv:a", "1400"));
        assertEquals(1, integer("TTL", "tv:a"));
        assertEquals(1, integer("PERSIST", "tv:a"));
        assertEquals(-1, integer("TTL", "tv:a"));
        assertEquals(0, integer("PERSIST", "tv:a"));
    }

    /** TYPE, EXISTS, TTL and OBJECT look without touching (Redis's LOOKUP_NOTOUCH); GET and TOUCH touch. */
    @Test
    void inspectingDoesNotResetIdleTime() throws IOException, InterruptedException {
        c.call("SET", "it:a", "v");
        assertEquals(0, integer("OBJECT", "IDLETIME", "it:a"));
        Thread.sleep(2100);
        c.call("TYPE", "it:a");
        c.call("EXISTS", "it:a");
        c.call("TTL", "it:a");
        c.call("OBJECT", "ENCODING", "it:a");
        c.call("SCAN", "0", "TYPE", "string");
        long idle = integer("OBJECT", "IDLETIME", "it:a");
        assertTrue(idle >= 2, "idle " + idle);
        c.call("TOUCH", "it:a");
        assertEquals(0, integer("OBJECT", "IDLETIME", "it:a"));
    }
}
