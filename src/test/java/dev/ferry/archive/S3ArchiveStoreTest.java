package dev.ferry.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.support.S3Proxy;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** The contract on a real S3 server (s3proxy), each test under a prefix of its own in one bucket. */
class S3ArchiveStoreTest extends ArchiveStoreContract {
    static final String BUCKET = "archive";
    private static final AtomicInteger TESTS = new AtomicInteger();
    private static S3Proxy proxy;

    private String testPrefix;

    @BeforeAll
    static void startS3() throws Exception {
        proxy = S3Proxy.start("contract-id", "contract-secret");
        proxy.createBucket(BUCKET);
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (proxy != null) proxy.close();
    }

    @BeforeEach
    void prefix() {
        testPrefix = "test-" + TESTS.incrementAndGet();
    }

    static S3Settings settings(S3Proxy proxy) {
        return S3Settings.parse(proxy.endpoint(), "us-east-1", null, null, null, null, null);
    }

    static StaticCredentialsProvider credentials(String identity, String secret) {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(identity, secret));
    }

    private ArchiveUrl.S3 url(String root) {
        return (ArchiveUrl.S3) ArchiveUrl.parse("s3://" + BUCKET + "/" + testPrefix + "/" + root + "/");
    }

    @Override
    ArchiveStore store(String root) {
        return new S3ArchiveStore(url(root), settings(proxy), credentials(proxy.identity(), proxy.credential()));
    }

    /** The server saw the parts arrive: one PUT with a partNumber each. */
    @Override
    void assertStoredInParts(String root, String key, int parts) {
        String part = "PUT /" + BUCKET + "/" + url(root).objectKey(key) + "?partNumber=";
        List<String> requests = proxy.requests();
        assertEquals(parts, requests.stream().filter(r -> r.startsWith(part)).count(), "part uploads among " + requests);
    }
}
