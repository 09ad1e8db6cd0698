package dev.ferry.archive;

import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    /**
     * An error answer to a plain HTTP request (a presigned GET): the status and S3's error document, whose Code and
     * Message are read with a pattern (a small, fixed document; no XML parser needed for two fields).
     */
    record Answer(int status, String code, String message) {
        private static final Pattern CODE = Pattern.compile("<Code>([^<]*)</Code>");
        private static final Pattern MESSAGE = Pattern.compile("<Message>([^<]*)</Message>");

        static Answer parse(int status, byte[] body) {
            String xml = new String(body, StandardCharsets.UTF_8);
            Matcher code = CODE.matcher(xml), message = MESSAGE.matcher(xml);
            return new Answer(status, code.find() ? code.group(1) : null, message.find() ? message.group(1) : null);
        }

        /** NoSuchKey, or a bare 404 (a HEAD has no body to name a bucket); NoSuchBucket is not a missing object. */
        boolean isMissingObject() {
            return "NoSuchKey".equals(code) || (status == 404 && !"NoSuchBucket".equals(code));
        }
    }

    IOException failure(String what, Answer a) {
        return new IOException("S3 " + what + " at " + server + " failed: " + answered(a.code(), a.status(), a.message()));
    }

    /** what: "upload s3://bucket/key" and the like. */
    IOException failure(String what, Throwable thrown) {
        Throwable t = unwrap(thrown);
        return new IOException("S3 " + what + " at " + server + " failed: " + cause(t), t);
    }

    /** The words for an error the server answered: S3's code, the HTTP status, S3's message. */
    private static String answered(String code, int statusCode, String detail) {
        String status = " (" + (code == null ? "" : code + ", ") + "HTTP " + statusCode + ")";
        if ("NoSuchBucket".equals(code)) return "no such bucket" + status;
        if (DENIED.contains(code) || statusCode == 403) return "access denied: check the credentials" + status;
        return (detail == null ? "the server refused the request" : detail) + status;
    }

    private String cause(Throwable t) {
        if (t instanceof S3Exception e) {
            boolean details = e.awsErrorDetails() != null;
            return answered(details ? e.awsErrorDetails().errorCode() : null, e.statusCode(),
                details ? e.awsErrorDetails().errorMessage() : null);
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
            if (c instanceof SocketTimeoutException) return "no answer from " + server + " in time (" + c.getMessage() + ")";
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
