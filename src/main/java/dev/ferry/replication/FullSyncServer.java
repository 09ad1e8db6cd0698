package dev.ferry.replication;

import dev.ferry.engine.Backlog;
import dev.ferry.engine.Call;
import dev.ferry.engine.Client;
import dev.ferry.engine.ClientType;
import dev.ferry.engine.Errors;
import dev.ferry.engine.ReplicationStream;
import dev.ferry.engine.ServerContext;
import dev.ferry.engine.config.ServerSettings;
import dev.ferry.protocol.Ascii;
import dev.ferry.protocol.Reply;
import dev.ferry.rdb.RdbFileWriter;
import dev.ferry.snapshot.Snapshot;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The master's answer to SYNC and PSYNC (Redis's syncCommand and what it starts): the partial resync from the
 * {@link Backlog}, or the full resync from a snapshot, on disk and sent as a file, or streamed to the replicas'
 * sockets ({@link DisklessTransfer}); one snapshot serves every replica waiting for it. Its work on a replica
 * ends when the replica is online and the stream held for it during its snapshot has followed the snapshot.
 *
 * <p>It holds only the running diskless transfer: the replicas, and the stream that reaches them while they
 * wait, are the {@link ReplicationManager}'s, which attaches and detaches them and feeds them the stream. Runs on
 * the executing loop.
 */
final class FullSyncServer {
    /** Its lines keep the category they always had: log filters and tests listen to the manager's. */
    private static final Logger LOG = Logger.getLogger(ReplicationManager.class);
    private static final byte[] NEWLINE = {'\n'};

    private final ServerContext ctx;
    private final ServerSettings settings;
    private final ReplicationStream stream;
    private final ReplicationManager manager;
    /** The running diskless transfer; null when none runs. */
    private DisklessTransfer transfer;

    FullSyncServer(ServerContext ctx, ReplicationManager manager) {
        this.ctx = ctx;
        this.settings = ctx.settings();
        this.stream = ctx.replication();
        this.manager = manager;
        ctx.persistence().addSaveListener(this::snapshotEnded);
    }

    /** SYNC and PSYNC (Redis's syncCommand). */
    void sync(Call c) {
        Client client = c.client;
        // already a replica, or a monitor (both CLIENT_SLAVE in Redis): ignored, as Redis does
        if (client.channel().type() == ClientType.REPLICA || client.monitor()) return;
        if (manager.isReplica() && !manager.masterLinkUp()) {
            throw Errors.of("NOMASTERLINK Can't SYNC while not connected with my master");
        }
        if (client.channel().pendingOutputBytes() > 0 || c.reply.position() > 0) {
            throw Errors.of("ERR SYNC and PSYNC are invalid with pending output");
        }
        boolean psync = c.argIs(0, "psync");
        Replica r = manager.replicaFor(client);
        LOG.infof("Replica %s asks for synchronization", r.name());
        if (psync) {
            String id = c.argString(1);
            long offset = c.longArg(2);
            if (tryPartial(c, r, id, offset)) {
                ctx.stats().syncPartialOk++;
                return;
            }
            // "?" asks for a full resync; anything else was a partial resync that failed
            if (!id.equals("?")) ctx.stats().syncPartialErr++;
        } else {
            r.prePsync = true;
        }
        ctx.stats().syncFull++;
        LOG.infof("Full resync requested by replica %s", r.name());
        manager.attach(r);
        r.state = Replica.State.WAIT_BGSAVE_START;
        r.waitingSinceMillis = System.currentTimeMillis();
        RdbFileWriter.Aux running = ctx.persistence().runningAux();
        if (running != null) {
            // a save is running: its dataset serves this replica too when the backlog still holds every byte
            // after its offset (Redis attaches only to a save another replica waits for; the backlog makes any do).
            // A transfer to other replicas' sockets cannot be joined halfway.
            if (!ctx.persistence().savingToDisk()) {
                LOG.infof("Current BGSAVE has socket target. Waiting for next BGSAVE for SYNC");
            } else if (running.replId().equals(stream.replId()) && stream.backlog().covers(running.replOffset() + 1)) {
                LOG.infof("Waiting for end of BGSAVE for SYNC");
                await(r, running);
                r.hold(stream.backlog().copyFrom(running.replOffset() + 1));
            } else {
                LOG.infof("Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC");
            }
            return;
        }
        if (settings.replDisklessSync && r.capaEof && settings.replDisklessSyncDelay > 0) {
            // the cron starts the transfer once the delay has passed, so that replicas arriving meanwhile share it;
            // enough of them (repl-diskless-sync-max-replicas) start it now
            LOG.infof("Delay next BGSAVE for diskless SYNC");
            startPendingIfDue();
            return;
        }
        startSnapshot();
    }

    private boolean tryPartial(Call c, Replica r, String id, long offset) {
        boolean sameHistory = id.equalsIgnoreCase(stream.replId())
            || (id.equalsIgnoreCase(stream.replId2()) && offset <= stream.secondReplOffset());
        if (!sameHistory) {
            if (!id.equals("?")) {
                LOG.infof("Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '%s', my "
                    + "replication IDs are '%s' and '%s')", id, stream.replId(), stream.replId2());
            }
            return false;
        }
        Backlog backlog = stream.backlog();
        if (!backlog.covers(offset)) {
            LOG.infof("Unable to partial resync with replica %s for lack of backlog (Replica request was: %d).",
                r.name(), offset);
            return false;
        }
        manager.attach(r);
        r.state = Replica.State.ONLINE;
        r.ackOffset = offset - 1;
        Reply out = c.reply;
        out.simple(r.capaPsync2 ? "CONTINUE " + stream.replId() : "CONTINUE");
        byte[] missed = backlog.copyFrom(offset);
        out.raw(missed, 0, missed.length);
        LOG.infof("Partial resynchronization request from %s accepted. Sending %d bytes of backlog starting from offset %d.",
            r.name(), missed.length, offset);
        return true;
    }

    /** The replica's connection is gone: a transfer to its socket goes on without it. */
    void detached(Replica r) {
        if (transfer != null) transfer.drop(r);
    }

    /**
     * The 1 Hz part of the full resync: replicas waiting for their snapshot hear a newline, a transfer drops the
     * replicas that take nothing, a delayed diskless transfer starts when due.
     */
    void cron(long now) {
        // replicas waiting for their snapshot hear a newline every second, so their link does not time out; not
        // those of a transfer to their sockets, where a newline would land inside the snapshot
        for (Replica r : manager.replicas()) {
            boolean streaming = transfer != null && r.snapshot == transfer.aux();
            if (r.state == Replica.State.WAIT_BGSAVE_START || (r.state == Replica.State.WAIT_BGSAVE_END && !streaming)) {
                r.client.reply().raw(NEWLINE, 0, 1);
                r.client.channel().flush();
            }
        }
        if (transfer != null) transfer.dropStalled(now, settings.replTimeout * 1000L);
        startPendingIfDue();
    }

    /**
     * Redis's shouldStartChildForReplication: with replicas waiting and no snapshot running, the snapshot starts
     * unless diskless sync waits for more replicas: until the longest-waiting one has waited
     * repl-diskless-sync-delay seconds, or repl-diskless-sync-max-replicas of them wait.
     */
    private void startPendingIfDue() {
        if (ctx.persistence().saving()) return;
        int waiting = 0;
        long nowSeconds = System.currentTimeMillis() / 1000, maxIdle = 0;
        for (Replica r : manager.replicas()) {
            if (r.state != Replica.State.WAIT_BGSAVE_START) continue;
            waiting++;
            maxIdle = Math.max(maxIdle, nowSeconds - r.waitingSinceMillis / 1000);
        }
        if (waiting == 0) return;
        int maxReplicas = settings.replDisklessSyncMaxReplicas;
        if (!settings.replDisklessSync || (maxReplicas > 0 && waiting >= maxReplicas)
            || maxIdle >= settings.replDisklessSyncDelay) {
            startSnapshot();
        }
    }

    /**
     * Starts a snapshot for the replicas waiting for one (Redis's startBgsaveForReplication); each gets +FULLRESYNC
     * with its offset. It goes to their sockets when diskless sync is on and every one of them announced capa eof,
     * else to the snapshot file.
     */
    private void startSnapshot() {
        if (ctx.persistence().saving()) return; // one runs: it ends, then we start
        List<Replica> waiting = new ArrayList<>();
        boolean allEof = true;
        for (Replica r : manager.replicas()) {
            if (r.state != Replica.State.WAIT_BGSAVE_START) continue;
            waiting.add(r);
            allEof &= r.capaEof;
        }
        if (waiting.isEmpty()) return;
        boolean toSockets = settings.replDisklessSync && allEof;
        // the next write selects its db again: the snapshot's repl-stream-db is then 0 (Redis resets slaveseldb)
        stream.forceSelect();
        LOG.infof("Starting BGSAVE for SYNC with target: %s", toSockets ? "replicas sockets" : "disk");
        if (toSockets) {
            DisklessTransfer t = new DisklessTransfer(waiting, task -> ctx.executor().runOnContext(v -> task.run()));
            if (!ctx.persistence().startTransfer("replication", t)) return;
            transfer = t;
            t.aux(ctx.persistence().runningAux());
        } else if (!ctx.persistence().startBackgroundSave("replication", true)) {
            return;
        }
        RdbFileWriter.Aux aux = ctx.persistence().runningAux();
        for (Replica r : waiting) await(r, aux);
    }

    /** The replica waits for this snapshot: +FULLRESYNC now (not to SYNC clients), the stream held after it. */
    private void await(Replica r, RdbFileWriter.Aux snapshot) {
        r.state = Replica.State.WAIT_BGSAVE_END;
        r.snapshot = snapshot;
        r.pending = null;
        r.pendingBytes = 0;
        if (!r.prePsync) {
            r.client.reply().simple("FULLRESYNC " + snapshot.replId() + " " + snapshot.replOffset());
            r.client.channel().flush();
        }
    }

    /**
     * A background save ended: its waiting replicas get the file, or are online after a transfer to their sockets,
     * or lose their link when it failed; replicas that waited for the next snapshot may start it.
     */
    private void snapshotEnded(Snapshot.Result result, Path file, RdbFileWriter.Aux aux) {
        DisklessTransfer sockets = transfer != null && transfer.aux() == aux ? transfer : null;
        if (sockets != null) {
            transfer = null;
            sockets.close();
        }
        for (Replica r : new ArrayList<>(manager.replicas())) {
            if (r.state != Replica.State.WAIT_BGSAVE_END || r.snapshot != aux) continue;
            if (!result.ok() || (file == null && sockets == null)) {
                LOG.warnf("SYNC failed. BGSAVE child returned an error (replica %s): %s", r.name(), result.error());
                r.client.channel().kill();
            } else if (sockets != null) {
                streamed(r, sockets);
            } else {
                sendSnapshot(r, file);
            }
        }
        startPendingIfDue();
    }

    /**
     * Redis's updateSlavesWaitingBgsave for a socket target: the replica that took the whole snapshot is online,
     * but its held stream waits for its first REPLCONF ACK, sent once it has loaded the snapshot.
     */
    private void streamed(Replica r, DisklessTransfer sockets) {
        if (!sockets.delivered(r)) return; // dropped during the transfer: its connection is closing
        LOG.infof("Streamed RDB transfer with replica %s succeeded (socket). Waiting for REPLCONF ACK from slave to "
            + "enable streaming", r.name());
        r.startStreamOnAck = true;
        online(r);
    }

    private void sendSnapshot(Replica r, Path file) {
        FileChannel channel;
        long size;
        try {
            // opened now, in the turn the save ended: a later save renames a new file over it, not into it
            channel = FileChannel.open(file, StandardOpenOption.READ);
            size = channel.size();
        } catch (IOException e) {
            LOG.warnf("SYNC failed. Can't open/stat DB after BGSAVE (replica %s): %s", r.name(), e.getMessage());
            r.client.channel().kill();
            return;
        }
        r.state = Replica.State.SEND_BULK;
        byte[] header = Ascii.bytes("$" + size + "\r\n");
        r.client.reply().raw(header, 0, header.length);
        long start = System.nanoTime();
        r.client.channel().sendFile(channel, size, failure -> {
            if (failure != null) {
                LOG.warnf("Write error sending DB to replica %s: %s", r.name(), failure.getMessage());
                r.client.channel().kill();
                return;
            }
            double seconds = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
            LOG.infof("Sent %.1f MB of snapshot to replica %s in %.2f s (%.1f MB/s)", size / 1e6, r.name(), seconds,
                size / 1e6 / seconds);
            online(r);
        });
    }

    /**
     * Redis's replicaPutOnline: the held stream follows the snapshot, then the live stream (after a diskless
     * transfer, from the first ACK on).
     */
    private void online(Replica r) {
        if (r.client.channel().closed()) return;
        if (r.rdbOnly) {
            r.client.channel().closeAfterReply();
            r.client.channel().flush();
            return;
        }
        r.state = Replica.State.ONLINE;
        r.ackMillis = System.currentTimeMillis();
        manager.refreshGoodReplicas();
        if (!r.startStreamOnAck) startStream(r);
    }

    /** Redis's replicaStartCommandStream: the held stream, then the live one. */
    void startStream(Replica r) {
        r.startStreamOnAck = false;
        Reply out = r.client.reply();
        if (r.pending != null) for (byte[] b : r.pending) out.raw(b, 0, b.length);
        r.pending = null;
        r.pendingBytes = 0;
        r.client.channel().flush();
        LOG.infof("Synchronization with replica %s succeeded", r.name());
    }
}
