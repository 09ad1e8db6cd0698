package dev.ferry.command;

import dev.ferry.engine.Errors;
import dev.ferry.support.FerryPort;
import dev.ferry.support.RawClient;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

import static dev.ferry.command.StringGrowthTest.sendBulkCommand;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Values of up to 512 MB (proto-max-bulk-len) work as in Redis: SET of a 512 MB value, APPEND in 64 MB pieces
 * up to the limit (and one byte more refused with Redis's words), SETRANGE at offset 536870000 on two keys
 * (each a zero-filled value of ~512 MB), then STRLEN and GETRANGE of each, all on one connection that stays
 * in step. About 2 GB live at the end: the surefire JVM's heap is set for it in the pom.
 */
@QuarkusTest
class BigValueTest {
    static final int MAX = 512 << 20;  // proto-max-bulk-len's default, 536870912
    static final int PIECE = 64 << 20;

    @Test
    void fiveHundredTwelveMegabyteValues() throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.out.printf("BigValueTest: max heap %d MB%n", Runtime.getRuntime().maxMemory() >> 20);
        try (RawClient c = new RawClient(FerryPort.get())) {
            c.call("SELECT", "12");
            c.call("DEL", "bv:set", "bv:append", "bv:range1", "bv:range2");

            long t = System.nanoTime();
            sendBulkCommand(c, "SET", "bv:set", MAX, (byte) 's');
            assertEquals("+OK\r\n", c.readReply());
            report("SET 512 MB", t, memory);
            assertEquals(":" + MAX + "\r\n", c.call("STRLEN", "bv:set"));
            assertEquals("$3\r\nsss\r\n", c.call("GETRANGE", "bv:set", "-3", "-1"));

            t = System.nanoTime();
            for (int i = 1; i <= MAX / PIECE; i++) {
                sendBulkCommand(c, "APPEND", "bv:append", PIECE, (byte) ('0' + i));
                assertEquals(":" + (long) i * PIECE + "\r\n", c.readReply(), "APPEND piece " + i);
            }
            report("APPEND 8 x 64 MB", t, memory);
            // at the limit, one byte more is refused and changes nothing
            assertEquals("-" + Errors.STRING_TOO_LONG + "\r\n", c.call("APPEND", "bv:append", "x"));
            assertEquals(":" + MAX + "\r\n", c.call("STRLEN", "bv:append"));
            assertEquals("$2\r\n12\r\n", c.call("GETRANGE", "bv:append", Integer.toString(PIECE - 1), Integer.toString(PIECE)));
            assertEquals("$1\r\n8\r\n", c.call("GETRANGE", "bv:append", "-1", "-1"));

            for (String key : new String[] {"bv:range1", "bv:range2"}) {
                t = System.nanoTime();
                assertEquals(":536870005\r\n", c.call("SETRANGE", key, "536870000", "tail!"));
                report("SETRANGE " + key + " 536870000", t, memory);
                assertEquals(":536870005\r\n", c.call("STRLEN", key));
                assertEquals("$7\r\n\0\0tail!\r\n", c.call("GETRANGE", key, "536869998", "-1"));
                assertEquals("$2\r\n\0\0\r\n", c.call("GETRANGE", key, "0", "1"));
            }
            assertEquals("-" + Errors.STRING_TOO_LONG + "\r\n", c.call("SETRANGE", "bv:range1", "536870912", "x"));

            assertEquals(":4\r\n", c.call("DEL", "bv:set", "bv:append", "bv:range1", "bv:range2"));
            assertEquals("+PONG\r\n", c.call("PING"));
        }
    }

    private static void report(String what, long startNanos, MemoryMXBean memory) {
        System.out.printf("BigValueTest: %s in %d ms, heap used %d MB%n", what, (System.nanoTime() - startNanos) / 1_000_000,
            memory.getHeapMemoryUsage().getUsed() >> 20);
    }
}
