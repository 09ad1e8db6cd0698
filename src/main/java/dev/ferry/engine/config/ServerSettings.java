package dev.ferry.engine.config;

import dev.ferry.config.FerryConfig;
import dev.ferry.protocol.RespParser;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The settings CONFIG GET / CONFIG SET see, under their redis.conf names, with the types, bounds,
 * aliases and error words of Redis 7.0's config.c. Start values come from {@link FerryConfig}.
 *
 * <p>Settings Ferry acts on are public fields that the server reads live (requirepass, maxclients,
 * timeout, proto-max-bulk-len, client-query-buffer-limit, hz, ...). Settings for features Ferry does not
 * have yet are kept as their normalized text, with Redis's defaults, so that tools that read them
 * (redis-benchmark reads "save" and "appendonly") see sane values and a later feature can read them with
 * {@link #text}, {@link #bool} or {@link #number}.
 *
 * <p>Owned by the executing thread; other threads (health checks, metrics) only read.
 */
public final class ServerSettings implements RespParser.Limits {

    /** Why a value was refused; the message is Redis's reason text. */
    public static final class Invalid extends Exception {
        public Invalid(String reason) {
            super(reason, null, false, false);
        }
    }

    /** Turns a CONFIG SET value into the action that applies it (checked first, applied later). */
    @FunctionalInterface
    interface Parser {
        Runnable parse(String value) throws Invalid;
    }

    /** One CONFIG parameter; an alias (slave-read-only) is its own row sharing the value of its target. */
    public static final class Param {
        private final String name;
        private final Supplier<String> getter;
        private final Parser parser;
        private final boolean immutable;
        private final boolean protectedConfig;
        private final String canonical;

        Param(String name, String canonical, Supplier<String> getter, Parser parser, boolean immutable,
              boolean protectedConfig) {
            this.name = name;
            this.canonical = canonical;
            this.getter = getter;
            this.parser = parser;
            this.immutable = immutable;
            this.protectedConfig = protectedConfig;
        }

        public String name() {
            return name;
        }

        /** The name an alias stands for (its own name when it is not an alias). */
        public String canonical() {
            return canonical;
        }

        public String get() {
            return getter.get();
        }

        /** Redis's IMMUTABLE_CONFIG: readable, never settable at run time. */
        public boolean immutable() {
            return immutable;
        }

        /** Redis's PROTECTED_CONFIG (dir, dbfilename): settable only with enable-protected-configs. */
        public boolean isProtected() {
            return protectedConfig;
        }

        /** Checks a value and returns the action that sets it; throws with Redis's reason when invalid. */
        public Runnable prepare(String value) throws Invalid {
            return parser.parse(value);
        }
    }

    // ---- settings the server acts on --------------------------------------------------------------------
    /** The bound RESP port: the configured one, or the one the OS chose for port 0 (see boundPort). */
    public int port;
    public final String bind;
    public final int databases;
    public int maxclients;
    public int timeout;
    public String requirepass;
    public long protoMaxBulkLen;
    public long clientQueryBufferLimit;
    /** The effective hz, clamped to Redis's 1..500 (CONFIG GET hz reports the clamped value, like Redis). */
    public int hz;
    public String dir;
    public String dbfilename;
    /** Bytes, unsigned like Redis's unsigned long long; 0 = no limit. */
    public long maxmemory;
    public String maxmemoryPolicy = "noeviction";
    /** Save points as pairs: seconds, changes, seconds, changes... (Redis's server.saveparams). */
    public long[] save = {3600, 1, 300, 100, 60, 10000};
    public boolean appendonly;
    public long replBacklogSize = 1048576;
    /** DEBUG SET-ACTIVE-EXPIRE (Redis's server.active_expire_enabled): the cron's expiry cycle runs only when set. */
    public volatile boolean activeExpire = true;
    /** enable-protected-configs: Redis's default "no" refuses CONFIG SET dir / dbfilename. */
    public final String enableProtectedConfigs = "no";

    private final Map<String, Param> params = new LinkedHashMap<>();
    private final Map<String, String> passive = new HashMap<>();
    private int keyspaceEventFlags;
    private final long[][] outputBufferLimits = {
        {0, 0, 0},                                   // normal
        {256L * 1024 * 1024, 64L * 1024 * 1024, 60}, // slave (replica)
        {32L * 1024 * 1024, 8L * 1024 * 1024, 60},   // pubsub
    };
    private long maxmemoryClients;

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
        protoMaxBulkLen = c.protoMaxBulkLen();
        clientQueryBufferLimit = c.clientQueryBufferLimit();
        hz = clampHz(c.hz());
        dir = c.dir();
        dbfilename = c.dbfilename();

        // Ferry cannot re-bind at run time, so port and bind are immutable here (Redis re-binds).
        immutable("port", () -> Integer.toString(port));
        immutable("bind", () -> bind);
        immutable("databases", () -> Integer.toString(databases));
        integer("maxclients", null, 1, UINT_MAX, () -> maxclients, v -> maxclients = (int) Math.min(v, INT_MAX));
        integer("timeout", null, 0, INT_MAX, () -> timeout, v -> timeout = (int) v);
        add("requirepass", null, () -> requirepass == null ? "" : requirepass, v -> () -> requirepass = v.isEmpty() ? null : v);
        memory("proto-max-bulk-len", null, 1024 * 1024, LONG_MAX, () -> protoMaxBulkLen, v -> protoMaxBulkLen = v);
        memory("client-query-buffer-limit", null, 1024 * 1024, LONG_MAX, () -> clientQueryBufferLimit, v -> clientQueryBufferLimit = v);
        integer("hz", null, 0, INT_MAX, () -> hz, v -> hz = clampHz(v));
        protectedParam("dir", () -> Path.of(dir).toAbsolutePath().normalize().toString(), v -> () -> dir = v);
        protectedParam("dbfilename", () -> dbfilename, v -> {
            if (v.contains("/")) throw new Invalid("dbfilename can't be a path, just a filename");
            return () -> dbfilename = v;
        });
        unsignedMemory("maxmemory", () -> maxmemory, v -> maxmemory = v);
        enumeration("maxmemory-policy", null, new String[] {"volatile-lru", "volatile-lfu", "volatile-random",
            "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"},
            () -> maxmemoryPolicy, v -> maxmemoryPolicy = v);
        add("save", null, this::saveText, this::parseSave);
        add("appendonly", null, () -> yesNo(appendonly), v -> {
            boolean b = parseBool(v);
            return () -> appendonly = b;
        });
        // resizeReplicationBacklog raises anything below CONFIG_REPL_BACKLOG_MIN_SIZE (16 KiB) to it
        memory("repl-backlog-size", null, 1, LONG_MAX, () -> replBacklogSize, v -> replBacklogSize = Math.max(16 * 1024, v));
        // Ferry has no ACLs or debug gate: DEBUG always runs, so the setting says "yes".
        immutable("enable-debug-command", () -> "yes");
        immutable("enable-protected-configs", () -> enableProtectedConfigs);
        immutable("enable-module-command", () -> "no");
        add("notify-keyspace-events", null, () -> keyspaceEventsToString(keyspaceEventFlags), v -> {
            int flags = keyspaceEventsFromString(v);
            if (flags < 0) throw new Invalid("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
            return () -> keyspaceEventFlags = flags;
        });
        add("client-output-buffer-limit", null, this::outputBufferLimitText, this::parseOutputBufferLimit);
        add("maxmemory-clients", null, () -> maxmemoryClients < 0 ? (-maxmemoryClients) + "%" : Long.toString(maxmemoryClients),
            this::parseMaxmemoryClients);

        // Settings for features that come later (or never): Redis's built-in defaults, Redis's types.
        enumPassive("appendfsync", null, "everysec", "everysec", "always", "no");
        immutablePassive("appendfilename", "appendonly.aof");
        immutablePassive("appenddirname", "appendonlydir");
        boolPassive("aof-use-rdb-preamble", null, true);
        boolPassive("aof-load-truncated", null, true);
        boolPassive("no-appendfsync-on-rewrite", null, false);
        intPassive("auto-aof-rewrite-percentage", null, 100, 0, INT_MAX);
        memPassive("auto-aof-rewrite-min-size", null, 67108864, 0, LONG_MAX);
        intPassive("maxmemory-samples", null, 5, 1, INT_MAX);
        intPassive("maxmemory-eviction-tenacity", null, 10, 0, 100);
        boolPassive("rdbcompression", null, true);
        boolPassive("rdbchecksum", null, true);
        boolPassive("rdb-del-sync-files", null, false);
        boolPassive("stop-writes-on-bgsave-error", null, true);
        intPassive("repl-backlog-ttl", null, 3600, 0, LONG_MAX);
        intPassive("repl-timeout", null, 60, 1, INT_MAX);
        intPassive("repl-ping-replica-period", "repl-ping-slave-period", 10, 1, INT_MAX);
        boolPassive("repl-diskless-sync", null, true);
        intPassive("repl-diskless-sync-delay", null, 5, 0, INT_MAX);
        intPassive("repl-diskless-sync-max-replicas", null, 0, 0, INT_MAX);
        enumPassive("repl-diskless-load", null, "disabled", "disabled", "on-empty-db", "swapdb");
        boolPassive("repl-disable-tcp-nodelay", null, false);
        boolPassive("replica-read-only", "slave-read-only", true);
        boolPassive("replica-serve-stale-data", "slave-serve-stale-data", true);
        intPassive("replica-priority", "slave-priority", 100, 0, INT_MAX);
        boolPassive("replica-announced", null, true);
        boolPassive("replica-lazy-flush", "slave-lazy-flush", false);
        boolPassive("replica-ignore-maxmemory", "slave-ignore-maxmemory", true);
        stringPassive("replica-announce-ip", "slave-announce-ip", "");
        intPassive("replica-announce-port", "slave-announce-port", 0, 0, 65535);
        intPassive("min-replicas-to-write", "min-slaves-to-write", 0, 0, INT_MAX);
        intPassive("min-replicas-max-lag", "min-slaves-max-lag", 10, 0, INT_MAX);
        immutablePassive("replicaof", "");
        alias("slaveof", "replicaof");
        stringPassive("masterauth", null, "");
        stringPassive("masteruser", null, "");
        intPassive("tcp-keepalive", null, 300, 0, INT_MAX);
        immutablePassive("tcp-backlog", "511");
        enumPassive("loglevel", null, "notice", "debug", "verbose", "notice", "warning");
        immutablePassive("logfile", "");
        boolPassive("lazyfree-lazy-eviction", null, false);
        boolPassive("lazyfree-lazy-expire", null, false);
        boolPassive("lazyfree-lazy-server-del", null, false);
        boolPassive("lazyfree-lazy-user-del", null, false);
        boolPassive("lazyfree-lazy-user-flush", null, false);
        boolPassive("activerehashing", null, true);
        intPassive("active-expire-effort", null, 1, 1, 10);
        boolPassive("dynamic-hz", null, true);
        intPassive("slowlog-log-slower-than", null, 10000, -1, LONG_MAX);
        intPassive("slowlog-max-len", null, 128, 0, LONG_MAX);
        boolPassive("latency-tracking", null, true);
        intPassive("latency-monitor-threshold", null, 0, 0, LONG_MAX);
        intPassive("hash-max-listpack-entries", "hash-max-ziplist-entries", 512, 0, LONG_MAX);
        intPassive("hash-max-listpack-value", "hash-max-ziplist-value", 64, 0, LONG_MAX);
        intPassive("list-max-listpack-size", "list-max-ziplist-size", -2, Integer.MIN_VALUE, INT_MAX);
        intPassive("list-compress-depth", null, 0, 0, INT_MAX);
        intPassive("set-max-intset-entries", null, 512, 0, LONG_MAX);
        intPassive("zset-max-listpack-entries", "zset-max-ziplist-entries", 128, 0, LONG_MAX);
        intPassive("zset-max-listpack-value", "zset-max-ziplist-value", 64, 0, LONG_MAX);
        memPassive("stream-node-max-bytes", null, 4096, 0, LONG_MAX);
        intPassive("stream-node-max-entries", null, 100, 0, LONG_MAX);
        memPassive("hll-sparse-max-bytes", null, 3000, 0, LONG_MAX);
        intPassive("busy-reply-threshold", "lua-time-limit", 5000, 0, LONG_MAX);
        intPassive("shutdown-timeout", null, 10, 0, INT_MAX);
        intPassive("acllog-max-len", null, 128, 0, LONG_MAX);
        intPassive("tracking-table-max-keys", null, 1000000, 0, LONG_MAX);
        intPassive("lfu-log-factor", null, 10, 0, INT_MAX);
        intPassive("lfu-decay-time", null, 1, 0, INT_MAX);
        enumPassive("sanitize-dump-payload", null, "no", "no", "yes", "clients");
        // Ferry has no protected mode (it binds 127.0.0.1 unless told otherwise), so it says "no".
        boolPassive("protected-mode", null, false);
        immutablePassive("daemonize", "no");
        immutablePassive("supervised", "no");
        immutablePassive("pidfile", "");
        immutablePassive("unixsocket", "");
        immutablePassive("unixsocketperm", "0");
        immutablePassive("io-threads", "1");
        immutablePassive("io-threads-do-reads", "no");
        immutablePassive("cluster-enabled", "no");
        immutablePassive("always-show-logo", "no");
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
        return params.get(name.toLowerCase(Locale.ROOT));
    }

    /** Every parameter, aliases included, in a stable order. */
    public Collection<Param> all() {
        return Collections.unmodifiableCollection(params.values());
    }

    /** Parameters whose name matches a glob (case-insensitive, as CONFIG GET matches). */
    public List<Param> matching(String glob) {
        List<Param> out = new ArrayList<>();
        for (Param p : params.values()) if (dev.ferry.store.Glob.matches(glob, p.name(), true)) out.add(p);
        return out;
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

    /** The notify-keyspace-events flags (Redis's NOTIFY_* bits). */
    public int keyspaceEventFlags() {
        return keyspaceEventFlags;
    }

    // ---- registration ------------------------------------------------------------------------------------

    private void add(String name, String alias, Supplier<String> get, Parser parser) {
        params.put(name, new Param(name, name, get, parser, false, false));
        if (alias != null) params.put(alias, new Param(alias, name, get, parser, false, false));
    }

    private void alias(String alias, String target) {
        Param t = params.get(target);
        params.put(alias, new Param(alias, target, t.getter, t.parser, t.immutable, t.protectedConfig));
    }

    private void immutable(String name, Supplier<String> get) {
        params.put(name, new Param(name, name, get, v -> {
            throw new Invalid("can't set immutable config");
        }, true, false));
    }

    private void protectedParam(String name, Supplier<String> get, Parser parser) {
        params.put(name, new Param(name, name, get, parser, false, true));
    }

    private void integer(String name, String alias, long min, long max, LongSupplier get, LongConsumer set) {
        add(name, alias, () -> Long.toString(get.getAsLong()), v -> {
            long n = parseInteger(v, min, max);
            return () -> set.accept(n);
        });
    }

    private void memory(String name, String alias, long min, long max, LongSupplier get, LongConsumer set) {
        add(name, alias, () -> Long.toString(get.getAsLong()), v -> {
            long n = parseMemoryValue(v);
            checkBounds(n, min, max);
            return () -> set.accept(n);
        });
    }

    /** An unsigned long long memory setting (maxmemory): 0..18446744073709551615. */
    private void unsignedMemory(String name, LongSupplier get, LongConsumer set) {
        add(name, null, () -> Long.toUnsignedString(get.getAsLong()), v -> {
            long n = parseMemoryValue(v);
            return () -> set.accept(n);
        });
    }

    private void enumeration(String name, String alias, String[] values, Supplier<String> get, Consumer<String> set) {
        add(name, alias, get, v -> {
            String n = parseEnum(v, values);
            return () -> set.accept(n);
        });
    }

    private void boolPassive(String name, String alias, boolean def) {
        passive.put(name, yesNo(def));
        add(name, alias, () -> passive.get(name), v -> {
            String n = yesNo(parseBool(v));
            return () -> passive.put(name, n);
        });
    }

    private void intPassive(String name, String alias, long def, long min, long max) {
        passive.put(name, Long.toString(def));
        add(name, alias, () -> passive.get(name), v -> {
            String n = Long.toString(parseInteger(v, min, max));
            return () -> passive.put(name, n);
        });
    }

    private void memPassive(String name, String alias, long def, long min, long max) {
        passive.put(name, Long.toString(def));
        add(name, alias, () -> passive.get(name), v -> {
            long n = parseMemoryValue(v);
            checkBounds(n, min, max);
            String s = Long.toString(n);
            return () -> passive.put(name, s);
        });
    }

    private void enumPassive(String name, String alias, String def, String... values) {
        passive.put(name, def);
        add(name, alias, () -> passive.get(name), v -> {
            String n = parseEnum(v, values);
            return () -> passive.put(name, n);
        });
    }

    private void stringPassive(String name, String alias, String def) {
        passive.put(name, def);
        add(name, alias, () -> passive.get(name), v -> () -> passive.put(name, v));
    }

    private void immutablePassive(String name, String value) {
        immutable(name, () -> value);
    }

    // ---- value parsing with config.c's rules and words --------------------------------------------------

    static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }

    static boolean parseBool(String v) throws Invalid {
        if (v.equalsIgnoreCase("yes")) return true;
        if (v.equalsIgnoreCase("no")) return false;
        throw new Invalid("argument must be 'yes' or 'no'");
    }

    static String parseEnum(String v, String[] values) throws Invalid {
        for (String s : values) if (s.equalsIgnoreCase(v)) return s;
        throw new Invalid("argument(s) must be one of the following: " + String.join(", ", values));
    }

    /** string2ll (no '+', spaces or leading zeros) and then the bounds check of numericConfig. */
    static long parseInteger(String v, long min, long max) throws Invalid {
        byte[] b = v.getBytes(StandardCharsets.UTF_8);
        if (!dev.ferry.protocol.Ascii.isLong(b)) throw new Invalid("argument couldn't be parsed into an integer");
        long n = dev.ferry.protocol.Ascii.parseLongOr(b, 0);
        checkBounds(n, min, max);
        return n;
    }

    private static void checkBounds(long n, long min, long max) throws Invalid {
        if (n < min || n > max) throw new Invalid("argument must be between " + min + " and " + max + " inclusive");
    }

    /**
     * Redis's memtoull: digits then an optional unit (b, k, kb, m, mb, g, gb; any case), no sign. Like the C
     * code, a number too large saturates and the multiplication wraps; signed settings then see a negative
     * value and fail their bounds check.
     */
    static long parseMemoryValue(String v) throws Invalid {
        int i = 0;
        if (!v.isEmpty() && v.charAt(0) == '-') throw new Invalid("argument must be a memory value");
        while (i < v.length() && v.charAt(i) >= '0' && v.charAt(i) <= '9') i++;
        String unit = v.substring(i).toLowerCase(Locale.ROOT);
        long mul = switch (unit) {
            case "", "b" -> 1;
            case "k" -> 1000;
            case "kb" -> 1024;
            case "m" -> 1000 * 1000;
            case "mb" -> 1024 * 1024;
            case "g" -> 1000L * 1000 * 1000;
            case "gb" -> 1024L * 1024 * 1024;
            default -> throw new Invalid("argument must be a memory value");
        };
        String digits = v.substring(0, i);
        if (digits.length() >= 128) throw new Invalid("argument must be a memory value");
        long n = 0;
        for (int k = 0; k < digits.length(); k++) {
            int d = digits.charAt(k) - '0';
            // strtoull saturates at ULLONG_MAX on overflow
            if (Long.compareUnsigned(n, Long.divideUnsigned(-1L - d, 10)) > 0) {
                n = -1L;
                break;
            }
            n = n * 10 + d;
        }
        return n * mul;
    }

    /** redis.conf memory units: 1k = 1000, 1kb = 1024, and so on; -1 when unparsable. */
    public static long parseMemory(String v) {
        try {
            long n = parseMemoryValue(v.trim());
            return n < 0 ? -1 : n;
        } catch (Invalid e) {
            return -1;
        }
    }

    // ---- save -----------------------------------------------------------------------------------------

    private String saveText() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i + 1 < save.length; i += 2) {
            if (sb.length() > 0) sb.append(' ');
            sb.append(save[i]).append(' ').append(save[i + 1]);
        }
        return sb.toString();
    }

    /**
     * setConfigSaveOption: the value is split on single spaces, so "" clears the save points and every
     * field must be a number (seconds at least 1, changes at least 0), read with strtoll.
     */
    private Runnable parseSave(String v) throws Invalid {
        String[] parts = v.isEmpty() ? new String[0] : v.split(" ", -1);
        if (parts.length % 2 != 0) throw new Invalid("Invalid save parameters");
        long[] out = new long[parts.length];
        for (int j = 0; j < parts.length; j++) {
            Long n = strtoll(parts[j]);
            if (n == null || (j % 2 == 0 && n < 1) || (j % 2 == 1 && n < 0)) throw new Invalid("Invalid save parameters");
            out[j] = j % 2 == 1 ? (int) (long) n : n;
        }
        return () -> save = out;
    }

    /** strtoll with a full-match check: leading blanks and a sign allowed, saturating; null on garbage. */
    private static Long strtoll(String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        boolean neg = false;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) neg = s.charAt(i++) == '-';
        int start = i;
        long n = 0;
        boolean overflow = false;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            int d = s.charAt(i++) - '0';
            if (n > (Long.MAX_VALUE - d) / 10) overflow = true;
            else n = n * 10 + d;
        }
        if (i != s.length()) return null;
        if (i == start) return 0L; // strtoll("") is 0 with nothing left over
        if (overflow) return neg ? Long.MIN_VALUE : Long.MAX_VALUE;
        return neg ? -n : n;
    }

    // ---- client-output-buffer-limit --------------------------------------------------------------------

    /** One class's limits (0 normal, 1 replica, 2 pubsub): {hard bytes, soft bytes, soft seconds}, 0 = none. */
    public long[] outputBufferLimit(int cls) {
        return outputBufferLimits[cls].clone();
    }

    private String outputBufferLimitText() {
        String[] names = {"normal", "slave", "pubsub"};
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            if (i > 0) sb.append(' ');
            long[] l = outputBufferLimits[i];
            sb.append(names[i]).append(' ').append(Long.toUnsignedString(l[0])).append(' ')
                .append(Long.toUnsignedString(l[1])).append(' ').append(l[2]);
        }
        return sb.toString();
    }

    private Runnable parseOutputBufferLimit(String v) throws Invalid {
        String[] parts = v.isEmpty() ? new String[0] : v.split(" ", -1);
        if (parts.length % 4 != 0) throw new Invalid("Wrong number of arguments in buffer limit configuration.");
        List<long[]> updates = new ArrayList<>();
        for (int j = 0; j < parts.length; j += 4) {
            int cls = switch (parts[j].toLowerCase(Locale.ROOT)) {
                case "normal" -> 0;
                case "slave", "replica" -> 1;
                case "pubsub" -> 2;
                default -> -1;
            };
            if (cls < 0) throw new Invalid("Invalid client class specified in buffer limit configuration.");
            long hard, soft;
            Long seconds = strtoll(parts[j + 3]);
            try {
                hard = parseMemoryValue(parts[j + 1]);
                soft = parseMemoryValue(parts[j + 2]);
            } catch (Invalid e) {
                seconds = null;
                hard = soft = 0;
            }
            if (seconds == null || seconds < 0) {
                throw new Invalid("Error in hard, soft or soft_seconds setting in buffer limit configuration.");
            }
            updates.add(new long[] {cls, hard, soft, seconds});
        }
        return () -> {
            for (long[] u : updates) outputBufferLimits[(int) u[0]] = new long[] {u[1], u[2], u[3]};
        };
    }

    // ---- maxmemory-clients (memory or percent) ---------------------------------------------------------

    /**
     * A memory value or "N%" (kept as -N, Redis's PERCENT_CONFIG). Like Redis, any negative result, even
     * one that came from a wrapped memory value, is judged as a percentage.
     */
    private Runnable parseMaxmemoryClients(String v) throws Invalid {
        long n;
        try {
            n = parseMemoryValue(v);
        } catch (Invalid e) {
            byte[] b = v.substring(0, Math.max(0, v.length() - 1)).getBytes(StandardCharsets.UTF_8);
            if (v.length() <= 1 || !v.endsWith("%") || !dev.ferry.protocol.Ascii.isLong(b)
                || dev.ferry.protocol.Ascii.parseLongOr(b, -1) < 0) {
                throw new Invalid("argument must be a memory or percent value");
            }
            n = -dev.ferry.protocol.Ascii.parseLongOr(b, 0);
        }
        if (n < -100) throw new Invalid("percentage argument must be less or equal to 100");
        long stored = n;
        return () -> maxmemoryClients = stored;
    }

    // ---- notify-keyspace-events ------------------------------------------------------------------------

    private static final String EVENT_CHARS = "g$lshzxetdnKEm";
    private static final int NOTIFY_ALL = 0x3FF; // g$lshzxetd

    /** keyspaceEventsStringToFlags: one bit per class character, 'A' for g$lshzxetd; -1 on a bad character. */
    static int keyspaceEventsFromString(String s) {
        int flags = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 'A') {
                flags |= NOTIFY_ALL;
                continue;
            }
            int bit = EVENT_CHARS.indexOf(c);
            if (bit < 0) return -1;
            flags |= 1 << bit;
        }
        return flags;
    }

    /** keyspaceEventsFlagsToString: "A" when all of g$lshzxetd, then K, E, m in that order. */
    static String keyspaceEventsToString(int flags) {
        StringBuilder sb = new StringBuilder();
        if ((flags & NOTIFY_ALL) == NOTIFY_ALL) sb.append('A');
        else for (int b = 0; b < 11; b++) if ((flags & (1 << b)) != 0) sb.append(EVENT_CHARS.charAt(b));
        for (int b = 11; b < 14; b++) if ((flags & (1 << b)) != 0) sb.append(EVENT_CHARS.charAt(b));
        return sb.toString();
    }
}
