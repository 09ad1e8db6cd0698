package dev.ferry.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An allocation that fails inside the parser: the OutOfMemoryError reaches the caller (it is not turned
 * into silence), and the parser is left consistent — the input's reader index marks exactly what was
 * consumed, so feeding the rest once memory is back yields every byte, in order. Runs in a child JVM
 * with a small heap that the probe fills on purpose, so that the test JVM never runs out of memory.
 */
class RespParserOomTest {

    @Test
    void anAllocationFailurePropagatesAndLosesNoByte() throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:-OmitStackTraceInFastThrow",
            "-cp", System.getProperty("java.class.path"), Probe.class.getName());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "probe finished");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("growth: OutOfMemoryError caught, all bytes intact"), out);
        assertTrue(out.contains("whole argument: OutOfMemoryError caught, all bytes intact"), out);
    }

    /** The child JVM. Exits non-zero, with the reason, when anything is not as expected. */
    public static final class Probe {
        static final RespParser.Limits LIMITS = RespParserTest.LIMITS;

        static List<byte[]> ballast = new ArrayList<>();

        /** Fills the heap with 1 MB blocks, then frees {@code freeMb} of them. */
        static void fillHeapLeaving(int freeMb) {
            try {
                while (true) ballast.add(new byte[1 << 20]);
            } catch (OutOfMemoryError full) {
                // expected: the heap is full
            }
            for (int i = 0; i < freeMb && !ballast.isEmpty(); i++) ballast.remove(ballast.size() - 1);
        }

        static void releaseHeap() {
            ballast = new ArrayList<>();
            System.gc();
        }

        static void check(boolean ok, String what) {
            if (!ok) {
                System.out.println("FAILED: " + what);
                System.exit(1);
            }
        }

        public static void main(String[] args) {
            growth();
            wholeArgument();
            System.exit(0);
        }

        /** A 60 MB argument in 1 MB reads; the heap is full when its buffer has to grow. */
        static void growth() {
            int size = 60_000_000;
            RespParser p = new RespParser(LIMITS);
            RespParserTest.KeepArg sink = new RespParserTest.KeepArg(0);
            p.feed(Unpooled.wrappedBuffer(("*1\r\n$" + size + "\r\n").getBytes(StandardCharsets.US_ASCII)), sink);
            byte[] chunk = new byte[1 << 20];
            fillHeapLeaving(8);
            boolean failed = false;
            for (int off = 0; off < size; off += chunk.length) {
                int n = Math.min(chunk.length, size - off);
                for (int i = 0; i < n; i++) chunk[i] = RespParserTest.pattern(off + i);
                ByteBuf buf = Unpooled.wrappedBuffer(chunk, 0, n);
                try {
                    RespParserTest.feedGrowing(p, buf, sink);
                } catch (OutOfMemoryError e) {
                    check(!failed, "one failure only");
                    failed = true;
                    // what was consumed is exactly what the parser holds
                    check(p.pendingBytes() == (long) off + buf.readerIndex(), "pending " + p.pendingBytes()
                        + " after consuming " + buf.readerIndex() + " of the read at " + off);
                    releaseHeap();
                    RespParserTest.feedGrowing(p, buf, sink); // the rest of the same read
                }
                check(buf.readableBytes() == 0, "read consumed");
            }
            check(failed, "the heap was full during growth (the probe tests nothing otherwise)");
            p.feed(Unpooled.wrappedBuffer("\r\n".getBytes(StandardCharsets.US_ASCII)), sink);
            check(sink.arg != null && sink.arg.length == size, "argument complete");
            for (int i = 0; i < size; i++) check(sink.arg[i] == RespParserTest.pattern(i), "byte " + i);
            System.out.println("growth: OutOfMemoryError caught, all bytes intact");
        }

        /** A 20 MB argument whole in one read (the fast path); the heap is full when its array is made. */
        static void wholeArgument() {
            int size = 20_000_000;
            byte[] header = ("*2\r\n$4\r\nECHO\r\n$" + size + "\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] frame = new byte[header.length + size + 2];
            System.arraycopy(header, 0, frame, 0, header.length);
            for (int i = 0; i < size; i++) frame[header.length + i] = RespParserTest.pattern(i);
            frame[frame.length - 2] = '\r';
            frame[frame.length - 1] = '\n';
            RespParser p = new RespParser(LIMITS);
            RespParserTest.KeepArg sink = new RespParserTest.KeepArg(1);
            // once with memory, so that the per-thread input copy is already large enough
            p.feed(Unpooled.wrappedBuffer(frame), sink);
            check(sink.arg != null && sink.arg.length == size, "warm-up command");
            sink.arg = null;
            fillHeapLeaving(10);
            ByteBuf buf = Unpooled.wrappedBuffer(frame);
            boolean failed = false;
            try {
                p.feed(buf, sink);
            } catch (OutOfMemoryError e) {
                failed = true;
                check(sink.arg == null, "no command");
                check(buf.readerIndex() == header.length, "the headers consumed, the data not: " + buf.readerIndex());
                check(p.pendingBytes() == 4, "ECHO held: " + p.pendingBytes());
                releaseHeap();
                RespParserTest.feedGrowing(p, buf, sink);
            }
            check(failed, "the heap was full for the argument (the probe tests nothing otherwise)");
            check(buf.readableBytes() == 0, "read consumed");
            check(sink.arg != null && sink.arg.length == size, "argument complete");
            for (int i = 0; i < size; i++) check(sink.arg[i] == RespParserTest.pattern(i), "byte " + i);
            check(p.idle(), "parser idle");
            System.out.println("whole argument: OutOfMemoryError caught, all bytes intact");
        }
    }
}
