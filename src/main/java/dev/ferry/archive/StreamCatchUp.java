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
 * or a full sync), never from a guess.
 */
final class StreamCatchUp {
    private static final Logger LOG = Logger.getLogger(StreamCatchUp.class);
    private static final long PROGRESS_EVERY_NANOS = 2_000_000_000L;

    /** Hears where the replay ended: the offset reached and the database selected there. */
    interface Done {
        void reached(long offset, int db);
    }

    private final ServerContext ctx;
    private final ArchiveStore store;
    private final StreamChain chain;
    private final Done done;
    /** Where to stop (a point-in-time restore), or null: to the chain's end. */
    private final RestoreTarget limit;
    private ReplicationLinks.Replay replay;
    private long startNanos, lastLogNanos, fromOffset;
    private long segments, bytes;

    StreamCatchUp(ServerContext ctx, ArchiveStore store, StreamChain chain, RestoreTarget limit, Done done) {
        this.ctx = ctx;
        this.store = store;
        this.chain = chain;
        this.limit = limit;
        this.done = done;
    }

    /** On the executing loop, with the snapshot of history chain.replId() at offset installed. */
    void start(long offset, int db) {
        fromOffset = offset;
        startNanos = lastLogNanos = System.nanoTime();
        LOG.infof("Bootstrap: replaying the archived stream of %s from offset %d to %d (%.1f MB)", chain.replId(), offset, chain.end(),
            (chain.end() - offset) / 1e6);
        replay = ctx.replicationLinks().replay(chain.replId(), offset, db);
        if (limit != null && limit.byOffset() && limit.offset() <= offset) {
            finish(null);
            return;
        }
        Future<Optional<StreamSegment>> first = fetch(offset);
        first.onComplete(ar -> arrived(offset, ar.succeeded() ? ar.result() : null, ar.cause()));
    }

    /** Reads and checks the segment that starts at start, on a worker: empty when the archive has none. */
    private Future<Optional<StreamSegment>> fetch(long start) {
        String key = StreamSegment.key(chain.replId(), start);
        return ctx.vertx().executeBlocking(() -> {
            Optional<byte[]> stored = store.read(key);
            if (stored.isEmpty()) return Optional.<StreamSegment>empty();
            return Optional.of(StreamSegment.decode(stored.get()));
        }, false);
    }

    private void arrived(long start, Optional<StreamSegment> got, Throwable failure) {
        String key = StreamSegment.key(chain.replId(), start);
        if (failure != null) {
            finish("cannot read " + key + ": " + failure.getMessage());
            return;
        }
        if (got.isEmpty()) {
            finish(key + " is missing");
            return;
        }
        StreamSegment seg = got.get();
        if (seg.start() != start || !seg.replId().equals(chain.replId()) || seg.end() <= start) {
            finish(key + " holds " + seg.replId() + " from " + seg.start() + " to " + seg.end());
            return;
        }
        long stop = limit == null ? seg.end() : limit.stopIn(seg);
        boolean last = stop < seg.end() || seg.end() >= chain.end() || (limit != null && limit.byOffset() && stop >= limit.offset());
        // the next one comes while this one is applied
        Future<Optional<StreamSegment>> next = last ? null : fetch(seg.end());
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
                100.0 * (seg.end() - fromOffset) / Math.max(1, chain.end() - fromOffset), bytes / 1e6, bytes / 1e6 / secs);
        }
        if (next == null) {
            finish(null);
            return;
        }
        long nextStart = seg.end();
        next.onComplete(ar -> arrived(nextStart, ar.succeeded() ? ar.result() : null, ar.cause()));
    }

    private void finish(String stoppedBecause) {
        long reached = replay.offset();
        int db = replay.db();
        replay.close();
        double secs = (System.nanoTime() - startNanos) / 1e9;
        if (stoppedBecause != null) {
            LOG.warnf("Bootstrap: the archived stream stops at offset %d (%d segments, %.1f MB replayed): %s; the rest must come "
                + "from the master", reached, segments, bytes / 1e6, stoppedBecause);
        } else {
            LOG.infof("Bootstrap: replayed the archived stream from offset %d to %d: %d segments, %.1f MB in %.2f s", fromOffset, reached,
                segments, bytes / 1e6, secs);
        }
        done.reached(reached, db);
    }
}
