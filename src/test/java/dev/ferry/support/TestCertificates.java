package dev.ferry.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A CA and certificates it signed, made with the openssl command line as Redis's own utils/gen-test-certs.sh makes
 * them: one certificate for 127.0.0.1 and localhost that serves both as a server's and as a client's (as Redis's
 * tests use redis.crt for both). Keys are RSA 2048, PEM, unencrypted.
 */
public final class TestCertificates {
    public final Path dir, caCert, caKey;

    private TestCertificates(Path dir) {
        this.dir = dir;
        this.caCert = dir.resolve("ca.crt");
        this.caKey = dir.resolve("ca.key");
    }

    /** A new CA in a temp directory. */
    public static TestCertificates create() throws IOException, InterruptedException {
        TestCertificates t = new TestCertificates(Files.createTempDirectory("ferry-tls"));
        t.openssl("genrsa", "-out", t.caKey.toString(), "2048");
        t.openssl("req", "-x509", "-new", "-nodes", "-sha256", "-key", t.caKey.toString(), "-days", "3650",
            "-subj", "/O=Ferry Test/CN=Certificate Authority", "-out", t.caCert.toString());
        return t;
    }

    /** A certificate and key signed by this CA, written as name.crt and name.key; returns {crt, key}. */
    public Path[] issue(String name) throws IOException, InterruptedException {
        Path key = dir.resolve(name + ".key"), crt = dir.resolve(name + ".crt"), csr = dir.resolve(name + ".csr");
        Path ext = dir.resolve(name + ".ext");
        Files.writeString(ext, "keyUsage = digitalSignature, keyEncipherment\n"
            + "extendedKeyUsage = serverAuth, clientAuth\n"
            + "subjectAltName = IP:127.0.0.1, DNS:localhost\n");
        openssl("genrsa", "-out", key.toString(), "2048");
        openssl("req", "-new", "-sha256", "-subj", "/O=Ferry Test/CN=" + name, "-key", key.toString(), "-out", csr.toString());
        openssl("x509", "-req", "-sha256", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey", caKey.toString(),
            "-CAcreateserial", "-days", "365", "-extfile", ext.toString(), "-out", crt.toString());
        return new Path[] {crt, key};
    }

    /** The certificate's serial number as openssl prints it (hex, upper case). */
    public String serial(Path crt) throws IOException, InterruptedException {
        return openssl("x509", "-noout", "-serial", "-in", crt.toString()).trim().replaceFirst("^serial=", "");
    }

    private String openssl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Peers.require("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("openssl " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }
}
