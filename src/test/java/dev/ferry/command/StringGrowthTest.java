package dev.ferry.command;

import dev.ferry.support.FerryPort;
import dev.ferry.support.OnFerry;
import dev.ferry.support.RawClient;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Strings grow in place like Redis's sds (ARCHITECTURE.md rule 2: bounded work per command): a run of APPENDs
 * to one key costs what its bytes cost, not a copy of the whole value per command, and a small APPEND or
 * SETRANGE into a large value copies nothing. Measured as bytes allocated by the executing event loop (the
 * thread that parses, runs and answers every command), which does not depend on the machine's speed or load:
 * copying values would allocate gigabytes here.
 */
@QuarkusTest
class StringGrowthTest {
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static long loopThread;

    @BeforeAll
    static void findTheExecutingLoop() throws Exception {
        loopThread = OnFerry.call(ctx -> Thread.currentThread().getId());
        assertTrue(THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled());
    }

    private static long allocatedOnLoop() {
        return THREADS.getThreadAllocatedBytes(loopThread);
    }

    /**
     * 2,000 APPENDs of 64 KB build a 125 MB value. Growing by a copy per APPEND would allocate the sum of all
     * the intermediate sizes (about 128 GB); growing by Redis's fixed 1 MB steps above 1 MB, which needs
     * realloc in place to be cheap, still about 8 GB; amortized growth a few times the final size.
     */
    @Test
    void aRunOfAppendsIsAmortized() throws Exception {
        int pieces = 2000, pieceSize = 64 * 1024;
        long total = (long) pieces * pieceSize;
        try (RawClient c = new RawClient(FerryPort.get())) {
            c.call("SELECT", "11");
            c.call("DEL", "sg:log");
            byte[][] piece = new byte[4][pieceSize];
            for (int i = 0; i < piece.length; i++) Arrays.fill(piece[i], (byte) ('a' + i));
            byte[] append = "APPEND".getBytes(StandardCharsets.US_ASCII), key = "sg:log".getBytes(StandardCharsets.US_ASCII);
            long before = allocatedOnLoop();
            long cpuBefore = THREADS.getThreadCpuTime(loopThread);
            long start = System.nanoTime();
            for (int i = 0; i < pieces; i++) {
                assertEquals(":" + (long) (i + 1) * pieceSize + "\r\n", c.call(append, key, piece[i % piece.length]));
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            long cpuMs = (THREADS.getThreadCpuTime(loopThread) - cpuBefore) / 1_000_000;
            long allocated = allocatedOnLoop() - before;
            System.out.printf("StringGrowthTest: %d APPENDs of %d KB (%d MB) in %d ms (%d ms CPU of the loop), %d MB allocated on the loop%n",
                pieces, pieceSize / 1024, total >> 20, ms, cpuMs, allocated >> 20);
            // the arguments themselves (1x) plus geometric growth (at most 5x) plus parsing and replies
            assertTrue(allocated < 8 * total, "allocated " + (allocated >> 20) + " MB for a " + (total >> 20) + " MB value");
            assertEquals(":" + total + "\r\n", c.call("STRLEN", "sg:log"));
            // every piece landed where it belongs
            for (int i : new int[] {0, 1, 2, 3, 1000, 1999}) {
                long off = (long) i * pieceSize;
                char fill = (char) ('a' + i % piece.length);
                assertEquals("$2\r\n" + fill + fill + "\r\n", c.call("GETRANGE", "sg:log", Long.toString(off), Long.toString(off + 1)));
            }
            assertEquals(":1\r\n", c.call("DEL", "sg:log"));
        }
    }

    /**
     * A 100 MB value: the first 1-byte APPEND after SET makes room (one copy, as growing any array must; Redis's
     * realloc may avoid it), every later small APPEND and SETRANGE writes into that room and allocates nothing
     * proportional to the value: 200 of them stay under 2 MB where copying would allocate 20 GB.
     */
    @Test
    void smallWritesToALargeValueDoNotCopyIt() throws Exception {
        int size = 100 << 20;
        try (RawClient c = new RawClient(FerryPort.get())) {
            c.call("SELECT", "11");
            sendBulkCommand(c, "SET", "sg:big", size, (byte) 'v');
            assertEquals("+OK\r\n", c.readReply());
            assertEquals(":" + (size + 1) + "\r\n", c.call("APPEND", "sg:big", "a"));

            long before = allocatedOnLoop();
            for (int i = 0; i < 100; i++) {
                assertEquals(":" + (size + 2 + i) + "\r\n", c.call("APPEND", "sg:big", "b"));
                assertEquals(":" + (size + 2 + i) + "\r\n", c.call("SETRANGE", "sg:big", Integer.toString(i * 1000), "s"));
            }
            long allocated = allocatedOnLoop() - before;
            System.out.printf("StringGrowthTest: 200 small writes to a 100 MB value allocated %d KB on the loop%n", allocated >> 10);
            assertTrue(allocated < 2 << 20, "allocated " + (allocated >> 10) + " KB");

            assertEquals(":" + (size + 101) + "\r\n", c.call("STRLEN", "sg:big"));
            assertEquals("$4\r\nvvab\r\n", c.call("GETRANGE", "sg:big", Integer.toString(size - 2), Integer.toString(size + 1)));
            assertEquals("$3\r\nbbb\r\n", c.call("GETRANGE", "sg:big", "-3", "-1"));
            assertEquals("$3\r\nvsv\r\n", c.call("GETRANGE", "sg:big", "98999", "99001"));
            assertEquals(":1\r\n", c.call("DEL", "sg:big"));
        }
    }

    /** Sends {@code command key <n bytes of fill>} without building the argument in memory. */
    static void sendBulkCommand(RawClient c, String command, String key, long n, byte fill) throws IOException {
        c.sendRaw("*3\r\n$" + command.length() + "\r\n" + command + "\r\n$" + key.length() + "\r\n" + key + "\r\n$" + n + "\r\n");
        byte[] chunk = new byte[1 << 20];
        Arrays.fill(chunk, fill);
        for (long left = n; left > 0; left -= chunk.length) {
            c.sendRaw(left >= chunk.length ? chunk : Arrays.copyOf(chunk, (int) left));
        }
        c.sendRaw("\r\n");
    }
}
