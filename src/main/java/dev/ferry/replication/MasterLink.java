package dev.ferry.replication;

import dev.ferry.engine.Client;
import dev.ferry.engine.DatasetLoader;
import dev.ferry.engine.ReplicationStatus;
import dev.ferry.engine.ReplicationStream;
import dev.ferry.engine.ServerContext;
import dev.ferry.engine.config.ServerSettings;
import dev.ferry.engine.info.InfoWriter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;

/**
 * The replica side of replication: this server's link to its master, as an explicit state machine (Redis's
 * repl_state, one method per phase): connect, PING, AUTH, REPLCONF, PSYNC with the position it holds (the
 * cached master: the history and offset it applied, or those of the snapshot it loaded at start-up), then
 * either the backlog's bytes (+CONTINUE) or a snapshot (+FULLRESYNC) received into a temp file off the loop,
 * loaded into tables of its own while the old dataset goes on serving, and swapped in at once; then the
 * stream, applied command by command through a client of its own, with REPLCONF ACK every second.
 *
 * <p>The snapshot's receipt and load are the {@link SnapshotReceiver}'s: its bookkeeping (sizes, the EOF mark,
 * the temp file, the stream held back behind the snapshot) is of no concern to the handshake or the stream. The
 * link keeps what every phase shares (the connection, its generation, the state) and the swap ({@link #install}),
 * which touches the replication stream, the link's own replicas and the master's client.
 *
 * <p>Any failure (a refused AUTH, garbage, a master that vanishes mid-transfer, a snapshot whose checksum is
 * wrong) ends in one log line, the link closed, the dataset as it was, and a new attempt a second later.
 */
final class MasterLink {
    private static final Logger LOG = Logger.getLogger(MasterLink.class);

    /** Redis's REPL_STATE_*, with the word ROLE shows for each. */
    enum State {
        CONNECT("connect"), CONNECTING("connecting"), RECEIVE_PING_REPLY("handshake"),
        RECEIVE_AUTH_REPLY("handshake"), RECEIVE_PORT_REPLY("handshake"), RECEIVE_IP_REPLY("handshake"),
        RECEIVE_CAPA_REPLY("handshake"), RECEIVE_PSYNC_REPLY("handshake"), TRANSFER("sync"), LOADING("sync"),
        CONNECTED("connected");

        final String role;

        State(String role) {
            this.role = role;
        }
    }

    private final ServerContext ctx;
    private final ServerSettings settings;
    private final ReplicationStream stream;
    private final ReplicationManager manager;
    final String host;
    final int port;
    private final NetClient client;

    State state = State.CONNECT;
    /** Whether PSYNC may name our history (false only for a replica started without a snapshot). */
    private boolean cachedMaster;
    /** The db the master's stream had selected when the link was last up (the snapshot's repl-stream-db). */
    private int masterDb;
    /** Bumped at every new connection: callbacks of an older one are ignored. */
    private int generation;
    private NetSocket socket;
    private MasterStream in;
    private Client masterClient;
    private MasterChannel masterChannel;
    private long lastIoMillis;
    /** Unix ms since when the link has been down (INFO master_link_down_since_seconds); 0 = never up. */
    private long downSinceMillis;
    /** Unix ms since when the link has been up; 0 while down. */
    private long upSinceMillis;
    private boolean everUp;
    private boolean stopped;

    // ---- transfer --------------------------------------------------------------------------------------------
    private String fullSyncReplId;
    private long fullSyncOffset;
    /** Receives and loads the snapshot of a full resync. */
    private final SnapshotReceiver snapshot;
    /** Applies the stream with the master's client, from the link's start. */
    private StreamApplier applier;

    MasterLink(ServerContext ctx, ReplicationManager manager, String host, int port, boolean cachedMaster, int masterDb) {
        this.ctx = ctx;
        this.settings = ctx.settings();
        this.stream = ctx.replication();
        this.manager = manager;
        this.host = host;
        this.port = port;
        this.cachedMaster = cachedMaster;
        this.masterDb = masterDb;
        NetClientOptions options = new NetClientOptions().setTcpNoDelay(true)
            .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, settings.replTimeout * 1000L));
        this.client = ctx.vertx().createNetClient(settings.tls.replication ? ctx.tls().clientOptions(options) : options);
        this.downSinceMillis = 0;
        this.snapshot = new SnapshotReceiver(ctx, this);
    }

    String name() {
        return host + ":" + port;
    }

    boolean up() {
        return state == State.CONNECTED;
    }

    /** Stops for good (REPLICAOF NO ONE or another master): the dataset stays as applied. */
    void stop() {
        stopped = true;
        close(null);
        client.close();
    }

    // ---- connect and handshake ----------------------------------------------------------------------------

    void connect() {
        if (stopped || state != State.CONNECT) return;
        int gen = ++generation;
        state = State.CONNECTING;
        lastIoMillis = System.currentTimeMillis();
        LOG.infof("Connecting to MASTER %s", name());
        LOG.info("MASTER <-> REPLICA sync started");
        client.connect(port, host).onComplete(ar -> {
            if (gen != generation || stopped) {
                if (ar.succeeded()) ar.result().close();
                return;
            }
            if (ar.failed()) {
                LOG.warnf("Error condition on socket for SYNC: %s", ar.cause().getMessage());
                state = State.CONNECT;
                return;
            }
            socket = ar.result();
            in = new MasterStream(settings.protoMaxBulkLen);
            socket.handler(b -> {
                if (gen == generation) received(b);
            });
            socket.closeHandler(v -> {
                if (gen == generation) linkLost("Connection with master lost.");
            });
            socket.exceptionHandler(e -> {
                if (gen == generation) LOG.warnf("Error condition on socket for SYNC: %s", e.getMessage());
            });
            LOG.info("Non blocking connect for SYNC fired the event.");
            state = State.RECEIVE_PING_REPLY;
            send("PING");
        });
    }

    private void send(String... args) {
        Buffer b = Buffer.buffer();
        b.appendString("*" + args.length + "\r\n");
        for (String a : args) {
            byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
            b.appendString("$" + bytes.length + "\r\n").appendBytes(bytes).appendString("\r\n");
        }
        socket.write(b);
    }

    private void received(Buffer b) {
        lastIoMillis = System.currentTimeMillis();
        byte[] bytes = b.getBytes();
        if (state == State.TRANSFER && snapshot.writingToFile() && in.pending() == 0) {
            snapshot.transferBytes(bytes, 0, bytes.length);
            return;
        }
        if (state == State.LOADING) {
            snapshot.holdBack(bytes);
            return;
        }
        in.append(bytes, 0, bytes.length);
        process();
    }

    /** Moves on with what the buffer holds, phase by phase. */
    private void process() {
        while (socket != null) {
            switch (state) {
                case RECEIVE_PING_REPLY, RECEIVE_AUTH_REPLY, RECEIVE_PORT_REPLY, RECEIVE_IP_REPLY, RECEIVE_CAPA_REPLY,
                     RECEIVE_PSYNC_REPLY -> {
                    String line = in.line();
                    if (line == null) {
                        if (in.error() != null) close("Protocol error from master: " + in.error());
                        return;
                    }
                    handshake(line);
                }
                case TRANSFER -> {
                    if (snapshot.awaitingHeader()) {
                        String line = in.line();
                        if (line == null) return;
                        snapshot.bulkHeader(line);
                    } else {
                        if (in.pending() == 0) return;
                        byte[] rest = in.take(Integer.MAX_VALUE);
                        snapshot.transferBytes(rest, 0, rest.length);
                        return;
                    }
                }
                case CONNECTED -> {
                    applyStream();
                    return;
                }
                default -> {
                    return;
                }
            }
        }
    }

    /** One reply line of the handshake, in the state that expects it. */
    private void handshake(String line) {
        switch (state) {
            case RECEIVE_PING_REPLY -> {
                if (line.startsWith("-") && !line.startsWith("-NOAUTH") && !line.startsWith("-NOPERM")
                    && !line.startsWith("-ERR operation not permitted")) {
                    close("Error reply to PING from master: '" + line + "'");
                    return;
                }
                LOG.info("Master replied to PING, replication can continue...");
                // the rest of the handshake goes out at once; the replies are read in order
                if (settings.masterauth != null) {
                    if (settings.masteruser != null) send("AUTH", settings.masteruser, settings.masterauth);
                    else send("AUTH", settings.masterauth);
                    state = State.RECEIVE_AUTH_REPLY;
                } else {
                    state = State.RECEIVE_PORT_REPLY;
                }
                int announcedPort = settings.replicaAnnouncePort != 0 ? settings.replicaAnnouncePort : settings.port;
                send("REPLCONF", "listening-port", Integer.toString(announcedPort));
                if (!settings.replicaAnnounceIp.isEmpty()) send("REPLCONF", "ip-address", settings.replicaAnnounceIp);
                send("REPLCONF", "capa", "eof", "capa", "psync2");
            }
            case RECEIVE_AUTH_REPLY -> {
                if (line.startsWith("-")) {
                    close("Unable to AUTH to MASTER: " + line);
                    return;
                }
                state = State.RECEIVE_PORT_REPLY;
            }
            case RECEIVE_PORT_REPLY -> {
                if (line.startsWith("-")) LOG.infof("(Non critical) Master does not understand REPLCONF listening-port: %s", line);
                state = settings.replicaAnnounceIp.isEmpty() ? State.RECEIVE_CAPA_REPLY : State.RECEIVE_IP_REPLY;
            }
            case RECEIVE_IP_REPLY -> {
                if (line.startsWith("-")) LOG.infof("(Non critical) Master does not understand REPLCONF ip-address: %s", line);
                state = State.RECEIVE_CAPA_REPLY;
            }
            case RECEIVE_CAPA_REPLY -> {
                if (line.startsWith("-")) LOG.infof("(Non critical) Master does not understand REPLCONF capa: %s", line);
                sendPsync();
            }
            case RECEIVE_PSYNC_REPLY -> psyncReply(line);
            default -> { }
        }
    }

    private void sendPsync() {
        state = State.RECEIVE_PSYNC_REPLY;
        if (cachedMaster) {
            String offset = Long.toString(stream.offset() + 1);
            LOG.infof("Trying a partial resynchronization (request %s:%s).", stream.replId(), offset);
            send("PSYNC", stream.replId(), offset);
        } else {
            LOG.info("Partial resynchronization not possible (no cached master)");
            send("PSYNC", "?", "-1");
        }
    }

    private void psyncReply(String line) {
        if (line.isEmpty()) return; // a keepalive while the master prepares
        if (line.startsWith("+FULLRESYNC")) {
            String[] f = line.split(" ");
            fullSyncReplId = f.length > 1 && f[1].length() == 40 ? f[1] : ReplicationStream.NO_REPLID;
            fullSyncOffset = f.length > 2 ? parseLong(f[2], -1) : -1;
            LOG.infof("Full resync from master: %s:%d", fullSyncReplId, fullSyncOffset);
            if (cachedMaster) {
                // a partial resync was asked for (the history of a loaded snapshot, or of the link before): say why it
                // is not one, since an operator who bootstrapped from the archive expects +CONTINUE
                LOG.warnf("The master refused to continue from %s:%d: its backlog no longer holds that offset, or it "
                    + "does not know that history. Full resynchronization instead (a larger repl-backlog-size on the "
                    + "master, or more frequent snapshots, avoid it)", stream.replId(), stream.offset() + 1);
            }
            beginTransfer();
            return;
        }
        if (line.startsWith("+CONTINUE")) {
            String id = line.length() > 10 ? line.substring(10).trim() : "";
            LOG.info("Successful partial resynchronization with master.");
            if (id.length() == 40 && !id.equals(stream.replId())) {
                LOG.infof("Master replication ID changed to %s", id);
                stream.switchHistory(id);
                // our own replicas must learn the new id: they reconnect and continue with it
                manager.disconnectReplicas();
            }
            LOG.info("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
            linkUp();
            return;
        }
        if (line.startsWith("-NOMASTERLINK") || line.startsWith("-LOADING")) {
            close("Master is currently unable to PSYNC but should be in the future: " + line);
            return;
        }
        if (line.startsWith("-")) {
            // a master that does not know PSYNC: the old SYNC, whose offset is unknown
            LOG.warnf("Unexpected reply to PSYNC from master: %s", line);
            socket.write("SYNC\r\n");
            fullSyncReplId = ReplicationStream.newReplId();
            fullSyncOffset = 0;
            beginTransfer();
            return;
        }
        close("Unexpected reply to PSYNC from master: " + line);
    }

    // ---- the snapshot ------------------------------------------------------------------------------------------

    private void beginTransfer() {
        state = State.TRANSFER;
        snapshot.beginTransfer();
    }

    // what the receiver reads of the connection, at each use rather than once: close() changes all three

    /** Bumped at every new connection: the receiver ignores the callbacks of an older one, as the link does. */
    int generation() {
        return generation;
    }

    /** The connection's socket, paused and resumed as the temp file keeps up; null once the link closed. */
    NetSocket socket() {
        return socket;
    }

    /** The bytes received and not consumed yet: those that came with the header, or after the snapshot. */
    MasterStream in() {
        return in;
    }

    /** On the loop, in one turn: the old dataset goes, the master's comes, the stream continues from its offset. */
    void install(DatasetLoader.Loaded l) {
        LOG.info("MASTER <-> REPLICA sync: Flushing old data");
        // our own replicas hold the old history: they must resync from the new one
        manager.disconnectReplicas();
        DatasetLoader.install(ctx.keyspace(), l, true);
        stream.adopt(fullSyncReplId, fullSyncOffset);
        masterDb = Math.max(0, l.aux().replStreamDb());
        cachedMaster = true;
        snapshot.keepAsDbfile();
        LOG.infof("Done loading RDB, keys loaded: %d, keys expired: %d.", l.keysLoaded(), l.keysExpired());
        LOG.info("MASTER <-> REPLICA sync: Finished with success");
        linkUp();
        // the stream bytes that came with or after the snapshot
        snapshot.releaseHeldStream(in);
        socket.resume();
        sendAck();
        process();
    }

    // ---- the stream ----------------------------------------------------------------------------------------------

    private void linkUp() {
        state = State.CONNECTED;
        everUp = true;
        downSinceMillis = 0;
        upSinceMillis = System.currentTimeMillis();
        masterChannel = new MasterChannel(name(), () -> close("Connection with master killed."));
        masterClient = new Client(ctx.clients().nextId(), masterChannel, ctx);
        masterClient.authenticated(true);
        masterClient.select(masterDb);
        stream.relayedDb(masterDb);
        ctx.clients().add(masterClient);
        applier = new StreamApplier(ctx, masterClient);
    }

    /** Applies every whole command received; offsets advance by whole commands (whole transactions). */
    private void applyStream() {
        // this read's stream, even if a command applied here ends the link (which starts a new one)
        MasterStream in = this.in;
        applier.apply(in, () -> state == State.CONNECTED, this::sendAck);
        if (in.error() != null) close("Protocol error from master: " + in.error());
    }

    void sendAck() {
        if (socket != null && state == State.CONNECTED) send("REPLCONF", "ACK", Long.toString(stream.offset()));
    }

    // ---- ends and the cron ---------------------------------------------------------------------------------------

    private void linkLost(String why) {
        if (socket == null) return;
        close(why);
    }

    /** Closes the link (why: the log line, or null to say nothing) and retries from the cron, unless stopped. */
    void close(String why) {
        if (why != null) LOG.warn(why);
        generation++;
        if (masterClient != null) {
            masterDb = masterClient.db().index();
            masterChannel.markClosed();
            masterClient.onClosed();
            ctx.clients().remove(masterClient);
            masterClient = null;
        }
        if (state == State.CONNECTED || everUp) {
            if (downSinceMillis == 0) downSinceMillis = System.currentTimeMillis();
        }
        upSinceMillis = 0;
        // a transaction cut in half is dropped, as Redis discards the master's partial MULTI
        if (applier != null) applier.reset();
        NetSocket s = socket;
        socket = null;
        if (s != null) s.close();
        snapshot.discard();
        if (in != null) in = new MasterStream(settings.protoMaxBulkLen);
        state = State.CONNECT;
    }

    void cron() {
        if (stopped) return;
        long now = System.currentTimeMillis();
        long timeout = settings.replTimeout * 1000L;
        switch (state) {
            case CONNECT -> connect();
            case CONNECTING, RECEIVE_PING_REPLY, RECEIVE_AUTH_REPLY, RECEIVE_PORT_REPLY, RECEIVE_IP_REPLY,
                 RECEIVE_CAPA_REPLY, RECEIVE_PSYNC_REPLY -> {
                if (now - lastIoMillis > timeout) close("Timeout connecting to the MASTER...");
            }
            case TRANSFER -> {
                if (now - lastIoMillis > timeout) {
                    close("Timeout receiving bulk data from MASTER... If the problem persists try to set the "
                        + "'repl-timeout' parameter in redis.conf to a larger value.");
                }
            }
            case LOADING -> {
                // the master waits for us: a newline tells it we are alive (Redis sends it while loading)
                if (socket != null) socket.write("\n");
            }
            case CONNECTED -> {
                if (now - lastIoMillis > timeout) {
                    close("MASTER timeout: no data nor PING received...");
                    return;
                }
                sendAck();
            }
        }
    }

    // ---- INFO and ROLE ----------------------------------------------------------------------------------------

    void writeInfo(InfoWriter out) {
        long now = System.currentTimeMillis();
        out.field("master_host", host);
        out.field("master_port", port);
        out.field("master_link_status", up() ? "up" : "down");
        out.field("master_last_io_seconds_ago", up() ? (now - lastIoMillis) / 1000 : -1);
        out.field("master_sync_in_progress", state == State.TRANSFER ? 1 : 0);
        long applied = stream.offset();
        out.field("slave_read_repl_offset", applied + (up() && in != null ? in.pending() + applier.unappliedBytes() : 0));
        out.field("slave_repl_offset", applied);
        if (state == State.TRANSFER) {
            snapshot.writeInfo(out);
            out.field("master_sync_last_io_seconds_ago", (now - lastIoMillis) / 1000);
        }
        if (!up()) out.field("master_link_down_since_seconds", downSinceMillis == 0 ? -1 : (now - downSinceMillis) / 1000);
    }

    /** The link's state for other threads (the admin API, readiness). */
    ReplicationStatus.MasterLinkStatus status() {
        return new ReplicationStatus.MasterLinkStatus(host, port, state.role, up(),
            state == State.TRANSFER || state == State.LOADING,
            lastIoMillis, upSinceMillis, downSinceMillis);
    }

    /** ROLE's offset: what the link applied, -1 while there is no link. */
    long roleOffset() {
        return up() ? stream.offset() : -1;
    }

    static long parseLong(String s, long fallback) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
