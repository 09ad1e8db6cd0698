package dev.ferry.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.StorageClass;

/** ferry.archive.url and ferry.archive.s3.*: what is accepted, the defaults, and errors that name the setting. */
class ArchiveSettingsTest {

    @Test
    void s3UrlsGiveBucketAndPrefixWithoutStraySlashes() {
        assertEquals(new ArchiveUrl.S3("my-bucket", ""), ArchiveUrl.parse("s3://my-bucket"));
        assertEquals(new ArchiveUrl.S3("my-bucket", ""), ArchiveUrl.parse("s3://my-bucket/"));
        assertEquals(new ArchiveUrl.S3("my-bucket", "ferry/prod"), ArchiveUrl.parse("s3://my-bucket/ferry/prod/"));
        assertEquals("ferry/prod/manifest.json", new ArchiveUrl.S3("b", "ferry/prod").objectKey("manifest.json"));
        assertEquals("manifest.json", new ArchiveUrl.S3("b", "").objectKey("manifest.json"));
        assertEquals("s3://my-bucket/ferry", ArchiveUrl.parse("s3://my-bucket/ferry").toString());
        assertThrows(IllegalArgumentException.class, () -> new ArchiveUrl.S3("b", "p").objectKey("/manifest.json"));
    }

    @Test
    void fileUrlsGiveAnAbsoluteDirectory() {
        assertEquals(new ArchiveUrl.Local(Path.of("/var/lib/ferry/archive")), ArchiveUrl.parse("file:///var/lib/ferry/archive"));
        assertEquals(new ArchiveUrl.Local(Path.of("/tmp/a")), ArchiveUrl.parse("file:/tmp/a/"));
    }

    @Test
    void anythingElseIsAnErrorNamingTheSettingAndTheForms() {
        for (String bad : new String[] {"http://bucket/x", "bucket/prefix", "s3://", "s3://B!/x", "s3://ab", "s3://bucket//x",
                "file://host/path", "file:relative/dir", "/var/lib/ferry"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ArchiveUrl.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("ferry.archive.url must be s3://bucket[/prefix] or file:///absolute/path, not '" + bad + "'"),
                e.getMessage());
        }
    }

    @Test
    void awsDefaultsWithoutAnEndpoint() {
        S3Settings s = S3Settings.parse(null, null, null, null, "none", null, null);
        assertEquals(Optional.empty(), s.endpoint());
        assertEquals(Optional.empty(), s.region());
        assertFalse(s.pathStyle());
        assertEquals(S3Settings.Checksum.WHEN_SUPPORTED, s.checksum());
        assertEquals(Optional.empty(), s.sse());
        assertEquals(Optional.empty(), s.storageClass());
    }

    @Test
    void anEndpointTurnsOnPathStyleAndChecksumsOnlyWhenRequired() {
        S3Settings s = S3Settings.parse("http://127.0.0.1:9000/", null, null, null, "none", null, null);
        assertEquals(Optional.of(URI.create("http://127.0.0.1:9000")), s.endpoint());
        assertTrue(s.pathStyle());
        assertEquals(S3Settings.Checksum.WHEN_REQUIRED, s.checksum());
        S3Settings explicit = S3Settings.parse("https://minio.local", "eu-west-1", "false", "when_supported", "none", null, null);
        assertFalse(explicit.pathStyle());
        assertEquals(S3Settings.Checksum.WHEN_SUPPORTED, explicit.checksum());
        assertEquals(Optional.of("eu-west-1"), explicit.region());
    }

    @Test
    void encryptionAndStorageClass() {
        S3Settings kms = S3Settings.parse(null, null, null, null, "aws:kms", "arn:aws:kms:eu-west-1:1:key/k", "STANDARD_IA");
        assertEquals(Optional.of(ServerSideEncryption.AWS_KMS), kms.sse());
        assertEquals(Optional.of("arn:aws:kms:eu-west-1:1:key/k"), kms.sseKmsKeyId());
        assertEquals(Optional.of(StorageClass.STANDARD_IA), kms.storageClass());
        assertEquals(Optional.of(ServerSideEncryption.AES256), S3Settings.parse(null, null, null, null, "AES256", null, null).sse());
    }

    @Test
    void invalidValuesNameTheirSetting() {
        assertNamed("ferry.archive.s3.endpoint", () -> S3Settings.parse("ftp://host", null, null, null, "none", null, null));
        assertNamed("ferry.archive.s3.endpoint", () -> S3Settings.parse("http://host/path", null, null, null, "none", null, null));
        assertNamed("ferry.archive.s3.region", () -> S3Settings.parse(null, "EU West", null, null, "none", null, null));
        assertNamed("ferry.archive.s3.path-style", () -> S3Settings.parse(null, null, "maybe", null, "none", null, null));
        assertNamed("ferry.archive.s3.checksum", () -> S3Settings.parse(null, null, null, "always", "none", null, null));
        assertNamed("ferry.archive.s3.sse", () -> S3Settings.parse(null, null, null, null, "kms", null, null));
        assertNamed("ferry.archive.s3.sse-kms-key-id", () -> S3Settings.parse(null, null, null, null, "AES256", "key", null));
        assertNamed("ferry.archive.s3.sse-kms-key-id", () -> S3Settings.parse(null, null, null, null, "none", "key", null));
        assertNamed("ferry.archive.s3.storage-class", () -> S3Settings.parse(null, null, null, null, "none", null, "COLD"));
    }

    private static void assertNamed(String setting, org.junit.jupiter.api.function.Executable parse) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, parse);
        assertTrue(e.getMessage().startsWith(setting + " "), e.getMessage());
    }
}
