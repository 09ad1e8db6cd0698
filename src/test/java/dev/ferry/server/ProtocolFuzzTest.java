package dev.ferry.server;

import dev.ferry.support.FerryPort;
import dev.ferry.support.RawClient;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;

import redis.clients.jedis.Jedis;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile input through the real server: at least 200,000 random and mutated RESP frames over several
 * concurrent connections (valid frames with flipped bytes, truncations, random type bytes, negative and
 * huge lengths, inline lines up to and past 64 KB, unbalanced quotes, NUL bytes, CR without LF, pipelines
 * mixing good and bad frames). While it runs, every pipeline of well-formed frames must get exactly one
 * reply per command and keep its connection; a pipeline holding garbage may end in a protocol error, which
 * must be the last reply before the server closes; every connection must end when the client half-closes.
 * Afterwards a fresh client is served, nothing was logged at ERROR or with a stack trace, no connection
 * was leaked, and the heap after a GC is back near where it started.
 *
 * <p>The seed is printed first; {@code -Dfuzz.seed=N} replays a run (the frames each connection sends
 * depend only on the seed; the interleaving of the connections does not). {@code -Dfuzz.frames} and
 * {@code -Dfuzz.connections} scale it. The commands are harmless ones on a small key space in databases
 * 9-14 (never SHUTDOWN, DEBUG, CONFIG, CLIENT KILL/PAUSE/REPLY, FLUSH*, blocking commands); keys it
 * creates are deleted at the end. A bulk declared huge is never sent in full.
 */
@QuarkusTest
class ProtocolFuzzTest {
    static final long SEED = Long.getLong("fuzz.seed", 20240611L);
    static final int FRAMES = Integer.getInteger("fuzz.frames", 200_000);
    static final int CONNECTIONS = Integer.getInteger("fuzz.connections", 8);
    /** How long one reply, or the end of a connection after the client's half-close, may take. */
    static final long REPLY_TIMEOUT_MS = 15_000;
    /** The whole fuzz gives up (and fails) after this. */
    static final long FUZZ_BUDGET_MS = 150_000;
    static final long HEAP_SLACK = 64L << 20;
    /** Examples kept per kind of finding, and in all; every finding is counted. */
    static final int EXAMPLES_PER_KIND = 3, EXAMPLES = 20;
    /** A connection that waited this many times for REPLY_TIMEOUT_MS stops: the server is stuck. */
    static final int MAX_TIMEOUTS = 3;

    final ConcurrentLinkedQueue<String> findings = new ConcurrentLinkedQueue<>();
    final AtomicInteger findingCount = new AtomicInteger();
    final ConcurrentHashMap<String, AtomicInteger> findingKinds = new ConcurrentHashMap<>();
    final AtomicLong framesSent = new AtomicLong();
    final AtomicLong bytesSent = new AtomicLong();
    final AtomicLong cleanBatches = new AtomicLong();
    final AtomicLong dirtyBatches = new AtomicLong();
    final AtomicLong connections = new AtomicLong();
    final AtomicLong protocolErrorCloses = new AtomicLong();
    final AtomicLong resets = new AtomicLong();
    final AtomicLong repliesRead = new AtomicLong();
    final AtomicLong maxRoundTripMicros = new AtomicLong();

    @Test
    void survivesRandomAndMutatedFrames() throws Exception {
        System.out.println("ProtocolFuzzTest: seed " + SEED + " (replay with -Dfuzz.seed=" + SEED + "), "
            + FRAMES + " frames over " + CONNECTIONS + " connections");
        int port = FerryPort.get();
        Set<String> keysBefore = allKeys(port);
        long clientsBefore = connectedClients(port);
        long heapBefore = usedHeapAfterGc();

        // the log is watched from the first frame until every fuzzing connection is gone
        LogWatch log = LogWatch.install();
        long start = System.nanoTime();
        long cpuStart = processCpuNanos();
        long fuzzMillis, cpuMillis, clientsAfter;
        List<String> served;
        try {
            fuzz(port, start + TimeUnit.MILLISECONDS.toNanos(FUZZ_BUDGET_MS));
            fuzzMillis = (System.nanoTime() - start) / 1_000_000;
            cpuMillis = (processCpuNanos() - cpuStart) / 1_000_000;
            // a dead or frozen server must fail the assertions below, not throw out of this code
            served = freshClient(port);
            clientsAfter = waitForConnectedClients(port, clientsBefore);
        } finally {
            log.uninstall();
        }
        int deleted = deleteNewKeys(port, keysBefore);
        long heapAfter = usedHeapAfterGc();

        System.out.printf(Locale.ROOT, "ProtocolFuzzTest: seed %d, %d frames (%d bytes) in %d ms (%d ms CPU, server"
                + " and client); %d clean and %d dirty pipelines, %d connections, %d closed on a protocol error, %d"
                + " resets, %d replies, slowest round trip %d ms; %d keys cleaned up; heap %d MB -> %d MB; %d log"
                + " records flagged; %d findings%n",
            SEED, framesSent.get(), bytesSent.get(), fuzzMillis, cpuMillis, cleanBatches.get(), dirtyBatches.get(),
            connections.get(), protocolErrorCloses.get(), resets.get(), repliesRead.get(),
            maxRoundTripMicros.get() / 1000, deleted, heapBefore >> 20, heapAfter >> 20, log.count(),
            findingCount.get());
        if (!findingKinds.isEmpty()) System.out.println("ProtocolFuzzTest findings by kind: " + findingKinds);
        for (String f : findings) System.out.println("ProtocolFuzzTest finding: " + f);

        String replay = " (seed " + SEED + ", replay with -Dfuzz.seed=" + SEED + ")";
        assertAll(
            () -> assertTrue(findings.isEmpty(), () -> findingCount.get() + " findings " + findingKinds + replay
                + ", examples:\n" + String.join("\n", findings)),
            () -> assertTrue(framesSent.get() >= FRAMES, "frames sent: " + framesSent.get()),
            () -> assertEquals(List.of("+PONG\r\n", "+OK\r\n", "$10\r\nstill-here\r\n"), served,
                "a fresh client gets PONG, and SET then GET round-trip"),
            () -> assertEquals(0, log.count(), () -> log.count() + " log records at ERROR or with a stack trace"
                + " during the fuzz" + replay + ":\n" + String.join("\n", log.samples())),
            () -> assertTrue(clientsAfter >= 0 && clientsAfter <= clientsBefore,
                "connected_clients is back where it was (no leaked session): " + clientsBefore + " before, "
                    + clientsAfter + " after"),
            () -> assertTrue(heapAfter - heapBefore <= HEAP_SLACK, () -> "heap after GC grew by "
                + ((heapAfter - heapBefore) >> 20) + " MB (" + (heapBefore >> 20) + " MB -> " + (heapAfter >> 20)
                + " MB)" + replay));
    }

    /** Runs the workers, one connection each at a time, until each has sent its share of the frames. */
    void fuzz(int port, long deadline) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CONNECTIONS, r -> {
            Thread t = new Thread(r, "fuzz-writer");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < CONNECTIONS; w++) {
                int quota = FRAMES / CONNECTIONS + (w < FRAMES % CONNECTIONS ? 1 : 0);
                done.add(pool.submit(new Worker(w, quota, port, deadline)::run));
            }
            for (Future<?> f : done) f.get(FUZZ_BUDGET_MS + 60_000, TimeUnit.MILLISECONDS);
        } finally {
            pool.shutdownNow();
        }
    }

    /** PING, SET and GET from a new connection; a failure to answer becomes the reply text. */
    static List<String> freshClient(int port) {
        List<String> replies = new ArrayList<>();
        try (RawClient c = new RawClient(port)) {
            replies.add(c.call("PING"));
            replies.add(c.call("SET", "fz:after", "still-here"));
            replies.add(c.call("GET", "fz:after"));
            c.call("DEL", "fz:after");
        } catch (IOException e) {
            replies.add("no answer: " + e);
        }
        return replies;
    }

    // ---- one connection's fuzzing -----------------------------------------------------------------------

    final class Worker {
        final int id;
        final int quota;
        final int port;
        final long deadline;
        final Gen gen;
        Conn conn;
        long batch;
        long sent;
        int timeouts;

        Worker(int id, int quota, int port, long deadline) {
            this.id = id;
            this.quota = quota;
            this.port = port;
            this.deadline = deadline;
            this.gen = new Gen(new SplittableRandom(SEED * 0x9E3779B97F4A7C15L + id * 0xBF58476D1CE4E5B9L + id), id);
        }

        void run() {
            try {
                while (sent < quota) {
                    if (System.nanoTime() > deadline) {
                        finding("out of time", "sent " + sent + " of " + quota + " frames in " + FUZZ_BUDGET_MS + " ms",
                            List.of());
                        return;
                    }
                    if (timeouts >= MAX_TIMEOUTS) return; // the server is stuck: more waiting shows nothing new
                    batch++;
                    boolean fresh = conn == null;
                    if (fresh) {
                        try {
                            conn = new Conn(port);
                            connections.incrementAndGet();
                        } catch (IOException e) {
                            finding("cannot connect", e.toString(), List.of());
                            return;
                        }
                    }
                    List<Frame> frames = new ArrayList<>();
                    if (fresh) frames.add(gen.frame(gen.selectOwnDb()));
                    if (gen.r.nextInt(100) < 45) dirty(frames);
                    else clean(frames);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                if (conn != null) conn.close();
            }
        }

        /** Well-formed frames only: one reply per command, in step, and the connection stays open. */
        void clean(List<Frame> frames) throws InterruptedException {
            cleanBatches.incrementAndGet();
            int n = 1 + gen.r.nextInt(gen.r.nextInt(8) == 0 ? 200 : 40);
            for (int i = 0; i < n; i++) frames.add(gen.clean());
            String token = "fz-sentinel-" + id + "-" + batch;
            // DISCARD ends a MULTI the frames may have left open, so that the ECHO is answered, not queued
            frames.add(new Frame("sentinel", RawClient.encode(b("DISCARD")), 1));
            frames.add(new Frame("sentinel", RawClient.encode(b("ECHO"), b(token)), 1));
            int expected = 0;
            for (Frame f : frames) expected += f.replies;
            long t0 = System.nanoTime();
            if (!send(frames)) {
                finding("closed while well-formed frames were written", "", frames);
                dropConnection();
                return;
            }
            for (int i = 0; i < expected; i++) {
                Object o = conn.replies.poll(REPLY_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                if (o == null) {
                    timeouts++;
                    finding("missing reply (timeout)", "got " + i + " of " + expected + " replies to well-formed frames"
                        + " within " + REPLY_TIMEOUT_MS + " ms", frames, i);
                    dropConnection();
                    return;
                }
                if (o instanceof End e) {
                    finding(e.kind == End.MALFORMED ? "malformed reply" : "closed during well-formed frames",
                        e.detail + " after " + i + " of " + expected + " replies to well-formed frames", frames, i);
                    dropConnection();
                    return;
                }
                Reply r = (Reply) o;
                if (r.isProtocolError()) {
                    finding("protocol error for well-formed frames", r.toString(), frames, i);
                    dropConnection();
                    return;
                }
                if (i == expected - 1 && !r.isBulk(token)) {
                    finding("replies out of step", "the last reply is " + r + ", not the sentinel " + token, frames);
                    dropConnection();
                    return;
                }
            }
            maxRoundTripMicros.accumulateAndGet((System.nanoTime() - t0) / 1000, Math::max);
        }

        /**
         * Good frames, then garbage mixed with more good frames, then the client half-closes. The good prefix
         * must be answered in full, a protocol error must be the last reply, and the server must then close.
         */
        void dirty(List<Frame> frames) throws InterruptedException {
            dirtyBatches.incrementAndGet();
            List<Frame> built = gen.dirtyBatch(frames);
            int prefix = 0;
            for (Frame f : built) {
                if (f.replies < 0) break;
                prefix += f.replies;
            }
            send(built);
            conn.shutdownOutput();
            List<Reply> got = new ArrayList<>();
            End end;
            while (true) {
                Object o = conn.replies.poll(REPLY_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                if (o == null) {
                    timeouts++;
                    finding("not closed after the client's half-close", "within " + REPLY_TIMEOUT_MS + " ms ("
                        + got.size() + " replies read)", built);
                    dropConnection();
                    return;
                }
                if (o instanceof End e) {
                    end = e;
                    break;
                }
                got.add((Reply) o);
            }
            dropConnection();
            int protocolError = -1;
            for (int i = 0; i < got.size(); i++) {
                if (got.get(i).isProtocolError()) {
                    protocolError = i;
                    break;
                }
            }
            if (protocolError >= 0) protocolErrorCloses.incrementAndGet();
            if (end.kind == End.MALFORMED) {
                finding("malformed reply", end.detail, built);
            } else if (protocolError >= 0 && protocolError != got.size() - 1) {
                finding("replies after a protocol error", got.subList(protocolError, got.size()).toString(), built);
            } else if (protocolError >= 0 && protocolError < prefix) {
                finding("protocol error for well-formed frames", got.get(protocolError) + " answering reply #"
                    + protocolError + " of the " + prefix + " before the garbage", built);
            } else if (end.kind == End.EOF && got.size() < prefix) {
                // after a reset the kernel may drop replies already received: only a clean end is checked
                finding("missing reply", got.size() + " replies before the end, but the well-formed frames before the"
                    + " garbage need " + prefix, built);
            }
        }

        /** Writes the frames in random chunks; false when the server closed the connection meanwhile. */
        boolean send(List<Frame> frames) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            int[] ends = new int[frames.size()];
            for (int i = 0; i < frames.size(); i++) {
                all.writeBytes(frames.get(i).bytes);
                ends[i] = all.size();
            }
            byte[] bytes = all.toByteArray();
            // the chunks are drawn before writing, so that a write that fails does not change what comes next
            List<Integer> chunks = new ArrayList<>();
            for (int left = bytes.length; left > 0; ) {
                int n = switch (gen.r.nextInt(4)) {
                    case 0 -> Math.min(left, 1 + gen.r.nextInt(16));
                    case 1 -> Math.min(left, 1 + gen.r.nextInt(4096));
                    default -> left;
                };
                chunks.add(n);
                left -= n;
            }
            int written = 0;
            try {
                for (int n : chunks) {
                    conn.out.write(bytes, written, n);
                    written += n;
                    bytesSent.addAndGet(n);
                }
                return true;
            } catch (IOException e) {
                return false;
            } finally {
                int complete = 0;
                for (int i = 0; i < frames.size(); i++) {
                    if (ends[i] <= written && !frames.get(i).kind.equals("sentinel")) complete++;
                }
                framesSent.addAndGet(complete);
                sent += complete;
            }
        }

        void dropConnection() {
            if (conn != null) conn.close();
            conn = null;
        }

        void finding(String kind, String detail, List<Frame> frames) {
            finding(kind, detail, frames, -1);
        }

        /** Records a finding; {@code replyIndex} (or -1) is the reply that went wrong. */
        void finding(String kind, String detail, List<Frame> frames, int replyIndex) {
            int ofKind = findingKinds.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
            findingCount.incrementAndGet();
            if (ofKind > EXAMPLES_PER_KIND || findings.size() >= EXAMPLES) return;
            StringBuilder sb = new StringBuilder("worker ").append(id).append(" pipeline ").append(batch)
                .append(": ").append(kind).append(": ").append(detail);
            if (frames.isEmpty()) {
                findings.add(sb.toString());
                return;
            }
            // the frames around the one that got the failing reply (or the first garbage), not a whole pipeline
            int focus = -1;
            for (int i = 0, replies = 0; i < frames.size() && focus < 0; i++) {
                Frame f = frames.get(i);
                if (f.replies < 0 || (replyIndex >= 0 && replies + f.replies > replyIndex)) focus = i;
                replies += Math.max(0, f.replies);
            }
            if (focus < 0) focus = frames.size() - 1;
            // after garbage the frame that went wrong is not known: show the rest of the (short) pipeline
            int from = Math.max(0, focus - 4);
            int to = Math.min(frames.size(), focus + (frames.get(focus).replies < 0 ? 30 : 6));
            if (from > 0) sb.append("\n    (").append(from).append(" frames before)");
            for (int i = from; i < to; i++) {
                Frame f = frames.get(i);
                sb.append("\n    ").append(i == focus ? "> " : "  ").append(f.kind).append(' ')
                    .append(escape(f.bytes, 300));
            }
            if (to < frames.size()) sb.append("\n    (").append(frames.size() - to).append(" frames after)");
            findings.add(sb.toString());
        }
    }

    /** One frame: its bytes and how many replies it must get (-1: garbage, anything may happen). */
    record Frame(String kind, byte[] bytes, int replies) { }

    // ---- the generator ----------------------------------------------------------------------------------

    /** Frames from a random source; what it produces depends only on the seed. */
    static final class Gen {
        final SplittableRandom r;
        final int worker;

        Gen(SplittableRandom r, int worker) {
            this.r = r;
            this.worker = worker;
        }

        <T> T pick(List<T> items) {
            return items.get(r.nextInt(items.size()));
        }

        // -- harmless commands --

        byte[] key() {
            int k = r.nextInt(100);
            if (k < 85) return b("fz:" + r.nextInt(24));
            if (k < 97) return concat(b("fz:"), randomBytes(1 + r.nextInt(8)));
            return b("fz:" + "k".repeat(1 + r.nextInt(60)));
        }

        byte[] value() {
            int k = r.nextInt(100);
            if (k < 40) return b(letters(r.nextInt(17)));
            if (k < 60) return b(number());
            if (k < 70) return utf8();
            return randomBytes(r.nextInt(25));
        }

        String number() {
            return switch (r.nextInt(10)) {
                case 0 -> pick(List.of("9223372036854775807", "-9223372036854775808", "9223372036854775808",
                    "-1", "0", "00", "1.5", "", "abc", "1e3", " 1", "+1", "99999999999999999999"));
                case 1 -> Long.toString(r.nextLong());
                default -> Integer.toString(r.nextInt(2000) - 100);
            };
        }

        /** Text beyond ASCII, as clients send it: two-, three- and four-byte UTF-8 characters. */
        byte[] utf8() {
            StringBuilder sb = new StringBuilder();
            for (int n = 1 + r.nextInt(6); n > 0; n--) {
                sb.append(pick(List.of("\u00e9", "\u010a", "\u010d", "\u0100", "\u20ac", "\u65e5\u672c", "\ud83d\ude00",
                    "\u00ff", "\u0a0d", "a", " ")));
            }
            return sb.toString().getBytes(StandardCharsets.UTF_8);
        }

        String letters(int n) {
            StringBuilder sb = new StringBuilder(n);
            for (int i = 0; i < n; i++) sb.append((char) ('a' + r.nextInt(26)));
            return sb.toString();
        }

        byte[] randomBytes(int n) {
            byte[] x = new byte[n];
            for (int i = 0; i < n; i++) {
                x[i] = r.nextInt(4) == 0 ? (byte) "\0\r\n \"'\\*$-:"
                    .charAt(r.nextInt(11)) : (byte) r.nextInt(256);
            }
            return x;
        }

        byte[] pattern() {
            int k = r.nextInt(20);
            if (k == 0) return b("*");
            if (k == 1) return b("");
            List<String> pieces = List.of("fz:", "*", "?", "[0-9]", "[^a]", "[a-", "[", "]", "\\", "\\*", "1", "2",
                "k", ":", "f", "z", "[]", "[\\]]", "[z-a]", "[^", "\0", "\r\n");
            StringBuilder sb = new StringBuilder();
            int stars = 0;
            for (int i = 1 + r.nextInt(6); i > 0; i--) {
                String p = pick(pieces);
                if (p.equals("*") && ++stars > 3) continue;
                sb.append(p);
            }
            return b(sb.toString());
        }

        byte[][] selectOwnDb() {
            return new byte[][] {b("SELECT"), b(Integer.toString(9 + r.nextInt(6)))};
        }

        byte[][] command() {
            byte[][] argv = switch (r.nextInt(32)) {
                case 0 -> new byte[][] {b("PING")};
                case 1 -> new byte[][] {b("PING"), value()};
                case 2, 3 -> new byte[][] {b("ECHO"), value()};
                case 4, 5, 6 -> set();
                case 7, 8 -> new byte[][] {b("GET"), key()};
                case 9 -> {
                    byte[][] a = new byte[1 + 1 + r.nextInt(4)][];
                    a[0] = b("DEL");
                    for (int i = 1; i < a.length; i++) a[i] = key();
                    yield a;
                }
                case 10 -> new byte[][] {b("INCR"), key()};
                case 11 -> r.nextBoolean() ? new byte[][] {b("INCRBY"), key(), b(number())}
                    : new byte[][] {b("DECR"), key()};
                case 12 -> new byte[][] {b("APPEND"), key(), value()};
                case 13 -> expire();
                case 14 -> new byte[][] {b(r.nextBoolean() ? "TTL" : "PTTL"), key()};
                case 15 -> new byte[][] {b("MULTI")};
                case 16 -> new byte[][] {b("EXEC")};
                case 17 -> new byte[][] {b("DISCARD")};
                case 18 -> r.nextInt(3) > 0 ? selectOwnDb()
                    : new byte[][] {b("SELECT"), b(pick(List.of("16", "-1", "abc", "", "99999999999999999999",
                        "9223372036854775807", "-9223372036854775808", "1.0")))};
                case 19 -> new byte[][] {b("CLIENT"), b("SETNAME"), b(r.nextInt(4) == 0 ? "" : r.nextInt(4) == 0
                    ? "fz " + letters(3) : "fz-" + letters(r.nextInt(12)))};
                case 20 -> new byte[][] {b("CLIENT"), b(r.nextBoolean() ? "GETNAME" : "ID")};
                case 21 -> new byte[][] {b("KEYS"), pattern()};
                case 22, 23 -> scan();
                case 24, 25 -> unknown();
                case 26 -> wrongArity();
                case 27 -> new byte[][] {b(pick(List.of("EXISTS", "TYPE", "STRLEN"))), key()};
                case 28 -> new byte[][] {b("GETRANGE"), key(), b(number()), b(number())};
                case 29 -> r.nextBoolean() ? new byte[][] {b("WATCH"), key()} : new byte[][] {b("UNWATCH")};
                case 30 -> new byte[][] {b("DBSIZE")};
                default -> new byte[][] {b("EXISTS"), key(), key()};
            };
            if (r.nextInt(5) == 0) argv[0] = randomCase(argv[0]);
            return argv;
        }

        byte[][] set() {
            List<byte[]> a = new ArrayList<>(List.of(b("SET"), key(), value()));
            switch (r.nextInt(8)) {
                case 0 -> a.addAll(List.of(b("EX"), b(r.nextInt(4) == 0 ? number() : "" + (1 + r.nextInt(100)))));
                case 1 -> a.addAll(List.of(b("PX"), b(r.nextInt(4) == 0 ? number() : "" + (1 + r.nextInt(500)))));
                case 2 -> a.add(b(pick(List.of("NX", "XX", "GET", "KEEPTTL", "nx", "BOGUS"))));
                case 3 -> a.addAll(List.of(b("NX"), b("XX")));
                default -> { }
            }
            return a.toArray(new byte[0][]);
        }

        byte[][] expire() {
            String cmd = pick(List.of("EXPIRE", "PEXPIRE", "EXPIREAT", "PERSIST"));
            if (cmd.equals("PERSIST")) return new byte[][] {b(cmd), key()};
            String t = r.nextInt(3) == 0 ? number() : Integer.toString(r.nextInt(cmd.equals("PEXPIRE") ? 2000 : 100));
            if (r.nextInt(4) == 0) {
                return new byte[][] {b(cmd), key(), b(t), b(pick(List.of("NX", "XX", "GT", "LT", "ZZ")))};
            }
            return new byte[][] {b(cmd), key(), b(t)};
        }

        byte[][] scan() {
            List<byte[]> a = new ArrayList<>();
            a.add(b("SCAN"));
            a.add(b(switch (r.nextInt(10)) {
                case 0 -> Long.toUnsignedString(r.nextLong());
                case 1 -> pick(List.of("-1", "abc", "18446744073709551616", "18446744073709551615", ""));
                default -> r.nextInt(3) == 0 ? Integer.toString(r.nextInt(64)) : "0";
            }));
            if (r.nextBoolean()) a.addAll(List.of(b("MATCH"), pattern()));
            if (r.nextBoolean()) {
                a.addAll(List.of(b("COUNT"), b(r.nextInt(5) == 0 ? pick(List.of("0", "-1", "x", "9223372036854775807",
                    "2147483648")) : Integer.toString(1 + r.nextInt(100)))));
            }
            if (r.nextInt(4) == 0) a.addAll(List.of(b("TYPE"), b(pick(List.of("string", "list", "zz")))));
            if (r.nextInt(20) == 0) a.add(b("MATCH")); // a dangling option
            return a.toArray(new byte[0][]);
        }

        byte[][] unknown() {
            byte[][] a = new byte[1 + r.nextInt(4)][];
            a[0] = b("fzq" + letters(r.nextInt(8)));
            int k = r.nextInt(20);
            if (k < 2) a[0] = concat(b("fzq"), randomBytes(1 + r.nextInt(150)));
            else if (k == 2) a[0] = concat(b("fzq"), utf8());
            else if (k == 3) {
                return new byte[][] {b("CLIENT"), concat(b("fzq"), r.nextBoolean() ? utf8() : randomBytes(8))};
            }
            for (int i = 1; i < a.length; i++) a[i] = r.nextInt(10) == 0 ? b("x".repeat(200)) : value();
            return a;
        }

        byte[][] wrongArity() {
            List<String[]> all = List.of(new String[] {"GET"}, new String[] {"SET", "fz:1"}, new String[] {"ECHO"},
                new String[] {"SELECT"}, new String[] {"EXPIRE", "fz:2"}, new String[] {"CLIENT"},
                new String[] {"CLIENT", "SETNAME"}, new String[] {"PING", "a", "b"}, new String[] {"MULTI", "x"},
                new String[] {"EXEC", "x"}, new String[] {"DISCARD", "x"}, new String[] {"KEYS"},
                new String[] {"KEYS", "a", "b"}, new String[] {"SCAN"}, new String[] {"INCR"},
                new String[] {"APPEND", "fz:3"}, new String[] {"DEL"}, new String[] {"CLIENT", "NOSUCH"},
                new String[] {"ECHO", "a", "b"});
            String[] s = pick(all);
            byte[][] a = new byte[s.length][];
            for (int i = 0; i < s.length; i++) a[i] = b(s[i]);
            return a;
        }

        byte[] randomCase(byte[] name) {
            byte[] x = name.clone();
            for (int i = 0; i < x.length; i++) {
                if (r.nextBoolean() && Character.isLetter(x[i])) x[i] ^= 0x20;
            }
            return x;
        }

        Frame frame(byte[][] argv) {
            return new Frame("cmd", RawClient.encode(argv), 1);
        }

        /** A well-formed frame: a multibulk or inline command, or an empty frame Redis skips. */
        Frame clean() {
            int k = r.nextInt(100);
            if (k < 3) {
                return new Frame("empty", b(pick(List.of("*0\r\n", "*-1\r\n", "\r\n", "\n", "  \t \r\n"))), 0);
            }
            byte[][] argv = command();
            if (k < 25) return new Frame("inline", inline(argv), 1);
            return frame(argv);
        }

        /** The command as an inline line, quoting arguments that need it (always balanced). */
        byte[] inline(byte[][] argv) {
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            if (r.nextInt(10) == 0) o.writeBytes(b(" \t".substring(0, 1 + r.nextInt(2))));
            for (int i = 0; i < argv.length; i++) {
                if (i > 0) o.writeBytes(b(pick(List.of(" ", "  ", "\t", " \t "))));
                byte[] a = argv[i];
                if (a.length > 0 && plain(a) && !(i == 0 && a[0] == '*')) {
                    o.writeBytes(a);
                } else if (plain(a) && r.nextBoolean()) {
                    o.write('\'');
                    o.writeBytes(a);
                    o.write('\'');
                } else {
                    o.write('"');
                    for (byte c : a) {
                        if (c == '"' || c == '\\') {
                            o.write('\\');
                            o.write(c);
                        } else if (c >= 0x20 && c < 0x7f) {
                            o.write(c);
                        } else {
                            o.writeBytes(b(String.format("\\x%02x", c & 0xff)));
                        }
                    }
                    o.write('"');
                }
            }
            o.writeBytes(b(r.nextInt(5) == 0 ? "\n" : "\r\n"));
            return o.toByteArray();
        }

        static boolean plain(byte[] a) {
            for (byte c : a) {
                if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ':' || c == '-'
                    || c == '.' || c == '_' || c == '*' || c == '?' || c == '[' || c == ']' || c == '^')) return false;
            }
            return true;
        }

        // -- garbage --

        static final List<String> NUMBERS = List.of("-9223372036854775808", "9223372036854775807",
            "9223372036854775808", "-9223372036854775809", "99999999999", "2147483648", "2147483647", "-2147483648",
            "-2147483649", "4294967296", "4294967295", "536870912", "536870913", "500000000", "1048577", "65536",
            "16385", "-1", "-2", "0", "00", "01", "+1", "1 ", " 1", "1x", "", "1e3", "0x10", "-0", "--1",
            "99999999999999999999999", "18446744073709551616", "1\0", "\u0661");

        static final List<String> DANGEROUS = List.of("SHUTDOWN", "DEBUG", "FLUSH", "CONFIG", "KILL", "PAUSE",
            "REPLICAOF", "SLAVEOF", "SYNC", "MONITOR", "SUBSCRIBE", "REPLY", "SWAPDB", "MOVE", "FAILOVER", "SAVE",
            "HELLO", "WAIT", "BLPOP", "BRPOP", "BLMOVE", "BRPOPLPUSH", "BZPOP", "BLMPOP", "BZMPOP", "XREAD",
            "RESTORE", "MIGRATE", "EVAL", "SCRIPT", "FUNCTION", "ACL", "MODULE", "CLUSTER", "TRACKING", "SLOWLOG",
            "LATENCY", "MEMORY", "LASTSAVE", "RESETSTAT", "PSYNC", "REPLCONF", "UNBLOCK");

        /**
         * A pipeline that holds garbage: {@code head} (a SELECT on a new connection), well-formed frames, then
         * bad frames mixed with good ones, then a sentinel ECHO. Pipelines that could spell a command that
         * changes the server for everyone (or blocks) are drawn again.
         */
        List<Frame> dirtyBatch(List<Frame> head) {
            while (true) {
                List<Frame> frames = new ArrayList<>(head);
                for (int i = r.nextInt(r.nextInt(4) == 0 ? 60 : 8); i > 0; i--) frames.add(clean());
                for (int bad = 1 + r.nextInt(4); bad > 0; bad--) {
                    frames.add(garbage());
                    for (int i = r.nextInt(4); i > 0; i--) frames.add(clean());
                }
                frames.add(new Frame("sentinel", RawClient.encode(b("ECHO"), b("fz-after-garbage")), -1));
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                for (Frame f : frames) all.writeBytes(f.bytes);
                if (!dangerous(all.toByteArray())) return frames;
            }
        }

        static boolean dangerous(byte[] bytes) {
            // commands are case-insensitive: "sHuTdOwN" is SHUTDOWN
            byte[] upper = new byte[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                byte c = bytes[i];
                upper[i] = c >= 'a' && c <= 'z' ? (byte) (c - 32) : c;
            }
            String s = new String(upper, StandardCharsets.ISO_8859_1);
            for (String d : DANGEROUS) if (s.contains(d)) return true;
            return false;
        }

        Frame garbage() {
            return switch (r.nextInt(16)) {
                case 0, 1, 2 -> new Frame("flipped", flip(anyClean()), -1);
                case 3, 4 -> {
                    byte[] x = anyClean();
                    yield new Frame("truncated", java.util.Arrays.copyOf(x, r.nextInt(x.length)), -1);
                }
                case 5 -> new Frame("type-byte", typeByte(), -1);
                case 6, 7 -> new Frame("length", lengthLie(), -1);
                case 8 -> new Frame("long-line", longLine(), -1);
                case 9 -> new Frame("quotes", quotes(), -1);
                case 10 -> new Frame("nul", nul(), -1);
                case 11 -> new Frame("cr-lf", crLf(), -1);
                case 12, 13 -> new Frame("random", randomBytes(1 + r.nextInt(r.nextInt(8) == 0 ? 2000 : 200)), -1);
                case 14 -> new Frame("count", countMismatch(), -1);
                default -> new Frame("bulk", bulkMismatch(), -1);
            };
        }

        byte[] anyClean() {
            return r.nextInt(4) == 0 ? inline(command()) : RawClient.encode(command());
        }

        byte[] flip(byte[] x) {
            byte[] y = x.clone();
            for (int n = 1 + r.nextInt(4); n > 0 && y.length > 0; n--) {
                int i = r.nextInt(y.length);
                y[i] = switch (r.nextInt(3)) {
                    case 0 -> (byte) (y[i] ^ (1 << r.nextInt(8)));
                    case 1 -> (byte) "\0\r\n*$-+:\"' 9".charAt(r.nextInt(12));
                    default -> (byte) r.nextInt(256);
                };
            }
            return y;
        }

        byte[] typeByte() {
            byte[] x = RawClient.encode(command());
            String types = "+-:$*%~>_,#!=(|?@ \t0123456789\0\r\n";
            byte t = r.nextInt(4) == 0 ? (byte) r.nextInt(256) : (byte) types.charAt(r.nextInt(types.length()));
            if (r.nextBoolean()) {
                x[0] = t;
            } else {
                // the type byte of one of the bulk headers
                List<Integer> dollars = new ArrayList<>();
                for (int i = 0; i < x.length; i++) if (x[i] == '$' && (i == 0 || x[i - 1] == '\n')) dollars.add(i);
                x[dollars.get(r.nextInt(dollars.size()))] = t;
            }
            return x;
        }

        byte[] lengthLie() {
            String num = pick(NUMBERS);
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            switch (r.nextInt(5)) {
                case 0 -> {
                    o.writeBytes(b("*" + num + "\r\n"));
                    if (r.nextBoolean()) o.writeBytes(b("$4\r\nPING\r\n"));
                }
                case 1 -> o.writeBytes(b("*2\r\n$" + num + "\r\n"));
                case 2 -> o.writeBytes(b("*2\r\n$4\r\nECHO\r\n$" + num + "\r\n"));
                case 3 -> {
                    // a count that lies, then a flood of empty arguments (never the count it declares)
                    o.writeBytes(b("*" + num + "\r\n"));
                    for (int i = r.nextInt(200); i > 0; i--) o.writeBytes(b("$0\r\n\r\n"));
                }
                default -> o.writeBytes(b("*3\r\n$3\r\nSET\r\n$4\r\nfz:9\r\n$" + num + "\r\n"));
            }
            // a few bytes of what the length announced, never the (possibly huge) whole
            if (r.nextBoolean()) o.writeBytes(randomBytes(r.nextInt(64)));
            return o.toByteArray();
        }

        byte[] longLine() {
            int n = pick(List.of(60_000, 65_000, 65_529, 65_530, 65_531, 65_534, 65_535, 65_536, 65_537, 65_540,
                70_000, 100_000, 140_000));
            ByteArrayOutputStream o = new ByteArrayOutputStream(n + 16);
            switch (r.nextInt(6)) {
                case 0 -> {
                    o.writeBytes(b("ECHO "));
                    o.writeBytes(b("a".repeat(Math.max(0, n - 7))));
                }
                case 1 -> {
                    // many small arguments on one line
                    byte[] many = b(" a".repeat(n / 2));
                    System.arraycopy(b("fzqmany"), 0, many, 0, 7);
                    o.writeBytes(many);
                }
                case 2 -> o.writeBytes(b(" ".repeat(n - 2)));
                case 3 -> o.writeBytes(b("*" + "1".repeat(n - 3)));
                case 4 -> o.writeBytes(b("*1\r\n$" + "9".repeat(n - 7)));
                default -> {
                    o.writeBytes(b("SET fz:long \""));
                    o.writeBytes(b("v".repeat(Math.max(0, n - 16))));
                    o.writeBytes(b("\""));
                }
            }
            if (r.nextInt(4) > 0) o.writeBytes(b(r.nextBoolean() ? "\r\n" : "\n"));
            return o.toByteArray();
        }

        byte[] quotes() {
            String s = pick(List.of("ECHO \"abc\r\n", "ECHO 'abc\r\n", "SET \"a\"b c\r\n", "SET 'a'b c\r\n",
                "ECHO \"a\\\"\r\n", "ECHO \"\\x4\"\r\n", "ECHO \"\\x4g\"\r\n", "ECHO \"\\\r\n", "\"\r\n", "'\r\n",
                "ECHO \"a\"\"b\"\r\n", "ECHO 'a\\'\r\n", "ECHO \"\\xzz\"\r\n", "PING \"\"x\r\n", "\"PING\r\n"));
            if (r.nextBoolean()) return b(s);
            // a quote dropped into an inline command
            byte[] x = inline(command());
            x[r.nextInt(Math.max(1, x.length - 2))] = (byte) (r.nextBoolean() ? '"' : '\'');
            return x;
        }

        byte[] nul() {
            String s = pick(List.of("PING\0\r\n", "\0\r\n", "*1\0\r\n$4\r\nPING\r\n", "*1\r\n$4\0\r\nPING\r\n",
                "ECHO a\0b\r\n", "\0\0\0\0", "*\0\r\n", "$\0\r\n", "ECHO \"\0\"\r\n", "*1\r\n$\0\r\nPING\r\n"));
            if (r.nextBoolean()) return b(s);
            byte[] x = anyClean();
            x[r.nextInt(x.length)] = 0;
            return x;
        }

        byte[] crLf() {
            String s = pick(List.of("*1\r$4\r\nPING\r\n", "PING\r", "PING\rPING\r\n", "*1\r\n$4\rPING\r\n",
                "\r\r\r\n", "*1\n$4\nPING\n", "*1\r\n$4\r\nPING\n\n", "*1\r\n$4\r\nPING\r\r", "\r", "*\r\n",
                "$\r\n", "*1\r\r\n$4\r\nPING\r\n", "*1\r\n$4\r\r\nPING\r\n"));
            if (r.nextBoolean()) return b(s);
            // one CR LF of a multibulk loses its CR or its LF
            byte[] x = RawClient.encode(command());
            List<Integer> crs = new ArrayList<>();
            for (int i = 0; i + 1 < x.length; i++) if (x[i] == '\r' && x[i + 1] == '\n') crs.add(i);
            int at = crs.get(r.nextInt(crs.size()));
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            o.write(x, 0, at);
            if (r.nextBoolean()) o.write(x, at + 1, x.length - at - 1); // drop the CR
            else {
                o.write('\r'); // drop the LF
                o.write(x, at + 2, x.length - at - 2);
            }
            return o.toByteArray();
        }

        byte[] countMismatch() {
            byte[][] argv = command();
            int lie = Math.max(-1, argv.length + pick(List.of(-2, -1, 1, 2, 5)));
            byte[] x = RawClient.encode(argv);
            int crlf = indexOf(x, (byte) '\r');
            return concat(b("*" + lie), java.util.Arrays.copyOfRange(x, crlf, x.length));
        }

        byte[] bulkMismatch() {
            byte[] arg = value();
            int lie = Math.max(0, arg.length + pick(List.of(-3, -2, -1, 1, 2, 3)));
            return concat(b("*2\r\n$4\r\nECHO\r\n$" + lie + "\r\n"), arg, b("\r\n"));
        }
    }

    // ---- a connection with a reader thread --------------------------------------------------------------

    /** The end of a connection's reply stream. */
    record End(int kind, String detail) {
        static final int EOF = 0, RESET = 1, MALFORMED = 2;

        @Override
        public String toString() {
            return (kind == EOF ? "end of stream" : kind == RESET ? "reset" : "malformed reply") + ": " + detail;
        }
    }

    /** One top-level reply: its first line, and the data of a short bulk string. */
    record Reply(String head, byte[] data) {
        boolean isProtocolError() {
            return head.startsWith("-ERR Protocol error");
        }

        boolean isBulk(String s) {
            return head.startsWith("$") && data != null && new String(data, StandardCharsets.ISO_8859_1).equals(s);
        }

        @Override
        public String toString() {
            return escape(b(head), 200) + (data == null ? "" : " " + escape(data, 100));
        }
    }

    /**
     * A socket whose replies a thread of its own reads as they come, so that the writer never waits for the
     * server while the server waits for the writer.
     */
    final class Conn {
        final Socket socket;
        final OutputStream out;
        final LinkedBlockingQueue<Object> replies = new LinkedBlockingQueue<>();
        final Thread reader;

        Conn(int port) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout((int) (FUZZ_BUDGET_MS + 60_000));
            out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            reader = new Thread(() -> read(in), "fuzz-reader");
            reader.setDaemon(true);
            reader.start();
        }

        private void read(InputStream in) {
            ReplyReader rr = new ReplyReader(in);
            End end;
            try {
                while (true) {
                    Reply r = rr.next();
                    if (r == null) {
                        end = new End(End.EOF, "after " + rr.count + " replies");
                        break;
                    }
                    repliesRead.incrementAndGet();
                    replies.add(r);
                }
            } catch (MalformedReply e) {
                end = new End(End.MALFORMED, e.getMessage());
            } catch (IOException e) {
                resets.incrementAndGet();
                end = new End(End.RESET, e.toString());
            }
            replies.add(end);
        }

        void shutdownOutput() {
            try {
                socket.shutdownOutput();
            } catch (IOException e) {
                // already closed by the server
            }
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // nothing to do
            }
        }
    }

    static final class MalformedReply extends IOException {
        MalformedReply(String message) {
            super(message);
        }
    }

    /** Reads RESP2/RESP3 replies and checks their framing strictly. */
    static final class ReplyReader {
        private final InputStream in;
        long count;

        ReplyReader(InputStream in) {
            this.in = in;
        }

        /** The next top-level reply, or null at a clean end of stream between replies. */
        Reply next() throws IOException {
            int first = in.read();
            if (first < 0) return null;
            Reply r = value(first, 0);
            count++;
            return r;
        }

        private Reply value(int type, int depth) throws IOException {
            if (depth > 32) throw new MalformedReply("replies nested deeper than 32");
            String line = (char) type + line();
            switch (type) {
                case '+', '-', ':', '_', ',', '#', '(' -> {
                    return new Reply(line, null);
                }
                case '$', '=', '!' -> {
                    long n = length(line);
                    if (n < 0) return new Reply(line, null);
                    byte[] data = n <= 256 ? new byte[(int) n] : null;
                    for (long i = 0; i < n; i++) {
                        int c = in.read();
                        if (c < 0) throw new IOException("end of stream inside a bulk reply " + line);
                        if (data != null) data[(int) i] = (byte) c;
                    }
                    if (in.read() != '\r' || in.read() != '\n') {
                        throw new MalformedReply("bulk reply " + line + " not ended by CR LF");
                    }
                    return new Reply(line, data);
                }
                case '*', '~', '>', '%', '|' -> {
                    long n = length(line);
                    long items = type == '%' || type == '|' ? 2 * n : n;
                    for (long i = 0; i < items; i++) {
                        int c = in.read();
                        if (c < 0) throw new IOException("end of stream inside an aggregate reply " + line);
                        value(c, depth + 1);
                    }
                    if (type == '|') {
                        int c = in.read();
                        if (c < 0) throw new IOException("end of stream inside an attribute");
                        return value(c, depth);
                    }
                    return new Reply(line, null);
                }
                default -> throw new MalformedReply("unknown reply type " + escape(b(line), 80));
            }
        }

        private static long length(String line) throws MalformedReply {
            try {
                long n = Long.parseLong(line.substring(1));
                if (n < -1) throw new MalformedReply("negative length " + line);
                return n;
            } catch (NumberFormatException e) {
                throw new MalformedReply("bad length " + escape(b(line), 80));
            }
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            while (true) {
                int c = in.read();
                if (c < 0) throw new IOException("end of stream inside a reply line " + escape(b(sb.toString()), 80));
                if (c == '\r') {
                    int lf = in.read();
                    if (lf != '\n') {
                        throw new MalformedReply("CR without LF in reply line " + escape(b(sb.toString()), 80));
                    }
                    return sb.toString();
                }
                if (c == '\n') throw new MalformedReply("LF without CR in reply line " + escape(b(sb.toString()), 80));
                if (sb.length() > 1 << 20) throw new MalformedReply("reply line longer than 1 MB");
                sb.append((char) c);
            }
        }
    }

    // ---- the log ----------------------------------------------------------------------------------------

    /**
     * Counts log records at ERROR (SEVERE) or above, or carrying a throwable, from every logger (a handler
     * on the JBoss LogManager's root logger ""), and stack traces printed straight to System.err.
     */
    static final class LogWatch extends Handler {
        private final AtomicInteger count = new AtomicInteger();
        private final ConcurrentLinkedQueue<String> samples = new ConcurrentLinkedQueue<>();
        private final java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        private PrintStream originalErr;

        static LogWatch install() {
            LogWatch w = new LogWatch();
            w.setLevel(Level.ALL);
            w.root.addHandler(w);
            w.originalErr = System.err;
            System.setErr(new PrintStream(new StackTraceSpotter(w, w.originalErr), true));
            return w;
        }

        void uninstall() {
            root.removeHandler(this);
            System.setErr(originalErr);
        }

        int count() {
            return count.get();
        }

        List<String> samples() {
            return new ArrayList<>(samples);
        }

        void flag(String what) {
            count.incrementAndGet();
            // the first few different ones
            if (samples.size() < 10 && !samples.contains(what)) samples.add(what);
        }

        @Override
        public void publish(LogRecord r) {
            if (r.getThrown() == null && r.getLevel().intValue() < Level.SEVERE.intValue()) return;
            String message = r.getMessage();
            try {
                // JBoss records format their own parameters (printf or {0} style)
                message = (String) r.getClass().getMethod("getFormattedMessage").invoke(r);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // a plain record: keep the raw message
            }
            flag(r.getLevel() + " [" + r.getLoggerName() + "] " + message
                + (r.getThrown() == null ? "" : " | " + r.getThrown()));
        }

        @Override
        public void flush() { }

        @Override
        public void close() { }
    }

    /** Passes System.err through and flags lines that belong to a printed stack trace. */
    static final class StackTraceSpotter extends OutputStream {
        private final LogWatch watch;
        private final PrintStream to;
        private final StringBuilder line = new StringBuilder();

        StackTraceSpotter(LogWatch watch, PrintStream to) {
            this.watch = watch;
            this.to = to;
        }

        @Override
        public synchronized void write(int c) {
            to.write(c);
            if (c == '\n') {
                String s = line.toString();
                line.setLength(0);
                if (s.startsWith("Exception in thread") || s.matches("\\s+at [\\w.$/]+\\(.*\\)\\s*")) {
                    watch.flag("stderr: " + s.strip());
                }
            } else if (line.length() < 4096) {
                line.append((char) c);
            }
        }

        @Override
        public void flush() {
            to.flush();
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    /** CPU time of this JVM (Ferry and the fuzzing clients), or 0 where the JVM does not say. */
    static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
            ? os.getProcessCpuTime() : 0;
    }

    static long usedHeapAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    static long connectedClients(int port) {
        try (Jedis j = new Jedis("127.0.0.1", port, 20_000)) {
            for (String l : j.info("clients").split("\r\n")) {
                if (l.startsWith("connected_clients:")) return Long.parseLong(l.substring(l.indexOf(':') + 1));
            }
        }
        throw new IllegalStateException("INFO clients has no connected_clients");
    }

    /**
     * Waits (up to 5 s) for the server to notice the closed connections; returns the last count. (The count
     * before may include a connection that was closing then, so fewer is fine.)
     */
    static long waitForConnectedClients(int port, long expected) throws InterruptedException {
        try {
            long n = connectedClients(port);
            for (int i = 0; i < 50 && n > expected; i++) {
                Thread.sleep(100);
                n = connectedClients(port);
            }
            return n;
        } catch (RuntimeException e) {
            return -1; // no answer: the other assertions say why
        }
    }

    /** Every key of every database, as "db/key" (ISO-8859-1). */
    static Set<String> allKeys(int port) {
        Set<String> keys = new HashSet<>();
        try (Jedis j = new Jedis("127.0.0.1", port)) {
            for (int db = 0; db < 16; db++) {
                j.select(db);
                for (byte[] k : j.keys(b("*"))) keys.add(db + "/" + new String(k, StandardCharsets.ISO_8859_1));
            }
        }
        return keys;
    }

    /** Deletes the keys the fuzz created (in any database); returns how many. */
    static int deleteNewKeys(int port, Set<String> before) {
        int n = 0;
        try (Jedis j = new Jedis("127.0.0.1", port, 20_000)) {
            for (int db = 0; db < 16; db++) {
                j.select(db);
                for (byte[] k : j.keys(b("*"))) {
                    if (!before.contains(db + "/" + new String(k, StandardCharsets.ISO_8859_1))) n += (int) j.del(k);
                }
            }
        } catch (RuntimeException e) {
            return -1; // no answer: the other assertions say why
        }
        return n;
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) o.writeBytes(p);
        return o.toByteArray();
    }

    static int indexOf(byte[] x, byte c) {
        for (int i = 0; i < x.length; i++) if (x[i] == c) return i;
        return -1;
    }

    /** The bytes as a Java string literal body (\r, \n, \0, \xHH), cut after {@code max} bytes. */
    static String escape(byte[] x, int max) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < Math.min(x.length, max); i++) {
            int c = x[i] & 0xff;
            switch (c) {
                case '\r' -> sb.append("\\r");
                case '\n' -> sb.append("\\n");
                case 0 -> sb.append("\\0");
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c >= 0x20 && c < 0x7f) sb.append((char) c);
                    else sb.append(String.format("\\x%02x", c));
                }
            }
        }
        sb.append('"');
        if (x.length > max) sb.append("... (").append(x.length).append(" bytes)");
        return sb.toString();
    }
}
