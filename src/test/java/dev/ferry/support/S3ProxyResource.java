package dev.ferry.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * An s3proxy for a {@code @QuarkusTest} ({@code @WithTestResource(S3ProxyResource.class)}): the app archives to
 * s3://ferry/archive on it. The credentials reach the SDK's default chain as the system properties
 * aws.accessKeyId and aws.secretAccessKey, the way an operator's environment would, not as Ferry settings.
 */
public final class S3ProxyResource implements QuarkusTestResourceLifecycleManager {
    public static final String BUCKET = "ferry";
    public static final String IDENTITY = "ferry-test";
    public static final String CREDENTIAL = "ferry-test-secret";

    private S3Proxy proxy;

    @Override
    public Map<String, String> start() {
        try {
            proxy = S3Proxy.start(IDENTITY, CREDENTIAL);
            proxy.createBucket(BUCKET);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.setProperty("aws.accessKeyId", IDENTITY);
        System.setProperty("aws.secretAccessKey", CREDENTIAL);
        return Map.of(
            "ferry.archive.url", "s3://" + BUCKET + "/archive",
            "ferry.archive.s3.endpoint", proxy.endpoint(),
            "ferry.archive.s3.region", "us-east-1");
    }

    @Override
    public void stop() {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
        if (proxy == null) return;
        try {
            proxy.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
