package dev.ferry.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RespParserTest {

    static final RespParser.Limits LIMITS = new RespParser.Limits() {
        public long maxBulkLen() {
            return 512L * 1024 * 1024;
        }

        public long queryBufferLimit() {
            return 1024L * 1024 * 1024;
        }
    };

    /** Collects commands as space-joined strings. */
    static final class Collect implements RespParser.Sink {
        final List<String> commands = new ArrayList<>();
        boolean auth;

        public boolean onCommand(byte[][] argv) {
            List<String> parts = new ArrayList<>();
            for (byte[] a : argv) parts.add(new String(a, StandardCharsets.ISO_8859_1));
            commands.add(String.join("|", parts));
            return true;
        }

        public boolean authRequired() {
            return auth;
        }
    }

    static final String FRAMES = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\nl\r\n"
        + "*1\r\n$4\r\nPING\r\n"
        + "*0\r\n"
        + "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n"
        + "PING\r\n"
        + "set \"a b\" 'c d' \"\\x41\\n\"\n"
        + "\r\n"
        + "*2\r\n$3\r\nGET\r\n$3\r\n\u00ff\u0000\u0001\r\n";

    static final List<String> EXPECTED = List.of("SET|key|va\r\nl", "PING", "ECHO|", "PING", "set|a b|c d|A\n",
        "GET|\u00ff\u0000\u0001");

    @Test
    void wholeBuffer() {
        assertEquals(EXPECTED, parseInChunks(bytes(FRAMES), new int[] {FRAMES.length()}));
    }

    @Test
    void oneByteAtATime() {
        byte[] all = bytes(FRAMES);
        int[] sizes = new int[all.length];
        java.util.Arrays.fill(sizes, 1);
        assertEquals(EXPECTED, parseInChunks(all, sizes));
    }

    @Test
    void randomSplits() {
        byte[] all = bytes(FRAMES);
        Random rnd = new Random(42);
        for (int round = 0; round < 500; round++) {
            List<Integer> sizes = new ArrayList<>();
            int left = all.length;
            while (left > 0) {
                int n = Math.min(left, 1 + rnd.nextInt(12));
                sizes.add(n);
                left -= n;
            }
            assertEquals(EXPECTED, parseInChunks(all, sizes.stream().mapToInt(Integer::intValue).toArray()), "round " + round);
        }
    }

    @Test
    void largeBulkArrivesInPieces() {
        int size = 3 * 1024 * 1024 + 7;
        StringBuilder sb = new StringBuilder("*2\r\n$3\r\nSET\r\n$" + size + "\r\n");
        for (int i = 0; i < size; i++) sb.append((char) ('a' + i % 26));
        sb.append("\r\n");
        byte[] all = bytes(sb.toString());
        List<String> got = parseInChunks(all, new int[] {10, 65536, 1, 1 << 20, all.length});
        assertEquals(1, got.size());
        assertEquals(size + 4, got.get(0).length());
    }

    @Test
    void malformedFrames() {
        assertEquals("Protocol error: invalid multibulk length", error("*abc\r\n"));
        assertEquals("Protocol error: invalid multibulk length", error("*3000000000\r\n"));
        assertEquals("Protocol error: expected '$', got 'x'", error("*1\r\nxyz\r\n"));
        assertEquals("Protocol error: invalid bulk length", error("*1\r\n$-5\r\n"));
        assertEquals("Protocol error: invalid bulk length", error("*1\r\n$600000000\r\n"));
        assertEquals("Protocol error: invalid bulk length", error("*1\r\n$1x\r\n"));
        assertEquals("Protocol error: unbalanced quotes in request", error("set \"abc\r\n"));
        assertEquals("Protocol error: unbalanced quotes in request", error("set 'a'b\r\n"));
        assertEquals("Protocol error: too big inline request", error("x".repeat(70 * 1024)));
        assertEquals("Protocol error: too big mbulk count string", error("*" + "1".repeat(70 * 1024)));
    }

    @Test
    void unauthenticatedClientsCannotSendBigFrames() {
        Collect sink = new Collect();
        sink.auth = true;
        RespParser p = new RespParser(LIMITS);
        assertEquals(RespParser.Result.ERROR, p.feed(Unpooled.wrappedBuffer(bytes("*11\r\n")), sink));
        assertEquals("Protocol error: unauthenticated multibulk length", p.error());
        p = new RespParser(LIMITS);
        assertEquals(RespParser.Result.ERROR, p.feed(Unpooled.wrappedBuffer(bytes("*1\r\n$16385\r\n")), sink));
        assertEquals("Protocol error: unauthenticated bulk length", p.error());
    }

    @Test
    void stopLeavesTheRestUnread() {
        RespParser p = new RespParser(LIMITS);
        List<String> seen = new ArrayList<>();
        ByteBuf in = Unpooled.wrappedBuffer(bytes("*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nQUIT\r\n"));
        RespParser.Result r = p.feed(in, new RespParser.Sink() {
            public boolean onCommand(byte[][] argv) {
                seen.add(new String(argv[0]));
                return false;
            }
        });
        assertEquals(RespParser.Result.STOPPED, r);
        assertEquals(List.of("PING"), seen);
        assertTrue(in.isReadable());
        assertTrue(p.idle());
    }

    private static String error(String input) {
        RespParser p = new RespParser(LIMITS);
        RespParser.Result r = p.feed(Unpooled.wrappedBuffer(bytes(input)), new Collect());
        if (r != RespParser.Result.ERROR) {
            assertNull(r, "expected an error for " + input.substring(0, Math.min(30, input.length())));
        }
        return p.error();
    }

    static List<String> parseInChunks(byte[] all, int[] sizes) {
        RespParser p = new RespParser(LIMITS);
        Collect sink = new Collect();
        int off = 0;
        for (int n : sizes) {
            if (off >= all.length) break;
            n = Math.min(n, all.length - off);
            ByteBuf b = Unpooled.wrappedBuffer(all, off, n);
            RespParser.Result r = p.feed(b, sink);
            assertEquals(RespParser.Result.NEED_MORE, r);
            assertEquals(0, b.readableBytes());
            off += n;
        }
        return sink.commands;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
