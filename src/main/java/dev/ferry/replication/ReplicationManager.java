package dev.ferry.replication;

import dev.ferry.engine.Backlog;
import dev.ferry.engine.Call;
import dev.ferry.engine.Client;
import dev.ferry.engine.ClientInfo;
import dev.ferry.engine.ClientType;
import dev.ferry.engine.DeferredReply;
import dev.ferry.engine.Errors;
import dev.ferry.engine.ReplicationLinks;
import dev.ferry.engine.ReplicationStatus;
import dev.ferry.engine.ReplicationStream;
import dev.ferry.engine.ServerContext;
import dev.ferry.engine.config.ServerSettings;
import dev.ferry.engine.info.Info;
import dev.ferry.engine.info.InfoSection;
import dev.ferry.engine.info.InfoWriter;
import dev.ferry.protocol.Ascii;
import dev.ferry.protocol.Reply;
import dev.ferry.rdb.RdbAux;
import dev.ferry.rdb.RdbFileWriter;
import dev.ferry.snapshot.Snapshot;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The master side of replication (Redis's replication.c): SYNC and PSYNC, the full resync from a disk
 * snapshot that serves every replica waiting for it or streamed to their sockets ({@link DisklessTransfer}),
 * the partial resync from the {@link Backlog}, the stream to online replicas, REPLCONF, WAIT, ROLE, INFO
 * replication, min-replicas-to-write, and the 1 Hz cron (PING, keepalive newlines, timeouts, the start of a
 * delayed diskless transfer, backlog TTL). Runs on the executing loop.
 */
public final class ReplicationManager implements ReplicationLinks, InfoSection {
    private static final Logger LOG = Logger.getLogger(ReplicationManager.class);
    private static final byte[] NEWLINE = {'\n'};

    private final ServerContext ctx;
    private final ServerSettings settings;
    private final ReplicationStream stream;
    /** Clients that sent REPLCONF, and replicas: by client. */
    private final Map<Client, Replica> known = new IdentityHashMap<>();
    /** Replicas (SYNC or PSYNC done), in the order they attached: INFO's slave0, slave1... */
    private final List<Replica> replicas = new ArrayList<>();
    private final ReplicationStream.SliceConsumer feed = this::feed;
    private final List<AckWaiter> waiters = new ArrayList<>();
    private boolean flushScheduled;
    private boolean getAckScheduled;
    private long cronTicks;
    private long noReplicasSinceMillis = System.currentTimeMillis();
    /** The link to this server's master; null on a master. */
    private MasterLink link;
    /** The running diskless transfer; null when none runs. */
    private DisklessTransfer transfer;
    /** Online replicas that acknowledged within min-replicas-max-lag at the last count (Redis's repl_good_slaves_count). */
    private int goodReplicas;
    /** The state as of the last cron or REPLICAOF, for other threads (see {@link #lastStatus()}). */
    private volatile ReplicationStatus published;

    /** A WAIT: its reply, the offset it waits for, how many replicas. */
    private record AckWaiter(Client client, DeferredReply reply, long offset, long numReplicas, long timer) { }

    public ReplicationManager(ServerContext ctx) {
        this.ctx = ctx;
        this.settings = ctx.settings();
        this.stream = ctx.replication();
        ctx.info().register(Info.Section.REPLICATION, this);
        ctx.persistence().addSaveListener(this::snapshotEnded);
        settings.minReplicasChanged = this::refreshGoodReplicas;
        if (settings.replicaofAtStart != null) {
            // a replica from the start: no expiry of its own, and none of its own effects in the stream, even
            // while it loads its snapshot (the link connects once that is in)
            stream.demote();
            ctx.keyspace().ownsExpiry(false);
        }
        publishStatus();
    }

    @Override
    public boolean isReplica() {
        return link != null;
    }

    @Override
    public boolean masterLinkUp() {
        return link != null && link.up();
    }

    @Override
    public void loadedAtStartup(RdbAux aux) {
        boolean resumable = aux != null && aux.hasReplicationInfo();
        if (settings.replicaofAtStart == null) {
            // a master keeps a fresh id and serves the file's history as replid2 (Redis's loadDataFromDisk)
            if (resumable) stream.restoredFrom(aux.replId(), aux.replOffset());
            return;
        }
        String[] hp = settings.replicaofAtStart.split("\\s+");
        if (resumable) {
            // the snapshot names where this replica stands: its first PSYNC continues from there
            stream.adopt(aux.replId(), aux.replOffset());
        }
        follow(hp[0], Integer.parseInt(hp[1]), resumable, resumable ? aux.replStreamDb() : 0);
    }

    @Override
    public Replay replay(String replId, long offset, int db) {
        return new StreamReplay(ctx, replId, offset, db);
    }

    /** Becomes a replica of host:port (Redis's replicationSetMaster). */
    private void follow(String host, int port, boolean cachedMaster, int masterDb) {
        if (link != null) link.stop();
        stream.demote();
        ctx.keyspace().ownsExpiry(false);
        // our replicas must resync with us: they may continue partially, and learn of the change either way
        disconnectReplicas();
        link = new MasterLink(ctx, this, host, port, cachedMaster, Math.max(0, masterDb));
        settings.replicaofText = host + " " + port;
        link.connect();
    }

    /** Drops every replica (Redis's disconnectSlaves): after a change of history they reconnect and PSYNC. */
    void disconnectReplicas() {
        for (Replica r : new ArrayList<>(replicas)) r.client.channel().kill();
    }

    // ---- SYNC / PSYNC -----------------------------------------------------------------------------------------

    @Override
    public void sync(Call c) {
        Client client = c.client;
        // already a replica, or a monitor (both CLIENT_SLAVE in Redis): ignored, as Redis does
        if (client.channel().type() == ClientType.REPLICA || client.monitor()) return;
        if (isReplica() && !link.up()) throw Errors.of("NOMASTERLINK Can't SYNC while not connected with my master");
        if (client.channel().pendingOutputBytes() > 0 || c.reply.position() > 0) {
            throw Errors.of("ERR SYNC and PSYNC are invalid with pending output");
        }
        boolean psync = c.argIs(0, "psync");
        Replica r = known.computeIfAbsent(client, Replica::new);
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
        attach(r);
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
        attach(r);
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

    /** The client becomes a replica: no replies to its commands, the stream from now on, its end detaches it. */
    private void attach(Replica r) {
        Client client = r.client;
        client.channel().type(ClientType.REPLICA);
        client.replyMode(Client.REPLY_OFF);
        client.onClose(() -> detach(r));
        r.ackMillis = System.currentTimeMillis();
        if (replicas.isEmpty()) stream.sliceConsumer(feed);
        replicas.add(r);
    }

    private void detach(Replica r) {
        known.remove(r.client);
        if (!replicas.remove(r)) return;
        r.pending = null;
        if (transfer != null) transfer.drop(r);
        LOG.infof("Connection with replica %s lost.", r.name());
        refreshGoodReplicas();
        if (replicas.isEmpty()) {
            stream.sliceConsumer(null);
            noReplicasSinceMillis = System.currentTimeMillis();
        }
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
        for (Replica r : replicas) {
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
        for (Replica r : replicas) {
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
        } else if (!ctx.persistence().startBackgroundSave("replication")) {
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
        for (Replica r : new ArrayList<>(replicas)) {
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
        refreshGoodReplicas();
        if (!r.startStreamOnAck) startStream(r);
    }

    /** Redis's replicaStartCommandStream: the held stream, then the live one. */
    private void startStream(Replica r) {
        r.startStreamOnAck = false;
        Reply out = r.client.reply();
        if (r.pending != null) for (byte[] b : r.pending) out.raw(b, 0, b.length);
        r.pending = null;
        r.pendingBytes = 0;
        r.client.channel().flush();
        LOG.infof("Synchronization with replica %s succeeded", r.name());
    }

    // ---- the stream to the replicas ----------------------------------------------------------------------------

    /** The stream's bytes resp[off, off + len), valid during the call: online replicas copy them into their output. */
    private void feed(byte[] resp, int off, int len) {
        byte[] held = null;
        for (Replica r : replicas) {
            switch (r.state) {
                case ONLINE -> {
                    if (r.startStreamOnAck) {
                        if (held == null) held = java.util.Arrays.copyOfRange(resp, off, off + len);
                        r.hold(held);
                        checkHeldLimit(r);
                    } else {
                        r.client.reply().raw(resp, off, len);
                        scheduleFlush();
                    }
                }
                case WAIT_BGSAVE_END, SEND_BULK -> {
                    if (held == null) held = java.util.Arrays.copyOfRange(resp, off, off + len);
                    r.hold(held);
                    checkHeldLimit(r);
                }
                default -> { } // its snapshot is not started yet: it will begin after these bytes
            }
        }
    }

    /** The replicas' output leaves once per turn of the loop, after the commands of that turn. */
    private void scheduleFlush() {
        if (flushScheduled) return;
        flushScheduled = true;
        ctx.executor().runOnContext(v -> {
            flushScheduled = false;
            for (Replica r : new ArrayList<>(replicas)) {
                if (r.state == Replica.State.ONLINE && !r.startStreamOnAck && r.client.reply().position() > 0) {
                    r.client.channel().flush();
                }
            }
        });
    }

    /**
     * The stream held during a full resync counts against client-output-buffer-limit replica, as the output
     * buffer Redis holds it in: over the hard limit, or over the soft one for longer than its seconds, the replica
     * is dropped, and its next PSYNC decides.
     */
    private void checkHeldLimit(Replica r) {
        if (!r.heldLimit.over(settings, ClientType.REPLICA.limitClass(), true, r.pendingBytes,
            System.currentTimeMillis() / 1000)) {
            return;
        }
        ctx.stats().clientOutputBufferLimitDisconnections++;
        LOG.warnf("Client %s scheduled to be closed ASAP for overcoming of output buffer limits.",
            ClientInfo.line(r.client, 0));
        r.client.channel().kill();
    }

    // ---- REPLCONF, WAIT, ROLE ----------------------------------------------------------------------------------

    @Override
    public void datasetReplaced() {
        stream.newHistory();
        disconnectReplicas();
        LOG.infof("Dataset replaced by a restore: new replication ID %s, replicas resynchronize", stream.replId());
    }

    @Override
    public void replicaKeepalive(Client client) {
        Replica r = known.get(client);
        if (r != null && r.state != null) r.ackMillis = System.currentTimeMillis();
    }

    @Override
    public void replconf(Call c) {
        if (c.argc() % 2 == 0) throw Errors.syntax();
        Replica r = known.computeIfAbsent(c.client, Replica::new);
        for (int i = 1; i < c.argc(); i += 2) {
            String option = c.argString(i);
            switch (option.toLowerCase(Locale.ROOT)) {
                case "listening-port" -> r.listeningPort = c.longArg(i + 1);
                case "ip-address" -> {
                    byte[] ip = c.arg(i + 1);
                    if (ip.length >= 256) {
                        throw Errors.of("ERR REPLCONF ip-address provided by replica instance is too long: "
                            + ip.length + " bytes");
                    }
                    r.announcedIp = c.argString(i + 1);
                }
                case "capa" -> {
                    if (c.argIs(i + 1, "eof")) r.capaEof = true;
                    else if (c.argIs(i + 1, "psync2")) r.capaPsync2 = true;
                }
                case "ack" -> {
                    // only from an attached replica, and never answered
                    if (r.state == null) return;
                    long offset = Ascii.parseLongOr(c.arg(i + 1), Long.MIN_VALUE);
                    if (offset == Long.MIN_VALUE) return;
                    if (offset > r.ackOffset) r.ackOffset = offset;
                    r.ackMillis = System.currentTimeMillis();
                    // after a diskless transfer, the first ACK says the snapshot is loaded: the stream may follow
                    if (r.startStreamOnAck && r.state == Replica.State.ONLINE) startStream(r);
                    serveWaiters();
                    return;
                }
                case "getack" -> {
                    // asked of a replica by its master; a master has nothing to answer
                    return;
                }
                case "rdb-only" -> {
                    long v = c.longArg(i + 1);
                    if (v != 0 && v != 1) throw Errors.syntax();
                    r.rdbOnly = v == 1;
                }
                default -> throw Errors.of("ERR Unrecognized REPLCONF option: " + option);
            }
        }
        c.reply.ok();
    }

    @Override
    public void waitForReplicas(Call c, long numReplicas, long timeoutMillis) {
        long offset = c.client.replOffset();
        long acked = ackedAtLeast(offset);
        if (acked >= numReplicas || !c.mayBlock()) {
            c.reply.integer(acked);
            return;
        }
        DeferredReply reply = c.defer();
        long timer = timeoutMillis > 0 ? ctx.vertx().setTimer(timeoutMillis, id -> expire(reply)) : -1;
        waiters.add(new AckWaiter(c.client, reply, offset, numReplicas, timer));
        requestAcks();
    }

    private long ackedAtLeast(long offset) {
        long n = 0;
        for (Replica r : replicas) if (r.state == Replica.State.ONLINE && r.ackOffset >= offset) n++;
        return n;
    }

    /** REPLCONF GETACK * to every replica, once per turn of the loop however many WAITs asked. */
    private void requestAcks() {
        if (getAckScheduled) return;
        getAckScheduled = true;
        ctx.executor().runOnContext(v -> {
            getAckScheduled = false;
            if (!replicas.isEmpty()) stream.getAck();
        });
    }

    private void serveWaiters() {
        if (waiters.isEmpty()) return;
        for (AckWaiter w : new ArrayList<>(waiters)) {
            long acked = ackedAtLeast(w.offset());
            if (acked >= w.numReplicas() || w.client().channel().closed()) {
                waiters.remove(w);
                if (w.timer() >= 0) ctx.vertx().cancelTimer(w.timer());
                w.reply().complete(out -> out.integer(acked), null);
            }
        }
    }

    private void expire(DeferredReply reply) {
        for (AckWaiter w : new ArrayList<>(waiters)) {
            if (w.reply() != reply) continue;
            waiters.remove(w);
            long acked = ackedAtLeast(w.offset());
            reply.complete(out -> out.integer(acked), null);
        }
    }

    @Override
    public void role(Call c) {
        Reply out = c.reply;
        if (link != null) {
            out.array(5);
            out.bulk("slave");
            out.bulk(link.host);
            out.integer(link.port);
            out.bulk(link.state.role);
            out.integer(link.roleOffset());
            return;
        }
        List<Replica> online = new ArrayList<>();
        for (Replica r : replicas) if (r.state == Replica.State.ONLINE) online.add(r);
        out.array(3);
        out.bulk("master");
        out.integer(stream.offset());
        out.array(online.size());
        for (Replica r : online) {
            out.array(3);
            out.bulk(r.ip());
            out.bulk(Long.toString(r.listeningPort));
            out.bulk(Long.toString(r.ackOffset));
        }
    }

    @Override
    public void replicaOf(Call c, String host, int port) {
        boolean changed = replicaOf(host, port, ClientInfo.line(c.client, 0));
        if (host != null && !changed) c.reply.simple("OK Already connected to specified master");
        else c.reply.ok();
    }

    @Override
    public boolean replicaOf(String host, int port, String who) {
        try {
            if (host == null) {
                if (link == null) return false;
                // Redis's replicationUnsetMaster: a new history that remembers the old one as replid2, so the
                // other replicas of the old master continue here with a partial resync
                link.stop();
                link = null;
                settings.replicaofText = "";
                stream.promote();
                ctx.keyspace().ownsExpiry(true);
                disconnectReplicas();
                LOG.infof("MASTER MODE enabled (user request from '%s')", who);
                return true;
            }
            if (link != null && link.host.equalsIgnoreCase(host) && link.port == port) {
                LOG.info("REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.");
                return false;
            }
            // the history we hold (our own as a master, or the old master's) is what we ask to continue
            follow(host, port, true, link != null ? 0 : stream.streamDb());
            LOG.infof("REPLICAOF %s:%d enabled (user request from '%s')", host, port, who);
            return true;
        } finally {
            publishStatus();
        }
    }

    // ---- the state for other threads -------------------------------------------------------------------------

    @Override
    public ReplicationStatus status() {
        List<ReplicationStatus.ReplicaStatus> attached = new ArrayList<>(replicas.size());
        for (Replica r : replicas) {
            attached.add(new ReplicationStatus.ReplicaStatus(r.ip(), r.listeningPort, r.state.info, r.ackOffset,
                r.ackMillis));
        }
        Backlog backlog = stream.backlog();
        return new ReplicationStatus(System.currentTimeMillis(), isReplica(), stream.replId(), stream.replId2(),
            stream.offset(), stream.secondReplOffset(),
            new ReplicationStatus.BacklogStatus(backlog.size(), backlog.firstByteOffset(), backlog.histlen()),
            List.copyOf(attached), link == null ? null : link.status());
    }

    @Override
    public ReplicationStatus lastStatus() {
        return published;
    }

    /** Publishes the state for readiness and metrics, which read it without waiting on the loop. */
    private void publishStatus() {
        published = status();
    }

    // ---- cron ------------------------------------------------------------------------------------------------

    @Override
    public void cron() {
        cronTicks++;
        if (link != null) link.cron();
        long now = System.currentTimeMillis();
        // replicas waiting for their snapshot hear a newline every second, so their link does not time out; not
        // those of a transfer to their sockets, where a newline would land inside the snapshot
        for (Replica r : replicas) {
            boolean streaming = transfer != null && r.snapshot == transfer.aux();
            if (r.state == Replica.State.WAIT_BGSAVE_START || (r.state == Replica.State.WAIT_BGSAVE_END && !streaming)) {
                r.client.reply().raw(NEWLINE, 0, 1);
                r.client.channel().flush();
            }
        }
        if (transfer != null) transfer.dropStalled(now, settings.replTimeout * 1000L);
        startPendingIfDue();
        if (!replicas.isEmpty() && cronTicks % settings.replPingReplicaPeriod == 0) {
            stream.ping();
            scheduleFlush();
        }
        for (Replica r : new ArrayList<>(replicas)) {
            if (r.state == Replica.State.ONLINE && !r.prePsync && now - r.ackMillis > settings.replTimeout * 1000L) {
                LOG.warnf("Disconnecting timedout replica (streaming sync): %s", r.name());
                r.client.channel().kill();
            }
        }
        for (AckWaiter w : new ArrayList<>(waiters)) {
            if (w.client().channel().closed()) {
                waiters.remove(w);
                if (w.timer() >= 0) ctx.vertx().cancelTimer(w.timer());
            }
        }
        long ttl = settings.replBacklogTtl;
        if (replicas.isEmpty() && ttl > 0 && !isReplica() && stream.backlog().histlen() > 0
            && now - noReplicasSinceMillis > ttl * 1000) {
            stream.newHistory();
            LOG.infof("Replication backlog freed after %d seconds without connected replicas.", ttl);
        }
        refreshGoodReplicas();
        publishStatus();
    }

    // ---- min-replicas-to-write ------------------------------------------------------------------------------

    /**
     * Redis's refreshGoodSlavesCount: online replicas whose last ACK is at most min-replicas-max-lag seconds old.
     * Counted by the cron, when a replica goes online or away and when the settings change; not kept while the
     * check is off.
     */
    private void refreshGoodReplicas() {
        if (settings.minReplicasToWrite == 0 || settings.minReplicasMaxLag == 0) return;
        long now = System.currentTimeMillis() / 1000;
        int good = 0;
        for (Replica r : replicas) {
            if (r.state == Replica.State.ONLINE && now - r.ackMillis / 1000 <= settings.minReplicasMaxLag) good++;
        }
        goodReplicas = good;
    }

    @Override
    public boolean enoughGoodReplicas() {
        return isReplica() || settings.minReplicasToWrite == 0 || settings.minReplicasMaxLag == 0
            || goodReplicas >= settings.minReplicasToWrite;
    }

    // ---- INFO replication ----------------------------------------------------------------------------------

    @Override
    public void write(InfoWriter out) {
        out.field("role", isReplica() ? "slave" : "master");
        if (link != null) {
            link.writeInfo(out);
            out.field("slave_priority", settings.replicaPriority);
            out.field("slave_read_only", settings.replicaReadOnly ? 1 : 0);
            out.field("replica_announced", settings.replicaAnnounced ? 1 : 0);
        }
        out.field("connected_slaves", replicas.size());
        if (settings.minReplicasToWrite != 0 && settings.minReplicasMaxLag != 0) {
            out.field("min_slaves_good_slaves", goodReplicas);
        }
        long now = System.currentTimeMillis() / 1000;
        int i = 0;
        for (Replica r : replicas) {
            out.field("slave" + i++, "ip=" + r.ip() + ",port=" + r.listeningPort + ",state=" + r.state.info
                + ",offset=" + r.ackOffset + ",lag=" + (now - r.ackMillis / 1000));
        }
        out.field("master_failover_state", "no-failover");
        out.field("master_replid", stream.replId());
        out.field("master_replid2", stream.replId2());
        out.field("master_repl_offset", stream.offset());
        out.field("second_repl_offset", stream.secondReplOffset());
        Backlog backlog = stream.backlog();
        out.field("repl_backlog_active", 1);
        out.field("repl_backlog_size", backlog.size());
        out.field("repl_backlog_first_byte_offset", backlog.firstByteOffset());
        out.field("repl_backlog_histlen", backlog.histlen());
    }
}
