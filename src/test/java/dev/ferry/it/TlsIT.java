package dev.ferry.it;

import dev.ferry.support.Eventually;
import dev.ferry.support.Peers;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisServer;
import dev.ferry.support.TestCertificates;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.ferry.support.ReplicationChecks.assertSameData;
import static dev.ferry.support.ReplicationChecks.fillEveryType;
import static dev.ferry.support.ReplicationChecks.info;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS with real peers and certificates made by openssl: redis-cli --tls against Ferry's tls-port (client
 * certificates required by default), a real redis-server replicating from Ferry over TLS and Ferry replicating
 * from a real redis-server over TLS (both with full and streamed data, digests equal), and new certificate files
 * served without a restart when a Kubernetes-style symlink swap replaces them.
 */
class TlsIT {
    static TestCertificates certs;
    static Path crt, key;

    @BeforeAll
    static void certificates() throws Exception {
        certs = TestCertificates.create();
        Path[] pair = certs.issue("ferry");
        crt = pair[0];
        key = pair[1];
    }

    private static List<String> tlsProps(int tlsPort) {
        return List.of("-Dferry.tls-port=" + tlsPort, "-Dferry.tls-cert-file=" + crt, "-Dferry.tls-key-file=" + key,
            "-Dferry.tls-ca-cert-file=" + certs.caCert);
    }

    @Test
    void redisCliOverTlsWithClientCertificates() throws Exception {
        int port = RedisServer.freePort(), tlsPort = RedisServer.freePort();
        List<String> props = new ArrayList<>(tlsProps(tlsPort));
        props.add("-Dferry.port=" + port);
        try (FerryProcess ferry = FerryProcess.start(props.toArray(String[]::new))) {
            ferry.awaitPort(port);
            ferry.awaitPort(tlsPort);
            assertEquals("OK", cli(tlsPort, true, "SET", "tls:k", "over tls"));
            assertEquals("over tls", cli(tlsPort, true, "GET", "tls:k"));
            try (RawClient plain = new RawClient(port)) {
                assertEquals("$8\r\nover tls\r\n", plain.call("GET", "tls:k"), "one dataset behind both ports");
                assertEquals("*2\r\n$8\r\ntls-port\r\n$" + Integer.toString(tlsPort).length() + "\r\n" + tlsPort + "\r\n",
                    plain.call("CONFIG", "GET", "tls-port"));
                assertEquals("*2\r\n$16\r\ntls-auth-clients\r\n$3\r\nyes\r\n", plain.call("CONFIG", "GET", "tls-auth-clients"));
            }
            // tls-auth-clients yes: no client certificate, no session
            String refused = cli(tlsPort, false, "PING");
            assertNotEquals("PONG", refused);
            // plain text on the TLS port gets no reply
            try (java.net.Socket wrong = new java.net.Socket("127.0.0.1", tlsPort)) {
                wrong.setSoTimeout(5_000);
                wrong.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] got = wrong.getInputStream().readAllBytes(); // up to the close; a timeout fails the test
                assertTrue(!new String(got, StandardCharsets.ISO_8859_1).contains("PONG"), "plain text is not served on the TLS port");
            } catch (java.net.SocketException reset) {
                // the TLS handler's close after a record that is not TLS may arrive as a reset: refused as well
            }
            assertEquals("PONG", cli(tlsPort, true, "PING"));
        }
    }

    @Test
    void redisServerReplicatesFromFerryOverTls() throws Exception {
        int port = RedisServer.freePort(), tlsPort = RedisServer.freePort();
        List<String> props = new ArrayList<>(tlsProps(tlsPort));
        props.addAll(List.of("-Dferry.port=" + port, "-Dferry.enable-debug-command=local"));
        try (FerryProcess ferry = FerryProcess.start(props.toArray(String[]::new)); RawClient master = new RawClient(awaitPort(ferry, port))) {
            ferry.awaitPort(tlsPort);
            fillEveryType(master);
            master.call("SET", "big", "x".repeat(3 << 20)); // a snapshot of several TLS records' worth
            try (RedisServer replica = RedisServer.start("--enable-debug-command", "local", "--tls-port", "0",
                "--tls-cert-file", crt.toString(), "--tls-key-file", key.toString(), "--tls-ca-cert-file", certs.caCert.toString(),
                "--tls-replication", "yes", "--replicaof", "127.0.0.1", Integer.toString(tlsPort))) {
                assertSameData(master, replica);
                for (int i = 0; i < 1000; i++) master.call("INCR", "tls:counter");
                assertSameData(master, replica);
                assertEquals("1", info(master, "connected_slaves"));
            }
        }
    }

    @Test
    void ferryReplicatesFromRedisServerOverTls() throws Exception {
        int tlsPort = RedisServer.freePort();
        try (RedisServer redis = RedisServer.start("--enable-debug-command", "local", "--tls-port", Integer.toString(tlsPort),
                "--tls-cert-file", crt.toString(), "--tls-key-file", key.toString(), "--tls-ca-cert-file", certs.caCert.toString());
             RawClient master = new RawClient(redis.port())) {
            fillEveryType(master);
            int port = RedisServer.freePort();
            try (FerryProcess ferry = FerryProcess.start("-Dferry.port=" + port, "-Dferry.enable-debug-command=local",
                "-Dferry.tls-replication=yes", "-Dferry.tls-cert-file=" + crt, "-Dferry.tls-key-file=" + key,
                "-Dferry.tls-ca-cert-file=" + certs.caCert, "-Dferry.replicaof=127.0.0.1 " + tlsPort);
                 RawClient replica = new RawClient(awaitPort(ferry, port))) {
                assertSameData(master, replica, ferry::log);
                for (int i = 0; i < 1000; i++) master.call("RPUSH", "tls:list", Integer.toString(i));
                assertSameData(master, replica, ferry::log);
                assertEquals("1", info(master, "connected_slaves"));
            }
        }
    }

    /**
     * A Secret mount's update: the configured paths go through a symlink that is swapped to a directory holding the
     * new pair. New connections get the new certificate within the reload interval; open ones keep working.
     */
    @Test
    void newCertificateFilesAreServedWithoutARestart() throws Exception {
        Path mount = Files.createTempDirectory("ferry-secret");
        Path v1 = Files.createDirectory(mount.resolve("v1"));
        Files.copy(crt, v1.resolve("tls.crt"));
        Files.copy(key, v1.resolve("tls.key"));
        Path data = Files.createSymbolicLink(mount.resolve("..data"), v1.getFileName());
        Path[] second = certs.issue("ferry-renewed");
        int port = RedisServer.freePort(), tlsPort = RedisServer.freePort();
        try (FerryProcess ferry = FerryProcess.start("-Dferry.port=" + port, "-Dferry.tls-port=" + tlsPort,
            "-Dferry.tls-cert-file=" + data.resolve("tls.crt"), "-Dferry.tls-key-file=" + data.resolve("tls.key"),
            "-Dferry.tls-ca-cert-file=" + certs.caCert, "-Dferry.tls-auth-clients=optional", "-Dferry.tls-reload-interval=1s")) {
            ferry.awaitPort(tlsPort);
            String first = certs.serial(crt);
            try (SSLSocket open = tlsSocket(tlsPort)) {
                assertEquals(first, serial(open), "optional: a client without a certificate is served");
                assertEquals("+PONG\r\n", ping(open));
                Path v2 = Files.createDirectory(mount.resolve("v2"));
                Files.copy(second[0], v2.resolve("tls.crt"));
                Files.copy(second[1], v2.resolve("tls.key"));
                Path next = Files.createSymbolicLink(mount.resolve("..data_tmp"), v2.getFileName());
                Files.move(next, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                String renewed = certs.serial(second[0]);
                assertNotEquals(first, renewed);
                try {
                    Eventually.waitFor(() -> {
                        try (SSLSocket s = tlsSocket(tlsPort)) {
                            return renewed.equals(serial(s));
                        }
                    }, "the renewed certificate served");
                } catch (Exception | AssertionError e) {
                    throw new AssertionError(e + "\n" + ferry.log(), e);
                }
                assertEquals("+PONG\r\n", ping(open), "a connection made before the reload goes on");
                assertTrue(ferry.log().contains("TLS: new contents of"), ferry.log());
            }
        }
    }

    /** As Redis: TLS that cannot be set up stops the start, saying why, instead of running without it. */
    @Test
    void tlsThatCannotBeSetUpStopsTheStart() throws Exception {
        int tlsPort = RedisServer.freePort();
        try (FerryProcess noKey = FerryProcess.start("-Dferry.port=" + RedisServer.freePort(), "-Dferry.tls-port=" + tlsPort,
                "-Dferry.tls-cert-file=" + crt, "-Dferry.tls-ca-cert-file=" + certs.caCert);
             FerryProcess wrongKey = FerryProcess.start("-Dferry.port=" + RedisServer.freePort(), "-Dferry.tls-port=" + tlsPort,
                "-Dferry.tls-cert-file=" + crt, "-Dferry.tls-key-file=" + certs.caKey, "-Dferry.tls-ca-cert-file=" + certs.caCert)) {
            assertTrue(noKey.process.waitFor(60, TimeUnit.SECONDS), "Ferry exits");
            assertNotEquals(0, noKey.process.exitValue());
            assertTrue(noKey.log().contains("No tls-key-file configured!"), noKey.log());
            assertTrue(wrongKey.process.waitFor(60, TimeUnit.SECONDS), "Ferry exits");
            assertNotEquals(0, wrongKey.process.exitValue());
            assertTrue(wrongKey.log().contains("Failed to configure TLS"), wrongKey.log());
        }
    }

    private static int awaitPort(FerryProcess ferry, int port) throws Exception {
        ferry.awaitPort(port);
        return port;
    }

    /** redis-cli --tls, with this test's client certificate or without one; its output, trimmed. */
    private static String cli(int port, boolean withCertificate, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Peers.require("redis-cli"), "--tls", "--cacert", certs.caCert.toString()));
        if (withCertificate) cmd.addAll(List.of("--cert", crt.toString(), "--key", key.toString()));
        cmd.addAll(List.of("-p", Integer.toString(port)));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return out;
    }

    /** A TLS connection that trusts any server certificate (it only reads which one it got). */
    private static SSLSocket tlsSocket(int port) throws Exception {
        TrustManager any = new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] chain, String authType) { }

            public void checkServerTrusted(X509Certificate[] chain, String authType) { }

            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {any}, null);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port);
        s.setSoTimeout(10_000);
        s.startHandshake();
        return s;
    }

    private static String serial(SSLSocket s) throws Exception {
        return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber().toString(16).toUpperCase();
    }

    private static String ping(SSLSocket s) throws IOException {
        s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        byte[] b = new byte[7];
        int n = 0;
        while (n < b.length) {
            int k = s.getInputStream().read(b, n, b.length - n);
            if (k < 0) break;
            n += k;
        }
        return new String(b, 0, n, StandardCharsets.US_ASCII);
    }
}
