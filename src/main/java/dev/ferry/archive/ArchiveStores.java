package dev.ferry.archive;

import dev.ferry.config.FerryConfig;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

import java.util.Optional;

/** Opens the archive ferry.archive.url names. */
public final class ArchiveStores {
    private ArchiveStores() {}

    /** The configured archive, or empty when ferry.archive.url is unset. Invalid settings: IllegalArgumentException. */
    public static Optional<ArchiveStore> open(FerryConfig.Archive config) {
        return config.url().filter(u -> !u.isBlank()).map(u -> open(ArchiveUrl.parse(u), S3Settings.from(config.s3())));
    }

    /**
     * S3 credentials come from the SDK's default chain (environment, system properties, profile, web identity,
     * container, instance metadata), never from a Ferry setting, so none is ever logged.
     */
    public static ArchiveStore open(ArchiveUrl url, S3Settings s3) {
        if (url instanceof ArchiveUrl.S3 bucket) return new S3ArchiveStore(bucket, s3, DefaultCredentialsProvider.builder().build());
        return new FileArchiveStore(((ArchiveUrl.Local) url).directory());
    }
}
