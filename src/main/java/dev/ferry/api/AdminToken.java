package dev.ferry.api;

import dev.ferry.config.FerryConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * ferry.admin-token, held only as its SHA-256 digest: the token itself is in no field that a log line, a dump of
 * this bean or the metrics could show. A presented token is compared by digest with MessageDigest.isEqual, whose
 * time does not depend on where the bytes differ, nor (digests being all 32 bytes) on the token's length.
 */
@ApplicationScoped
public class AdminToken {
    /** What a request's Authorization header amounts to. */
    public enum Verdict { ACCEPTED, WRONG, NOT_CONFIGURED }

    private static final String BEARER = "Bearer ";

    private final byte[] digest;

    @Inject
    public AdminToken(FerryConfig config) {
        this.digest = config.adminToken().filter(t -> !t.isEmpty()).map(AdminToken::sha256).orElse(null);
    }

    public Verdict check(String authorization) {
        if (digest == null) return Verdict.NOT_CONFIGURED;
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Verdict.WRONG;
        }
        byte[] presented = sha256(authorization.substring(BEARER.length()).trim());
        return MessageDigest.isEqual(digest, presented) ? Verdict.ACCEPTED : Verdict.WRONG;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
