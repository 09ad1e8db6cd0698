package dev.ferry.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.support.Eventually;
import dev.ferry.support.Peers;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The container image's command, without Docker: deploy/Dockerfile's ENTRYPOINT run as it is, with only the java
 * binary (a local Java 21+), the jar's path (target/quarkus-app) and the port and data settings replaced. A JVM flag
 * the image's Java rejects, or one that stops Ferry from starting, fails here.
 */
class ImageCommandIT {

    @Test
    void theImageCommandStartsFerry() throws Exception {
        List<String> cmd = new ArrayList<>(entrypoint());
        cmd.set(0, java21());
        int jar = cmd.indexOf("-jar");
        assertTrue(jar > 0, "the ENTRYPOINT runs a jar: " + cmd);
        Path local = Path.of("target/quarkus-app/quarkus-run.jar");
        assertTrue(Files.exists(local), "package first: " + local.toAbsolutePath());
        cmd.set(jar + 1, local.toString());
        int port = RedisServer.freePort(), http = RedisServer.freePort();
        cmd.addAll(jar, List.of("-Dferry.port=" + port, "-Dquarkus.http.port=" + http,
            "-Dferry.dir=" + Files.createTempDirectory("ferry-image")));
        try (FerryProcess ferry = FerryProcess.exec(cmd)) {
            ferry.awaitReady(port);
            try (RawClient c = new RawClient(port)) {
                assertEquals("+PONG\r\n", c.call("PING"));
            }
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            // the HTTP port may open a moment after the RESP port (Quarkus starts its HTTP server on its own)
            Eventually.waitFor(() -> {
                try (Socket s = new Socket("127.0.0.1", http)) {
                    return true;
                } catch (IOException e) {
                    return false;
                }
            }, "the HTTP port open");
            for (String path : List.of("/q/health/started", "/q/health/ready")) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + path))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), path + ": " + r.body() + "\n" + ferry.log());
            }
            // the image binds RESP to every address (-Dferry.bind=0.0.0.0), not only loopback: a connection to
            // another address of this machine is accepted (what it is then answered is protected-mode's business)
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(Peers.externalAddress(), port), 5_000);
            }
            assertTrue(ferry.process.isAlive(), ferry.log());
        }
    }

    /** deploy/Dockerfile's ENTRYPOINT, a JSON array. */
    static List<String> entrypoint() throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("deploy/Dockerfile"))) {
            if (!line.startsWith("ENTRYPOINT ")) continue;
            for (JsonNode n : new ObjectMapper().readTree(line.substring("ENTRYPOINT ".length()))) out.add(n.asText());
        }
        assertTrue(out.size() > 2, "deploy/Dockerfile has an exec-form ENTRYPOINT: " + out);
        return out;
    }

    /**
     * The image runs Java 25; here the test's Java when it is 21 or later, else the newest installed one (as bin/ferry
     * chooses), else the test's own Java with a note: every flag of the ENTRYPOINT is one Java 17 knows too, so an
     * older JVM still checks them and the start.
     */
    static String java21() throws IOException {
        Path own = Path.of(System.getProperty("java.home"), "bin", "java");
        if (Runtime.version().feature() >= 21) return own.toString();
        Path best = null;
        int bestMajor = 0;
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> s = Files.list(jvms)) {
                for (Path home : (Iterable<Path>) s::iterator) {
                    int major = major(home);
                    if (major > bestMajor && Files.isExecutable(home.resolve("bin/java"))) {
                        best = home.resolve("bin/java");
                        bestMajor = major;
                    }
                }
            }
        }
        if (bestMajor >= 21) return best.toString();
        System.out.println("[ImageCommandIT] NOTE: no Java 21+ here (the image's Java is 25): running the ENTRYPOINT on "
            + Runtime.version() + " at " + own);
        return own.toString();
    }

    /** The feature release of a JDK directory from its release file (JAVA_VERSION="25.0.3"), or 0. */
    private static int major(Path home) throws IOException {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release)) return 0;
        Matcher m = Pattern.compile("(?m)^JAVA_VERSION=\"(?:1\\.)?(\\d+)").matcher(Files.readString(release));
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }
}
