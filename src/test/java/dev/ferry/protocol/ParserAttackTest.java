package dev.ferry.protocol;

import dev.ferry.support.FerryPort;
import dev.ferry.support.RawClient;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The parser under hostile and huge input, through the real server (issue 11, findings 2, 3 and 6).
 * {@code @QuarkusTest} runs Ferry in this JVM, so its heap is this heap.
 */
@QuarkusTest
class ParserAttackTest {

    static final int ATTACKERS = 2000;

    /**
     * 2,000 connections each declare a 500 MB bulk and send nothing more. They used to reserve 1 MiB each
     * (2,000 MiB, an OutOfMemoryError with a 1 GB heap); memory must now follow the bytes that arrived.
     */
    @Test
    void idleConnectionsDeclaringHugeBulksCostAlmostNothing() throws Exception {
        byte[] declaration = "*2\r\n$3\r\nSET\r\n$500000000\r\n".getBytes(StandardCharsets.US_ASCII);
        List<Socket> attackers = new ArrayList<>();
        try (RawClient bystander = new RawClient(FerryPort.get())) {
            assertEquals("+PONG\r\n", bystander.call("PING"));
            long before = usedHeapAfterGc();
            try {
                for (int i = 0; i < ATTACKERS; i++) {
                    Socket s = new Socket("127.0.0.1", FerryPort.get());
                    attackers.add(s);
                    s.getOutputStream().write(declaration);
                    s.getOutputStream().flush();
                }
                // all accepted, then every declaration parsed: CLIENT LIST shows the SET argument held (qbuf=3)
                long deadline = System.currentTimeMillis() + 60_000;
                while (count(bystander.call("CLIENT", "LIST"), " qbuf=") <= ATTACKERS && System.currentTimeMillis() < deadline) {
                    Thread.sleep(100);
                }
                deadline = System.currentTimeMillis() + 10_000;
                int holding = 0;
                while (System.currentTimeMillis() < deadline) {
                    holding = count(bystander.call("CLIENT", "LIST"), " qbuf=3 ");
                    if (holding >= ATTACKERS) break;
                    Thread.sleep(100);
                }
                long worst = 0;
                for (int i = 0; i < 20; i++) {
                    long t = System.nanoTime();
                    assertEquals("+PONG\r\n", bystander.call("PING"));
                    worst = Math.max(worst, System.nanoTime() - t);
                }
                long grown = usedHeapAfterGc() - before;
                System.out.printf("[ParserAttackTest] %d connections declaring 500 MB: heap +%.1f MiB (%d bytes each,"
                    + " sockets of both ends included); slowest PING %.1f ms%n",
                    ATTACKERS, grown / 1048576.0, grown / ATTACKERS, worst / 1e6);
                assertTrue(worst < 1_000_000_000L, "PING answered within a second: " + worst / 1e6 + " ms");
                // 1 MiB each before: 2,000 MiB
                assertTrue(grown < 200L * 1024 * 1024, "heap grew by " + grown / 1048576 + " MiB");
                assertEquals(ATTACKERS, holding, "connections reporting the argument they hold (qbuf=3)");
            } finally {
                for (Socket s : attackers) s.close();
            }
            long deadline = System.currentTimeMillis() + 30_000;
            while (count(bystander.call("CLIENT", "LIST"), " qbuf=") > 1 && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(1, count(bystander.call("CLIENT", "LIST"), " qbuf="), "attackers gone");
            assertEquals("+PONG\r\n", bystander.call("PING"));
        }
    }

    /** The largest legal value, 2^29 - 1 bytes, sent in full: stored intact, while others are served. */
    @Test
    void aFullSizeValueArrivesIntact() throws Exception {
        int size = 536_870_911;
        byte[] header = ("*3\r\n$3\r\nSET\r\n$12\r\nattack:512mb\r\n$" + size + "\r\n").getBytes(StandardCharsets.US_ASCII);
        AtomicBoolean uploading = new AtomicBoolean(true);
        AtomicLong slowestPing = new AtomicLong();
        Thread pinger = new Thread(() -> {
            try (RawClient c = new RawClient(FerryPort.get())) {
                while (uploading.get()) {
                    long t = System.nanoTime();
                    c.call("PING");
                    slowestPing.accumulateAndGet(System.nanoTime() - t, Math::max);
                    Thread.sleep(20);
                }
            } catch (Exception e) {
                slowestPing.set(Long.MAX_VALUE);
            }
        });
        try (RawClient c = new RawClient(FerryPort.get())) {
            pinger.start();
            long start = System.nanoTime();
            c.sendRaw(header);
            byte[] chunk = new byte[1 << 20];
            for (int off = 0; off < size; off += chunk.length) {
                int n = Math.min(chunk.length, size - off);
                for (int i = 0; i < n; i++) chunk[i] = RespParserTest.pattern(off + i);
                c.sendRaw(n == chunk.length ? chunk : java.util.Arrays.copyOf(chunk, n));
            }
            c.sendRaw("\r\n");
            assertEquals("+OK\r\n", c.readReply());
            long took = System.nanoTime() - start;
            uploading.set(false);
            pinger.join();
            System.out.printf("[ParserAttackTest] SET of %d bytes: %.2f s from the first byte to +OK; slowest"
                + " PING of another client meanwhile %.1f ms%n", size, took / 1e9, slowestPing.get() / 1e6);
            assertTrue(slowestPing.get() < Long.MAX_VALUE, "the other client was served");
            assertEquals(":" + size + "\r\n", c.call("STRLEN", "attack:512mb"));
            Random rnd = new Random(7);
            List<Long> offsets = new ArrayList<>(List.of(0L, 1L, 65535L, 65536L, (long) size / 2, size - 16L));
            for (int i = 0; i < 40; i++) offsets.add((long) rnd.nextInt(size - 16));
            for (long off : offsets) {
                byte[] want = new byte[16];
                for (int i = 0; i < 16; i++) want[i] = RespParserTest.pattern(off + i);
                String got = c.call("GETRANGE", "attack:512mb", Long.toString(off), Long.toString(off + 15));
                assertEquals("$16\r\n" + new String(want, StandardCharsets.ISO_8859_1) + "\r\n", got, "bytes at " + off);
            }
            assertEquals(":1\r\n", c.call("DEL", "attack:512mb"));
        } finally {
            uploading.set(false);
            pinger.join();
        }
    }

    /** A command of millions of empty arguments is closed once it passes client-query-buffer-limit. */
    @Test
    void aFloodOfEmptyArgumentsIsCutAtTheQueryBufferLimit() throws Exception {
        try (RawClient admin = new RawClient(FerryPort.get())) {
            assertEquals("+OK\r\n", admin.call("CONFIG", "SET", "client-query-buffer-limit", "1mb"));
            try (Socket attacker = new Socket("127.0.0.1", FerryPort.get())) {
                attacker.setSoTimeout(20_000);
                OutputStream out = attacker.getOutputStream();
                out.write("*2000000000\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] empties = "$0\r\n\r\n".repeat(10_000).getBytes(StandardCharsets.US_ASCII);
                try {
                    // 1 MiB / 32 bytes per argument: closed after 32,768 arguments, well before these 200,000
                    for (int i = 0; i < 20; i++) out.write(empties);
                    out.flush();
                } catch (IOException closedMeanwhile) {
                    // the server may close while we write
                }
                int read;
                try {
                    read = attacker.getInputStream().read();
                } catch (java.net.SocketException reset) {
                    read = -1; // closed with our bytes unread on its side
                }
                // a timeout (no close) throws SocketTimeoutException and fails the test
                assertEquals(-1, read, "closed, without a reply");
            } finally {
                assertEquals("+OK\r\n", admin.call("CONFIG", "SET", "client-query-buffer-limit", "1gb"));
            }
            assertEquals("+PONG\r\n", admin.call("PING"));
        }
    }

    static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) n++;
        return n;
    }

    static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
