package dev.ferry.it;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packaged Ferry as a separate process: java -jar target/quarkus-app/quarkus-run.jar with the test's
 * JVM, or through bin/ferry, the README's run command, as a user starts it.
 */
final class FerryProcess implements AutoCloseable {
    final Process process;
    final Path log;

    private FerryProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static FerryProcess start(String... systemProperties) throws IOException {
        return run(new ProcessBuilder(javaCommand(systemProperties)));
    }

    /** Like {@link #start}, with the files the process writes limited to this many KiB (ulimit -f): a full disk. */
    static FerryProcess startWithFileSizeLimit(int kib, String... systemProperties) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "ulimit -f " + kib + "; exec \"$0\" \"$@\""));
        cmd.addAll(javaCommand(systemProperties));
        return run(new ProcessBuilder(cmd));
    }

    private static List<String> javaCommand(String... systemProperties) throws IOException {
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) throw new IllegalStateException("package first: " + jar.toAbsolutePath());
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Dquarkus.http.port=0");
        // a directory of its own, so that one test's snapshot (a save at SIGTERM) never reaches the next;
        // a test's own -Dferry.dir comes later and wins
        cmd.add("-Dferry.dir=" + Files.createTempDirectory("ferry-it"));
        cmd.addAll(List.of(systemProperties));
        cmd.addAll(List.of("-jar", jar.toString()));
        return cmd;
    }

    /** This exact command line (ImageCommandIT: the container image's ENTRYPOINT, on local paths). */
    static FerryProcess exec(List<String> command) throws IOException {
        return run(new ProcessBuilder(command));
    }

    /** Like {@link #start}, with these environment variables added (credentials the AWS SDK reads, FERRY_* settings). */
    static FerryProcess startWithEnv(java.util.Map<String, String> env, String... systemProperties) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(javaCommand(systemProperties));
        pb.environment().putAll(env);
        return run(pb);
    }

    /** Through bin/ferry with its own choice of Java and flags, a small heap, and these JVM options. */
    static FerryProcess launch(String... systemProperties) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("sh", "bin/ferry", "-Dquarkus.http.port=0",
            "-Dferry.dir=" + Files.createTempDirectory("ferry-it")));
        cmd.addAll(List.of(systemProperties));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("FERRY_HEAP", "256m");
        return run(pb);
    }

    private static FerryProcess run(ProcessBuilder pb) throws IOException {
        Path log = Files.createTempFile("ferry-it", ".log");
        Process p = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new FerryProcess(p, log);
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    /** Waits until the RESP port accepts connections. */
    void awaitPort(int port) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                if (!process.isAlive()) throw new IllegalStateException("Ferry exited: " + log());
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("Ferry did not open port " + port + ": " + log());
    }

    /** Waits until the port accepts connections and the dataset is in (PING no longer answers -LOADING). */
    void awaitReady(int port) throws Exception {
        awaitPort(port);
        long deadline = System.currentTimeMillis() + 60_000;
        try (dev.ferry.support.RawClient c = new dev.ferry.support.RawClient(port)) {
            while (c.call("PING").startsWith("-LOADING")) {
                if (System.currentTimeMillis() > deadline) throw new IllegalStateException("still loading: " + log());
                Thread.sleep(20);
            }
        }
    }

    /** SIGKILL: the process dies where it is, nothing flushed or shipped (a node lost). */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            // a Ferry that does not stop on SIGTERM fails its own test; it must not hang the others
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(log);
    }
}
