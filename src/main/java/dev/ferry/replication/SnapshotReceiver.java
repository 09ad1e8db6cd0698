package dev.ferry.replication;

import dev.ferry.engine.DatasetLoader;
import dev.ferry.engine.ServerContext;
import dev.ferry.engine.config.ServerSettings;
import dev.ferry.engine.info.InfoWriter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The replica's side of a full resync's snapshot (Redis's readSyncBulkPayload): the master's RDB, sized
 * ({@code $<len>}) or EOF-marked ({@code $EOF:<40 bytes>}, a diskless master), written to a temp file by the file's
 * own threads while the socket waits whenever the file does, then loaded off the loop into tables of its own. The
 * stream bytes that follow the snapshot are held back here until the loaded dataset is in.
 *
 * <p>It is apart from {@link MasterLink} because the transfer has its own bookkeeping (sizes, the held-back tail of
 * an EOF-marked transfer, the temp file, progress) that the handshake and the stream never look at. The link keeps
 * the connection, its generation and its state: this receiver reads them through the link, so a callback of an
 * older connection is ignored here exactly as there, and any failure ends in the link's {@link MasterLink#close}.
 * The swap of the loaded dataset is the link's ({@link MasterLink#install}). Runs on the loop.
 */
final class SnapshotReceiver {
    /** Its lines keep the category they always had: log filters and tests listen to the link's. */
    private static final Logger LOG = Logger.getLogger(MasterLink.class);
    private static final long PROGRESS_EVERY_NANOS = 2_000_000_000L;

    private final ServerContext ctx;
    private final ServerSettings settings;
    private final MasterLink link;

    /** -1 for an EOF-marked (diskless) transfer. */
    private long transferSize;
    private long transferRead;
    private byte[] eofMark;
    /** The last bytes of an EOF-marked transfer, held back until it is clear they are not the mark. */
    private byte[] tail = new byte[0];
    private AsyncFile file;
    private Path tempFile;
    private long transferStartNanos, lastProgressNanos;
    /** Bytes of the stream that came after the snapshot, applied once it is loaded. */
    private final List<byte[]> afterSnapshot = new ArrayList<>();

    SnapshotReceiver(ServerContext ctx, MasterLink link) {
        this.ctx = ctx;
        this.settings = ctx.settings();
        this.link = link;
    }

    /** Whether snapshot bytes go straight to the open temp file (the header is read and the file is open). */
    boolean writingToFile() {
        return transferSize != 0 && file != null;
    }

    /** Whether the line before the snapshot ($EOF:<mark> or $<length>) is still to come. */
    boolean awaitingHeader() {
        return file == null && transferSize == 0;
    }

    /** Stream bytes received while the snapshot loads: they wait for the loaded dataset. */
    void holdBack(byte[] bytes) {
        afterSnapshot.add(bytes);
    }

    void beginTransfer() {
        transferSize = 0;
        transferRead = 0;
        eofMark = null;
        tail = new byte[0];
        file = null;
    }

    /** The line before the snapshot: a keepalive, an error, $EOF:<mark> or $<length>. */
    void bulkHeader(String line) {
        if (line.isEmpty()) return;
        if (line.startsWith("-")) {
            link.close("MASTER aborted replication with an error: " + line);
            return;
        }
        if (!line.startsWith("$")) {
            link.close("Bad protocol from MASTER, the first byte is not '$' (we received '" + line + "'), are you sure the host and port are right?");
            return;
        }
        if (line.startsWith("$EOF:") && line.length() == 5 + 40) {
            eofMark = line.substring(5).getBytes(StandardCharsets.ISO_8859_1);
            transferSize = -1;
            LOG.info("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk");
        } else {
            transferSize = MasterLink.parseLong(line.substring(1), -2);
            if (transferSize < 0) {
                link.close("Bad bulk length from MASTER: '" + line + "'");
                return;
            }
            LOG.infof("MASTER <-> REPLICA sync: receiving %d bytes from master to disk", transferSize);
        }
        openTempFile();
    }

    /** The temp file the snapshot goes to, under dir; the socket is paused until it is open. */
    private void openTempFile() {
        Path dir = Path.of(settings.dir);
        tempFile = dir.resolve("temp-" + System.currentTimeMillis() + "." + ProcessHandle.current().pid() + ".rdb");
        transferStartNanos = lastProgressNanos = System.nanoTime();
        int gen = link.generation();
        // opened synchronously enough: the socket is paused until the file is ready
        link.socket().pause();
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            link.close("Opening the temp file needed for MASTER <-> REPLICA synchronization: " + e.getMessage());
            return;
        }
        ctx.vertx().fileSystem().open(tempFile.toString(), new OpenOptions().setWrite(true).setCreate(true)
            .setTruncateExisting(true)).onComplete(ar -> {
                if (gen != link.generation()) {
                    if (ar.succeeded()) ar.result().close();
                    return;
                }
                if (ar.failed()) {
                    link.close("Opening the temp file needed for MASTER <-> REPLICA synchronization: " + ar.cause().getMessage());
                    return;
                }
                file = ar.result();
                file.drainHandler(v -> {
                    if (gen == link.generation() && link.socket() != null) link.socket().resume();
                });
                link.socket().resume();
                if (link.in().pending() > 0) {
                    byte[] rest = link.in().take(Integer.MAX_VALUE);
                    transferBytes(rest, 0, rest.length);
                }
            });
    }

    /** Snapshot bytes to the temp file (written off the loop by the file's own threads); stream bytes after it wait. */
    void transferBytes(byte[] b, int off, int len) {
        if (file == null) {
            link.in().append(b, off, len);
            return;
        }
        if (transferSize >= 0) {
            int n = (int) Math.min(len, transferSize - transferRead);
            write(b, off, n);
            transferRead += n;
            if (n < len) afterSnapshot.add(java.util.Arrays.copyOfRange(b, off + n, off + len));
            if (transferRead == transferSize) transferDone();
            else progress();
            return;
        }
        // EOF-marked: the last 40 bytes may be the mark; everything before them is snapshot
        byte[] all = new byte[tail.length + len];
        System.arraycopy(tail, 0, all, 0, tail.length);
        System.arraycopy(b, off, all, tail.length, len);
        int keep = Math.min(all.length, eofMark.length);
        write(all, 0, all.length - keep);
        transferRead += all.length - keep;
        tail = java.util.Arrays.copyOfRange(all, all.length - keep, all.length);
        if (java.util.Arrays.equals(tail, eofMark)) transferDone();
        else progress();
    }

    private void write(byte[] b, int off, int len) {
        if (len <= 0) return;
        file.write(Buffer.buffer(java.util.Arrays.copyOfRange(b, off, off + len)));
        if (file.writeQueueFull()) link.socket().pause();
    }

    private void progress() {
        long now = System.nanoTime();
        if (now - lastProgressNanos < PROGRESS_EVERY_NANOS) return;
        lastProgressNanos = now;
        double secs = (now - transferStartNanos) / 1e9;
        if (transferSize > 0) {
            LOG.infof("MASTER <-> REPLICA sync: received %.0f%%, %.1f MB at %.1f MB/s", 100.0 * transferRead / transferSize,
                transferRead / 1e6, transferRead / 1e6 / Math.max(secs, 1e-9));
        } else {
            LOG.infof("MASTER <-> REPLICA sync: received %.1f MB at %.1f MB/s", transferRead / 1e6,
                transferRead / 1e6 / Math.max(secs, 1e-9));
        }
    }

    /** The whole snapshot is in the temp file: make it durable, then load it off the loop. */
    private void transferDone() {
        link.state = MasterLink.State.LOADING;
        // the stream that follows waits in the socket's buffers and in afterSnapshot until the load is done
        link.socket().pause();
        double secs = (System.nanoTime() - transferStartNanos) / 1e9;
        LOG.infof("MASTER <-> REPLICA sync: received %.1f MB in %.2f s (%.1f MB/s)", transferRead / 1e6, secs,
            transferRead / 1e6 / Math.max(secs, 1e-9));
        byte[] rest = link.in().take(Integer.MAX_VALUE);
        if (rest.length > 0) afterSnapshot.add(0, rest);
        AsyncFile f = file;
        file = null;
        int gen = link.generation();
        f.flush().compose(v -> f.close()).onComplete(ar -> {
            if (gen != link.generation()) return;
            if (ar.failed()) {
                link.close("Failed trying to sync the temp DB to disk in MASTER <-> REPLICA synchronization: " + ar.cause().getMessage());
                return;
            }
            load(gen);
        });
    }

    /** Loads the temp file into tables of its own, off the loop; the link swaps them in when they are ready. */
    private void load(int gen) {
        LOG.info("MASTER <-> REPLICA sync: Loading DB in memory");
        DatasetLoader.start(ctx, tempFile, false, read -> { }, new DatasetLoader.Done() {
            @Override
            public void loaded(DatasetLoader.Loaded l) {
                if (gen != link.generation()) return;
                link.install(l);
            }

            @Override
            public void failed(Exception e, boolean format) {
                if (gen != link.generation()) return;
                link.close("Failed trying to load the MASTER synchronization DB from disk, check server logs: " + e.getMessage());
            }
        });
    }

    /** The loaded snapshot's file becomes the dataset's file on disk. */
    void keepAsDbfile() {
        try {
            // the received snapshot becomes ours, as Redis renames it over dbfilename
            Files.move(tempFile, Path.of(settings.dir).resolve(settings.dbfilename), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException e) {
            LOG.warnf("Could not rename the synchronization snapshot over %s: %s", settings.dbfilename, e.getMessage());
        }
    }

    /** The stream bytes that came with or after the snapshot go to the link's stream, to be applied in order. */
    void releaseHeldStream(MasterStream in) {
        for (byte[] b : afterSnapshot) in.append(b, 0, b.length);
        afterSnapshot.clear();
    }

    /** The link closed: an open temp file is closed and deleted, held stream bytes dropped. */
    void discard() {
        if (file != null) {
            file.close();
            file = null;
        }
        if (tempFile != null) {
            try {
                Files.deleteIfExists(tempFile);
            } catch (java.io.IOException ignored) {
                // left for the next sync to overwrite
            }
            tempFile = null;
        }
        afterSnapshot.clear();
    }

    /** INFO's master_sync_* sizes while the transfer runs. */
    void writeInfo(InfoWriter out) {
        long total = transferSize > 0 ? transferSize : (transferSize == -1 ? 0 : -1);
        out.field("master_sync_total_bytes", total);
        out.field("master_sync_read_bytes", transferRead);
        out.field("master_sync_left_bytes", total > 0 ? total - transferRead : 0);
        out.field("master_sync_perc", String.format(Locale.ROOT, "%.2f", total > 0 ? 100.0 * transferRead / total : 0.0));
    }
}
