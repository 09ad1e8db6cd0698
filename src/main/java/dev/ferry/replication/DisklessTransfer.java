package dev.ferry.replication;

import dev.ferry.engine.ClientChannel;
import dev.ferry.engine.ReplicationStream;
import dev.ferry.protocol.Ascii;
import dev.ferry.rdb.RdbFileWriter;
import dev.ferry.snapshot.SnapshotSink;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.LockSupport;

/**
 * One diskless full resync (Redis's rdbSaveToSlavesSockets): the snapshot's RDB goes straight to the sockets of
 * the replicas waiting for it, framed as Redis frames it ({@code $EOF:} + 40 random hex chars + CRLF, the RDB, the
 * same 40 chars), and nothing is written to disk.
 *
 * <p>The snapshot's writer thread encodes; this sink copies each block it gets into a chunk and hands the chunk to
 * the executing loop, which writes it to every replica still in the transfer (one array shared by all of them;
 * only the loop touches sockets). Backpressure: the writer waits while the slowest replica has more than
 * {@link #WINDOW} bytes its socket has not taken yet, so the transfer's memory is bounded whatever the replicas
 * do. As in Redis, whose parent reads the child's pipe again only once every replica took the last block, the
 * slowest replica sets the pace; one whose socket takes nothing for repl-timeout is dropped by the cron
 * ({@link #dropStalled}). A replica whose connection fails or closes is dropped without failing the others; when
 * none is left the writer fails and the snapshot ends (Redis kills its child).
 */
final class DisklessTransfer implements SnapshotSink {
    private static final Logger LOG = Logger.getLogger(DisklessTransfer.class);
    /**
     * Bytes handed to a replica's socket and not taken by it yet, above which the writer waits. A few socket
     * buffers' worth keeps the sockets busy while the writer encodes the next chunk.
     */
    static final long WINDOW = 4L << 20;
    /** The largest chunk handed to the loop: a big value's block is cut into chunks of this size. */
    static final int MAX_CHUNK = 1 << 20;
    /** How long the writer sleeps between checks when it waits (the loop also wakes it when a socket takes bytes). */
    private static final long PARK_NANOS = 10_000_000;

    /** One replica of the transfer. */
    private static final class Target {
        final Replica replica;
        /** Bytes its socket took; written on the loop only, read by the writer. */
        volatile long taken;
        volatile boolean dropped;
        /** Loop only: bytes handed to its socket. */
        long handed;
        /** Loop only: since when its socket has held bytes without taking any (Redis's repl_last_partial_write). */
        long waitingSinceMillis;

        Target(Replica replica) {
            this.replica = replica;
        }
    }

    private final List<Target> targets = new ArrayList<>();
    private final Executor loop;
    private final byte[] mark = Ascii.bytes(ReplicationStream.newReplId());
    /** The snapshot's replication id and offset, set once it started. */
    private RdbFileWriter.Aux aux;
    /** Writer thread only: bytes handed to the loop. */
    private long sent;
    private volatile Thread writer;
    private volatile boolean closed;

    /** @param loop runs a task on the executing loop */
    DisklessTransfer(List<Replica> replicas, Executor loop) {
        for (Replica r : replicas) targets.add(new Target(r));
        this.loop = loop;
    }

    RdbFileWriter.Aux aux() {
        return aux;
    }

    void aux(RdbFileWriter.Aux aux) {
        this.aux = aux;
    }

    // ---- the loop's side -----------------------------------------------------------------------------------

    /** Whether the replica received the whole snapshot (asked once the snapshot ended well). */
    boolean delivered(Replica r) {
        for (Target t : targets) if (t.replica == r) return !t.dropped;
        return false;
    }

    /** The replica's connection is gone: the others go on without it. */
    void drop(Replica r) {
        for (Target t : targets) if (t.replica == r) drop(t, "connection lost");
    }

    /** The transfer is over (ended, failed or cancelled): a writer still waiting stops. */
    void close() {
        closed = true;
        LockSupport.unpark(writer);
    }

    /** Drops the replicas whose socket has taken nothing for timeoutMillis while bytes waited for it. */
    void dropStalled(long nowMillis, long timeoutMillis) {
        for (Target t : targets) {
            if (t.dropped || t.handed == t.taken || nowMillis - t.waitingSinceMillis <= timeoutMillis) continue;
            LOG.warnf("Disconnecting timedout replica (full sync): %s", t.replica.name());
            drop(t, "timeout");
        }
    }

    private void deliver(byte[] chunk) {
        ByteBuffer bytes = ByteBuffer.wrap(chunk);
        long now = System.currentTimeMillis();
        for (Target t : targets) {
            if (t.dropped) continue;
            ClientChannel channel = t.replica.client.channel();
            if (channel.closed()) {
                drop(t, "connection lost");
                continue;
            }
            if (t.handed == t.taken) t.waitingSinceMillis = now;
            t.handed += chunk.length;
            channel.sendBytes(bytes, failure -> taken(t, chunk.length, failure));
        }
    }

    private void taken(Target t, int n, Throwable failure) {
        if (failure != null) {
            drop(t, failure.getMessage() == null ? failure.toString() : failure.getMessage());
            return;
        }
        t.taken += n;
        t.waitingSinceMillis = System.currentTimeMillis();
        LockSupport.unpark(writer);
    }

    private void drop(Target t, String why) {
        if (t.dropped) return;
        t.dropped = true;
        LOG.warnf("Diskless rdb transfer, replica %s dropped: %s", t.replica.name(), why);
        t.replica.client.channel().kill();
        boolean anyLeft = false;
        for (Target x : targets) anyLeft |= !x.dropped;
        if (!anyLeft) LOG.warn("Diskless rdb transfer, last replica dropped, killing fork child.");
        LockSupport.unpark(writer);
    }

    // ---- the writer thread's side ------------------------------------------------------------------------

    @Override
    public OutputStream open() throws IOException {
        writer = Thread.currentThread();
        byte[] header = new byte[5 + mark.length + 2];
        System.arraycopy(Ascii.bytes("$EOF:"), 0, header, 0, 5);
        System.arraycopy(mark, 0, header, 5, mark.length);
        header[header.length - 2] = '\r';
        header[header.length - 1] = '\n';
        send(header, 0, header.length);
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                send(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                send(b, off, len);
            }
        };
    }

    /** The mark after the RDB, then waits until every replica left has taken the last byte. */
    @Override
    public void commit() throws IOException {
        send(mark, 0, mark.length);
        while (slowestTaken() < sent) LockSupport.parkNanos(this, PARK_NANOS);
    }

    @Override
    public void abort() {
        // the replicas that got part of it lose their link when the manager hears the failure
        closed = true;
    }

    @Override
    public String describe() {
        StringBuilder names = new StringBuilder();
        for (Target t : targets) names.append(names.length() == 0 ? "" : ", ").append(t.replica.name());
        return "replicas sockets (" + names + ")";
    }

    /** Copies the bytes into chunks for the loop, each once the slowest replica is within the window. */
    private void send(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, MAX_CHUNK);
            while (sent - slowestTaken() > WINDOW) LockSupport.parkNanos(this, PARK_NANOS);
            byte[] chunk = Arrays.copyOfRange(b, off, off + n);
            sent += n;
            loop.execute(() -> deliver(chunk));
            off += n;
            len -= n;
        }
    }

    /** Bytes taken by the slowest replica still in the transfer; fails when none is left or it was closed. */
    private long slowestTaken() throws IOException {
        if (closed) throw new IOException("the transfer was cancelled");
        long min = Long.MAX_VALUE;
        for (Target t : targets) if (!t.dropped) min = Math.min(min, t.taken);
        if (min == Long.MAX_VALUE) throw new IOException("no replica is left to receive the snapshot");
        return min;
    }
}
