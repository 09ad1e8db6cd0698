package dev.ferry.archive;

import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Turns what the SDK threw into an IOException an operator can act on: which operation, which object at which
 * server, and the likely cause in words (access denied, no such bucket, cannot reach). The SDK's own messages name
 * no credential, and neither does anything added here.
 */
final class S3Failures {
    private static final Set<String> DENIED = Set.of("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch",
        "InvalidToken", "ExpiredToken", "TokenRefreshRequired", "AllAccessDisabled", "InvalidSecurity");

    private final String server;

    /** server: the endpoint, or AWS S3 and its region, as messages name it. */
    S3Failures(String server) {
        this.server = server;
    }

    /** The error the server answered with (NoSuchKey, AccessDenied, ...), or null when there was no answer. */
    static S3Exception answered(Throwable t) {
        Throwable c = unwrap(t);
        return c instanceof S3Exception e ? e : null;
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) t = t.getCause();
        return t;
    }

    /** what: "upload s3://bucket/key" and the like. */
    IOException failure(String what, Throwable thrown) {
        Throwable t = unwrap(thrown);
        return new IOException("S3 " + what + " at " + server + " failed: " + cause(t), t);
    }

    private String cause(Throwable t) {
        if (t instanceof S3Exception e) {
            String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
            String status = " (" + (code == null ? "" : code + ", ") + "HTTP " + e.statusCode() + ")";
            if ("NoSuchBucket".equals(code)) return "no such bucket" + status;
            if (DENIED.contains(code) || e.statusCode() == 403) return "access denied: check the credentials" + status;
            String detail = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
            return (detail == null ? "the server refused the request" : detail) + status;
        }
        if (t instanceof ApiCallAttemptTimeoutException || t instanceof ApiCallTimeoutException) {
            return "cannot reach " + server + ": no answer in time (" + t.getMessage() + ")";
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConnectException || c instanceof NoRouteToHostException || c instanceof UnknownHostException) {
                return "cannot reach " + server + " (" + c.getMessage() + ")";
            }
            // seen against a closed port: after refused connections an attempt's connection acquisition can hang
            // until the HTTP client's acquisition timeout instead of being refused again
            if (c instanceof TimeoutException || String.valueOf(c.getMessage()).contains("Acquire operation took longer")) {
                return "cannot reach " + server + ": no connection in time";
            }
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof IOException) return "the connection to " + server + " broke (" + c + ")";
        }
        if (t instanceof SdkClientException) return t.getMessage();
        return String.valueOf(t);
    }
}
