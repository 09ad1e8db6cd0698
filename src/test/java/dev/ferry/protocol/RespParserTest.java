package dev.ferry.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

    /** Keeps one argument of the last command (the big one, in the tests of large values). */
    static final class KeepArg implements RespParser.Sink {
        private final int index;
        byte[] arg;

        KeepArg(int index) {
            this.index = index;
        }

        public boolean onCommand(byte[][] argv) {
            arg = argv[index];
            return true;
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

    // ---- memory follows the bytes that arrived (issue 11, finding 2) ------------------------------------

    static RespParser.Limits limits(long maxBulkLen, long queryBufferLimit) {
        return new RespParser.Limits() {
            public long maxBulkLen() {
                return maxBulkLen;
            }

            public long queryBufferLimit() {
                return queryBufferLimit;
            }
        };
    }

    @Test
    void aDeclaredBulkAloneReservesNothing() {
        RespParser p = new RespParser(LIMITS);
        Collect sink = new Collect();
        assertEquals(RespParser.Result.NEED_MORE, feed(p, "*2\r\n$3\r\nSET\r\n$500000000\r\n", sink));
        assertEquals(3, p.pendingBytes(), "qbuf: the SET argument held");
        // the SET argument and no buffer for the 500 MB that has not arrived (was 1 MiB up front)
        assertTrue(p.allocatedBytes() <= 3 + 64, "allocated " + p.allocatedBytes());
        assertEquals(RespParser.Result.NEED_MORE, feed(p, "abc", sink));
        assertEquals(6, p.pendingBytes());
        assertTrue(p.allocatedBytes() <= 3 + 64 + PartialArgument.MIN_CAPACITY, "allocated " + p.allocatedBytes());
    }

    /**
     * An array of OFFLOADED_GROWTH or more is never made inside feed: the parser answers GROW, consumes
     * nothing of the read, and goes on once the caller installs the array grown made.
     */
    @Test
    void largeGrowthIsLeftToTheCaller() {
        int size = 10 * 1024 * 1024;
        RespParser p = new RespParser(LIMITS);
        KeepArg sink = new KeepArg(0);
        feed(p, "*1\r\n$" + size + "\r\n", sink);
        byte[] chunk = new byte[3 * 1024 * 1024];
        for (int i = 0; i < chunk.length; i++) chunk[i] = pattern(i);
        assertEquals(RespParser.Result.NEED_MORE, p.feed(Unpooled.wrappedBuffer(chunk), sink), "3 MB: grown in place");
        for (int i = 0; i < chunk.length; i++) chunk[i] = pattern(chunk.length + i);
        ByteBuf second = Unpooled.wrappedBuffer(chunk);
        assertEquals(RespParser.Result.GROW, p.feed(second, sink), "6 MB needs an array of 10 MB");
        assertEquals(chunk.length, second.readableBytes(), "nothing of the read consumed");
        assertEquals(chunk.length, p.pendingBytes());
        assertThrows(IllegalStateException.class, () -> p.installGrown(new byte[5]));
        byte[] grown = p.grown();
        assertEquals(size, grown.length);
        p.installGrown(grown);
        assertEquals(RespParser.Result.NEED_MORE, p.feed(second, sink));
        assertEquals(2L * chunk.length, p.pendingBytes());
        byte[] rest = new byte[size - 2 * chunk.length + 2];
        for (int i = 0; i < rest.length - 2; i++) rest[i] = pattern(2 * chunk.length + i);
        rest[rest.length - 2] = '\r';
        rest[rest.length - 1] = '\n';
        assertEquals(RespParser.Result.NEED_MORE, p.feed(Unpooled.wrappedBuffer(rest), sink));
        assertEquals(size, sink.arg.length);
        for (int i = 0; i < size; i++) if (sink.arg[i] != pattern(i)) throw new AssertionError("byte " + i + " differs");
    }

    /**
     * A command of more than ArgumentVector.PIECE arguments keeps them in pieces (a flood that never completes makes
     * no huge array) and arrives whole and in order, read in one feed or in many.
     */
    @Test
    void argumentsBeyondOnePieceArriveInOrder() {
        int n = 2 * ArgumentVector.PIECE + 10;
        StringBuilder frames = new StringBuilder("*" + n + "\r\n");
        for (int i = 0; i < n; i++) {
            String a = Integer.toString(i);
            frames.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
        }
        byte[] all = bytes(frames.toString());
        for (int step : new int[] {all.length, 4096, 16384 + 7}) {
            List<byte[][]> commands = new ArrayList<>();
            RespParser.Sink sink = argv -> commands.add(argv);
            RespParser p = new RespParser(LIMITS);
            for (int off = 0; off < all.length; off += step) {
                assertEquals(RespParser.Result.NEED_MORE, p.feed(Unpooled.wrappedBuffer(all, off, Math.min(step, all.length - off)), sink));
            }
            assertEquals(1, commands.size(), "reads of " + step);
            byte[][] cmd = commands.get(0);
            assertEquals(n, cmd.length);
            for (int i = 0; i < n; i++) assertEquals(Integer.toString(i), new String(cmd[i], StandardCharsets.US_ASCII));
            assertTrue(p.idle());
        }
    }

    /**
     * Feeds like Connection does: when the parser asks for a larger array (GROW), makes it (here on this
     * thread; Connection uses a worker) and feeds the rest.
     */
    static RespParser.Result feedGrowing(RespParser p, ByteBuf buf, RespParser.Sink sink) {
        RespParser.Result r;
        while ((r = p.feed(buf, sink)) == RespParser.Result.GROW) p.installGrown(p.grown());
        return r;
    }

    /**
     * A 5 MB argument fed one byte per call: the buffer stays within twice what arrived, grows
     * geometrically (a few dozen reallocations, so linear time), is never more than half the argument
     * before it becomes exactly the argument (a peak of 1.5x during that last copy), and the bytes arrive
     * intact.
     */
    @Test
    void fiveMegabytesOneByteAtATime() {
        int size = 5 * 1024 * 1024 + 3;
        RespParser p = new RespParser(LIMITS);
        KeepArg sink = new KeepArg(1);
        byte[] header = bytes("*2\r\n$3\r\nSET\r\n$" + size + "\r\n");
        for (byte b : header) assertEquals(RespParser.Result.NEED_MORE, p.feed(Unpooled.wrappedBuffer(new byte[] {b}), sink));
        long base = p.allocatedBytes() - p.pendingBytes(); // the line buffer, not part of the argument
        byte[] one = new byte[1];
        ByteBuf buf = Unpooled.wrappedBuffer(one);
        long lastCapacity = 0;
        int reallocations = 0;
        for (int i = 0; i < size; i++) {
            one[0] = pattern(i);
            buf.setIndex(0, 1);
            assertEquals(RespParser.Result.NEED_MORE, feedGrowing(p, buf, sink));
            long capacity = p.allocatedBytes() - 3 - base;
            if (capacity != lastCapacity) {
                // checked as it happens: growth that is not geometric would otherwise run for hours
                assertTrue(++reallocations <= 30, reallocations + " reallocations: growth must be geometric");
                long received = i + 1;
                assertTrue(capacity <= Math.max(PartialArgument.MIN_CAPACITY, 2 * received),
                    capacity + " bytes reserved for " + received + " received");
                if (capacity == size) assertTrue(lastCapacity <= size / 2, "old buffer " + lastCapacity + " during the last copy");
                else assertTrue(capacity <= size / 2, "capacity " + capacity);
                lastCapacity = capacity;
            }
        }
        assertEquals(size, lastCapacity, "exactly the argument at the end");
        assertNull(sink.arg);
        assertEquals(RespParser.Result.NEED_MORE, p.feed(Unpooled.wrappedBuffer(bytes("\r")), sink));
        assertEquals(RespParser.Result.NEED_MORE, p.feed(Unpooled.wrappedBuffer(bytes("\n")), sink));
        assertEquals(size, sink.arg.length);
        for (int i = 0; i < size; i++) if (sink.arg[i] != pattern(i)) throw new AssertionError("byte " + i + " differs");
        assertTrue(p.idle());
        assertEquals(0, p.pendingBytes());
    }

    /** The largest legal value (2^29 - 1 bytes), in 64 KB reads: every byte arrives, in order. */
    @Test
    void fullSizeBulkArrivesIntact() {
        int size = 536_870_911;
        RespParser p = new RespParser(LIMITS);
        KeepArg sink = new KeepArg(2);
        feed(p, "*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$" + size + "\r\n", sink);
        byte[] chunk = new byte[65536];
        ByteBuf buf = Unpooled.wrappedBuffer(chunk);
        for (int off = 0; off < size; off += chunk.length) {
            int n = Math.min(chunk.length, size - off);
            for (int i = 0; i < n; i++) chunk[i] = pattern(off + i);
            buf.setIndex(0, n);
            assertEquals(RespParser.Result.NEED_MORE, feedGrowing(p, buf, sink));
            assertEquals(0, buf.readableBytes(), "every byte consumed");
            assertEquals(6L + off + n, p.pendingBytes());
        }
        assertEquals(RespParser.Result.NEED_MORE, feed(p, "\r\n", sink));
        assertEquals(size, sink.arg.length);
        for (int i = 0; i < size; i++) if (sink.arg[i] != pattern(i)) throw new AssertionError("byte " + i + " differs");
        sink.arg = null;
    }

    /** Bytes that differ from their neighbours and from a shifted copy, so a lost or moved byte shows. */
    static byte pattern(long i) {
        return (byte) (i * 31 + (i >>> 8) * 7 + (i >>> 16));
    }

    // ---- client-query-buffer-limit bounds the whole command (finding 6) ---------------------------------

    @Test
    void aFloodOfEmptyArgumentsHitsTheQueryBufferLimit() {
        long limit = 1024 * 1024;
        RespParser p = new RespParser(limits(512L * 1024 * 1024, limit));
        Collect sink = new Collect();
        assertEquals(RespParser.Result.NEED_MORE, feed(p, "*2000000000\r\n", sink));
        byte[] empties = bytes("$0\r\n\r\n".repeat(1000));
        RespParser.Result r = RespParser.Result.NEED_MORE;
        int batches = 0;
        while (r == RespParser.Result.NEED_MORE && batches < 1000) {
            r = p.feed(Unpooled.wrappedBuffer(empties), sink);
            batches++;
        }
        assertEquals(RespParser.Result.QUERY_BUFFER_LIMIT, r, "after " + batches + " thousand empty arguments");
        // each empty argument counts ARG_OVERHEAD: the limit is hit after limit / ARG_OVERHEAD of them
        assertEquals(limit / ArgumentVector.ARG_OVERHEAD / 1000 + 1, batches);
        assertTrue(sink.commands.isEmpty());
    }

    @Test
    void argumentsAlreadyParsedCountTowardTheLimit() {
        long limit = 10L * 1024 * 1024;
        String mb = "x".repeat(1024 * 1024);
        String arg = "$" + mb.length() + "\r\n" + mb + "\r\n";
        // nine 1 MB arguments fit a 10 MB limit...
        RespParser p = new RespParser(limits(512L * 1024 * 1024, limit));
        Collect sink = new Collect();
        assertEquals(RespParser.Result.NEED_MORE, feed(p, "*9\r\n" + arg.repeat(9), sink));
        assertEquals(1, sink.commands.size());
        // ...eleven do not, whether they come in one read (each argument complete in it)...
        p = new RespParser(limits(512L * 1024 * 1024, limit));
        assertEquals(RespParser.Result.QUERY_BUFFER_LIMIT, feed(p, "*11\r\n" + arg.repeat(11), sink));
        // ...one at a time...
        p = new RespParser(limits(512L * 1024 * 1024, limit));
        RespParser.Result r = feed(p, "*11\r\n", sink);
        for (int i = 0; i < 11 && r == RespParser.Result.NEED_MORE; i++) r = feed(p, arg, sink);
        assertEquals(RespParser.Result.QUERY_BUFFER_LIMIT, r);
        // ...or as a header announcing more than is left: refused before its bytes arrive
        p = new RespParser(limits(512L * 1024 * 1024, limit));
        assertEquals(RespParser.Result.QUERY_BUFFER_LIMIT, feed(p, "*11\r\n" + arg.repeat(9) + "$2000000\r\n", sink));
        assertEquals(1, sink.commands.size(), "only the command that fit ran");
    }

    // ---- framing details as in Redis 7.0 (finding 12), see ParserRedisSideBySideTest for the real server --

    @Test
    void theByteAfterAHeaderCrIsSkippedWhateverItIs() {
        assertEquals(List.of("PING"), parseAll("*1\rX$4\r\nPING\r\n"));
        assertEquals(List.of("PING"), parseAll("*1\r\n$4\rXPING\r\n"));
        assertEquals(List.of("PING"), parseAll("*1\r\n$4\r\nPINGxy"));
        assertEquals(List.of("SET|k|v"), parseAll("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"));
        // a CR that ends one read: the next read's first byte is the one skipped
        RespParser p = new RespParser(LIMITS);
        Collect sink = new Collect();
        assertEquals(RespParser.Result.NEED_MORE, feed(p, "*1\r", sink));
        assertEquals(RespParser.Result.NEED_MORE, feed(p, "\u0000$4\r", sink));
        assertEquals(RespParser.Result.NEED_MORE, feed(p, "!PING\r\n", sink));
        assertEquals(List.of("PING"), sink.commands);
    }

    @Test
    void theSmallestLongIsAnEmptyCommand() {
        assertEquals(List.of("PING"), parseAll("*-9223372036854775808\r\n*-9223372036854775807\r\n*-1\r\n*1\r\n$4\r\nPING\r\n"));
        assertEquals("Protocol error: invalid multibulk length", error("*-9223372036854775809\r\n"));
        assertEquals("Protocol error: invalid multibulk length", error("*9223372036854775807\r\n"));
        assertEquals("Protocol error: invalid bulk length", error("*1\r\n$-9223372036854775808\r\n"));
        assertEquals("Protocol error: invalid bulk length", error("*1\r\n$9223372036854775807\r\n"));
    }

    @Test
    void aNulBeforeTheLineEndStallsTheLineUntilItIsTooBig() {
        for (String[] c : new String[][] {
            // input, error, where the stalled line starts
            {"PING\u0000\r\nPING\r\n", "too big inline request", "0"},
            {"\u0000PING\r\n", "too big inline request", "0"},
            {"ECHO '\u0000'\r\n", "too big inline request", "0"},
            {"*1\u0000\r\n$4\r\nPING\r\n", "too big mbulk count string", "0"},
            {"*1\r\n\u0000$4\r\nPING\r\n", "too big bulk count string", "4"},
            {"*2\r\n$4\r\nECHO\r\n$4\u0000\r\nPING\r\n", "too big bulk count string", "14"}}) {
            RespParser p = new RespParser(LIMITS);
            Collect sink = new Collect();
            assertEquals(RespParser.Result.NEED_MORE, feed(p, c[0], sink), c[0]);
            assertTrue(sink.commands.isEmpty());
            // what follows is never parsed (Redis's strchr stops at the NUL every time), only counted
            assertEquals(RespParser.Result.NEED_MORE, feed(p, "*1\r\n$4\r\nPING\r\n".repeat(3000), sink), c[0]);
            assertTrue(sink.commands.isEmpty());
            assertTrue(p.allocatedBytes() < 1024, "a stalled line holds nothing: " + p.allocatedBytes());
            // Redis fails once more than PROTO_INLINE_MAX_SIZE bytes follow the line's start
            int sent = c[0].length() - Integer.parseInt(c[2]) + 14 * 3000;
            assertEquals(RespParser.Result.NEED_MORE, feed(p, "x".repeat(64 * 1024 - sent), sink), c[0]);
            assertEquals(RespParser.Result.ERROR, feed(p, "x", sink), c[0]);
            assertEquals("Protocol error: " + c[1], p.error());
        }
        // a NUL inside a bulk argument is data
        assertEquals(List.of("ECHO|a\u0000b"), parseAll("*2\r\n$4\r\nECHO\r\n$3\r\na\u0000b\r\n"));
    }

    @Test
    void theDollarIsCheckedOnceTheLineIsComplete() {
        RespParser p = new RespParser(LIMITS);
        Collect sink = new Collect();
        // Redis waits for the CR before it looks at the first byte
        assertEquals(RespParser.Result.NEED_MORE, feed(p, "*1\r\nxyz", sink));
        assertEquals(RespParser.Result.NEED_MORE, feed(p, "\n\n", sink));
        assertEquals(RespParser.Result.ERROR, feed(p, "\r\n", sink));
        assertEquals("Protocol error: expected '$', got 'x'", p.error());
        assertEquals("Protocol error: expected '$', got '\r'", error("*1\r\n\r\n"));
        assertEquals("Protocol error: expected '$', got '\u00ff'", error("*1\r\n\u00ff4\r\nPING\r\n"));
        assertEquals("Protocol error: invalid multibulk length", error("*1\n$4\r\nPING\r\n"));
        assertEquals("Protocol error: invalid bulk length", error("*1\r\n$4\nPING\r\n"));
    }

    @Test
    void onlyALineStillWaitingForItsEndIsLimited() {
        // Redis checks PROTO_INLINE_MAX_SIZE only while no line end is in the buffer
        assertEquals(List.of("PING"), parseAll("PING" + " ".repeat(100_000) + "\r\n"));
        assertEquals("Protocol error: too big inline request", error("PING" + " ".repeat(70_000)));
        assertEquals("Protocol error: too big mbulk count string", error("*1" + "1".repeat(70_000)));
        assertEquals("Protocol error: too big bulk count string", error("*1\r\n$4" + "1".repeat(70_000)));
        // a CR at the very end: Redis waits for one more byte, whatever the length, then reads the number
        RespParser p = new RespParser(LIMITS);
        Collect sink = new Collect();
        assertEquals(RespParser.Result.NEED_MORE, feed(p, "*1" + "1".repeat(70_000) + "\r", sink));
        assertEquals(RespParser.Result.ERROR, feed(p, "x", sink));
        assertEquals("Protocol error: invalid multibulk length", p.error());
    }

    @Test
    void pendingAndAllocatedBytesDescribeTheIncompleteCommand() {
        RespParser p = new RespParser(LIMITS);
        Collect sink = new Collect();
        assertEquals(0, p.pendingBytes());
        feed(p, "*3\r\n$3\r\nSET\r\n$5\r\nhello\r\n$100\r\n", sink);
        assertEquals(8, p.pendingBytes(), "SET and hello");
        feed(p, "x".repeat(40), sink);
        assertEquals(48, p.pendingBytes());
        long allocated = p.allocatedBytes();
        assertTrue(allocated >= 48 && allocated <= 8 + 64 + PartialArgument.MIN_CAPACITY, "allocated " + allocated);
        feed(p, "x".repeat(60) + "\r\n", sink);
        assertEquals(1, sink.commands.size());
        assertEquals(0, p.pendingBytes());
        feed(p, "*1\r\n$4\r", sink);
        assertEquals(3, p.pendingBytes(), "a partial header line: \"$4\" and its CR");
        feed(p, "\nPI", sink);
        assertEquals(2, p.pendingBytes());
    }

    static List<String> parseAll(String input) {
        RespParser p = new RespParser(LIMITS);
        Collect sink = new Collect();
        assertEquals(RespParser.Result.NEED_MORE, feed(p, input, sink));
        return sink.commands;
    }

    static RespParser.Result feed(RespParser p, String s, RespParser.Sink sink) {
        return p.feed(Unpooled.wrappedBuffer(bytes(s)), sink);
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
