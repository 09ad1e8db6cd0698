package dev.ferry.engine;

import dev.ferry.engine.config.ServerSettings;
import dev.ferry.engine.tls.TlsCredentials;
import dev.ferry.engine.info.Info;
import dev.ferry.engine.info.KeyspaceSection;
import dev.ferry.store.Keyspace;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Everything a command may reach beyond its own client: the keyspace, the command table, the settings,
 * the connected clients, the replication stream. Built once at start-up; owned by the executing thread.
 */
public final class ServerContext {
    /** The Redis version Ferry answers as (INFO, HELLO): its replies are tested against this one. */
    public static final String REDIS_VERSION = "7.0.15";

    private static final byte[] DEL = {'D', 'E', 'L'};
    private static final byte[] UNLINK = {'U', 'N', 'L', 'I', 'N', 'K'};

    private final Keyspace keyspace;
    private final CommandTable commands;
    private final ServerSettings settings;
    private final ClientRegistry clients = new ClientRegistry();
    private final BlockedClients blocked = new BlockedClients(this);
    private final ReplicationStream replication;
    private ReplicationLinks replicationLinks;
    private final ServerStats stats = new ServerStats();
    private final Persistence persistence;
    private final Info info = new Info();
    private final long startMillis = System.currentTimeMillis();
    private final String runId;
    private final Vertx vertx;
    private volatile TlsCredentials tls;
    private Context executor;
    private final Executor callExecutor;
    private final PubSub pubsub = new PubSub(this);
    private final Monitors monitors = new Monitors(this);
    private final Dispatcher dispatcher;
    private Runnable shutdown = () -> { };
    /** Why writes are refused now beyond Redis's own reasons (the stream archive's min-archived-lag), or null. */
    private java.util.function.Supplier<String> writeGuard = () -> null;
    private final StartupPhases startupPhases = new StartupPhases();

    public ServerContext(Vertx vertx, ServerSettings settings, CommandTable commands) {
        this.vertx = vertx;
        this.settings = settings;
        this.commands = commands;
        this.keyspace = new Keyspace(settings.databases);
        this.replication = new ReplicationStream(settings.replBacklogSize);
        settings.backlogResized = size -> replication.backlog().resize(size);
        byte[] id = new byte[20];
        new SecureRandom().nextBytes(id);
        this.runId = HexFormat.of().formatHex(id);
        this.callExecutor = new Executor(this);
        this.dispatcher = new Dispatcher(this);
        this.persistence = new Persistence(this);
        keyspace.keyAddedListener(blocked);
        registerInfo();
        // deleteExpiredKeyAndPropagate: UNLINK when lazyfree-lazy-expire is set, as Redis 7.0's propagateDeletion
        keyspace.expiryListener((db, key) -> replication.propagate(db,
            new byte[][] {settings.lazyfreeLazyExpire ? UNLINK : DEL, key}));
    }

    /** The INFO sections the engine's parts own; the process sections come from the server package. */
    private void registerInfo() {
        info.register(Info.Section.CLIENTS, out -> clients.writeInfo(out, settings.maxclients, blocked));
        info.register(Info.Section.PERSISTENCE, persistence);
        info.register(Info.Section.STATS, out -> stats.writeStats(out, keyspace.stats, pubsub));
        info.register(Info.Section.COMMANDSTATS, commands::writeInfo);
        info.register(Info.Section.ERRORSTATS, stats::writeErrorStats);
        info.register(Info.Section.CLUSTER, out -> out.field("cluster_enabled", settings.bool("cluster-enabled") ? 1 : 0));
        info.register(Info.Section.KEYSPACE, new KeyspaceSection(keyspace));
    }

    public Keyspace keyspace() {
        return keyspace;
    }

    public CommandTable commands() {
        return commands;
    }

    public ServerSettings settings() {
        return settings;
    }

    /** INFO's sections, each registered by the part of the server that owns its fields. */
    public Info info() {
        return info;
    }

    public Persistence persistence() {
        return persistence;
    }

    /** Clients blocked on keys (BLPOP and friends). */
    public BlockedClients blocked() {
        return blocked;
    }

    public ClientRegistry clients() {
        return clients;
    }

    /** Channels, patterns and their subscribers (PUBLISH, SUBSCRIBE, PUBSUB). */
    public PubSub pubsub() {
        return pubsub;
    }

    /** The clients in MONITOR mode. */
    public Monitors monitors() {
        return monitors;
    }

    public ReplicationStream replication() {
        return replication;
    }

    /** The replicas of this server and its link to a master; set once at start-up by the server package. */
    public ReplicationLinks replicationLinks() {
        return replicationLinks;
    }

    public void replicationLinks(ReplicationLinks links) {
        replicationLinks = links;
    }

    /** The TLS certificate and key, or null when no TLS is configured; set at start-up by the server package. */
    public TlsCredentials tls() {
        return tls;
    }

    public void tls(TlsCredentials credentials) {
        tls = credentials;
    }

    public ServerStats stats() {
        return stats;
    }

    public long startMillis() {
        return startMillis;
    }

    public String runId() {
        return runId;
    }

    public Vertx vertx() {
        return vertx;
    }

    /** Checks and runs every command a client sends (Redis's processCommand). */
    public Dispatcher dispatcher() {
        return dispatcher;
    }

    /** Runs commands that passed the dispatcher's checks (EXEC uses it for the queued ones). */
    public Executor callExecutor() {
        return callExecutor;
    }

    /** The event-loop context that executes every command (ARCHITECTURE rule 1). */
    public Context executor() {
        return executor;
    }

    public void executor(Context c) {
        executor = c;
    }

    /** What the start-up still waits for (/q/health/started); any thread. */
    public StartupPhases startupPhases() {
        return startupPhases;
    }

    /** Installs what may refuse writes (with its error) besides Redis's reasons; on the executing loop. */
    public void writeGuard(java.util.function.Supplier<String> guard) {
        this.writeGuard = guard;
    }

    /** Why writes are refused now (an error reply without its '-'), or null; on the executing loop. */
    public String writeRefusal() {
        return writeGuard.get();
    }

    public void onShutdown(Runnable r) {
        shutdown = r;
    }

    /** Stops the process the way SHUTDOWN asks (after the reply, if any, has been flushed). */
    public void shutdown() {
        shutdown.run();
    }
}
