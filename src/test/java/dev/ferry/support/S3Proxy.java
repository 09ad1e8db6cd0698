package dev.ferry.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real S3 server for tests: s3proxy (org.gaul:s3proxy, copied to target/s3proxy/s3proxy.jar by the build) in a
 * JVM of its own, since its Guice clashes with the test classpath's. Objects live in a directory (jclouds'
 * filesystem-nio2 provider), so {@link #stop()} and {@link #start()} again on the same port keep them: that is how
 * tests take S3 down and bring it back. Requests are signed (AWS v2 or v4) with the identity and credential given.
 * Without the jar the test is skipped with the reason, or fails when peers are required (see {@link Peers}).
 */
public final class S3Proxy implements AutoCloseable {
    private static final Path JAR = Path.of("target", "s3proxy", "s3proxy.jar");

    private final String identity;
    private final String credential;
    private final Path dir;
    private final int port;
    private volatile Process process;

    private S3Proxy(String identity, String credential, Path dir, int port) {
        this.identity = identity;
        this.credential = credential;
        this.dir = dir;
        this.port = port;
        // a test JVM that ends without close() (a crash, a kill) must not leave the server running
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop));
    }

    /** A new server on a free port with an empty store. */
    public static S3Proxy start(String identity, String credential) throws IOException {
        if (!Files.isRegularFile(JAR)) {
            Peers.missing(JAR.toAbsolutePath() + " is missing (./mvnw process-test-resources copies s3proxy there)");
        }
        S3Proxy p = new S3Proxy(identity, credential, Files.createTempDirectory("ferry-s3proxy"), freePort());
        Files.createDirectories(p.dir.resolve("data"));
        p.start();
        return p;
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public String identity() {
        return identity;
    }

    public String credential() {
        return credential;
    }

    /**
     * The system properties that point a Ferry process's archive at {@code s3://bucket/prefix} on this server,
     * with the credentials in the SDK's default chain (its system properties), as an operator would give them.
     */
    public List<String> ferryProps(String bucket, String prefix) {
        return List.of("-Dferry.archive.url=s3://" + bucket + "/" + prefix, "-Dferry.archive.s3.endpoint=" + endpoint(),
            "-Dferry.archive.s3.region=us-east-1", "-Daws.accessKeyId=" + identity, "-Daws.secretAccessKey=" + credential);
    }

    /** A bucket is a directory of the filesystem provider. */
    public void createBucket(String name) throws IOException {
        Files.createDirectories(dir.resolve("data").resolve(name));
    }

    /** Starts (again) on the same port and directory, and waits until it accepts connections. */
    public void start() throws IOException {
        Path props = dir.resolve("s3proxy.properties");
        Files.write(props, List.of(
            "s3proxy.endpoint=" + endpoint(),
            "s3proxy.authorization=aws-v2-or-v4",
            "s3proxy.identity=" + identity,
            "s3proxy.credential=" + credential,
            "jclouds.provider=filesystem-nio2",
            "jclouds.filesystem.basedir=" + dir.resolve("data"),
            "jclouds.identity=" + identity,
            "jclouds.credential=" + credential), StandardCharsets.UTF_8);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", JAR.toAbsolutePath().toString(),
            "--properties", props.toString());
        pb.environment().put("LOG_LEVEL", "debug"); // s3proxy logs each request at debug: see requests()
        process = pb
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("s3proxy.log").toFile()))
            .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IOException("s3proxy exited with " + process.exitValue() + ": " + log());
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep(100);
            }
        }
        stop();
        throw new IOException("s3proxy did not listen on " + endpoint() + " within 60 s: " + log());
    }

    /** Kills the server at once, as a crash or a network cut would look to a client. */
    public void stop() {
        Process p = process;
        if (p == null) return;
        p.destroyForcibly();
        try {
            p.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    private static final Pattern REQUEST = Pattern.compile("request: Request\\((\\w+) https?://[^/]+(/\\S*)\\)@");

    /** Every request the server received so far, as "METHOD /bucket/key?query" (from its debug log). */
    public List<String> requests() {
        List<String> out = new ArrayList<>();
        for (String line : log().split("\n")) {
            Matcher m = REQUEST.matcher(line);
            if (m.find()) out.add(m.group(1) + " " + m.group(2));
        }
        return out;
    }

    /** The server's output, for failure messages. */
    public String log() {
        try {
            return Files.readString(dir.resolve("s3proxy.log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        stop();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
