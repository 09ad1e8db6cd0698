package dev.ferry.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * An archive in a local directory ({@code file:///path}): the embedded default, and what a laptop walk-through
 * uses. An object is a file; its metadata is a sidecar {@code <file>.meta} (Java properties). A write goes to a
 * temporary file in the same directory, is forced to disk and renamed over the key, metadata first, so a
 * reader sees an object whole or not at all, and a crash leaves at most a stray temporary file.
 */
public final class FileArchiveStore implements ArchiveStore {
    private static final String META = ".meta";
    private static final int CHUNK = 8 * 1024 * 1024;

    private final Path root;

    public FileArchiveStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    private Path path(String key) throws IOException {
        Path p = root.resolve(key).normalize();
        if (!p.startsWith(root) || p.equals(root)) throw new IOException("archive key outside the archive: " + key);
        return p;
    }

    @Override
    public void upload(Path file, String key, Map<String, String> metadata, Progress progress) throws IOException {
        Path target = path(key);
        Files.createDirectories(target.getParent());
        writeMeta(target, metadata);
        Path tmp = temp(target);
        try {
            copy(file, tmp, progress);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        publish(tmp, target);
    }

    @Override
    public Optional<InputStream> open(String key) throws IOException {
        try {
            return Optional.of(Files.newInputStream(path(key)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public boolean download(String key, Path target, Progress progress) throws IOException {
        Path source = path(key);
        if (!Files.isRegularFile(source)) return false;
        Path tmp = temp(target);
        try {
            copy(source, tmp, progress);
        } catch (NoSuchFileException e) {
            Files.deleteIfExists(tmp);
            return false;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        publish(tmp, target);
        return true;
    }

    @Override
    public Optional<byte[]> read(String key) throws IOException {
        try {
            return Optional.of(Files.readAllBytes(path(key)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public void write(String key, byte[] body, String contentType) throws IOException {
        Path target = path(key);
        Files.createDirectories(target.getParent());
        Path tmp = temp(target);
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
            out.write(java.nio.ByteBuffer.wrap(body));
            out.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        publish(tmp, target);
    }

    @Override
    public Optional<ObjectInfo> head(String key) throws IOException {
        Path p = path(key);
        try {
            long size = Files.size(p);
            return Optional.of(new ObjectInfo(key, size, readMeta(p)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public void delete(String key) throws IOException {
        Path p = path(key);
        Files.deleteIfExists(p);
        Files.deleteIfExists(p.resolveSibling(p.getFileName() + META));
    }

    @Override
    public String describe() {
        return root.toUri().toString();
    }

    @Override
    public void close() {
    }

    /** Copies from into a new file to, forced to disk, reporting progress per chunk. */
    private static void copy(Path from, Path to, Progress progress) throws IOException {
        try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(to, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
            long size = in.size(), done = 0;
            while (done < size) {
                done += in.transferTo(done, Math.min(CHUNK, size - done), out);
                progress.transferred(done, size);
            }
            out.force(true);
        }
    }

    /** Writes a stream of total bytes (-1 when unknown) to a new file, synced before it returns. */
    static void write(InputStream in, long total, Path to, Progress progress) throws IOException {
        byte[] buf = new byte[1 << 20];
        try (FileChannel out = FileChannel.open(to, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
            long done = 0;
            int n;
            while ((n = in.read(buf)) >= 0) {
                ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
                while (b.hasRemaining()) out.write(b);
                done += n;
                progress.transferred(done, total);
            }
            out.force(true);
        }
    }

    /** A new temporary file's name beside target, hidden, unique to this process and moment. */
    static Path temp(Path target) throws IOException {
        Files.createDirectories(target.getParent());
        return target.resolveSibling("." + target.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    }

    /** Puts tmp in target's place in one step where the file system can. */
    static void publish(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void writeMeta(Path target, Map<String, String> metadata) throws IOException {
        Properties p = new Properties();
        p.putAll(metadata);
        Path meta = target.resolveSibling(target.getFileName() + META);
        Path tmp = temp(meta);
        try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW)) {
            p.store(out, null);
        }
        publish(tmp, meta);
    }

    private static Map<String, String> readMeta(Path target) throws IOException {
        Path meta = target.resolveSibling(target.getFileName() + META);
        Map<String, String> out = new TreeMap<>();
        if (!Files.isRegularFile(meta)) return out;
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(meta, StandardCharsets.UTF_8)) {
            p.load(in);
        }
        p.forEach((k, v) -> out.put((String) k, (String) v));
        return out;
    }
}
