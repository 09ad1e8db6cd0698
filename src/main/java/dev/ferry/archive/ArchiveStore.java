package dev.ferry.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where archived objects live: an S3 bucket under a prefix, or a local directory. Keys are relative to the
 * archive's root ("manifest.json", "snapshots/20261201T120000Z-&lt;replid&gt;-&lt;offset&gt;.rdb").
 *
 * <p>Every method blocks and is called on a worker thread, never on an event loop. Failures are IOExceptions
 * whose message says what failed and why in words an operator can act on (the endpoint and bucket, "access
 * denied", "no such bucket"), never a credential.
 */
public interface ArchiveStore extends AutoCloseable {

    /** Receives the bytes moved so far of a transfer of {@code total} bytes (-1 when unknown). */
    interface Progress {
        void transferred(long bytes, long total);

        Progress NONE = (bytes, total) -> { };
    }

    /** What is known of a stored object without reading it. */
    record ObjectInfo(String key, long size, Map<String, String> metadata) { }

    /**
     * Stores a file under key with user metadata (lowercase names), streaming it: memory stays bounded whatever
     * the size (S3: multipart above a part size). The object appears whole or not at all.
     */
    void upload(Path file, String key, Map<String, String> metadata, Progress progress) throws IOException;

    /** Writes the object to target (replacing it); false when there is no such object. */
    boolean download(String key, Path target, Progress progress) throws IOException;

    /**
     * The object's bytes as a stream, read as they arrive (a load can start before the transfer ends), or empty when
     * there is no such object. Reading blocks; a transfer that fails midway throws an IOException from read. The
     * caller closes it.
     */
    Optional<InputStream> open(String key) throws IOException;

    /** A small object (the manifest) whole, or empty when it does not exist. */
    Optional<byte[]> read(String key) throws IOException;

    /** Stores a small object whole, replacing any previous one atomically for readers. */
    void write(String key, byte[] body, String contentType) throws IOException;

    /** Size and metadata, or empty when there is no such object. */
    Optional<ObjectInfo> head(String key) throws IOException;

    /** Deletes the object; deleting a missing one is not an error. */
    void delete(String key) throws IOException;

    /** Where this archive is, for logs and INFO: the URL without credentials. */
    String describe();

    @Override
    void close();
}
