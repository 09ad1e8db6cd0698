package dev.ferry.engine.config;

import dev.ferry.config.FerryConfig;

import java.time.Duration;
import java.util.List;

/**
 * TLS on the RESP port and the replication link, under Redis's setting names (tls-port, tls-cert-file, tls-key-file,
 * tls-ca-cert-file, tls-auth-clients, tls-replication), checked at start-up with Redis's words where Redis has them.
 * The files themselves are read by {@link dev.ferry.engine.tls.TlsCredentials}. Fixed at start-up: CONFIG GET shows
 * them, CONFIG SET refuses (new contents of the same files are picked up without a restart instead).
 */
public final class TlsSettings {
    public final int port;
    public final String certFile, keyFile, caCertFile;
    /** "yes", "optional" or "no". */
    public final String authClients;
    public final boolean replication;
    public final Duration reloadInterval;

    TlsSettings(FerryConfig c) {
        port = c.tlsPort();
        certFile = c.tlsCertFile().filter(v -> !v.isEmpty()).orElse(null);
        keyFile = c.tlsKeyFile().filter(v -> !v.isEmpty()).orElse(null);
        caCertFile = c.tlsCaCertFile().filter(v -> !v.isEmpty()).orElse(null);
        authClients = c.tlsAuthClients().toLowerCase(java.util.Locale.ROOT);
        replication = c.tlsReplication();
        reloadInterval = c.tlsReloadInterval();
        if (port < 0 || port > 65535) throw new IllegalArgumentException("ferry.tls-port must be between 0 and 65535, not " + port);
        if (!List.of("yes", "no", "optional").contains(authClients)) {
            throw new IllegalArgumentException("ferry.tls-auth-clients must be yes, no or optional, not \"" + c.tlsAuthClients() + "\"");
        }
        if (!enabled()) return;
        // Redis's tlsConfigure refuses to start with these words
        if (certFile == null) throw new IllegalArgumentException("No tls-cert-file configured! (ferry.tls-cert-file)");
        if (keyFile == null) throw new IllegalArgumentException("No tls-key-file configured! (ferry.tls-key-file)");
        if (caCertFile == null && (replication || (port != 0 && !authClients.equals("no")))) {
            throw new IllegalArgumentException("Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, "
                + "tls-replication or tls-auth-clients are enabled! (ferry.tls-ca-cert-file)");
        }
    }

    /** TLS is configured for the port or the replication link (and the files are then required). */
    public boolean enabled() {
        return port != 0 || replication;
    }

    /** The paths the reloader watches. */
    public List<String> files() {
        return caCertFile == null ? List.of(certFile, keyFile) : List.of(certFile, keyFile, caCertFile);
    }

    void register(ConfigRegistry r) {
        r.immutable("tls-port", () -> Integer.toString(port));
        r.immutable("tls-cert-file", () -> certFile == null ? "" : certFile);
        r.immutable("tls-key-file", () -> keyFile == null ? "" : keyFile);
        r.immutable("tls-ca-cert-file", () -> caCertFile == null ? "" : caCertFile);
        r.immutable("tls-auth-clients", () -> authClients);
        r.immutable("tls-replication", () -> replication ? "yes" : "no");
    }
}
