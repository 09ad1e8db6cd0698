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
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The master side of replication (Redis's replication.c): the replicas attached to this server and the stream
 * to them, REPLCONF, WAIT, ROLE, REPLICAOF, INFO replication, min-replicas-to-write, and the 1 Hz cron (PING,
 * timeouts, backlog TTL). SYNC and PSYNC, the partial resync from the {@link Backlog} and the full resync from a
 * snapshot, are the {@link FullSyncServer}'s, which works on the replicas listed here. Runs on the executing loop.
 */
public final class ReplicationManager implements ReplicationLinks, InfoSection {
    private static final Logger LOG = Logger.getLogger(ReplicationManager.class);

    private final ServerContext ctx;
    private final ServerSettings settings;
    private final ReplicationStream stream;
    /** Clients that sent REPLCONF, and replicas: by client. */
    private final Map<Client, Replica> known = new IdentityHashMap<>();
    /** Replicas (SYNC or PSYNC done), in the order they attached: INFO's slave0, slave1... */
    private final List<Replica> replicas = new ArrayList<>();
    private final ReplicationStream.SliceConsumer feed = this::feed;
    private final List<AckWaiter> waiters = new ArrayList<>();
    /** SYNC and PSYNC: the partial and full resyncs that bring a replica online. */
    private final FullSyncServer fullSync;
    private boolean flushScheduled;
    private boolean getAckScheduled;
    private long cronTicks;
    private long noReplicasSinceMillis = System.currentTimeMillis();
    /** The link to this server's master; null on a master. */
    private MasterLink link;
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
        this.fullSync = new FullSyncServer(ctx, this);
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
        fullSync.sync(c);
    }

    /** The entry of a client that sent REPLCONF, SYNC or PSYNC, made at its first. */
    Replica replicaFor(Client client) {
        return known.computeIfAbsent(client, Replica::new);
    }

    /** Replicas (SYNC or PSYNC done), in the order they attached. */
    List<Replica> replicas() {
        return replicas;
    }

    /** The client becomes a replica: no replies to its commands, the stream from now on, its end detaches it. */
    void attach(Replica r) {
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
        fullSync.detached(r);
        LOG.infof("Connection with replica %s lost.", r.name());
        refreshGoodReplicas();
        if (replicas.isEmpty()) {
            stream.sliceConsumer(null);
            noReplicasSinceMillis = System.currentTimeMillis();
        }
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
        Replica r = replicaFor(c.client);
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
                    if (r.startStreamOnAck && r.state == Replica.State.ONLINE) fullSync.startStream(r);
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
        fullSync.cron(now);
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
    void refreshGoodReplicas() {
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