package dev.ferry.engine.config;

import dev.ferry.config.FerryConfig;
import dev.ferry.protocol.RespParser;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/**
 * The settings CONFIG GET / CONFIG SET see, under their redis.conf names, with the types, bounds,
 * aliases and error words of Redis 7.0's config.c. Start values come from {@link FerryConfig}.
 *
 * <p>Settings Ferry acts on are public fields that the server reads live (requirepass, maxclients,
 * timeout, proto-max-bulk-len, client-query-buffer-limit, hz, ...) and are registered here; the settings of
 * features Ferry does not have keep a true value and refuse to change ({@link FixedSettings}). The table
 * itself is a {@link ConfigRegistry}, its values are parsed by {@link ConfigValues}.
 *
 * <p>Owned by the executing thread; other threads (health checks, metrics) only read.
 */
public final class ServerSettings implements RespParser.Limits {

    // ---- settings the server acts on --------------------------------------------------------------------
    /** The bound RESP port: the configured one, or the one the OS chose for port 0 (see boundPort). */
    public int port;
    public final String bind;
    public final int databases;
    public int maxclients;
    public int timeout;
    public String requirepass;
    /** tls-port and its files, the TLS of the replication link; fixed at start-up. */
    public final TlsSettings tls;
    /** protected-mode: see server/ProtectedMode; read at every accept. */
    public boolean protectedMode;
    public long protoMaxBulkLen;
    public long clientQueryBufferLimit;
    /** The effective hz, clamped to Redis's 1..500 (CONFIG GET hz reports the clamped value, like Redis). */
    public int hz;
    public String dir;
    public String dbfilename;
    /** The save points as seconds, changes, seconds, changes...; empty when automatic saving is off. */
    public volatile long[] savePoints;
    public volatile boolean rdbcompression, rdbchecksum, stopWritesOnBgsaveError;
    /**
     * Nice value of a background save's writer thread (0 = the executing loop's priority): Ferry's own, fixed at
     * start-up and not in CONFIG, whose names are Redis's.
     */
    public final int bgsaveNice;
    /** How long a background save's writer may run at idle priority (0 = never): fixed at start-up, not in CONFIG. */
    public final long bgsaveIdleLimitMillis;
    /** Expired keys reach the replication stream as UNLINK instead of DEL (Redis's lazyfree_lazy_expire). */
    public boolean lazyfreeLazyExpire;
    /** DEL-like user commands (GETDEL) reach the stream as UNLINK (Redis's lazyfree_lazy_user_del). */
    public boolean lazyfreeLazyUserDel;
    /** No memory limit and no eviction: fixed until eviction exists (see FixedSettings). */
    public final long maxmemory = 0;
    public final String maxmemoryPolicy = "noeviction";
    /** repl-backlog-size; a change reaches the backlog through {@link #backlogResized}. */
    public long replBacklogSize;
    public java.util.function.LongConsumer backlogResized = v -> { };
    public long replBacklogTtl;
    /** replicaof at start-up ("host port"), or null: the replication links then keep {@link #replicaofText} current. */
    public final String replicaofAtStart;
    public String replicaofText = "";
    public String masterauth, masteruser;
    public boolean replicaReadOnly, replicaServeStaleData, replicaAnnounced = true;
    public int replicaPriority, replicaAnnouncePort;
    public String replicaAnnounceIp;
    /** repl-timeout and repl-ping-replica-period, in seconds. */
    public int replTimeout = 60, replPingReplicaPeriod = 10;
    /**
     * repl-diskless-sync: a full resync streams the snapshot to the replicas' sockets (when every waiting replica
     * can read it: capa eof) instead of sending the snapshot file; -delay (seconds) and -max-replicas say how long
     * the first waits for others to share one snapshot.
     */
    public boolean replDisklessSync;
    public int replDisklessSyncDelay, replDisklessSyncMaxReplicas;
    /**
     * min-replicas-to-write and min-replicas-max-lag (seconds): writes are refused with NOREPLICAS while fewer
     * replicas acknowledged within the lag (both non-zero to apply); a change recounts them through
     * {@link #minReplicasChanged}, as Redis's updateGoodSlaves.
     */
    public int minReplicasToWrite, minReplicasMaxLag;
    public Runnable minReplicasChanged = () -> { };
    /** DEBUG SET-ACTIVE-EXPIRE (Redis's server.active_expire_enabled): the cron's expiry cycle runs only when set. */
    public volatile boolean activeExpire = true;
    /** enable-debug-command: "no", "local" or "yes" (Redis's protected action), fixed at start-up like Redis. */
    public final String enableDebugCommand;
    /** enable-protected-configs: Redis's default "no" refuses CONFIG SET dir / dbfilename. */
    public final String enableProtectedConfigs = "no";
    public final OutputBufferLimits outputBufferLimits = new OutputBufferLimits();
    /** Encoding thresholds of the collection types, read when a value is created or grows (Redis's names). */
    public long hashMaxListpackEntries = 512, hashMaxListpackValue = 64;
    public int listMaxListpackSize = -2;
    public long setMaxIntsetEntries = 512;
    public long zsetMaxListpackEntries = 128, zsetMaxListpackValue = 64;
    public long hllSparseMaxBytes = 3000;

    private final ConfigRegistry params = new ConfigRegistry();

    private static final long INT_MAX = Integer.MAX_VALUE;
    private static final long LONG_MAX = Long.MAX_VALUE;
    private static final long UINT_MAX = 4294967295L;

    public ServerSettings(FerryConfig c, int actualPort) {
        port = actualPort;
        bind = c.bind();
        databases = c.databases();
        maxclients = c.maxclients();
        timeout = c.timeout();
        requirepass = c.requirepass().filter(s -> !s.isEmpty()).orElse(null);
        protectedMode = c.protectedMode();
        tls = new TlsSettings(c);
        protoMaxBulkLen = c.protoMaxBulkLen();
        clientQueryBufferLimit = c.clientQueryBufferLimit();
        hz = clampHz(c.hz());
        dir = c.dir();
        dbfilename = c.dbfilename();
        savePoints = parseSavePoints(c.save());
        rdbcompression = c.rdbcompression();
        rdbchecksum = c.rdbchecksum();
        stopWritesOnBgsaveError = c.stopWritesOnBgsaveError();
        bgsaveNice = c.bgsaveNice();
        if (bgsaveNice < 0 || bgsaveNice > 19) {
            throw new IllegalArgumentException("ferry.bgsave-nice must be between 0 and 19, not " + bgsaveNice);
        }
        bgsaveIdleLimitMillis = c.bgsaveIdleLimit().toMillis();
        if (bgsaveIdleLimitMillis < 0) {
            throw new IllegalArgumentException("ferry.bgsave-idle-limit must not be negative, not " + c.bgsaveIdleLimit());
        }
        try {
            replBacklogSize = Math.max(16 * 1024, ConfigValues.parseMemoryValue(c.replBacklogSize()));
        } catch (InvalidValue e) {
            throw new IllegalArgumentException("ferry.repl-backlog-size: " + e.getMessage());
        }
        replBacklogTtl = c.replBacklogTtl();
        replicaofAtStart = c.replicaof().map(String::trim).filter(v -> !v.isEmpty()).orElse(null);
        if (replicaofAtStart != null && !replicaofAtStart.matches("\\S+\\s+\\d{1,5}")) {
            throw new IllegalArgumentException("ferry.replicaof must be \"host port\", not \"" + replicaofAtStart + "\"");
        }
        masterauth = c.masterauth().filter(v -> !v.isEmpty()).orElse(null);
        masteruser = c.masteruser().filter(v -> !v.isEmpty()).orElse(null);
        replicaReadOnly = c.replicaReadOnly();
        replicaServeStaleData = c.replicaServeStaleData();
        replicaPriority = c.replicaPriority();
        replicaAnnounceIp = c.replicaAnnounceIp().orElse("");
        replicaAnnouncePort = c.replicaAnnouncePort();
        replDisklessSync = c.replDisklessSync();
        replDisklessSyncDelay = nonNegative("ferry.repl-diskless-sync-delay", c.replDisklessSyncDelay());
        replDisklessSyncMaxReplicas = nonNegative("ferry.repl-diskless-sync-max-replicas", c.replDisklessSyncMaxReplicas());
        minReplicasToWrite = nonNegative("ferry.min-replicas-to-write", c.minReplicasToWrite());
        minReplicasMaxLag = nonNegative("ferry.min-replicas-max-lag", c.minReplicasMaxLag());
        enableDebugCommand = protectedAction("ferry.enable-debug-command", c.enableDebugCommand());

        ConfigRegistry r = params;
        // Ferry cannot re-bind at run time, so port and bind are immutable here (Redis re-binds).
        r.immutable("port", () -> Integer.toString(port));
        r.immutable("bind", () -> bind);
        r.immutable("databases", () -> Integer.toString(databases));
        r.integer("maxclients", null, 1, UINT_MAX, () -> maxclients, v -> maxclients = (int) Math.min(v, INT_MAX));
        r.integer("timeout", null, 0, INT_MAX, () -> timeout, v -> timeout = (int) v);
        r.bool("protected-mode", () -> protectedMode, v -> protectedMode = v);
        tls.register(r);
        r.add("requirepass", null, () -> requirepass == null ? "" : requirepass, v -> () -> requirepass = v.isEmpty() ? null : v);
        r.memory("proto-max-bulk-len", null, 1024 * 1024, LONG_MAX, () -> protoMaxBulkLen, v -> protoMaxBulkLen = v);
        r.memory("client-query-buffer-limit", null, 1024 * 1024, LONG_MAX, () -> clientQueryBufferLimit, v -> clientQueryBufferLimit = v);
        r.integer("hz", null, 0, INT_MAX, () -> hz, v -> hz = clampHz(v));
        r.protectedParam("dir", () -> Path.of(dir).toAbsolutePath().normalize().toString(), v -> () -> dir = v);
        r.protectedParam("dbfilename", () -> dbfilename, v -> {
            if (v.contains("/")) throw new InvalidValue("dbfilename can't be a path, just a filename");
            return () -> dbfilename = v;
        });
        r.add("save", null, () -> ConfigValues.saveText(savePoints), v -> {
            long[] points = ConfigValues.parseSave(v);
            return () -> savePoints = points;
        });
        r.bool("rdbcompression", () -> rdbcompression, v -> rdbcompression = v);
        r.bool("rdbchecksum", () -> rdbchecksum, v -> rdbchecksum = v);
        r.bool("stop-writes-on-bgsave-error", () -> stopWritesOnBgsaveError, v -> stopWritesOnBgsaveError = v);
        r.fixed("maxmemory", null, Long.toUnsignedString(maxmemory), ConfigRegistry.unsignedMemory(), FixedSettings.EVICTION);
        r.immutable("enable-debug-command", () -> enableDebugCommand);
        r.immutable("enable-protected-configs", () -> enableProtectedConfigs);
        r.add("client-output-buffer-limit", null, outputBufferLimits::text, outputBufferLimits::parse);
        // read by the commands that delete: UNLINK instead of DEL in the replication stream, as in Redis
        r.bool("lazyfree-lazy-expire", () -> lazyfreeLazyExpire, v -> lazyfreeLazyExpire = v);
        r.bool("lazyfree-lazy-user-del", () -> lazyfreeLazyUserDel, v -> lazyfreeLazyUserDel = v);
        r.integer("hash-max-listpack-entries", "hash-max-ziplist-entries", 0, LONG_MAX, () -> hashMaxListpackEntries, v -> hashMaxListpackEntries = v);
        r.integer("hash-max-listpack-value", "hash-max-ziplist-value", 0, LONG_MAX, () -> hashMaxListpackValue, v -> hashMaxListpackValue = v);
        r.integer("list-max-listpack-size", "list-max-ziplist-size", Integer.MIN_VALUE, INT_MAX, () -> listMaxListpackSize, v -> listMaxListpackSize = (int) v);
        r.integer("set-max-intset-entries", null, 0, LONG_MAX, () -> setMaxIntsetEntries, v -> setMaxIntsetEntries = v);
        r.integer("zset-max-listpack-entries", "zset-max-ziplist-entries", 0, LONG_MAX, () -> zsetMaxListpackEntries, v -> zsetMaxListpackEntries = v);
        r.integer("zset-max-listpack-value", "zset-max-ziplist-value", 0, LONG_MAX, () -> zsetMaxListpackValue, v -> zsetMaxListpackValue = v);
        r.memory("hll-sparse-max-bytes", null, 0, LONG_MAX, () -> hllSparseMaxBytes, v -> hllSparseMaxBytes = v);
        // resizeReplicationBacklog raises anything below 16 KiB to it
        r.memory("repl-backlog-size", null, 1, LONG_MAX, () -> replBacklogSize, v -> {
            replBacklogSize = Math.max(16 * 1024, v);
            backlogResized.accept(replBacklogSize);
        });
        r.integer("repl-backlog-ttl", null, 0, LONG_MAX, () -> replBacklogTtl, v -> replBacklogTtl = v);
        r.integer("repl-timeout", null, 1, INT_MAX, () -> replTimeout, v -> replTimeout = (int) v);
        r.integer("repl-ping-replica-period", "repl-ping-slave-period", 1, INT_MAX, () -> replPingReplicaPeriod,
            v -> replPingReplicaPeriod = (int) v);
        r.bool("replica-read-only", "slave-read-only", () -> replicaReadOnly, v -> replicaReadOnly = v);
        r.bool("replica-serve-stale-data", "slave-serve-stale-data", () -> replicaServeStaleData, v -> replicaServeStaleData = v);
        r.bool("replica-announced", null, () -> replicaAnnounced, v -> replicaAnnounced = v);
        r.integer("replica-priority", "slave-priority", 0, INT_MAX, () -> replicaPriority, v -> replicaPriority = (int) v);
        r.integer("replica-announce-port", "slave-announce-port", 0, 65535, () -> replicaAnnouncePort, v -> replicaAnnouncePort = (int) v);
        r.add("replica-announce-ip", "slave-announce-ip", () -> replicaAnnounceIp, v -> () -> replicaAnnounceIp = v);
        r.add("masterauth", null, () -> masterauth == null ? "" : masterauth, v -> () -> masterauth = v.isEmpty() ? null : v);
        r.add("masteruser", null, () -> masteruser == null ? "" : masteruser, v -> () -> masteruser = v.isEmpty() ? null : v);
        // REPLICAOF changes it, CONFIG SET cannot (as in Redis)
        r.immutable("replicaof", () -> replicaofText);
        r.bool("repl-diskless-sync", () -> replDisklessSync, v -> replDisklessSync = v);
        r.integer("repl-diskless-sync-delay", null, 0, INT_MAX, () -> replDisklessSyncDelay,
            v -> replDisklessSyncDelay = (int) v);
        r.integer("repl-diskless-sync-max-replicas", null, 0, INT_MAX, () -> replDisklessSyncMaxReplicas,
            v -> replDisklessSyncMaxReplicas = (int) v);
        r.integer("min-replicas-to-write", "min-slaves-to-write", 0, INT_MAX, () -> minReplicasToWrite, v -> {
            minReplicasToWrite = (int) v;
            minReplicasChanged.run();
        });
        r.integer("min-replicas-max-lag", "min-slaves-max-lag", 0, INT_MAX, () -> minReplicasMaxLag, v -> {
            minReplicasMaxLag = (int) v;
            minReplicasChanged.run();
        });
        FixedSettings.register(r);
    }

    /** ferry.save: Redis's syntax, with {@code ""} for none (an empty property would read as unset). */
    private static long[] parseSavePoints(String value) {
        String v = value.strip();
        if (v.equals("\"\"")) v = "";
        try {
            return ConfigValues.parseSave(v.replaceAll("\\s+", " "));
        } catch (InvalidValue e) {
            throw new IllegalArgumentException("ferry.save '" + value + "': " + e.getMessage());
        }
    }

    /** A start-up integer that Redis bounds to 0..INT_MAX; anything below stops the start-up. */
    private static int nonNegative(String property, int value) {
        if (value < 0) throw new IllegalArgumentException(property + " must be 0 or more, not " + value);
        return value;
    }

    /** Redis's protected_action_enum: no, yes, local (any case); anything else stops the start-up. */
    private static String protectedAction(String property, String value) {
        try {
            return ConfigValues.parseEnum(value, new String[] {"no", "yes", "local"});
        } catch (InvalidValue e) {
            throw new IllegalArgumentException(property + " '" + value + "': " + e.getMessage());
        }
    }

    /**
     * Redis's allowProtectedAction: whether a client at peerIp may run a command gated by a protected-action
     * setting ("local" allows exactly 127.0.0.1 and ::1, as Redis's islocalClient).
     */
    public static boolean allowsProtectedAction(String setting, String peerIp) {
        return switch (setting) {
            case "yes" -> true;
            case "local" -> isLocal(peerIp);
            default -> false;
        };
    }

    private static boolean isLocal(String ip) {
        if (ip.equals("127.0.0.1")) return true;
        if (ip.indexOf(':') < 0) return false;
        try {
            // an IPv6 literal ("::1" or "0:0:0:0:0:0:0:1"): parsed, never resolved
            InetAddress a = InetAddress.getByName(ip);
            return a instanceof Inet6Address && a.isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static int clampHz(long v) {
        // Redis clamps configured hz to CONFIG_MIN_HZ..CONFIG_MAX_HZ
        return (int) Math.max(1, Math.min(500, v));
    }

    /** Records the port actually bound (differs from the configured one only for port 0). */
    public void boundPort(int actual) {
        port = actual;
    }

    @Override
    public long maxBulkLen() {
        return protoMaxBulkLen;
    }

    @Override
    public long queryBufferLimit() {
        return clientQueryBufferLimit;
    }

    /** The parameter called name (any case), alias rows included; null when Redis has no such setting here. */
    public Param param(String name) {
        return params.param(name);
    }

    /** Every parameter, aliases included, in a stable order. */
    public Collection<Param> all() {
        return params.all();
    }

    /** Parameters whose name matches a glob (case-insensitive, as CONFIG GET matches). */
    public List<Param> matching(String glob) {
        return params.matching(glob);
    }

    // ---- typed reads for features that come later ---------------------------------------------------------

    /** The current text of any setting, as CONFIG GET shows it; null when unknown. */
    public String text(String name) {
        Param p = param(name);
        return p == null ? null : p.get();
    }

    public boolean bool(String name) {
        return "yes".equals(text(name));
    }

    public long number(String name) {
        return Long.parseLong(text(name));
    }

    /**
     * Whether small integers may share one object: not when maxmemory is set with an LRU or LFU policy, where
     * Redis gives every key its own object (tryObjectEncoding).
     */
    public boolean shareIntegers() {
        return maxmemory == 0 || !(maxmemoryPolicy.contains("lru") || maxmemoryPolicy.contains("lfu"));
    }

    /** The encoding thresholds a value read from a snapshot or a DUMP payload is built under. */
    public dev.ferry.rdb.RdbValueBuilder.Limits loadLimits() {
        return new dev.ferry.rdb.RdbValueBuilder.Limits(listMaxListpackSize, hashMaxListpackEntries, hashMaxListpackValue,
            setMaxIntsetEntries, zsetMaxListpackEntries, zsetMaxListpackValue, shareIntegers());
    }
}
