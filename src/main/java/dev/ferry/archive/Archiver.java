package dev.ferry.archive;

import dev.ferry.engine.Persistence;
import dev.ferry.engine.ServerContext;
import dev.ferry.engine.info.InfoSection;
import dev.ferry.engine.info.InfoWriter;
import dev.ferry.rdb.RdbFileWriter;
import dev.ferry.snapshot.Snapshot;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Uploads every snapshot this node saves to disk to the archive, then announces it in the manifest and prunes
 * what the manifest no longer retains. Runs on one worker thread of its own, so uploads never block the
 * executing loop and the manifest has one writer per process.
 *
 * <p>Order, so that nothing is lost or half-announced: the saved file is hard-linked (the next save may replace
 * its path meanwhile) and described from its own header and trailer; the object is uploaded; its size and CRC64
 * are read back and compared; only then the manifest lists it; only after that manifest is written are the
 * objects it dropped deleted. The local snapshot file is never deleted. A failure is retried with exponential
 * backoff and jitter until it succeeds or a newer snapshot supersedes it; the server keeps serving throughout.
 */
public final class Archiver implements Persistence.SaveListener, InfoSection {
    private static final Logger LOG = Logger.getLogger(Archiver.class);
    private static final DateTimeFormatter KEY_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final long FIRST_RETRY_MS = 1_000, MAX_RETRY_MS = 300_000;
    private static final long PROGRESS_EVERY_NANOS = 2_000_000_000L;

    private final ServerContext ctx;
    private final ArchiveStore store;
    private final ArchiveSettings settings;
    private final Path dir;
    private final ExecutorService worker;
    private final ManifestWriter manifests;
    /** Null when ferry.archive.stream.interval is 0. */
    private final StreamArchiver stream;
    /** The newest saved snapshot not taken by the worker yet: an older one waiting is superseded by it. */
    private final AtomicReference<Job> pending = new AtomicReference<>();
    /** When the interval last asked for a snapshot, or a snapshot was archived (loop only). */
    private long lastIntervalMillis = System.currentTimeMillis();

    // what INFO and metrics show: written by the worker, read anywhere
    private volatile String currentKey;
    private volatile long currentBytes, currentTotal;
    private volatile long lastSuccessMillis;
    private volatile ArchivedSnapshot lastArchived;
    private volatile long lastDurationMillis;
    private volatile long uploadsOk, uploadsFailed, consecutiveFailures, uploadedBytes;
    private volatile String lastError;
    private volatile int retained = -1;
    /** The start-up bootstrap from the archive, when there was one: its state is shown with the archive's. */
    private volatile Bootstrap bootstrap;
    private volatile RestoreTarget restoredTo;

    private record Job(Path file, long keys, long savedMillis, String source) { }

    public Archiver(ServerContext ctx, ArchiveStore store, ArchiveSettings settings, Path dir) {
        this.ctx = ctx;
        this.store = store;
        this.settings = settings;
        this.dir = dir;
        this.manifests = new ManifestWriter(store);
        this.stream = settings.streamInterval().isZero() ? null : new StreamArchiver(ctx, store, manifests, settings, this::archivesNow);
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ferry-archiver");
            t.setDaemon(true);
            return t;
        });
    }

    /** On the executing loop: hears saves, and asks for one every interval when none came. */
    public void start() {
        worker.execute(this::removeLeftovers);
        ctx.persistence().addSaveListener(this);
        if (!settings.interval().isZero()) ctx.vertx().setPeriodic(1000, id -> intervalCheck());
        if (stream != null) {
            stream.start();
            if (!settings.minArchivedLag().isZero()) ctx.writeGuard(stream::writeRefusal);
        }
        LOG.infof("Archive: %s (archiving role %s, retain %d%s, interval %s)", store.describe(), settings.role().word(),
            settings.retain(), settings.retention().isZero() ? "" : " and every point of the last " + settings.retention(),
            settings.interval().isZero() ? "none" : settings.interval());
    }

    public void bootstrap(Bootstrap b) {
        this.bootstrap = b;
    }

    public Bootstrap bootstrap() {
        return bootstrap;
    }

    public ArchiveStore store() {
        return store;
    }

    public ArchiveSettings settings() {
        return settings;
    }

    /** Whether this node uploads its snapshots now (the role follows REPLICAOF; never after a point-in-time restore). */
    public boolean archivesNow() {
        return restoredTo == null && settings.role().archives(ctx.replicationLinks().isReplica());
    }

    /**
     * A point-in-time restore (ferry.archive.restore-to): the archive is only read, for the bootstrap; nothing of
     * this server's, whose history branches from the archive's, is written to it.
     */
    public void restoring(RestoreTarget target) {
        restoredTo = target;
        LOG.infof("Archive: %s, read only: restoring as of %s, nothing archived", store.describe(), target);
    }

    private void intervalCheck() {
        long now = System.currentTimeMillis();
        if (now - lastIntervalMillis < settings.interval().toMillis()) return;
        Persistence p = ctx.persistence();
        if (!archivesNow() || p.loading() || p.saving()) return;
        // nothing new since the last snapshot, and that one is archived: no need for another
        if (p.changesSinceLastSave() == 0 && lastSuccessMillis != 0) return;
        lastIntervalMillis = now;
        p.startBackgroundSave("archive interval");
    }

    @Override
    public void started(RdbFileWriter.Aux aux) {
        if (stream != null) stream.snapshotStarted(aux.replId(), aux.replOffset());
    }

    @Override
    public void saved(Snapshot.Result result, Path file, RdbFileWriter.Aux aux) {
        if (!result.ok() || file == null || !archivesNow()) return;
        lastIntervalMillis = System.currentTimeMillis();
        Job job = new Job(file, result.keys(), System.currentTimeMillis(), ctx.replicationLinks().isReplica() ? "replica" : "master");
        Job older = pending.getAndSet(job);
        if (older != null) LOG.infof("Archive: a newer snapshot supersedes the one saved at %s, not uploaded yet", Instant.ofEpochMilli(older.savedMillis()));
        worker.execute(this::drain);
    }

    /** The worker: archives the newest pending snapshot, retrying until done or superseded. */
    private void drain() {
        Job job = pending.getAndSet(null);
        if (job == null) return;
        Path link = dir.resolve(".archive-" + job.savedMillis() + "-" + System.nanoTime() + ".rdb");
        try {
            try {
                Files.createLink(link, job.file());
            } catch (UnsupportedOperationException | IOException e) {
                Files.copy(job.file(), link, StandardCopyOption.REPLACE_EXISTING);
            }
            SnapshotFacts facts = SnapshotFacts.read(link);
            for (int attempt = 1; ; attempt++) {
                try {
                    archive(link, facts, job);
                    return;
                } catch (IOException | RuntimeException e) {
                    uploadsFailed++;
                    consecutiveFailures++;
                    lastError = oneLine(e);
                    long delay = backoff(attempt);
                    LOG.warnf("Archive upload failed (attempt %d, %d in a row): %s. Retrying in %.1f s; the server goes on serving.",
                        attempt, consecutiveFailures, lastError, delay / 1000.0);
                    if (waitOrSuperseded(delay)) {
                        LOG.infof("Archive: giving up the snapshot of offset %d: a newer snapshot was saved", facts.replOffset());
                        return;
                    }
                }
            }
        } catch (IOException e) {
            uploadsFailed++;
            consecutiveFailures++;
            lastError = oneLine(e);
            LOG.errorf("Archive: cannot read the saved snapshot %s: %s", job.file(), lastError);
        } finally {
            currentKey = null;
            try {
                Files.deleteIfExists(link);
            } catch (IOException e) {
                LOG.warnf("Archive: cannot delete %s: %s", link, e.getMessage());
            }
        }
    }

    /**
     * The links of uploads and the downloads of a bootstrap that a killed process left in ferry.dir: each may hold a
     * whole snapshot's disk space. Only files of this shape, which nothing else writes, and none of this process's
     * (its bootstrap has not started yet; its first upload waits behind this task).
     */
    private void removeLeftovers() {
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            files.filter(p -> {
                String n = p.getFileName().toString();
                return n.endsWith(".rdb") && n.startsWith(".archive-");
            }).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                    LOG.infof("Archive: removed %s, left by an upload that did not finish", p);
                } catch (IOException e) {
                    LOG.warnf("Archive: cannot remove %s: %s", p, e.getMessage());
                }
            });
        } catch (IOException e) {
            // no directory yet: nothing was left
        }
    }

    /** Sleeps before a retry; true when a newer snapshot arrived meanwhile (the retry is then pointless). */
    private boolean waitOrSuperseded(long millis) {
        long end = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < end) {
            if (pending.get() != null) return true;
            try {
                Thread.sleep(Math.min(200, Math.max(1, end - System.currentTimeMillis())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
        }
        return pending.get() != null;
    }

    static long backoff(int attempt) {
        long base = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS << Math.min(20, attempt - 1));
        // full jitter on the upper half: replicas that failed together do not retry together
        return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
    }

    private void archive(Path file, SnapshotFacts facts, Job job) throws IOException {
        String created = Instant.ofEpochMilli(job.savedMillis()).toString();
        String replId = facts.replId() == null ? "noreplid" : facts.replId();
        String key = "snapshots/" + KEY_TIME.format(Instant.ofEpochMilli(job.savedMillis())) + "-" + replId + "-" + facts.replOffset() + ".rdb";
        ArchivedSnapshot snap = new ArchivedSnapshot(key, facts.replId(), facts.replOffset(), facts.crc64Hex(), facts.size(),
            job.keys(), facts.rdbVersion(), created, job.source());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("replid", String.valueOf(facts.replId()));
        meta.put("offset", Long.toString(facts.replOffset()));
        meta.put("crc64", facts.crc64Hex());
        meta.put("keys", Long.toString(job.keys()));
        meta.put("rdb-version", Integer.toString(facts.rdbVersion()));
        meta.put("created", created);

        long start = System.nanoTime();
        currentKey = key;
        currentBytes = 0;
        currentTotal = facts.size();
        LOG.infof("Archive: uploading %s (%.1f MB) to %s", key, facts.size() / 1e6, store.describe());
        store.upload(file, key, meta, new ProgressLog("Archive: uploading " + key, start, (b, t) -> currentBytes = b));
        ArchiveStore.ObjectInfo stored = store.head(key)
            .orElseThrow(() -> new IOException("the uploaded object " + key + " is not in the archive"));
        if (stored.size() != facts.size() || !facts.crc64Hex().equals(stored.metadata().get("crc64"))) {
            throw new IOException("the uploaded object " + key + " does not match the snapshot: " + stored.size() + " bytes, crc64 "
                + stored.metadata().get("crc64") + "; expected " + facts.size() + " bytes, crc64 " + facts.crc64Hex());
        }
        List<ArchivedSnapshot> dropped = new ArrayList<>();
        // as stored: after a promotion another node wrote it last (one GET per snapshot)
        manifests.reread();
        Manifest written = manifests.update(current -> {
            java.time.Instant windowStart = settings.retention().isZero() ? null : java.time.Instant.now().minus(settings.retention());
            Manifest.Updated next = current.with(snap, settings.retain(), windowStart, ManifestWriter.now());
            dropped.clear();
            dropped.addAll(next.dropped());
            return next.manifest();
        });
        for (ArchivedSnapshot old : dropped) {
            try {
                store.delete(old.key());
            } catch (IOException e) {
                LOG.warnf("Archive: cannot delete %s, no longer retained: %s", old.key(), e.getMessage());
            }
        }
        if (!dropped.isEmpty()) {
            try {
                StreamRetention.trim(store, manifests, written);
            } catch (IOException e) {
                LOG.warnf("Archive: cannot trim the archived stream to the retained snapshots: %s (tried again at the next snapshot)",
                    e.getMessage());
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        lastDurationMillis = millis;
        lastArchived = snap;
        lastSuccessMillis = System.currentTimeMillis();
        uploadsOk++;
        uploadedBytes += facts.size();
        consecutiveFailures = 0;
        lastError = null;
        retained = written.snapshots().size();
        LOG.infof("Archive: %s archived and verified, %.1f MB in %.2f s (%.1f MB/s); manifest retains %d snapshot(s)%s",
            key, facts.size() / 1e6, millis / 1000.0, facts.size() / 1e6 / Math.max(0.001, millis / 1000.0), retained,
            dropped.isEmpty() ? "" : ", " + dropped.size() + " older deleted");
    }

    /** The archive's manifest as stored now, or null when there is none (a worker thread: it reads the archive). */
    public Manifest readManifest() throws IOException {
        return Manifest.read(store);
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.replace('\r', ' ').replace('\n', ' ');
    }

    /** Stops the worker (at shutdown): an upload under way is abandoned, nothing was announced for it. */
    public void close() {
        worker.shutdownNow();
        if (stream != null) stream.close();
        store.close();
    }

    // ---- INFO # Archive -----------------------------------------------------------------------------------------

    @Override
    public void write(InfoWriter out) {
        ArchivedSnapshot last = lastArchived;
        String key = currentKey;
        out.field("archive_url", store.describe());
        out.field("archive_role", settings.role().word());
        out.field("archive_active", archivesNow() ? 1 : 0);
        RestoreTarget r = restoredTo;
        if (r != null) out.field("archive_restored_to", r.toString());
        out.field("archive_in_progress", key == null ? 0 : 1);
        if (key != null) {
            out.field("archive_current_key", key);
            out.field("archive_current_bytes", currentBytes);
            out.field("archive_current_total_bytes", currentTotal);
            out.field("archive_current_perc", String.format("%.2f", currentTotal > 0 ? 100.0 * currentBytes / currentTotal : 0.0));
        }
        out.field("archive_uploads_ok", uploadsOk);
        out.field("archive_uploads_failed", uploadsFailed);
        out.field("archive_consecutive_failures", consecutiveFailures);
        out.field("archive_uploaded_bytes", uploadedBytes);
        out.field("archive_last_success_time", lastSuccessMillis / 1000);
        if (last != null) {
            out.field("archive_last_key", last.key());
            out.field("archive_last_replid", String.valueOf(last.replId()));
            out.field("archive_last_offset", last.offset());
            out.field("archive_last_bytes", last.bytes());
            out.field("archive_last_duration_ms", lastDurationMillis);
        }
        if (retained >= 0) out.field("archive_snapshots_retained", retained);
        String err = lastError;
        if (err != null) out.field("archive_last_error", err);
        if (stream != null) stream.write(out);
        Bootstrap b = bootstrap;
        if (b != null) b.write(out);
        else out.field("bootstrap_state", "none");
    }

    /** The stream archive's offset archived and announced, as of its last tick; -1 without one (or before it began). */
    public long streamArchivedOffset() {
        return stream == null ? -1 : stream.archivedOffset();
    }

    /** Times the stream archive lost stream (its spool overflowed) and began its chain again. */
    public long streamGaps() {
        return stream == null ? 0 : stream.gaps();
    }

    /** 1 while writes are refused because the stream archive is further behind than min-archived-lag. */
    public boolean streamRefusingWrites() {
        return stream != null && stream.writeRefusal() != null;
    }

    /** How far the stream archive is behind the stream, in bytes and seconds, as of its last tick. */
    public long streamLagBytes() {
        return stream == null ? 0 : stream.lagBytes();
    }

    public long streamLagSeconds() {
        return stream == null ? 0 : stream.lagSeconds();
    }

    public long streamSegmentsOk() {
        return stream == null ? 0 : stream.segmentsOk();
    }

    public long streamSegmentsFailed() {
        return stream == null ? 0 : stream.segmentsFailed();
    }

    public long lastSuccessMillis() {
        return lastSuccessMillis;
    }

    public long consecutiveFailures() {
        return consecutiveFailures;
    }

    public long uploadsOk() {
        return uploadsOk;
    }

    public long uploadsFailed() {
        return uploadsFailed;
    }

    public long uploadedBytes() {
        return uploadedBytes;
    }

    public long lastDurationMillis() {
        return lastDurationMillis;
    }

    public boolean uploading() {
        return currentKey != null;
    }

    /** Logs a transfer's percent and MB/s every 2 s, and hands the bytes to a sink of its own. */
    static final class ProgressLog implements ArchiveStore.Progress {
        private final String what;
        private final long start;
        private final ArchiveStore.Progress also;
        private long nextLog;

        ProgressLog(String what, long startNanos, ArchiveStore.Progress also) {
            this.what = what;
            this.start = startNanos;
            this.also = also;
            this.nextLog = startNanos + PROGRESS_EVERY_NANOS;
        }

        @Override
        public void transferred(long bytes, long total) {
            also.transferred(bytes, total);
            long now = System.nanoTime();
            if (now < nextLog) return;
            nextLog = now + PROGRESS_EVERY_NANOS;
            double secs = (now - start) / 1e9;
            LOG.infof("%s: %.0f%%, %.1f MB at %.1f MB/s", what, total > 0 ? 100.0 * bytes / total : 0.0, bytes / 1e6, bytes / 1e6 / secs);
        }
    }
}
