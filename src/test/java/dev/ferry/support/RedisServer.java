package dev.ferry.support;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real redis-server on a free port, the oracle for byte-for-byte comparisons. Started without
 * persistence. Skips (or fails under PEERS_REQUIRED) when redis-server is not installed.
 */
public final class RedisServer implements AutoCloseable {
    private Process process;
    private final int port;
    private final Path dir;

    private RedisServer(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    public static RedisServer start(String... extraArgs) throws Exception {
        return startAt(freePort(), Files.createTempDirectory("redis-oracle"), extraArgs);
    }

    /**
     * Stops this server (SIGTERM, so a replica keeps the snapshot it received) and starts a new one on the same
     * port and directory: what it loads from there is its own.
     */
    public RedisServer restart(String... extraArgs) throws Exception {
        process.destroy();
        process.waitFor();
        return startAt(port, dir, extraArgs);
    }

    private static RedisServer startAt(int port, Path dir, String... extraArgs) throws Exception {
        String bin = Peers.require("redis-server");
        List<String> cmd = new ArrayList<>(List.of(bin, "--port", Integer.toString(port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--repl-diskless-sync-delay", "0"));
        cmd.addAll(List.of(extraArgs));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile())).start();
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                // a server started on an RDB file listens while it loads (and DEBUG runs meanwhile, on part of
                // the data): it is ready once PING stops answering -LOADING
                s.setSoTimeout(10_000);
                byte[] reply = new byte[64];
                do {
                    s.getOutputStream().write("PING\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    int n = s.getInputStream().read(reply);
                    if (n > 0 && !new String(reply, 0, n, java.nio.charset.StandardCharsets.US_ASCII).startsWith("-LOADING")) {
                        return new RedisServer(p, port, dir);
                    }
                    Thread.sleep(20);
                } while (System.currentTimeMillis() < deadline);
            } catch (IOException e) {
                if (!p.isAlive()) break;
                Thread.sleep(50);
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException("redis-server did not start: " + Files.readString(dir.resolve("redis.log")));
    }

    public int port() {
        return port;
    }

    /** Its working directory (where SAVE writes dump.rdb). */
    public java.nio.file.Path dir() {
        return dir;
    }

    /** Sends a signal to the process (STOP and CONT make a replica that does not read its master). */
    public void signal(String name) throws Exception {
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
    }

    /** SIGKILL: gone at once, without closing anything itself (the kernel closes its sockets). */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** What it logged (every start in this directory). */
    public String log() throws IOException {
        return Files.readString(dir.resolve("redis.log"));
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        // a stopped server (signal STOP) would keep SIGTERM pending for good
        try {
            if (process.isAlive()) signal("CONT");
        } catch (Exception e) {
            process.destroyForcibly();
        }
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        File[] files = dir.toFile().listFiles();
        if (files != null) for (File f : files) f.delete();
        dir.toFile().delete();
    }
}
