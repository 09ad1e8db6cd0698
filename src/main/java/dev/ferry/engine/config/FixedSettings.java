package dev.ferry.engine.config;

import static dev.ferry.engine.config.ConfigRegistry.bool;
import static dev.ferry.engine.config.ConfigRegistry.integer;
import static dev.ferry.engine.config.ConfigRegistry.memory;
import static dev.ferry.engine.config.ConfigRegistry.oneOf;
import static dev.ferry.engine.config.ConfigRegistry.string;

/**
 * Settings of features Ferry does not have (ARCHITECTURE.md rule 9). CONFIG GET shows the value that is
 * true of Ferry: Redis's default where nothing runs that the value could describe (tuning of eviction,
 * AOF, replication), otherwise what Ferry really does (dynamic-hz and latency-tracking are "no", tcp-keepalive is 0). CONFIG SET checks a value with Redis's
 * rules and words, accepts it when it is the current value, and refuses any other with an error naming
 * the missing feature, so no client believes it changed something that does not exist. A feature that
 * arrives moves its settings out of here into {@link ServerSettings}.
 */
final class FixedSettings {
    private FixedSettings() {}

    private static final long INT_MAX = Integer.MAX_VALUE;
    private static final long LONG_MAX = Long.MAX_VALUE;

    static final String EVICTION = "Ferry has no maxmemory limit or eviction yet";
    static final String CLIENT_EVICTION = "Ferry has no client eviction yet";
    static final String RDB = "Ferry has no RDB snapshots yet";
    static final String AOF = "Ferry has no append-only file";
    static final String REPLICATION = "Ferry does not have this replication setting's feature";
    static final String DISKLESS = "Ferry has no diskless loading yet";
    static final String NOTIFICATIONS = "Ferry has no keyspace notifications yet";
    static final String LAZYFREE = "Ferry has no lazy freeing (the JVM's garbage collector frees memory)";
    static final String REHASHING = "Ferry always rehashes incrementally; it cannot be turned off yet";
    static final String EXPIRE_EFFORT = "Ferry has only the default active expiry effort yet";
    static final String DYNAMIC_HZ = "Ferry has no dynamic hz yet";
    static final String SLOWLOG = "Ferry has no slow log yet";
    static final String LATENCY = "Ferry has no latency tracking or latency monitor yet";
    static final String LIST_COMPRESSION = "Ferry does not compress list nodes";
    static final String STREAMS = "Ferry has no streams yet";
    static final String SCRIPTING = "Ferry has no scripting";
    static final String ACL_LOG = "Ferry has no ACL log";
    static final String TRACKING = "Ferry has no client tracking yet";
    static final String RESTORE = "Ferry has no DUMP/RESTORE yet";
    static final String KEEPALIVE = "Ferry does not set TCP keepalive yet";
    static final String LOGLEVEL = "Ferry sets its log level with quarkus.log.level";

    static void register(ConfigRegistry r) {
        // eviction (maxmemory itself is registered with the unsigned memory type in ServerSettings)
        r.fixed("maxmemory-policy", null, "noeviction", oneOf("volatile-lru", "volatile-lfu", "volatile-random",
            "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"), EVICTION);
        r.fixed("maxmemory-samples", null, "5", integer(1, INT_MAX), EVICTION);
        r.fixed("maxmemory-eviction-tenacity", null, "10", integer(0, 100), EVICTION);
        r.fixed("lfu-log-factor", null, "10", integer(0, INT_MAX), EVICTION);
        r.fixed("lfu-decay-time", null, "1", integer(0, INT_MAX), EVICTION);
        r.fixed("maxmemory-clients", null, "0",
            v -> ConfigValues.memoryOrPercentText(ConfigValues.parseMemoryOrPercent(v)), CLIENT_EVICTION);

        // persistence
        r.fixed("rdb-del-sync-files", null, "no", bool(), RDB);
        r.fixed("appendonly", null, "no", bool(), AOF);
        r.fixed("appendfsync", null, "everysec", oneOf("everysec", "always", "no"), AOF);
        r.immutable("appendfilename", () -> "appendonly.aof");
        r.immutable("appenddirname", () -> "appendonlydir");
        r.fixed("aof-use-rdb-preamble", null, "yes", bool(), AOF);
        r.fixed("aof-load-truncated", null, "yes", bool(), AOF);
        r.fixed("no-appendfsync-on-rewrite", null, "no", bool(), AOF);
        r.fixed("auto-aof-rewrite-percentage", null, "100", integer(0, INT_MAX), AOF);
        r.fixed("auto-aof-rewrite-min-size", null, "67108864", memory(0, LONG_MAX), AOF);

        // replication: what Ferry does not do yet (a replica's diskless load)
        r.fixed("repl-diskless-load", null, "disabled", oneOf("disabled", "on-empty-db", "swapdb"), DISKLESS);
        r.fixed("repl-disable-tcp-nodelay", null, "no", bool(), REPLICATION);
        r.fixed("replica-lazy-flush", "slave-lazy-flush", "no", bool(), REPLICATION);
        r.fixed("replica-ignore-maxmemory", "slave-ignore-maxmemory", "yes", bool(), REPLICATION);
        r.alias("slaveof", "replicaof");
        // Redis waits up to this long for lagging replicas on shutdown: Ferry has none to wait for
        r.fixed("shutdown-timeout", null, "10", integer(0, INT_MAX), REPLICATION);

        // notifications, freeing, background work, diagnostics
        r.fixed("notify-keyspace-events", null, "", v -> {
            int flags = ConfigValues.keyspaceEventsFromString(v);
            if (flags < 0) throw new InvalidValue("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
            return ConfigValues.keyspaceEventsToString(flags);
        }, NOTIFICATIONS);
        r.fixed("lazyfree-lazy-eviction", null, "no", bool(), LAZYFREE);
        r.fixed("lazyfree-lazy-server-del", null, "no", bool(), LAZYFREE);
        r.fixed("lazyfree-lazy-user-flush", null, "no", bool(), LAZYFREE);
        r.fixed("activerehashing", null, "yes", bool(), REHASHING);
        r.fixed("active-expire-effort", null, "1", integer(1, 10), EXPIRE_EFFORT);
        r.fixed("dynamic-hz", null, "no", bool(), DYNAMIC_HZ);
        r.fixed("slowlog-log-slower-than", null, "10000", integer(-1, LONG_MAX), SLOWLOG);
        r.fixed("slowlog-max-len", null, "128", integer(0, LONG_MAX), SLOWLOG);
        r.fixed("latency-tracking", null, "no", bool(), LATENCY);
        r.fixed("latency-monitor-threshold", null, "0", integer(0, LONG_MAX), LATENCY);

        // compression of list nodes and streams: Ferry has neither
        r.fixed("list-compress-depth", null, "0", integer(0, INT_MAX), LIST_COMPRESSION);
        r.fixed("stream-node-max-bytes", null, "4096", memory(0, LONG_MAX), STREAMS);
        r.fixed("stream-node-max-entries", null, "100", integer(0, LONG_MAX), STREAMS);

        // commands and services Ferry does not have
        r.fixed("busy-reply-threshold", "lua-time-limit", "5000", integer(0, LONG_MAX), SCRIPTING);
        r.fixed("acllog-max-len", null, "128", integer(0, LONG_MAX), ACL_LOG);
        r.fixed("tracking-table-max-keys", null, "1000000", integer(0, LONG_MAX), TRACKING);
        r.fixed("sanitize-dump-payload", null, "no", oneOf("no", "yes", "clients"), RESTORE);
        r.fixed("tcp-keepalive", null, "0", integer(0, INT_MAX), KEEPALIVE);
        r.immutable("tcp-backlog", () -> "511");
        r.fixed("loglevel", null, "notice", oneOf("debug", "verbose", "notice", "warning"), LOGLEVEL);
        r.immutable("logfile", () -> "");
        r.immutable("daemonize", () -> "no");
        r.immutable("supervised", () -> "no");
        r.immutable("pidfile", () -> "");
        r.immutable("unixsocket", () -> "");
        r.immutable("unixsocketperm", () -> "0");
        r.immutable("io-threads", () -> "1");
        r.immutable("io-threads-do-reads", () -> "no");
        r.immutable("cluster-enabled", () -> "no");
        r.immutable("always-show-logo", () -> "no");
        r.immutable("enable-module-command", () -> "no");
    }
}
