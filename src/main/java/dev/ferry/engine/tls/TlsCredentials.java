package dev.ferry.engine.tls;

import dev.ferry.engine.config.TlsSettings;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.TrustOptions;

import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The certificate, key and CA of tls-cert-file, tls-key-file and tls-ca-cert-file, as the TLS port and a TLS
 * replication link use them; {@link #reload} reads the files again and later handshakes use the new contents.
 * Loading reads files: never on the executing loop.
 */
public final class TlsCredentials {
    private final Vertx vertx;
    private final TlsSettings settings;
    private final SwappableKeyManager keys;
    /** Null without tls-ca-cert-file (no client certificates asked for, no TLS replication). */
    private final SwappableTrustManager trust;

    private TlsCredentials(Vertx vertx, TlsSettings settings) throws Exception {
        this.vertx = vertx;
        this.settings = settings;
        this.keys = new SwappableKeyManager(readKeys());
        this.trust = settings.caCertFile == null ? null : new SwappableTrustManager(readTrust());
    }

    /** Reads the files (blocking); an unreadable or mismatched file fails with what the TLS library said. */
    public static TlsCredentials load(Vertx vertx, TlsSettings settings) throws Exception {
        return new TlsCredentials(vertx, settings);
    }

    /** Reads the files again (blocking) and, when all of them load, swaps them in together. */
    public void reload() throws Exception {
        X509ExtendedKeyManager k = readKeys();
        X509ExtendedTrustManager t = trust == null ? null : readTrust();
        keys.swap(k);
        if (t != null) trust.swap(t);
    }

    public TlsSettings settings() {
        return settings;
    }

    /** The TLS port's server options (host and port are the caller's); tls-auth-clients decides client certificates. */
    public NetServerOptions serverOptions(NetServerOptions base) {
        base.setSsl(true).setUseAlpn(false).setKeyCertOptions(KeyCertOptions.wrap(keys)).setClientAuth(switch (settings.authClients) {
            case "yes" -> ClientAuth.REQUIRED;
            case "optional" -> ClientAuth.REQUEST;
            default -> ClientAuth.NONE;
        });
        if (trust != null) base.setTrustOptions(TrustOptions.wrap(trust));
        return base;
    }

    /**
     * A replication link's client side: the master's certificate checked against the CA, this server's certificate
     * presented as the client's; no host name check, as Redis (OpenSSL's peer verification without a host name).
     */
    public NetClientOptions clientOptions(NetClientOptions base) {
        return base.setSsl(true).setUseAlpn(false).setHostnameVerificationAlgorithm("")
            .setKeyCertOptions(KeyCertOptions.wrap(keys)).setTrustOptions(TrustOptions.wrap(trust));
    }

    private X509ExtendedKeyManager readKeys() throws Exception {
        KeyManager[] managers = new PemKeyCertOptions().setCertPath(settings.certFile).setKeyPath(settings.keyFile)
            .getKeyManagerFactory(vertx).getKeyManagers();
        for (KeyManager m : managers) {
            if (m instanceof X509ExtendedKeyManager x) {
                checkKeyMatchesCertificate(x);
                return x;
            }
        }
        throw new IllegalStateException("no X.509 key manager for " + settings.certFile);
    }

    /**
     * The key must be the certificate's (Redis's SSL_CTX_check_private_key): a mismatched pair would load, and then
     * fail every handshake. Checked by signing with the key and verifying with the certificate's public key.
     */
    private void checkKeyMatchesCertificate(X509ExtendedKeyManager km) throws Exception {
        for (String[] type : new String[][] {{"RSA", "SHA256withRSA"}, {"EC", "SHA256withECDSA"}, {"Ed25519", "Ed25519"}, {"EdDSA", "Ed25519"}}) {
            String[] aliases = km.getServerAliases(type[0], null);
            if (aliases == null || aliases.length == 0) continue;
            java.security.cert.X509Certificate[] chain = km.getCertificateChain(aliases[0]);
            java.security.PrivateKey key = km.getPrivateKey(aliases[0]);
            byte[] probe = "ferry".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            java.security.Signature sign = java.security.Signature.getInstance(type[1]);
            sign.initSign(key);
            sign.update(probe);
            byte[] signature = sign.sign();
            java.security.Signature verify = java.security.Signature.getInstance(type[1]);
            verify.initVerify(chain[0].getPublicKey());
            verify.update(probe);
            if (!verify.verify(signature)) {
                throw new IllegalStateException(settings.keyFile + " is not the private key of the certificate in " + settings.certFile);
            }
            return;
        }
        throw new IllegalStateException("no RSA, EC or Ed25519 key and certificate in " + settings.keyFile + " and " + settings.certFile);
    }

    private X509ExtendedTrustManager readTrust() throws Exception {
        TrustManager[] managers = new PemTrustOptions().addCertPath(settings.caCertFile).getTrustManagerFactory(vertx).getTrustManagers();
        for (TrustManager m : managers) if (m instanceof X509ExtendedTrustManager x) return x;
        throw new IllegalStateException("no X.509 trust manager for " + settings.caCertFile);
    }
}
