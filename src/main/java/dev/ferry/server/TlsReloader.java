package dev.ferry.server;

import dev.ferry.engine.tls.TlsCredentials;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Serves new certificate files without a restart: every tls-reload-interval a worker reads the certificate, key and
 * CA files, and when their contents changed (a Kubernetes Secret mount swaps them in place, cert-manager renews them)
 * it loads them, and later handshakes of the TLS port and of a TLS replication link use them; connections already
 * open keep theirs. Files that do not load (a half-written pair) leave the previous ones in place, said once, and
 * are tried again at the next tick.
 */
final class TlsReloader {
    private static final Logger LOG = Logger.getLogger(TlsReloader.class);

    private final Vertx vertx;
    private final TlsCredentials credentials;
    /** The digest of the files in use (worker threads only, one tick at a time); the last failure's words. */
    private volatile String inUse, lastFailure;

    TlsReloader(Vertx vertx, TlsCredentials credentials) {
        this.vertx = vertx;
        this.credentials = credentials;
    }

    /** Once the ports listen (with the files as they were then). */
    void start() {
        long period = credentials.settings().reloadInterval.toMillis();
        if (period <= 0) return;
        vertx.executeBlocking(() -> {
            inUse = digest();
            return null;
        }, false).onComplete(ar -> vertx.setPeriodic(period, id -> vertx.executeBlocking(this::check, true)));
    }

    /** On a worker: disk reads, and the parsing of keys and certificates. */
    private Void check() {
        String now;
        try {
            now = digest();
            if (now.equals(inUse)) return null;
            credentials.reload();
        } catch (Exception e) {
            failed(e.toString());
            return null;
        }
        inUse = now;
        lastFailure = null;
        LOG.infof("TLS: new contents of %s loaded; new connections get them", String.join(", ", credentials.settings().files()));
        return null;
    }

    private void failed(String why) {
        if (why.equals(lastFailure)) return;
        lastFailure = why;
        LOG.warnf("TLS: the certificate files changed but do not load (%s); the previous ones stay in use, tried again at the next check", why);
    }

    private String digest() throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (String f : credentials.settings().files()) md.update(Files.readAllBytes(Path.of(f)));
        return HexFormat.of().formatHex(md.digest());
    }
}
