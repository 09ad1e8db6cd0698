package dev.ferry.archive;

import dev.ferry.engine.DatasetLoader;
import dev.ferry.rdb.RdbReader;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An archived snapshot loaded as it downloads: a thread of its own copies the object's bytes to a file beside the
 * target as fast as the archive sends them, and the loader reads that file behind it, waiting where it catches
 * up. The download and the load overlap instead of following each other, and neither slows the other down (a
 * loader reading the transfer itself would hold the transfer to its own pace). Nothing is installed until the
 * whole object was read and checked: its RDB CRC64 (by the loader), then its size, CRC64 trailer and repl-offset
 * against the manifest's entry; only then the file is synced and renamed onto the target (a later restart loads
 * it from disk). A snapshot that fails a check is refused (the bootstrap tries the previous one) and its file
 * deleted; a transfer that breaks is an I/O failure (retried).
 */
final class StreamedSnapshot implements DatasetLoader.Source {
    private static final Logger LOG = Logger.getLogger(StreamedSnapshot.class);
    private static final int CHUNK = 1 << 20;

    private final ArchiveStore store;
    private final ArchivedSnapshot snapshot;
    private final Path target;
    private final Path tmp;
    private final String who;
    private final ArchiveStore.Progress progress;
    private final Runnable downloadEnded;
    private InputStream body;
    private FileChannel file;
    private Thread downloader;
    private long start;

    // what the downloader has written, under the monitor of this
    private long written;
    private boolean ended;
    private IOException failure;

    /** progress hears the bytes downloaded; downloadEnded runs (on the download thread) once the last byte arrived. */
    StreamedSnapshot(ArchiveStore store, ArchivedSnapshot snapshot, Path target, String who, ArchiveStore.Progress progress,
                     Runnable downloadEnded) {
        this.store = store;
        this.snapshot = snapshot;
        this.target = target;
        this.tmp = target.resolveSibling("." + target.getFileName() + ".download");
        this.who = who;
        this.progress = progress;
        this.downloadEnded = downloadEnded;
    }

    @Override
    public RdbReader open() throws IOException {
        ArchivedSnapshot s = snapshot;
        LOG.infof("%s: downloading and loading %s (%.1f MB, replid %s, offset %d)", who, s.key(), s.bytes() / 1e6, s.replId(), s.offset());
        start = System.nanoTime();
        Files.createDirectories(target.toAbsolutePath().getParent());
        body = store.open(s.key()).orElseThrow(() -> new DatasetLoader.Refused("the manifest lists it but the archive does not have it"));
        file = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
        downloader = new Thread(this::download, "ferry-archive-download");
        downloader.setDaemon(true);
        downloader.start();
        return RdbReader.of(new Behind(), s.bytes());
    }

    /** On the download thread: the whole object into the file, then ended (or the failure). */
    private void download() {
        byte[] buf = new byte[CHUNK];
        long at = 0;
        try {
            int n;
            while ((n = body.read(buf)) >= 0) {
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                while (bb.hasRemaining()) at += file.write(bb, at);
                synchronized (this) {
                    written = at;
                    notifyAll();
                }
                progress.transferred(at, snapshot.bytes());
            }
            double secs = (System.nanoTime() - start) / 1e9;
            LOG.infof("%s: downloaded %s, %.1f MB in %.2f s (%.1f MB/s)", who, snapshot.key(), at / 1e6, secs, at / 1e6 / Math.max(secs, 0.001));
            downloadEnded.run();
            synchronized (this) {
                ended = true;
                notifyAll();
            }
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                failure = e instanceof IOException io ? io : new IOException(e.toString(), e);
                notifyAll();
            }
        }
    }

    /** Waits until the file holds more than position bytes, or the download ended; the bytes written by then. */
    private synchronized long awaitPast(long position) throws IOException {
        try {
            while (written <= position && !ended && failure == null) wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for the download");
        }
        if (failure != null) throw new IOException(failure.getMessage(), failure);
        return written;
    }

    @Override
    public void finished(DatasetLoader.Loaded l) throws IOException {
        long size = awaitPast(Long.MAX_VALUE);
        if (size != snapshot.bytes()) {
            throw new DatasetLoader.Refused("it has " + size + " bytes, the manifest says " + snapshot.bytes());
        }
        file.force(true);
        close();
        String mismatch = SnapshotDownload.mismatch(SnapshotFacts.read(tmp), snapshot);
        if (mismatch != null) throw new DatasetLoader.Refused(mismatch);
        FileArchiveStore.publish(tmp, target);
    }

    @Override
    public void abandoned() {
        close();
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException e) {
            LOG.warnf("%s: cannot delete %s: %s", who, tmp, e.getMessage());
        }
    }

    /** Stops the download if it still runs (closing its stream breaks its read) and closes the file. */
    private void close() {
        try (InputStream b = body; FileChannel c = file) {
            body = null;
            file = null;
            Thread d = downloader;
            if (d != null && d.isAlive()) {
                b.close();
                d.interrupt();
                d.join(5_000);
            }
        } catch (IOException e) {
            LOG.debugf("%s: closing the download: %s", who, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return store.describe() + " " + snapshot.key();
    }

    /** The file as the loader reads it: up to what the download has written, waiting there for more. */
    private final class Behind extends InputStream {
        private long position;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            long available = awaitPast(position) - position;
            if (available <= 0) return -1;
            int n = file.read(ByteBuffer.wrap(b, off, (int) Math.min(len, available)), position);
            if (n > 0) position += n;
            return n;
        }
    }
}
