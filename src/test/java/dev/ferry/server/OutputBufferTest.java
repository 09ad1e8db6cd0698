package dev.ferry.server;

import dev.ferry.support.FerryPort;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisPeer;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients that do not read their replies (issue 11, finding 5): replies wait on the heap, bounded by
 * client-output-buffer-limit as in Redis, reported truthfully, and nobody else waits for them.
 */
@QuarkusTest
class OutputBufferTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();

    @TestHTTPResource("/")
    URL http;

    private static final String VALUE_KEY = "obuf:value";
    private static final int VALUE_SIZE = 1024;
    /** "$1024\r\n" + 1024 bytes + "\r\n". */
    private static final int GET_REPLY_SIZE = "$1024\r\n".length() + VALUE_SIZE + 2;
    /** Attacks run by the latency tests; the bound must hold through one of them (see below). */
    private static final int ATTEMPTS = 3;
    /** The contract: another client's PING answered within 100 ms. */
    private static final long PING_BOUND_MICROS = 100_000;

    /**
     * The contract of the issue: a client pipelining 300,000 GETs of 1 KB and never reading is closed
     * at the hard limit, with Redis's log line, counted, while another client's PING is answered within
     * 100 ms each time; afterwards the heap is back near where it was.
     *
     * <p>Latency on a shared machine is noisy (on a loaded 2-core machine a descheduled thread alone takes
     * 100 ms, and redis-server itself misses the bound), so each attempt runs the same attack against
     * redis-server right after Ferry: PING must stay within 100 ms, or within twice redis-server's worst
     * on the same machine at the same moment. Up to {@link #ATTEMPTS} attempts; every other assertion
     * holds in every attempt. A server that really holds PING back fails all of them.
     */
    @Test
    void nonReaderOverTheHardLimitIsClosedWhileOthersAreServed() throws Exception {
        List<String> warnings = new CopyOnWriteArrayList<>();
        Logger log = Logger.getLogger(Connection.class.getName());
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                warnings.add(message(r));
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        log.addHandler(capture);
        int[] ports = {FerryPort.get(), redis.port()};
        try {
            for (int port : ports) {
                try (RawClient admin = new RawClient(port)) {
                    admin.call("SET", VALUE_KEY, "v".repeat(VALUE_SIZE));
                    assertEquals("+OK\r\n", admin.call("CONFIG", "SET", "client-output-buffer-limit", "normal 32mb 16mb 10"));
                }
            }
            List<String> slow = new ArrayList<>();
            for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
                warnings.clear();
                double disconnectsBefore = gauge(metrics(), "ferry_clients_output_buffer_limit_disconnections");
                long heapBefore = heapAfterGc();
                List<Long> ferry = pingsWhileNonReaderIsClosed(FerryPort.get());
                assertTrue(warnings.stream().anyMatch(w -> w.startsWith("Client id=") && w.contains(" cmd=get ")
                        && w.endsWith(" scheduled to be closed ASAP for overcoming of output buffer limits.")),
                    () -> "no Redis log line among " + warnings);
                // Redis 7.0's INFO has no client_output_buffer_limit_disconnections (7.2 added it to INFO
                // stats): Ferry counts it on /q/metrics only
                assertEquals(disconnectsBefore + 1, gauge(metrics(), "ferry_clients_output_buffer_limit_disconnections"));
                try (RawClient admin = new RawClient(FerryPort.get())) {
                    assertTrue(!admin.call("INFO", "stats").contains("output_buffer_limit"));
                }
                long heapAfter = heapAfterGc();
                assertTrue(heapAfter < heapBefore + 48L * 1024 * 1024,
                    "heap after GC " + heapAfter / 1024 + " KB, before the attack " + heapBefore / 1024 + " KB");
                String verdict = latencyVerdict(ferry, pingsWhileNonReaderIsClosed(redis.port()));
                if (verdict == null) return;
                slow.add("attempt " + attempt + ": " + verdict);
            }
            throw new AssertionError("PING was too slow in every attack: " + slow);
        } finally {
            log.removeHandler(capture);
            for (int port : ports) {
                try (RawClient c = new RawClient(port)) {
                    c.call("CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0");
                }
            }
        }
    }

    /**
     * Fairness: while the server works through one client's pipeline of 300,000 GETs of 1 KB (a client
     * that reads its replies, so that only the loop's time is at stake, not memory), 16 KB of its input
     * per turn of the loop, another client's PING is answered within 100 ms each time (judged as above).
     */
    @Test
    void hugePipelineDoesNotHoldOthersBack() throws Exception {
        List<String> slow = new ArrayList<>();
        for (int port : new int[] {FerryPort.get(), redis.port()}) {
            try (RawClient admin = new RawClient(port)) {
                admin.call("SET", VALUE_KEY, "v".repeat(VALUE_SIZE));
            }
        }
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            String verdict = latencyVerdict(pingsDuringHugePipeline(FerryPort.get()), pingsDuringHugePipeline(redis.port()));
            if (verdict == null) return;
            slow.add("attempt " + attempt + ": " + verdict);
        }
        throw new AssertionError("PING was too slow in every attack: " + slow);
    }

    /** A non-reader pipelines 300,000 GETs; PING is timed every 10 ms until the server closed it. */
    private static List<Long> pingsWhileNonReaderIsClosed(int port) throws Exception {
        List<Long> pings = new ArrayList<>();
        try (RawClient admin = new RawClient(port); Socket attacker = nonReadingSocket(port)) {
            long attackerId = clientId(attacker);
            Thread writer = pipelineGets(attacker, 300_000);
            boolean gone = false;
            long deadline = System.currentTimeMillis() + 60_000;
            while (!gone && System.currentTimeMillis() < deadline) {
                pings.add(pingMicros(admin));
                gone = !listed(admin, attackerId);
                Thread.sleep(10);
            }
            writer.join(10_000);
            assertTrue(gone, "port " + port + ": the client over the hard limit was not closed");
            // gone from CLIENT LIST is not enough: the socket itself must be closed (the server then resets
            // what is sent to it), or its descriptor and buffers stay held. Not read first: reading would let
            // a close that waits for the replies to leave go through.
            assertTrue(socketClosedByServer(attacker), "port " + port + ": the dropped client's socket is still open");
        }
        assertTrue(pings.size() >= 2, "too few samples during the attack: " + pings);
        return pings;
    }

    /** Writes up to 64 MB to the socket: true once a write fails (reset by the server), false if all go in. */
    private static boolean socketClosedByServer(Socket s) throws InterruptedException {
        byte[] chunk = new byte[64 * 1024];
        try {
            OutputStream out = s.getOutputStream();
            for (int i = 0; i < 1024; i++) {
                out.write(chunk);
                out.flush();
                Thread.sleep(1);
            }
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    /** A client pipelines 300,000 GETs and reads every reply; PING is timed every 10 ms meanwhile. */
    private static List<Long> pingsDuringHugePipeline(int port) throws Exception {
        int n = 300_000;
        List<Long> pings = new ArrayList<>();
        try (RawClient admin = new RawClient(port); Socket heavy = new Socket("127.0.0.1", port)) {
            heavy.setSoTimeout(60_000);
            long[] received = new long[1];
            Thread reader = new Thread(() -> {
                try (InputStream in = heavy.getInputStream()) {
                    byte[] buf = new byte[1 << 16];
                    long want = (long) n * GET_REPLY_SIZE;
                    while (received[0] < want) {
                        int r = in.read(buf);
                        if (r < 0) break;
                        received[0] += r;
                    }
                } catch (IOException ignored) {
                    // the assertion below tells
                }
            });
            reader.start();
            pipelineGets(heavy, n);
            while (reader.isAlive()) {
                pings.add(pingMicros(admin));
                reader.join(10);
            }
            assertEquals((long) n * GET_REPLY_SIZE, received[0], "port " + port);
        }
        return pings;
    }

    /** Null when Ferry's PING stayed within the bound (see above); otherwise what happened. */
    private static String latencyVerdict(List<Long> ferry, List<Long> redis) {
        long worst = ferry.stream().mapToLong(Long::longValue).max().orElseThrow();
        long redisWorst = redis.stream().mapToLong(Long::longValue).max().orElseThrow();
        System.out.println("PING during the attack: Ferry up to " + worst + " us, redis-server up to " + redisWorst + " us");
        if (worst < Math.max(PING_BOUND_MICROS, 2 * redisWorst)) return null;
        return "PING took up to " + worst + " us on Ferry, " + redisWorst + " us on redis-server; Ferry's samples " + ferry;
    }

    /**
     * The soft limit as Redis applies it: a client over it for longer than the soft seconds is closed,
     * even when it sends nothing more (Redis's clientsCron checks it); before that it stays. Checked side
     * by side with redis-server.
     */
    @Test
    void softLimitClosesAfterItsSecondsLikeRedis() throws Exception {
        for (int port : new int[] {FerryPort.get(), redis.port()}) {
            try (RawClient admin = new RawClient(port)) {
                admin.call("SET", VALUE_KEY, "v".repeat(VALUE_SIZE));
                assertEquals("+OK\r\n", admin.call("CONFIG", "SET", "client-output-buffer-limit", "normal 0 4mb 2"));
                try (Socket slow = nonReadingSocket(port)) {
                    long id = clientId(slow);
                    long start = System.currentTimeMillis(); // the client cannot be over the limit before this
                    pipelineGets(slow, 20_000).join(20_000);
                    long omem = waitForSteadyOmem(admin, id);
                    assertTrue(omem > 4 * 1024 * 1024, "port " + port + ": omem " + omem);
                    long deadline = start + 10_000;
                    while (listed(admin, id) && System.currentTimeMillis() < deadline) Thread.sleep(20);
                    long closedAfter = System.currentTimeMillis() - start;
                    assertTrue(!listed(admin, id), "port " + port + ": still open over the soft limit after 10 s");
                    // Redis compares whole seconds: "more than 2" needs the third second, so at least 2 s passed
                    assertTrue(closedAfter >= 2_000, "port " + port + ": closed after " + closedAfter + " ms");
                } finally {
                    admin.call("CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0");
                }
            }
        }
    }

    /**
     * Redis keeps reading a client whose replies wait (it does not stop reading it), so a client that writes a whole
     * pipeline before it reads completes: 37 MB of GETs, more than the kernel holds between a client and a server
     * that stopped reading it, with 32 MB of replies waiting meanwhile. Tried against redis-server too.
     *
     * <p>Not with a small receive buffer on the client and tiny replies (+OK), as this test once was: the kernel
     * then drops the server's small segments for the client's buffer overhead, the window updates they carry go with
     * them, and the client waits out TCP's backoff (up to 2 minutes a step). redis-server stalled so in 1 of 14
     * runs and Ferry in 1 of 43; here the server's writes are a read's worth of replies (~14 KB).
     */
    @Test
    void jedisPipelineWrittenBeforeReadingCompletes() {
        int n = 1_200_000;
        String value = "v".repeat(20);
        for (int port : new int[] {FerryPort.get(), redis.port()}) {
            try (Jedis j = new Jedis("127.0.0.1", port, 60_000)) {
                Pipeline keys = j.pipelined();
                for (int i = 0; i < 1000; i++) keys.set("obuf:jp:" + i, value);
                keys.sync();
            }
        }
        for (int port : new int[] {FerryPort.get(), redis.port()}) {
            assertTimeoutPreemptively(Duration.ofSeconds(180), () -> {
                try (Jedis j = new Jedis("127.0.0.1", port, 60_000)) {
                    Pipeline p = j.pipelined();
                    for (int i = 0; i < n; i++) p.get("obuf:jp:" + (i % 1000));
                    List<Object> replies = p.syncAndReturnAll();
                    assertEquals(n, replies.size(), "port " + port);
                    assertEquals(value, replies.get(n - 1), "port " + port);
                }
            }, () -> "the pipeline deadlocked on port " + port + ": the server stopped reading a client that had not read its replies yet\n"
                + diagnostics(port));
        }
    }

    /**
     * What a hang leaves to look at: the server's view of its clients, the kernel's view of the sockets, and where
     * every thread of this JVM (Ferry's loop among them) stands.
     */
    private static String diagnostics(int port) {
        StringBuilder out = new StringBuilder();
        try (RawClient c = new RawClient(port)) {
            out.append("CLIENT LIST:\n").append(c.call("CLIENT", "LIST"));
        } catch (Exception e) {
            out.append("CLIENT LIST failed: ").append(e).append('\n');
        }
        // the kernel's view of both ends: a server that stopped reading leaves its Recv-Q full; a TCP stall leaves it
        // empty, with drops (skmem d) and retransmissions backing off (rto, backoff) on the sockets
        out.append(command("ss", "-tnmi", "( sport = :" + port + " or dport = :" + port + " )"));
        for (Map.Entry<Thread, StackTraceElement[]> t : Thread.getAllStackTraces().entrySet()) {
            out.append('"').append(t.getKey().getName()).append("\" ").append(t.getKey().getState()).append('\n');
            for (StackTraceElement e : t.getValue()) out.append("    at ").append(e).append('\n');
        }
        return out.toString();
    }

    /** What a command prints (for diagnostics), or why it could not run. */
    private static String command(String... argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return String.join(" ", argv) + ":\n" + text + "\n";
        } catch (Exception e) {
            return String.join(" ", argv) + " failed: " + e + "\n";
        }
    }

    /**
     * CLIENT LIST of a client that does not read: omem holds the replies waiting for it (what was sent
     * minus what the kernel buffers took), close to what redis-server reports for the same client, and
     * the line has redis-server's fields in redis-server's order.
     */
    @Test
    void clientListReportsQueuedRepliesLikeRedis() throws Exception {
        int n = 50_000;
        long sent = (long) n * GET_REPLY_SIZE;
        Map<String, String> ferry = null, oracle = null;
        for (int port : new int[] {FerryPort.get(), redis.port()}) {
            try (RawClient admin = new RawClient(port); Socket slow = nonReadingSocket(port)) {
                admin.call("SET", VALUE_KEY, "v".repeat(VALUE_SIZE));
                long id = clientId(slow);
                pipelineGets(slow, n).join(20_000);
                waitForSteadyOmem(admin, id);
                Map<String, String> line = fields(bulk(admin.call("CLIENT", "LIST", "ID", Long.toString(id))).trim());
                if (port == FerryPort.get()) {
                    ferry = line;
                    String info = admin.call("INFO", "clients");
                    long recentMax = Long.parseLong(infoField(info, "client_recent_max_output_buffer"));
                    assertTrue(recentMax >= Long.parseLong(line.get("omem")), info);
                } else {
                    oracle = line;
                }
            }
        }
        List<String> expectedFields = new ArrayList<>(oracle.keySet());
        expectedFields.addAll(List.of("lib-name", "lib-ver")); // Redis 7.2's, since Ferry has CLIENT SETINFO
        assertEquals(expectedFields, new ArrayList<>(ferry.keySet()));
        long omem = Long.parseLong(ferry.get("omem"));
        long redisOmem = Long.parseLong(oracle.get("omem"));
        assertTrue(omem > sent / 2 && omem < sent * 11 / 10, "omem " + omem + " for " + sent + " bytes of replies sent");
        assertTrue(omem > redisOmem * 4 / 5 && omem < redisOmem * 5 / 4, "omem " + omem + ", redis-server's " + redisOmem);
        assertEquals(oracle.get("events"), ferry.get("events"));
        assertEquals("rw", ferry.get("events"));
        assertTrue(Long.parseLong(ferry.get("oll")) > 0, ferry.toString());
        assertEquals("0", ferry.get("qbuf"));
        assertEquals("get", ferry.get("cmd"));
        long totMem = Long.parseLong(ferry.get("tot-mem"));
        assertTrue(totMem >= omem + Long.parseLong(ferry.get("rbs")), ferry.toString());
        for (String f : List.of("qbuf-free", "argv-mem", "rbp", "obl")) Long.parseLong(ferry.get(f));
    }

    /** A client paused by DEBUG SLEEP is not read: what it sends meanwhile waits in the kernel, not in Ferry. */
    @Test
    void pausedClientIsNotRead() throws Exception {
        int n = 200_000; // 200,000 SETs of 100 bytes: 27 MB
        try (RawClient admin = new RawClient(FerryPort.get()); Socket s = new Socket("127.0.0.1", FerryPort.get())) {
            s.setSoTimeout(60_000);
            long id = clientId(s);
            byte[] one = RawClient.encode("SET".getBytes(StandardCharsets.US_ASCII),
                "obuf:sleep".getBytes(StandardCharsets.US_ASCII), "v".repeat(100).getBytes(StandardCharsets.US_ASCII));
            byte[] all = new byte[one.length * n];
            for (int i = 0; i < n; i++) System.arraycopy(one, 0, all, i * one.length, one.length);
            OutputStream out = s.getOutputStream();
            out.write(RawClient.encode("DEBUG".getBytes(StandardCharsets.US_ASCII), "SLEEP".getBytes(StandardCharsets.US_ASCII),
                "2".getBytes(StandardCharsets.US_ASCII)));
            out.flush();
            Thread writer = new Thread(() -> {
                try {
                    out.write(all);
                    out.flush();
                } catch (IOException ignored) {
                    // the assertion below says what went wrong
                }
            });
            writer.start();
            Thread.sleep(1_000);
            Map<String, String> line = fields(bulk(admin.call("CLIENT", "LIST", "ID", Long.toString(id))).trim());
            long held = Long.parseLong(line.get("qbuf")) + Long.parseLong(line.get("qbuf-free"));
            assertTrue(held <= 64 * 1024, "a paused client holds " + held + " bytes of input: " + line);
            InputStream in = new BufferedInputStream(s.getInputStream(), 1 << 16);
            assertEquals("+OK", PipelineTest.line(in));
            for (int i = 0; i < n; i++) assertEquals("+OK", PipelineTest.line(in), "reply " + i);
            writer.join(10_000);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------

    /** A socket whose small receive buffer keeps the kernel from taking many replies in our place. */
    private static Socket nonReadingSocket(int port) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(64 * 1024);
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(20_000);
        return s;
    }

    /** CLIENT ID over a raw socket, before it starts not reading. */
    private static long clientId(Socket s) throws Exception {
        s.getOutputStream().write("CLIENT ID\r\n".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return Long.parseLong(PipelineTest.line(s.getInputStream()).substring(1));
    }

    /** Writes n GETs of the 1 KB value from a thread (the write blocks once the kernel buffers are full). */
    private static Thread pipelineGets(Socket s, int n) {
        byte[] one = RawClient.encode("GET".getBytes(StandardCharsets.US_ASCII), VALUE_KEY.getBytes(StandardCharsets.US_ASCII));
        byte[] all = new byte[one.length * n];
        for (int i = 0; i < n; i++) System.arraycopy(one, 0, all, i * one.length, one.length);
        Thread t = new Thread(() -> {
            try {
                OutputStream out = s.getOutputStream();
                out.write(all);
                out.flush();
            } catch (IOException ignored) {
                // the server closed the connection: that is what some tests wait for
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Polls CLIENT LIST until the client's omem stops changing (every command executed) and returns it. */
    private static long waitForSteadyOmem(RawClient admin, long id) throws Exception {
        long last = -1;
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            String reply = admin.call("CLIENT", "LIST", "ID", Long.toString(id));
            if (reply.equals("$0\r\n\r\n")) throw new AssertionError("client " + id + " was closed");
            Map<String, String> line = fields(bulk(reply).trim());
            long omem = Long.parseLong(line.get("omem"));
            if (omem > 0 && omem == last && line.get("qbuf").equals("0")) return omem;
            last = omem;
            Thread.sleep(300);
        }
        throw new AssertionError("omem of client " + id + " never settled");
    }

    private static long pingMicros(RawClient c) throws IOException {
        long t = System.nanoTime();
        assertEquals("+PONG\r\n", c.call("PING"));
        return (System.nanoTime() - t) / 1000;
    }

    private static boolean listed(RawClient admin, long id) throws IOException {
        return !admin.call("CLIENT", "LIST", "ID", Long.toString(id)).equals("$0\r\n\r\n");
    }

    private static long heapAfterGc() throws InterruptedException {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
            min = Math.min(min, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return min;
    }

    private static String message(LogRecord r) {
        if (r instanceof org.jboss.logmanager.ExtLogRecord e) return e.getFormattedMessage();
        return r.getMessage();
    }

    private String metrics() throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(http.toString()).resolve("q/metrics"))
            .timeout(Duration.ofSeconds(10)).GET().build();
        return HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString()).body();
    }

    private static double gauge(String text, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(text);
        assertTrue(m.find(), () -> name + " missing from /q/metrics");
        return Double.parseDouble(m.group(2));
    }

    private static String infoField(String info, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + ":(\\S+)").matcher(info);
        assertTrue(m.find(), () -> name + " missing from " + info);
        return m.group(1);
    }

    private static String bulk(String reply) {
        assertTrue(reply.startsWith("$"), reply);
        return reply.substring(reply.indexOf("\r\n") + 2, reply.length() - 2);
    }

    private static Map<String, String> fields(String line) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String kv : line.split(" ")) {
            int eq = kv.indexOf('=');
            out.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return out;
    }
}
