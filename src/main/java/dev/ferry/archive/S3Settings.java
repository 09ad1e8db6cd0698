package dev.ferry.archive;

import dev.ferry.config.FerryConfig;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.StorageClass;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/**
 * How an {@code s3://} archive is reached and how its objects are stored: the ferry.archive.s3.* settings, checked
 * and with their defaults resolved (which depend on whether an endpoint is set). A plain value, so tests build one
 * without Quarkus. The region stays optional here: the SDK's region chain is asked only when a client is built.
 *
 * @param endpoint       an S3-compatible server instead of AWS S3
 * @param region         the region to sign for; empty = the SDK's chain
 * @param pathStyle      bucket in the path instead of the host name
 * @param checksum       when the SDK computes and checks request and response checksums
 * @param sse            server-side encryption asked for on each stored object; empty = the bucket's default
 * @param sseKmsKeyId    the KMS key of {@link ServerSideEncryption#AWS_KMS}
 * @param storageClass   the storage class of each stored object; empty = the bucket's default
 */
public record S3Settings(Optional<URI> endpoint, Optional<String> region, boolean pathStyle, Checksum checksum,
                         Optional<ServerSideEncryption> sse, Optional<String> sseKmsKeyId,
                         Optional<StorageClass> storageClass) {

    /** ferry.archive.s3.checksum: sets both the SDK's requestChecksumCalculation and responseChecksumValidation. */
    public enum Checksum { WHEN_SUPPORTED, WHEN_REQUIRED }

    private static final String PREFIX = "ferry.archive.s3.";

    public static S3Settings from(FerryConfig.Archive.S3 c) {
        return parse(c.endpoint().orElse(null), c.region().orElse(null), c.pathStyle().orElse(null),
            c.checksum().orElse(null), c.sse(), c.sseKmsKeyId().orElse(null), c.storageClass().orElse(null));
    }

    /**
     * Checks raw values (null or blank = unset) and resolves the defaults; an invalid value is an
     * IllegalArgumentException naming its setting.
     */
    public static S3Settings parse(String endpoint, String region, String pathStyle, String checksum, String sse,
                                   String sseKmsKeyId, String storageClass) {
        Optional<URI> ep = present(endpoint).map(S3Settings::endpoint);
        Optional<String> rg = present(region).map(S3Settings::region);
        boolean path = present(pathStyle).map(S3Settings::bool).orElse(ep.isPresent());
        Checksum sum = present(checksum).map(S3Settings::checksum)
            .orElse(ep.isPresent() ? Checksum.WHEN_REQUIRED : Checksum.WHEN_SUPPORTED);
        Optional<ServerSideEncryption> enc = present(sse).flatMap(S3Settings::sse);
        Optional<String> kms = present(sseKmsKeyId);
        if (kms.isPresent() && enc.orElse(null) != ServerSideEncryption.AWS_KMS) {
            throw new IllegalArgumentException(PREFIX + "sse-kms-key-id is only valid with " + PREFIX + "sse=aws:kms, not with sse="
                + enc.map(ServerSideEncryption::toString).orElse("none"));
        }
        Optional<StorageClass> sc = present(storageClass).map(S3Settings::storageClass);
        return new S3Settings(ep, rg, path, sum, enc, kms, sc);
    }

    private static Optional<String> present(String v) {
        return Optional.ofNullable(v).map(String::trim).filter(s -> !s.isEmpty());
    }

    private static URI endpoint(String v) {
        try {
            URI u = new URI(v);
            boolean web = "http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme());
            boolean bare = u.getRawQuery() == null && u.getRawFragment() == null && u.getRawUserInfo() == null
                && (u.getRawPath() == null || u.getRawPath().isEmpty() || u.getRawPath().equals("/"));
            if (web && u.getHost() != null && bare) return new URI(u.getScheme().toLowerCase(Locale.ROOT), null, u.getHost(), u.getPort(), null, null, null);
        } catch (URISyntaxException e) {
            // reported below with the setting's name
        }
        throw new IllegalArgumentException(PREFIX + "endpoint must be http(s)://host[:port], not '" + v + "'");
    }

    private static String region(String v) {
        if (!v.matches("[a-z0-9-]+")) {
            throw new IllegalArgumentException(PREFIX + "region must be a region name such as eu-west-1, not '" + v + "'");
        }
        return v;
    }

    private static boolean bool(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "yes" -> true;
            case "false", "no" -> false;
            default -> throw new IllegalArgumentException(PREFIX + "path-style must be true or false, not '" + v + "'");
        };
    }

    private static Checksum checksum(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "when_supported" -> Checksum.WHEN_SUPPORTED;
            case "when_required" -> Checksum.WHEN_REQUIRED;
            default -> throw new IllegalArgumentException(PREFIX + "checksum must be when_supported or when_required, not '" + v + "'");
        };
    }

    private static Optional<ServerSideEncryption> sse(String v) {
        if (v.equalsIgnoreCase("none")) return Optional.empty();
        if (v.equals("AES256")) return Optional.of(ServerSideEncryption.AES256);
        if (v.equals("aws:kms")) return Optional.of(ServerSideEncryption.AWS_KMS);
        throw new IllegalArgumentException(PREFIX + "sse must be none, AES256 or aws:kms, not '" + v + "'");
    }

    private static StorageClass storageClass(String v) {
        StorageClass sc = StorageClass.fromValue(v);
        if (sc == null || sc == StorageClass.UNKNOWN_TO_SDK_VERSION) {
            throw new IllegalArgumentException(PREFIX + "storage-class must be one of " + StorageClass.knownValues() + ", not '" + v + "'");
        }
        return sc;
    }
}
