package dev.ferry.snapshot;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A snapshot as {@code dir/dbfilename}, written as Redis's rdbSave writes it: into a temp file in the
 * same directory (temp-<pid>-<n>.rdb), fsynced, renamed over the target, then the directory fsynced, so that a crash or kill -9 at
 * any moment leaves either the previous file or the new one, whole.
 */
public final class FileSink implements SnapshotSink {
    /** Each sink its own temp file: a cancelled save cleaning up must not touch the next one's. */
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private final Path target;
    private final Path temp;
    private FileChannel channel;

    public FileSink(Path dir, String filename) {
        this.target = dir.resolve(filename);
        this.temp = dir.resolve("temp-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet() + ".rdb");
    }

    public Path target() {
        return target;
    }

    @Override
    public OutputStream open() throws IOException {
        Files.createDirectories(target.getParent());
        channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
        OutputStream raw = Channels.newOutputStream(channel);
        // RdbOutput buffers itself and hands over large blocks: no second buffer here
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                raw.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                raw.write(b, off, len);
            }
        };
    }

    @Override
    public void commit() throws IOException {
        channel.force(true);
        channel.close();
        channel = null;
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        // the rename itself is durable only once the directory is
        try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    @Override
    public void abort() {
        try {
            if (channel != null) channel.close();
        } catch (IOException ignored) {
            // the file goes anyway
        }
        channel = null;
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // a temp file left behind is overwritten by the next save
        }
    }

    @Override
    public String describe() {
        return target.toString();
    }
}
