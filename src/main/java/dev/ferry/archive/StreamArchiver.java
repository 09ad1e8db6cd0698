package dev.ferry.archive;

import dev.ferry.engine.Backlog;
import dev.ferry.engine.ReplicationStream;
import dev.ferry.engine.ServerContext;
import dev.ferry.engine.info.InfoWriter;
import dev.ferry.rdb.Lzf;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * The replication stream archived between snapshots, in segments (see {@link StreamSegment}). Every byte the
 * stream gains is copied to a {@link StreamSpool} as it is appended (one copy on the write path, no allocation);
 * every {@code ferry.archive.stream.interval} what the spool holds (up to {@code max-bytes}) becomes a segment,
 * encoded, stored, checked and announced in the manifest on a worker, and only then leaves the spool. While the
 * archive is down the stream waits in the spool, up to {@code spool-limit}; past that the archive has a gap
 * (logged, shown in INFO) and the history's chain starts again where the stream is then. With
 * {@code min-archived-lag} set, writes are refused while the archive is further behind than that.
 *
 * <p>Segments end where snapshots begin (a snapshot's start cuts the stream at its offset), so a reader finds the
 * segment that continues any archived snapshot by its key. One segment is in flight at a time; a failed one is
 * retried with backoff. A change of history (a full sync, a promotion) starts a chain for the new replid, which
 * goes on from the manifest's entry for it when the archive already holds that history up to here.
 */
final class StreamArchiver {
    private static final Logger LOG = Logger.getLogger(StreamArchiver.class);
    /** Time marks kept for segments not yet archived: one per interval; past this many, the oldest go. */
    private static final int MAX_TICKS = 100_000;

    private final ServerContext ctx;
    private final ArchiveStore store;
    private final ManifestWriter manifests;
    private final ArchiveSettings settings;
    private final BooleanSupplier archivesNow;
    private final ExecutorService worker;

    // ---- on the executing loop ----
    private final StreamSpool spool;
    /** The worker's compressor and its output, reused. */
    private final Lzf lzf = new Lzf();
    private byte[] packed = new byte[0];
    /** Whether this node archives its stream now (its role), as of the last tick. */
    private boolean spooling;
    /** The history archived; null until the first tick. */
    private String replId;
    /** Where a chain found in the manifest ends when the stream is not there yet: bytes before it are skipped. */
    private long skipTo = -1;
    private String parentReplId;
    private long parentOffset = -1;
    /** The old history's last bytes after a promotion, to archive before the new history's (see finishParent). */
    private final ArrayDeque<Job> parentTail = new ArrayDeque<>();
    private final ArrayDeque<StreamChain> parentTailChains = new ArrayDeque<>();
    private long chainStart = -1;
    /** The chain's end: its segments up to this offset are stored and announced (-1 while starting). */
    private long archivedTo = -1;
    private boolean busy;
    private long retryAtMillis;
    private int failuresInRow;
    /** Offsets where a snapshot began: a segment ends there, so that one starts there. */
    private final TreeSet<Long> cuts = new TreeSet<>();
    /** (offset, unix ms): the offset the stream had at each tick, past archivedTo. */
    private final ArrayDeque<long[]> ticks = new ArrayDeque<>();

    // ---- shown in INFO and metrics ----
    private volatile String state = "starting";
    private volatile long segmentsOk, segmentsFailed, bytesArchived, lastSuccessMillis;
    /** Times the spool overflowed: stream lost to the archive, its chain begun again. */
    private volatile long gaps;
    private volatile String lastError;
    /** As of the last tick, for metrics (read on other threads). */
    private volatile long publishedArchivedTo = -1, publishedLagBytes, publishedLagSeconds;
    /** Why writes are refused (min-archived-lag), or null; volatile for INFO and metrics. */
    private volatile String refusal;

    StreamArchiver(ServerContext ctx, ArchiveStore store, ManifestWriter manifests, ArchiveSettings settings, BooleanSupplier archivesNow) {
        this.ctx = ctx;
        this.store = store;
        this.manifests = manifests;
        this.settings = settings;
        this.archivesNow = archivesNow;
        this.spool = new StreamSpool(settings.spoolLimit());
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ferry-stream-archiver");
            t.setDaemon(true);
            return t;
        });
    }

    /** On the executing loop. */
    void start() {
        ctx.replication().tap(this::append, this::historyChanged);
        // the chain begins now, not a tick later: a snapshot taken in the first second must be continuable
        tick();
        ctx.vertx().setPeriodic(Math.max(1, settings.streamInterval().toMillis()), id -> ctx.executor().runOnContext(v -> tick()));
        LOG.infof("Archive: the replication stream is archived every %s in segments of at most %d bytes",
            settings.streamInterval(), settings.streamMaxBytes());
    }

    /** On the executing loop, in the turn a snapshot begins at offset: a segment ends there. */
    void snapshotStarted(String snapshotReplId, long offset) {
        if (snapshotReplId.equals(replId) && offset > archivedTo) cuts.add(offset);
    }

    /** Every byte of the stream, as it is appended. */
    private void append(byte[] b, int off, int len) {
        if (spooling) spool.append(b, off, len);
    }

    /** In the turn the history changed: the spool goes on from the new offset. */
    private void historyChanged() {
        if (spooling) begin(ctx.replication());
    }

    private void tick() {
        if (!archivesNow.getAsBoolean()) {
            spooling = false;
            state = "inactive";
            refusal = null;
            return;
        }
        ReplicationStream s = ctx.replication();
        long offset = s.offset(), now = System.currentTimeMillis();
        if (!spooling || (replId == null && !busy)) {
            spooling = true;
            begin(s);
        }
        if (spool.overflowed()) {
            LOG.warnf("Archive: more than %d bytes of the stream waited for the archive: the stream from offset %d to %d is not "
                + "archived; the chain of %s starts again at %d, and snapshots before it replay only to %d",
                settings.spoolLimit(), archivedTo, offset, replId, offset, archivedTo);
            gaps++;
            begin(s);
            state = "gap";
        }
        if (ticks.isEmpty() || ticks.peekLast()[0] < offset) {
            ticks.addLast(new long[] {offset, now});
            if (ticks.size() > MAX_TICKS) ticks.removeFirst();
        }
        publish(offset, now);
        if (skipTo > spool.from()) {
            // behind the archived chain: its bytes are archived already
            if (spool.from() + spool.size() < skipTo) return;
            spool.drop(skipTo - spool.from());
            skipTo = -1;
        }
        if (!parentTail.isEmpty()) {
            shipParentTail();
            return;
        }
        if (busy || now < retryAtMillis || archivedTo < 0 || spool.size() == 0) return;
        long from = spool.from();
        long end = from + Math.min(spool.size(), settings.streamMaxBytes());
        Long cut = cuts.higher(from);
        if (cut != null && cut < end) end = cut;
        int length = (int) (end - from);
        List<long[]> marks = new ArrayList<>();
        for (long[] t : ticks) if (t[0] > from && t[0] <= end) marks.add(t);
        // every segment ends with a mark: its bytes were all written by now. A segment cut short (at a snapshot's
        // start, at max-bytes) may hold no tick of its own, and a restore by time must not take such a segment as
        // written before any time at all (it replayed past the point: seen in PointInTimeRestoreIT)
        if (marks.isEmpty() || marks.get(marks.size() - 1)[0] < end) marks.add(new long[] {end, now});
        long[] offs = new long[marks.size()], millis = new long[marks.size()];
        for (int i = 0; i < offs.length; i++) {
            offs[i] = marks.get(i)[0];
            millis[i] = marks.get(i)[1];
        }
        Job job = new Job(replId, from, end, offs, millis, spool.lend(length));
        StreamChain chain = new StreamChain(replId, chainStart, end,
            millis.length == 0 ? null : Instant.ofEpochMilli(millis[millis.length - 1]).toString(), parentReplId, parentOffset);
        busy = true;
        worker.execute(() -> ship(job, chain));
    }

    /** A new history (the first tick, a promotion, a full sync): its chain continues the manifest's when it can. */
    private void begin(ReplicationStream s) {
        replId = s.replId();
        skipTo = -1;
        boolean branched = !ReplicationStream.NO_REPLID.equals(s.replId2()) && s.secondReplOffset() > 0;
        parentReplId = branched ? s.replId2() : null;
        parentOffset = branched ? s.secondReplOffset() - 1 : -1;
        // a promoted replica begins at the next tick: the new history's first writes are taken from the backlog, so
        // that its chain starts where it branched off the old one
        Backlog backlog = s.backlog();
        long from = branched && parentOffset < s.offset() && backlog.covers(parentOffset + 1) ? parentOffset : s.offset();
        spool.reset(from);
        if (from < s.offset()) {
            byte[] early = backlog.copyRange(from + 1, (int) Math.min(Integer.MAX_VALUE - 8, s.offset() - from));
            spool.append(early, 0, early.length);
        }
        archivedTo = chainStart = -1;
        parentTail.clear();
        parentTailChains.clear();
        ticks.clear();
        cuts.clear();
        busy = true;
        state = "starting";
        String id = replId, parentId = parentReplId;
        worker.execute(() -> {
            StreamChain known = null, parent = null;
            List<Long> parentSnapshots = new ArrayList<>();
            String error = null;
            try {
                // re-read: this node may just have become the archiving one, and another node wrote the manifest meanwhile
                Manifest m = manifests.reread();
                known = m.chain(id);
                parent = parentId == null ? null : m.chain(parentId);
                for (ArchivedSnapshot snap : m.snapshots()) if (parentId != null && parentId.equals(snap.replId())) parentSnapshots.add(snap.offset());
            } catch (IOException e) {
                error = e.getMessage();
            }
            StreamChain k = known, p = parent;
            String err = error;
            ctx.executor().runOnContext(v -> {
                begun(id, k, err);
                if (err == null && id.equals(replId)) finishParent(p, parentSnapshots);
            });
        });
    }

    /** On the loop: where the chain of history id goes on from. */
    private void begun(String id, StreamChain known, String error) {
        if (!id.equals(replId)) return; // another history began meanwhile
        busy = false;
        if (error != null) {
            failed("cannot read the manifest: " + error);
            replId = null; // begin again at the next tick
            return;
        }
        long from = spool.from();
        if (known != null && known.end() >= from) {
            // the archive holds this history up to known.end: go on from there (once the stream is past it)
            chainStart = known.start();
            if (known.parentReplId() != null) {
                parentReplId = known.parentReplId();
                parentOffset = known.parentOffset();
            }
            archivedTo = known.end();
            if (known.end() > from) skipTo = known.end();
        } else {
            if (known != null) {
                LOG.warnf("Archive: the archived stream of %s ends at offset %d, this node's stream is at %d: its chain starts again "
                    + "here", replId, known.end(), from);
            }
            chainStart = archivedTo = from;
        }
        state = "active";
        judgeLag(ctx.replication().offset(), System.currentTimeMillis());
    }

    /**
     * A promotion: the old history's chain ends where its archiver stopped (a master that died has not shipped its
     * last interval), but this node's backlog holds the old history up to the promotion. That tail is archived first,
     * as the old chain's last segment, so the archived stream runs on without a hole into the new history.
     */
    private void finishParent(StreamChain parent, List<Long> snapshotOffsets) {
        Backlog backlog = ctx.replication().backlog();
        if (backlog.endOffset() < parentOffset) return;
        long from = -1;
        if (parent != null) {
            if (parent.end() >= parentOffset) return;
            from = parent.end();
            if (!backlog.covers(from + 1)) {
                LOG.warnf("Archive: the archived stream of %s ends at offset %d and this node's backlog no longer holds it up to its "
                    + "promotion at %d: replays stop there", parentReplId, from, parentOffset);
                return;
            }
        } else {
            // the old master archived no stream (none, or none yet): its chain begins at its oldest archived snapshot
            // this backlog still covers
            for (long o : new TreeSet<>(snapshotOffsets)) {
                if (o < parentOffset && backlog.covers(o + 1)) {
                    from = o;
                    break;
                }
            }
            if (from < 0) return;
            parent = new StreamChain(parentReplId, from, from, null, null, -1);
        }
        // segments end where snapshots begin, as the old master's own would have
        TreeSet<Long> ends = new TreeSet<>(snapshotOffsets);
        ends.add(parentOffset);
        long nowMillis = System.currentTimeMillis();
        String now = Instant.ofEpochMilli(nowMillis).toString();
        long start = from;
        for (long end : ends.subSet(from, false, parentOffset, true)) {
            byte[] bytes = backlog.copyRange(start + 1, (int) (end - start));
            // one mark at its end: these bytes were all written by the promotion, before now
            parentTail.addLast(new Job(parent.replId(), start, end, new long[] {end}, new long[] {nowMillis},
                StreamSegment.Payload.of(bytes, bytes.length)));
            parentTailChains.addLast(new StreamChain(parent.replId(), parent.start(), end, now, parent.parentReplId(), parent.parentOffset()));
            start = end;
        }
        LOG.infof("Archive: archiving the last %d bytes of %s from this node's backlog (offsets %d to %d, up to the promotion)",
            parentOffset - from, parent.replId(), from, parentOffset);
        shipParentTail();
    }

    private void shipParentTail() {
        if (busy || parentTail.isEmpty() || System.currentTimeMillis() < retryAtMillis) return;
        Job job = parentTail.peekFirst();
        StreamChain chain = parentTailChains.peekFirst();
        busy = true;
        worker.execute(() -> ship(job, chain));
    }

    /** A segment to store: the stream of replId after from up to end. */
    private record Job(String replId, long start, long end, long[] indexOffsets, long[] indexMillis, StreamSegment.Payload bytes) { }

    /** On the worker: stores the segment, checks it is there whole, then announces it. */
    private void ship(Job job, StreamChain chain) {
        try {
            int length = (int) (job.end() - job.start());
            if (packed.length < length) packed = new byte[(int) Math.max(length, Math.min(settings.streamMaxBytes(), 2L * packed.length))];
            byte[] stored = StreamSegment.encode(job.replId(), job.start(), job.indexOffsets(), job.indexMillis(), job.bytes(), lzf, packed);
            String key = StreamSegment.key(job.replId(), job.start());
            store.write(key, stored, "application/octet-stream");
            ArchiveStore.ObjectInfo info = store.head(key)
                .orElseThrow(() -> new IOException("the stored segment " + key + " is not in the archive"));
            if (info.size() != stored.length) {
                throw new IOException("the stored segment " + key + " has " + info.size() + " bytes, " + stored.length + " were sent");
            }
            manifests.update(m -> m.withChain(chain, ManifestWriter.now()));
            ctx.executor().runOnContext(v -> shipped(job, stored.length));
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            ctx.executor().runOnContext(v -> {
                busy = false;
                spool.release();
                failed(why);
            });
        }
    }

    private void shipped(Job seg, int storedBytes) {
        busy = false;
        spool.release();
        segmentsOk++;
        bytesArchived += storedBytes;
        lastSuccessMillis = System.currentTimeMillis();
        if (failuresInRow > 0) LOG.infof("Archive: the stream is archived again, up to offset %d", seg.end());
        failuresInRow = 0;
        retryAtMillis = 0;
        lastError = null;
        if (seg == parentTail.peekFirst()) {
            parentTail.removeFirst();
            parentTailChains.removeFirst();
            shipParentTail();
            return;
        }
        if (!seg.replId().equals(replId) || spool.from() != seg.start()) return; // the history changed meanwhile
        spool.drop(seg.end() - seg.start());
        archivedTo = seg.end();
        state = "active";
        while (!ticks.isEmpty() && ticks.peekFirst()[0] <= archivedTo) ticks.removeFirst();
        cuts.headSet(archivedTo, true).clear();
        judgeLag(ctx.replication().offset(), System.currentTimeMillis());
        // a stream faster than a segment per interval: the next one goes at once
        if (spool.size() >= settings.streamMaxBytes()) ctx.executor().runOnContext(v -> tick());
    }

    private void failed(String why) {
        segmentsFailed++;
        failuresInRow++;
        lastError = why;
        state = "failing";
        long delay = Archiver.backoff(failuresInRow);
        retryAtMillis = System.currentTimeMillis() + delay;
        LOG.errorf("Archive: cannot archive the stream: %s; retrying in %.1f s (the stream waits in the backlog meanwhile)", why,
            delay / 1000.0);
    }

    void close() {
        worker.shutdownNow();
    }

    private void publish(long offset, long now) {
        publishedArchivedTo = archivedTo;
        publishedLagBytes = archivedTo < 0 ? 0 : Math.max(0, offset - archivedTo);
        long[] oldest = ticks.peekFirst();
        publishedLagSeconds = publishedLagBytes == 0 || oldest == null ? 0 : (now - oldest[1]) / 1000;
        judgeLag(offset, now);
    }

    /**
     * min-archived-lag, judged at each tick and when a segment lands (as min-replicas-max-lag is at each cron): writes
     * are refused while no chain is archived yet, or while the oldest time mark not archived is older than the bound.
     */
    private void judgeLag(long offset, long now) {
        long bound = settings.minArchivedLag().toMillis();
        if (bound == 0 || !spooling) {
            refusal = null;
            return;
        }
        if (archivedTo < 0) {
            refusal = "NOARCHIVE The stream archive has not begun (" + state + "): writes wait for it (min-archived-lag)";
            return;
        }
        long[] oldest = ticks.peekFirst();
        long behind = offset <= archivedTo || oldest == null ? 0 : now - oldest[1];
        refusal = behind <= bound ? null : "NOARCHIVE The stream archive is " + behind / 1000 + " s behind, more than min-archived-lag ("
            + bound / 1000 + " s): writes wait for it";
    }

    /** Why writes are refused now (min-archived-lag), or null; on the executing loop. */
    String writeRefusal() {
        return refusal;
    }

    long archivedOffset() {
        return publishedArchivedTo;
    }

    long lagBytes() {
        return publishedLagBytes;
    }

    long lagSeconds() {
        return publishedLagSeconds;
    }

    long segmentsOk() {
        return segmentsOk;
    }

    long segmentsFailed() {
        return segmentsFailed;
    }

    long gaps() {
        return gaps;
    }

    /** Its fields in INFO # Archive, on the executing loop. */
    void write(InfoWriter out) {
        ReplicationStream s = ctx.replication();
        out.field("archive_stream_state", state);
        out.field("archive_stream_replid", replId == null ? "" : replId);
        out.field("archive_stream_offset", archivedTo);
        long lag = archivedTo < 0 ? -1 : Math.max(0, s.offset() - archivedTo);
        out.field("archive_stream_spool_bytes", spool.size());
        out.field("archive_stream_lag_bytes", lag);
        long[] oldest = ticks.peekFirst();
        out.field("archive_stream_lag_seconds", lag <= 0 || oldest == null ? 0 : (System.currentTimeMillis() - oldest[1]) / 1000);
        out.field("archive_stream_segments_ok", segmentsOk);
        out.field("archive_stream_segments_failed", segmentsFailed);
        out.field("archive_stream_consecutive_failures", failuresInRow);
        out.field("archive_stream_gaps", gaps);
        out.field("archive_stream_bytes", bytesArchived);
        out.field("archive_stream_last_success_time", lastSuccessMillis / 1000);
        out.field("archive_stream_min_archived_lag", settings.minArchivedLag().toMillis() / 1000);
        out.field("archive_stream_refusing_writes", refusal == null ? 0 : 1);
        String err = lastError;
        if (err != null) out.field("archive_stream_last_error", err.replace('\r', ' ').replace('\n', ' '));
    }
}
