package dev.ferry.archive;

import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;


/** Opens the archive ferry.archive.url names. */
public final class ArchiveStores {
    private ArchiveStores() {}

    /**
     * S3 credentials come from the SDK's default chain (environment, system properties, profile, web identity,
     * container, instance metadata), never from a Ferry setting, so none is ever logged.
     */
    public static ArchiveStore open(ArchiveUrl url, S3Settings s3) {
        if (url instanceof ArchiveUrl.S3 bucket) return new S3ArchiveStore(bucket, s3, DefaultCredentialsProvider.builder().build());
        return new FileArchiveStore(((ArchiveUrl.Local) url).directory());
    }
}
