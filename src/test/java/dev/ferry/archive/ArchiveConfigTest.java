package dev.ferry.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.config.FerryConfig;
import dev.ferry.support.S3ProxyResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The settings as an app reads them, against s3proxy: ferry.archive.url and ferry.archive.s3.* open an S3 archive,
 * and the credentials come from the SDK's default chain (here the aws.* system properties), not from a setting.
 */
@QuarkusTest
@WithTestResource(S3ProxyResource.class)
class ArchiveConfigTest {
    @Inject
    FerryConfig config;

    @Test
    void theConfiguredArchiveIsTheS3BucketUnderItsPrefix() throws Exception {
        try (ArchiveStore store = ArchiveStores.open(ArchiveUrl.parse(config.archive().url().orElseThrow()), S3Settings.from(config.archive().s3()))) {
            assertEquals("s3://" + S3ProxyResource.BUCKET + "/archive at " + config.archive().s3().endpoint().orElseThrow(),
                store.describe());
            byte[] manifest = "{\"snapshots\":[]}".getBytes(StandardCharsets.UTF_8);
            store.write("manifest.json", manifest, "application/json");
            assertArrayEquals(manifest, store.read("manifest.json").orElseThrow());
        }
    }
}
