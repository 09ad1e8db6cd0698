package dev.ferry.engine.config;

import static dev.ferry.engine.config.ConfigRegistry.bool;
import static dev.ferry.engine.config.ConfigRegistry.integer;
import static dev.ferry.engine.config.ConfigRegistry.memory;
import static dev.ferry.engine.config.ConfigRegistry.oneOf;
import static dev.ferry.engine.config.ConfigRegistry.string;

/**
 * Settings of features that come later (or never), with Redis's built-in defaults and Redis's types, so
 * that tools that read them see sane values and a later feature can read them with ServerSettings.text.
 */
final class PassiveSettings {
    private PassiveSettings() {}

    private static final long INT_MAX = Integer.MAX_VALUE;
    private static final long LONG_MAX = Long.MAX_VALUE;

    static void register(ConfigRegistry r) {
        r.passive("appendfsync", null, "everysec", oneOf("everysec", "always", "no"));
        r.immutable("appendfilename", () -> "appendonly.aof");
        r.immutable("appenddirname", () -> "appendonlydir");
        r.passive("aof-use-rdb-preamble", null, "yes", bool());
        r.passive("aof-load-truncated", null, "yes", bool());
        r.passive("no-appendfsync-on-rewrite", null, "no", bool());
        r.passive("auto-aof-rewrite-percentage", null, "100", integer(0, INT_MAX));
        r.passive("auto-aof-rewrite-min-size", null, "67108864", memory(0, LONG_MAX));
        r.passive("maxmemory-samples", null, "5", integer(1, INT_MAX));
        r.passive("maxmemory-eviction-tenacity", null, "10", integer(0, 100));
        r.passive("rdbcompression", null, "yes", bool());
        r.passive("rdbchecksum", null, "yes", bool());
        r.passive("rdb-del-sync-files", null, "no", bool());
        r.passive("stop-writes-on-bgsave-error", null, "yes", bool());
        r.passive("repl-backlog-ttl", null, "3600", integer(0, LONG_MAX));
        r.passive("repl-timeout", null, "60", integer(1, INT_MAX));
        r.passive("repl-ping-replica-period", "repl-ping-slave-period", "10", integer(1, INT_MAX));
        r.passive("repl-diskless-sync", null, "yes", bool());
        r.passive("repl-diskless-sync-delay", null, "5", integer(0, INT_MAX));
        r.passive("repl-diskless-sync-max-replicas", null, "0", integer(0, INT_MAX));
        r.passive("repl-diskless-load", null, "disabled", oneOf("disabled", "on-empty-db", "swapdb"));
        r.passive("repl-disable-tcp-nodelay", null, "no", bool());
        r.passive("replica-read-only", "slave-read-only", "yes", bool());
        r.passive("replica-serve-stale-data", "slave-serve-stale-data", "yes", bool());
        r.passive("replica-priority", "slave-priority", "100", integer(0, INT_MAX));
        r.passive("replica-announced", null, "yes", bool());
        r.passive("replica-lazy-flush", "slave-lazy-flush", "no", bool());
        r.passive("replica-ignore-maxmemory", "slave-ignore-maxmemory", "yes", bool());
        r.passive("replica-announce-ip", "slave-announce-ip", "", string());
        r.passive("replica-announce-port", "slave-announce-port", "0", integer(0, 65535));
        r.passive("min-replicas-to-write", "min-slaves-to-write", "0", integer(0, INT_MAX));
        r.passive("min-replicas-max-lag", "min-slaves-max-lag", "10", integer(0, INT_MAX));
        r.immutable("replicaof", () -> "");
        r.alias("slaveof", "replicaof");
        r.passive("masterauth", null, "", string());
        r.passive("masteruser", null, "", string());
        r.passive("tcp-keepalive", null, "300", integer(0, INT_MAX));
        r.immutable("tcp-backlog", () -> "511");
        r.passive("loglevel", null, "notice", oneOf("debug", "verbose", "notice", "warning"));
        r.immutable("logfile", () -> "");
        r.passive("lazyfree-lazy-eviction", null, "no", bool());
        r.passive("lazyfree-lazy-expire", null, "no", bool());
        r.passive("lazyfree-lazy-server-del", null, "no", bool());
        r.passive("lazyfree-lazy-user-del", null, "no", bool());
        r.passive("lazyfree-lazy-user-flush", null, "no", bool());
        r.passive("activerehashing", null, "yes", bool());
        r.passive("active-expire-effort", null, "1", integer(1, 10));
        r.passive("dynamic-hz", null, "yes", bool());
        r.passive("slowlog-log-slower-than", null, "10000", integer(-1, LONG_MAX));
        r.passive("slowlog-max-len", null, "128", integer(0, LONG_MAX));
        r.passive("latency-tracking", null, "yes", bool());
        r.passive("latency-monitor-threshold", null, "0", integer(0, LONG_MAX));
        r.passive("hash-max-listpack-entries", "hash-max-ziplist-entries", "512", integer(0, LONG_MAX));
        r.passive("hash-max-listpack-value", "hash-max-ziplist-value", "64", integer(0, LONG_MAX));
        r.passive("list-max-listpack-size", "list-max-ziplist-size", "-2", integer(Integer.MIN_VALUE, INT_MAX));
        r.passive("list-compress-depth", null, "0", integer(0, INT_MAX));
        r.passive("set-max-intset-entries", null, "512", integer(0, LONG_MAX));
        r.passive("zset-max-listpack-entries", "zset-max-ziplist-entries", "128", integer(0, LONG_MAX));
        r.passive("zset-max-listpack-value", "zset-max-ziplist-value", "64", integer(0, LONG_MAX));
        r.passive("stream-node-max-bytes", null, "4096", memory(0, LONG_MAX));
        r.passive("stream-node-max-entries", null, "100", integer(0, LONG_MAX));
        r.passive("hll-sparse-max-bytes", null, "3000", memory(0, LONG_MAX));
        r.passive("busy-reply-threshold", "lua-time-limit", "5000", integer(0, LONG_MAX));
        r.passive("shutdown-timeout", null, "10", integer(0, INT_MAX));
        r.passive("acllog-max-len", null, "128", integer(0, LONG_MAX));
        r.passive("tracking-table-max-keys", null, "1000000", integer(0, LONG_MAX));
        r.passive("lfu-log-factor", null, "10", integer(0, INT_MAX));
        r.passive("lfu-decay-time", null, "1", integer(0, INT_MAX));
        r.passive("sanitize-dump-payload", null, "no", oneOf("no", "yes", "clients"));
        // Ferry has no protected mode (it binds 127.0.0.1 unless told otherwise), so it says "no".
        r.passive("protected-mode", null, "no", bool());
        r.immutable("daemonize", () -> "no");
        r.immutable("supervised", () -> "no");
        r.immutable("pidfile", () -> "");
        r.immutable("unixsocket", () -> "");
        r.immutable("unixsocketperm", () -> "0");
        r.immutable("io-threads", () -> "1");
        r.immutable("io-threads-do-reads", () -> "no");
        r.immutable("cluster-enabled", () -> "no");
        r.immutable("always-show-logo", () -> "no");
    }
}
