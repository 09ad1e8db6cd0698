package dev.ferry.server;

import dev.ferry.config.FerryConfig;
import dev.ferry.protocol.RespParser;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The settings CONFIG GET / CONFIG SET see, under their redis.conf names. Start values come from
 * {@link FerryConfig}; the ones Redis can change at run time can be changed here too. Settings for
 * features Ferry does not have yet are listed with Redis's defaults so that tools that read them at
 * start-up (redis-benchmark reads "save" and "appendonly") see sane values.
 */
public final class ServerSettings implements RespParser.Limits {

    /** One CONFIG parameter. setter returns an error message, or null on success. */
    public record Param(String name, Supplier<String> getter, java.util.function.Function<String, String> setter) {
        boolean mutable() {
            return setter != null;
        }
    }

    public final int port;
    public final String bind;
    public final int databases;
    public int maxclients;
    public int timeout;
    public String requirepass;
    public long protoMaxBulkLen;
    public long clientQueryBufferLimit;
    public int hz;
    public String dir;
    public String dbfilename;
    private final Map<String, Param> params = new LinkedHashMap<>();
    private final Map<String, String> passive = new LinkedHashMap<>();

    public ServerSettings(FerryConfig c, int actualPort) {
        port = actualPort;
        bind = c.bind();
        databases = c.databases();
        maxclients = c.maxclients();
        timeout = c.timeout();
        requirepass = c.requirepass().filter(s -> !s.isEmpty()).orElse(null);
        protoMaxBulkLen = c.protoMaxBulkLen();
        clientQueryBufferLimit = c.clientQueryBufferLimit();
        hz = c.hz();
        dir = c.dir();
        dbfilename = c.dbfilename();

        fixed("port", () -> Integer.toString(port));
        fixed("bind", () -> bind);
        fixed("databases", () -> Integer.toString(databases));
        intParam("maxclients", () -> maxclients, v -> maxclients = v, 1, Integer.MAX_VALUE);
        intParam("timeout", () -> timeout, v -> timeout = v, 0, Integer.MAX_VALUE);
        add("requirepass", () -> requirepass == null ? "" : requirepass, v -> {
            requirepass = v.isEmpty() ? null : v;
            return null;
        });
        memParam("proto-max-bulk-len", () -> protoMaxBulkLen, v -> protoMaxBulkLen = v, 1024 * 1024);
        memParam("client-query-buffer-limit", () -> clientQueryBufferLimit, v -> clientQueryBufferLimit = v, 1024 * 1024);
        intParam("hz", () -> hz, v -> hz = Math.min(500, v), 1, Integer.MAX_VALUE);
        add("dir", () -> dir, v -> {
            dir = v;
            return null;
        });
        add("dbfilename", () -> dbfilename, v -> {
            if (v.contains("/")) return "dbfilename can't be a path, just a filename";
            dbfilename = v;
            return null;
        });
        // Redis settings for features that come later (or never): readable, and settable to what they hold
        passive.put("save", "3600 1 300 100 60 10000");
        passive.put("appendonly", "no");
        passive.put("appendfsync", "everysec");
        passive.put("maxmemory", "0");
        passive.put("maxmemory-policy", "noeviction");
        passive.put("maxmemory-samples", "5");
        passive.put("rdbcompression", "yes");
        passive.put("rdbchecksum", "yes");
        passive.put("stop-writes-on-bgsave-error", "yes");
        passive.put("repl-backlog-size", "1048576");
        passive.put("repl-backlog-ttl", "3600");
        passive.put("repl-timeout", "60");
        passive.put("repl-diskless-sync", "yes");
        passive.put("repl-diskless-sync-delay", "5");
        passive.put("replica-read-only", "yes");
        passive.put("replica-serve-stale-data", "yes");
        passive.put("replica-priority", "100");
        passive.put("min-replicas-to-write", "0");
        passive.put("min-replicas-max-lag", "10");
        passive.put("tcp-keepalive", "300");
        passive.put("tcp-backlog", "511");
        passive.put("loglevel", "notice");
        passive.put("lazyfree-lazy-expire", "no");
        passive.put("lazyfree-lazy-user-del", "no");
        passive.put("lazyfree-lazy-user-flush", "no");
        passive.put("activerehashing", "yes");
        passive.put("active-expire-effort", "1");
        passive.put("slowlog-log-slower-than", "10000");
        passive.put("slowlog-max-len", "128");
        passive.put("latency-tracking", "yes");
        passive.put("notify-keyspace-events", "");
        passive.put("hash-max-listpack-entries", "128");
        passive.put("hash-max-listpack-value", "64");
        passive.put("list-max-listpack-size", "-2");
        passive.put("set-max-intset-entries", "512");
        passive.put("zset-max-listpack-entries", "128");
        passive.put("zset-max-listpack-value", "64");
        passive.put("protected-mode", "no");
        passive.put("daemonize", "no");
        passive.put("io-threads", "1");
        passive.put("cluster-enabled", "no");
        for (Map.Entry<String, String> e : passive.entrySet()) {
            String name = e.getKey();
            add(name, () -> passive.get(name), v -> {
                passive.put(name, v);
                return null;
            });
        }
    }

    @Override
    public long maxBulkLen() {
        return protoMaxBulkLen;
    }

    @Override
    public long queryBufferLimit() {
        return clientQueryBufferLimit;
    }

    public Param param(String name) {
        return params.get(name.toLowerCase(Locale.ROOT));
    }

    public List<Param> matching(String globLower) {
        List<Param> out = new ArrayList<>();
        for (Param p : params.values()) if (dev.ferry.store.Glob.matches(globLower, p.name(), true)) out.add(p);
        return out;
    }

    private void add(String name, Supplier<String> get, java.util.function.Function<String, String> set) {
        params.put(name, new Param(name, get, set));
    }

    private void fixed(String name, Supplier<String> get) {
        params.put(name, new Param(name, get, null));
    }

    private void intParam(String name, Supplier<Integer> get, Consumer<Integer> set, int min, int max) {
        add(name, () -> Integer.toString(get.get()), v -> {
            try {
                long n = Long.parseLong(v.trim());
                if (n < min || n > max) return "argument must be between " + min + " and " + max + " inclusive";
                set.accept((int) n);
                return null;
            } catch (NumberFormatException e) {
                return "argument couldn't be parsed into an integer";
            }
        });
    }

    private void memParam(String name, Supplier<Long> get, Consumer<Long> set, long min) {
        add(name, () -> Long.toString(get.get()), v -> {
            long n = parseMemory(v);
            if (n < 0) return "argument must be a memory value";
            if (n < min) return "argument must be between " + min + " and " + Long.MAX_VALUE + " inclusive";
            set.accept(n);
            return null;
        });
    }

    /** redis.conf memory units: 1k = 1000, 1kb = 1024, and so on; -1 when unparsable. */
    public static long parseMemory(String v) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        long mul = 1;
        String[][] units = {{"gb", "1073741824"}, {"mb", "1048576"}, {"kb", "1024"}, {"g", "1000000000"}, {"m", "1000000"}, {"k", "1000"}, {"b", "1"}};
        for (String[] u : units) {
            if (s.endsWith(u[0])) {
                mul = Long.parseLong(u[1]);
                s = s.substring(0, s.length() - u[0].length());
                break;
            }
        }
        try {
            long n = Long.parseLong(s);
            return n < 0 ? -1 : Math.multiplyExact(n, mul);
        } catch (NumberFormatException | ArithmeticException e) {
            return -1;
        }
    }
}
