package dev.ferry.archive;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** ferry.archive.url, parsed: an S3 bucket and key prefix, or a local directory. */
public sealed interface ArchiveUrl {

    /** {@code s3://bucket[/prefix]}; the prefix has no leading or trailing slash and may be empty. */
    record S3(String bucket, String prefix) implements ArchiveUrl {
        /** The object key of an archive key: prefix/key, or the key alone without a prefix. */
        public String objectKey(String key) {
            if (key.isEmpty() || key.startsWith("/")) throw new IllegalArgumentException("archive key must be relative: '" + key + "'");
            return prefix.isEmpty() ? key : prefix + "/" + key;
        }

        @Override
        public String toString() {
            return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
        }
    }

    /** {@code file:///absolute/path}. */
    record Local(Path directory) implements ArchiveUrl {
        @Override
        public String toString() {
            return directory.toUri().toString();
        }
    }

    String SETTING = "ferry.archive.url";

    /** The URL, or an IllegalArgumentException naming the setting and the accepted forms. */
    static ArchiveUrl parse(String url) {
        String v = url.trim();
        if (v.regionMatches(true, 0, "s3://", 0, 5)) return s3(v.substring(5), url);
        if (v.regionMatches(true, 0, "file:", 0, 5)) return local(v, url);
        throw invalid(url, "the scheme must be s3:// or file://");
    }

    private static S3 s3(String rest, String url) {
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1);
        // S3's bucket naming rules (the dots-and-dashes subtleties are left to S3 itself)
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw invalid(url, "'" + bucket + "' is not a bucket name (3-63 lowercase letters, digits, dots, hyphens)");
        }
        while (prefix.endsWith("/")) prefix = prefix.substring(0, prefix.length() - 1);
        if (prefix.startsWith("/") || prefix.contains("//")) throw invalid(url, "the prefix has an empty path segment");
        if (prefix.contains("?") || prefix.contains("#")) throw invalid(url, "the prefix may not hold '?' or '#'");
        return new S3(bucket, prefix);
    }

    private static Local local(String v, String url) {
        try {
            URI u = new URI(v);
            boolean noHost = u.getRawAuthority() == null || u.getRawAuthority().isEmpty();
            if (!u.isOpaque() && noHost && u.getPath() != null && u.getPath().startsWith("/") && u.getRawQuery() == null) {
                return new Local(Path.of(u.getPath()).normalize());
            }
        } catch (URISyntaxException e) {
            throw invalid(url, e.getMessage());
        }
        throw invalid(url, "a local archive is file:///absolute/path");
    }

    private static IllegalArgumentException invalid(String url, String why) {
        return new IllegalArgumentException(SETTING + " must be s3://bucket[/prefix] or file:///absolute/path, not '" + url + "': " + why);
    }
}
