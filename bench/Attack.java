import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The hostile clients of the hardening issue, one at a time, against a running server, while a second client
 * PINGs every 10 ms and records how long each answer took. Prints the median and worst PING per attack, and
 * whether the server still answers afterwards. Attacks of thousands of connections end by closing them all
 * at once; PINGs sent or answered during that teardown are reported in a column of their own, since a mass
 * disconnect is an event of its own (both servers then take longest). Run it against Ferry and redis-server alike:
 *
 *   java bench/Attack.java PORT [attack ...]      attacks: keys bulk9000 set512 flood slow5000 unread3m
 *
 * bench/attack.sh starts both servers and runs it against each.
 */
public class Attack {
    static int port;
    /** Set while an attack closes its connections. */
    static volatile boolean teardown;

    public static void main(String[] args) throws Exception {
        port = Integer.parseInt(args[0]);
        List<String> attacks = args.length > 1 ? Arrays.asList(args).subList(1, args.length)
            : List.of("keys", "bulk9000", "set512", "flood", "slow5000", "unread3m");
        System.out.printf("%-10s %10s %10s %11s %8s %s%n", "attack", "ping p50", "ping max", "at teardown", "pings", "after");
        for (String a : attacks) run(a);
    }

    static void run(String attack) throws Exception {
        List<Long> latencies = new ArrayList<>();
        List<Long> teardownLatencies = new ArrayList<>();
        teardown = false;
        AtomicBoolean stop = new AtomicBoolean();
        Thread prober = new Thread(() -> {
            try (Socket s = connect()) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                while (!stop.get()) {
                    long t = System.nanoTime();
                    boolean duringTeardown = teardown;
                    out.write("PING\r\n".getBytes());
                    out.flush();
                    readLine(in);
                    duringTeardown |= teardown;
                    synchronized (latencies) {
                        (duringTeardown ? teardownLatencies : latencies).add((System.nanoTime() - t) / 1_000_000);
                    }
                    Thread.sleep(10);
                }
            } catch (Exception e) {
                synchronized (latencies) {
                    latencies.add(Long.MAX_VALUE);
                }
            }
        });
        prober.setDaemon(true);
        prober.start();
        Thread.sleep(200);
        String detail;
        try {
            detail = switch (attack) {
                case "keys" -> keys();
                case "bulk9000" -> declaredBulks(9000);
                case "set512" -> set512();
                case "flood" -> flood();
                case "slow5000" -> slow(5000);
                case "unread3m" -> unread(3_000_000);
                default -> throw new IllegalArgumentException(attack);
            };
        } catch (Exception e) {
            detail = "attack ended: " + e;
        }
        stop.set(true);
        prober.join(30_000);
        long[] l, down;
        synchronized (latencies) {
            l = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            down = teardownLatencies.stream().mapToLong(Long::longValue).sorted().toArray();
        }
        String after = afterwards();
        System.out.printf("%-10s %8s ms %8s ms %11s %8d %s (%s)%n", attack, l.length == 0 ? "-" : l[l.length / 2],
            worst(l), down.length == 0 ? "-" : worst(down) + " ms", l.length + down.length, after, detail);
    }

    static String worst(long[] sorted) {
        return sorted[sorted.length - 1] == Long.MAX_VALUE ? "lost" : Long.toString(sorted[sorted.length - 1]);
    }

    static Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(60_000);
        s.setTcpNoDelay(true);
        return s;
    }

    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) throw new IOException("closed");
            b.write(c);
        }
        return b.toString(StandardCharsets.ISO_8859_1).trim();
    }

    static String call(Socket s, String... argv) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(encode(argv));
        out.flush();
        InputStream in = s.getInputStream();
        String line = readLine(in);
        if (line.startsWith("$") && !line.equals("$-1")) {
            int n = Integer.parseInt(line.substring(1));
            byte[] v = in.readNBytes(n + 2);
            return new String(v, 0, Math.min(n, 40), StandardCharsets.ISO_8859_1);
        }
        return line;
    }

    static byte[] encode(String... argv) {
        StringBuilder sb = new StringBuilder("*" + argv.length + "\r\n");
        for (String a : argv) sb.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    static String afterwards() {
        try (Socket s = connect()) {
            String set = call(s, "SET", "attack:after", "ok");
            String get = call(s, "GET", "attack:after");
            return set.equals("+OK") && get.equals("ok") ? "serving" : "WRONG: " + set + " " + get;
        } catch (Exception e) {
            return "NOT SERVING: " + e;
        }
    }

    /** One KEYS whose glob makes a backtracking matcher explode, against one key of 100 'a's. */
    static String keys() throws IOException {
        try (Socket s = connect()) {
            call(s, "SET", "a".repeat(100), "v");
            long t = System.nanoTime();
            String r = call(s, "KEYS", "a*".repeat(19) + "b");
            long ms = (System.nanoTime() - t) / 1_000_000;
            call(s, "DEL", "a".repeat(100));
            return "KEYS answered " + r + " in " + ms + " ms";
        }
    }

    /** n connections, each declaring a 500 MB argument and sending nothing more. */
    static String declaredBulks(int n) throws Exception {
        List<SocketChannel> open = new ArrayList<>();
        byte[] head = "*2\r\n$3\r\nSET\r\n$500000000\r\n".getBytes();
        try {
            for (int i = 0; i < n; i++) {
                SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
                c.write(ByteBuffer.wrap(head));
                open.add(c);
            }
            Thread.sleep(2000);
            return n + " connections open";
        } finally {
            teardown = true;
            for (SocketChannel c : open) c.close();
            Thread.sleep(500);
        }
    }

    /** One SET of a 512 MB value (536,870,000 bytes), sent in full, then its STRLEN. */
    static String set512() throws IOException {
        try (Socket s = connect()) {
            int len = 536_870_000;
            OutputStream out = s.getOutputStream();
            out.write(("*3\r\n$3\r\nSET\r\n$8\r\nbig:512m\r\n$" + len + "\r\n").getBytes());
            byte[] chunk = new byte[1 << 20];
            Arrays.fill(chunk, (byte) 'x');
            long t = System.nanoTime();
            for (int sent = 0; sent < len; ) {
                int k = Math.min(chunk.length, len - sent);
                out.write(chunk, 0, k);
                sent += k;
            }
            out.write("\r\n".getBytes());
            out.flush();
            String r = readLine(s.getInputStream());
            long ms = (System.nanoTime() - t) / 1_000_000;
            String strlen = call(s, "STRLEN", "big:512m");
            call(s, "DEL", "big:512m");
            return "SET " + r + " in " + ms + " ms, STRLEN " + strlen;
        }
    }

    /** A multibulk that declares 2,000,000,000 arguments and sends millions of empty ones. */
    static String flood() throws IOException {
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write("*2000000000\r\n".getBytes());
            byte[] empties = "$0\r\n\r\n".repeat(100_000).getBytes();
            long sent = 0;
            try {
                for (int i = 0; i < 400; i++) {
                    out.write(empties);
                    sent += 100_000;
                }
                out.flush();
                s.setSoTimeout(5000);
                return "sent " + sent + " empty args, then: " + readLine(s.getInputStream());
            } catch (IOException e) {
                return "closed by the server after " + sent + " empty args";
            }
        }
    }

    /** n connections that each send a command one byte at a time, a byte every 100 ms, for 3 s. */
    static String slow(int n) throws Exception {
        List<SocketChannel> open = new ArrayList<>();
        byte[] cmd = encode("SET", "slow:key", "v".repeat(1000));
        try {
            for (int i = 0; i < n; i++) open.add(SocketChannel.open(new InetSocketAddress("127.0.0.1", port)));
            for (int step = 0; step < 30; step++) {
                for (SocketChannel c : open) c.write(ByteBuffer.wrap(cmd, step, 1));
                Thread.sleep(100);
            }
            return n + " slow connections";
        } finally {
            teardown = true;
            for (SocketChannel c : open) c.close();
            Thread.sleep(500);
        }
    }

    /**
     * A pipeline of n GETs of a 1 KB value that is never read, under an output buffer limit of 64 MB hard:
     * the server must drop this client (as Redis does) and keep everyone else served.
     */
    static String unread(int n) throws Exception {
        try (Socket admin = connect()) {
            String prev = call(admin, "CONFIG", "GET", "client-output-buffer-limit");
            call(admin, "SET", "unread:v", "x".repeat(1024));
            call(admin, "CONFIG", "SET", "client-output-buffer-limit", "normal 64mb 32mb 10");
            String outcome;
            try (SocketChannel c = SocketChannel.open()) {
                c.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4096);
                c.connect(new InetSocketAddress("127.0.0.1", port));
                c.configureBlocking(false);
                byte[] get = encode("GET", "unread:v");
                byte[] batch = new byte[get.length * 10_000];
                for (int i = 0; i < 10_000; i++) System.arraycopy(get, 0, batch, i * get.length, get.length);
                long sent = 0, total = (long) n * get.length;
                long deadline = System.nanoTime() + 60_000_000_000L;
                ByteBuffer buf = ByteBuffer.wrap(batch);
                try {
                    while (sent < total && System.nanoTime() < deadline) {
                        if (!buf.hasRemaining()) buf.rewind();
                        int w = c.write(buf);
                        if (w == 0) Thread.sleep(1);
                        sent += w;
                    }
                    outcome = sent >= total ? "all " + n + " GETs written, client not dropped"
                        : "server stopped reading after " + sent / get.length + " GETs (not dropped within 60 s)";
                } catch (IOException e) {
                    outcome = "dropped by the server after " + sent / get.length + " GETs";
                }
            }
            call(admin, "CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0");
            return outcome;
        }
    }
}
