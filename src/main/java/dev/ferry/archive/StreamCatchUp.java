package dev.ferry.archive;

import dev.ferry.engine.ReplicationLinks;
import dev.ferry.engine.ServerContext;
import io.vertx.core.Future;
import org.jboss.logging.Logger;

import java.util.Optional;

/**
 * A bootstrap's second step: the archived stream replayed onto the snapshot just loaded, from the snapshot's
 * offset to the newest announced one, so that the master's backlog only has to cover the last seconds, not the
 * age of the snapshot. Segments are read in order, the next one fetched while the current one is applied (on the
 * executing loop, as a replica applies its master's stream). A segment missing, corrupt or not the one expected
 * ends the replay at the last whole command applied, with a warning: the rest comes from the master (its backlog,
 * or a full sync), never from a guess. The replay follows promotions ({@link StreamPath}): at the offset where a
 * replica was promoted it goes on with the new history's chain, as a replica of the promoted node would.
 */
final class StreamCatchUp {
    private static final Logger LOG = Logger.getLogger(StreamCatchUp.class);
    private static final long PROGRESS_EVERY_NANOS = 2_000_000_000L;

    /** Hears where the replay ended: the history and offset reached and the database selected there. */
    interface Done {
        void reached(String replId, long offset, int db);
    }

    private final ServerContext ctx;
    private final ArchiveStore store;
    private final java.util.List<StreamPath.Leg> legs;
    /** The leg being replayed. */
    private int leg;
    private final Done done;
    /** Where to stop (a point-in-time restore), or null: to the chain's end. */
    private final RestoreTarget limit;
    private ReplicationLinks.Replay replay;
    private long startNanos, lastLogNanos, fromOffset;
    private long segments, bytes;

    StreamCatchUp(ServerContext ctx, ArchiveStore store, java.util.List<StreamPath.Leg> legs, RestoreTarget limit, Done done) {
        this.ctx = ctx;
        this.store = store;
        this.legs = legs;
        this.limit = limit;
        this.done = done;
    }

    /** On the executing loop, with the snapshot of the first leg's history at offset installed. */
    void start(long offset, int db) {
        fromOffset = offset;
        startNanos = lastLogNanos = System.nanoTime();
        StreamChain first = legs.get(0).chain();
        LOG.infof("Bootstrap: replaying the archived stream of %s from offset %d to %d (%.1f MB)%s", first.replId(), offset, endOffset(),
            (endOffset() - offset) / 1e6, legs.size() == 1 ? "" : ", across " + (legs.size() - 1) + " promotion(s)");
        replay = ctx.replicationLinks().replay(first.replId(), offset, db);
        if ((limit != null && limit.byOffset() && limit.offset() <= offset) || legs.get(0).until() <= offset) {
            nextLegOrFinish();
            return;
        }
        Future<Optional<StreamSegment>> next = fetch(first.replId(), offset);
        next.onComplete(ar -> arrived(offset, ar.succeeded() ? ar.result() : null, ar.cause()));
    }

    private long endOffset() {
        return legs.get(legs.size() - 1).until();
    }

    /** Reads and checks the segment of history replId that starts at start, on a worker: empty when the archive has none. */
    private Future<Optional<StreamSegment>> fetch(String replId, long start) {
        String key = StreamSegment.key(replId, start);
        return ctx.vertx().executeBlocking(() -> {
            Optional<byte[]> stored = store.read(key);
            if (stored.isEmpty()) return Optional.<StreamSegment>empty();
            return Optional.of(StreamSegment.decode(stored.get()));
        }, false);
    }

    private void arrived(long start, Optional<StreamSegment> got, Throwable failure) {
        StreamPath.Leg at = legs.get(leg);
        String replId = at.chain().replId();
        String key = StreamSegment.key(replId, start);
        if (failure != null) {
            finish("cannot read " + key + ": " + failure.getMessage());
            return;
        }
        if (got.isEmpty()) {
            finish(key + " is missing");
            return;
        }
        StreamSegment seg = got.get();
        if (seg.start() != start || !seg.replId().equals(replId) || seg.end() <= start) {
            finish(key + " holds " + seg.replId() + " from " + seg.start() + " to " + seg.end());
            return;
        }
        long stop = Math.min(at.until(), limit == null ? seg.end() : limit.stopIn(seg));
        boolean pointReached = limit != null && (stop < Math.min(seg.end(), at.until()) || (limit.byOffset() && stop >= limit.offset()));
        boolean legDone = stop >= at.until();
        // the next one comes while this one is applied
        Future<Optional<StreamSegment>> next = pointReached || legDone ? null : fetch(replId, seg.end());
        if (!replay.apply(seg.payload(), (int) (stop - seg.start()))) {
            finish("a protocol error in " + key + ": " + replay.error());
            return;
        }
        segments++;
        bytes += seg.payload().length;
        long now = System.nanoTime();
        if (now - lastLogNanos >= PROGRESS_EVERY_NANOS) {
            lastLogNanos = now;
            double secs = (now - startNanos) / 1e9;
            LOG.infof("Bootstrap: replaying the archived stream: %.0f%%, %.1f MB at %.1f MB/s",
                100.0 * (stop - fromOffset) / Math.max(1, endOffset() - fromOffset), bytes / 1e6, bytes / 1e6 / secs);
        }
        if (pointReached) {
            finish(null);
            return;
        }
        if (legDone) {
            nextLegOrFinish();
            return;
        }
        long nextStart = seg.end();
        next.onComplete(ar -> arrived(nextStart, ar.succeeded() ? ar.result() : null, ar.cause()));
    }

    /** At the end of a leg: on with the history promoted there, if the replay is exactly at its branch point. */
    private void nextLegOrFinish() {
        if (leg + 1 >= legs.size() || (limit != null && limit.byOffset() && replay.offset() >= limit.offset())) {
            finish(null);
            return;
        }
        StreamChain from = legs.get(leg).chain(), to = legs.get(leg + 1).chain();
        if (replay.offset() != to.parentOffset()) {
            finish("the archived stream of " + from.replId() + " ends at offset " + replay.offset() + ", " + to.replId()
                + " was promoted at " + to.parentOffset());
            return;
        }
        if (to.start() > to.parentOffset()) {
            finish("the archived stream of " + to.replId() + " starts at offset " + to.start() + ", after its promotion at " + to.parentOffset());
            return;
        }
        leg++;
        replay.switchHistory(to.replId());
        LOG.infof("Bootstrap: the archived stream goes on with %s, promoted at offset %d", to.replId(), to.parentOffset());
        long start = replay.offset();
        if (legs.get(leg).until() <= start) {
            nextLegOrFinish();
            return;
        }
        fetch(to.replId(), start).onComplete(ar -> arrived(start, ar.succeeded() ? ar.result() : null, ar.cause()));
    }

    private void finish(String stoppedBecause) {
        long reached = replay.offset();
        int db = replay.db();
        String replId = legs.get(leg).chain().replId();
        replay.close();
        double secs = (System.nanoTime() - startNanos) / 1e9;
        if (stoppedBecause != null) {
            LOG.warnf("Bootstrap: the archived stream stops at offset %d (%d segments, %.1f MB replayed): %s; the rest must come "
                + "from the master", reached, segments, bytes / 1e6, stoppedBecause);
        } else {
            LOG.infof("Bootstrap: replayed the archived stream from offset %d to %d: %d segments, %.1f MB in %.2f s", fromOffset, reached,
                segments, bytes / 1e6, secs);
        }
        done.reached(replId, reached, db);
    }
}
