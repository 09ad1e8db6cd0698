package dev.ferry.command.server;

import dev.ferry.engine.*;

import dev.ferry.engine.Client;
import dev.ferry.engine.ServerContext;
import dev.ferry.engine.config.ServerSettings;
import dev.ferry.engine.ServerStats;
import dev.ferry.store.Database;
import dev.ferry.store.Keyspace;
import org.eclipse.microprofile.config.ConfigProvider;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The text of INFO, shaped like Redis 7.0.15's genRedisInfoString: "# Section" headers, "field:value"
 * lines ending in CRLF, one blank line between sections, sections always in Redis's order whatever the
 * order of the arguments. Every field name is one Redis prints (ferry_version aside); fields of features
 * Ferry does not have report what Redis reports when the feature is idle.
 */
final class InfoBuilder {

    /** Redis's default_sections ("module_list" is the Modules section). */
    private static final List<String> DEFAULT_SECTIONS = List.of("server", "clients", "memory", "persistence",
        "stats", "replication", "cpu", "module_list", "errorstats", "cluster", "keyspace");

    private static final OperatingSystemMXBean OS = ManagementFactory.getOperatingSystemMXBean();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final String FERRY_VERSION = ferryVersion();
    private static final String EXECUTABLE = ProcessHandle.current().info().command().orElse("");

    private final ServerContext server;
    private final StringBuilder out = new StringBuilder(4096);
    private int sections;

    private InfoBuilder(ServerContext server) {
        this.server = server;
    }

    /** INFO's text for the section arguments (none = default). */
    static String build(ServerContext server, List<String> args) {
        Set<String> wanted = new HashSet<>();
        boolean all = false;
        if (args.isEmpty()) wanted.addAll(DEFAULT_SECTIONS);
        for (String a : args) {
            String s = a.toLowerCase(Locale.ROOT);
            switch (s) {
                case "default" -> wanted.addAll(DEFAULT_SECTIONS);
                // Ferry has no modules, so "everything" (all + module sections) is the same as "all"
                case "all", "everything" -> all = true;
                default -> wanted.add(s);
            }
        }
        InfoBuilder b = new InfoBuilder(server);
        b.write(all, wanted);
        return b.out.toString();
    }

    private void write(boolean all, Set<String> w) {
        if (all || w.contains("server")) server();
        if (all || w.contains("clients")) clients();
        if (all || w.contains("memory")) memory();
        if (all || w.contains("persistence")) persistence();
        if (all || w.contains("stats")) stats();
        if (all || w.contains("replication")) replication();
        if (all || w.contains("cpu")) cpu();
        if (all || w.contains("module_list") || w.contains("modules")) section("Modules");
        if (all || w.contains("commandstats")) commandStats();
        if (all || w.contains("errorstats")) errorStats();
        if (all || w.contains("cluster")) {
            section("Cluster");
            field("cluster_enabled", 0);
        }
        if (all || w.contains("keyspace")) keyspace();
    }

    // ---- sections ---------------------------------------------------------------------------------------

    private void server() {
        long now = System.currentTimeMillis();
        long uptime = (now - server.startMillis()) / 1000;
        ServerSettings s = server.settings();
        section("Server");
        field("redis_version", ServerContext.REDIS_VERSION);
        field("ferry_version", FERRY_VERSION);
        field("redis_git_sha1", "00000000");
        field("redis_git_dirty", 0);
        field("redis_mode", "standalone");
        field("os", osName());
        field("arch_bits", System.getProperty("sun.arch.data.model", "64"));
        field("process_id", ProcessHandle.current().pid());
        field("process_supervised", "no");
        field("run_id", server.runId());
        field("tcp_port", s.port);
        field("server_time_usec", serverTimeMicros());
        field("uptime_in_seconds", uptime);
        field("uptime_in_days", uptime / 86400);
        field("hz", s.hz);
        field("configured_hz", s.hz);
        field("lru_clock", (now / 1000) & 0xFFFFFF);
        field("executable", EXECUTABLE);
        field("config_file", "");
        field("io_threads_active", 0);
    }

    private void clients() {
        long maxInput = 0, maxOutput = 0;
        for (Client c : server.clients().all()) {
            maxInput = Math.max(maxInput, c.channel().recentMaxInputBytes());
            maxOutput = Math.max(maxOutput, c.channel().recentMaxOutputBytes());
        }
        section("Clients");
        field("connected_clients", server.clients().size());
        field("cluster_connections", 0);
        field("maxclients", server.settings().maxclients);
        field("client_recent_max_input_buffer", maxInput);
        field("client_recent_max_output_buffer", maxOutput);
        field("blocked_clients", 0);
        field("tracking_clients", 0);
        field("clients_in_timeout_table", 0);
    }

    private void memory() {
        ServerStats st = server.stats();
        ServerSettings s = server.settings();
        long used = st.sampleMemory();
        long peak = Math.max(st.peakMemory, used);
        long rss = residentSetSize();
        long total = totalSystemMemory();
        section("Memory");
        field("used_memory", used);
        field("used_memory_human", bytesToHuman(used));
        field("used_memory_rss", rss);
        field("used_memory_rss_human", bytesToHuman(rss));
        field("used_memory_peak", peak);
        field("used_memory_peak_human", bytesToHuman(peak));
        field("used_memory_peak_perc", fixed2(peak == 0 ? 0 : used * 100.0 / peak) + "%");
        field("total_system_memory", total);
        field("total_system_memory_human", bytesToHuman(total));
        field("maxmemory", Long.toUnsignedString(s.maxmemory));
        field("maxmemory_human", bytesToHuman(s.maxmemory));
        field("maxmemory_policy", s.maxmemoryPolicy);
        field("mem_fragmentation_ratio", fixed2(used == 0 ? 0 : (double) rss / used));
        field("mem_allocator", "jvm");
        field("active_defrag_running", 0);
        field("lazyfree_pending_objects", 0);
        field("lazyfreed_objects", 0);
    }

    private void persistence() {
        ServerStats st = server.stats();
        section("Persistence");
        field("loading", 0);
        field("async_loading", 0);
        field("current_cow_peak", 0);
        field("current_cow_size", 0);
        field("current_cow_size_age", 0);
        field("current_fork_perc", "0.00");
        field("current_save_keys_processed", 0);
        field("current_save_keys_total", 0);
        field("rdb_changes_since_last_save", server.keyspace().dirty() - st.dirtyAtLastSave);
        field("rdb_bgsave_in_progress", 0);
        field("rdb_last_save_time", st.lastSaveMillis / 1000);
        field("rdb_last_bgsave_status", "ok");
        field("rdb_last_bgsave_time_sec", -1);
        field("rdb_current_bgsave_time_sec", -1);
        field("rdb_saves", 0);
        field("rdb_last_cow_size", 0);
        field("rdb_last_load_keys_expired", 0);
        field("rdb_last_load_keys_loaded", 0);
        field("aof_enabled", 0);
        field("aof_rewrite_in_progress", 0);
        field("aof_rewrite_scheduled", 0);
        field("aof_last_rewrite_time_sec", -1);
        field("aof_current_rewrite_time_sec", -1);
        field("aof_last_bgrewrite_status", "ok");
        field("aof_rewrites", 0);
        field("aof_rewrites_consecutive_failures", 0);
        field("aof_last_write_status", "ok");
        field("aof_last_cow_size", 0);
        field("module_fork_in_progress", 0);
        field("module_fork_last_cow_size", 0);
    }

    private void stats() {
        ServerStats st = server.stats();
        Keyspace.Stats ks = server.keyspace().stats;
        section("Stats");
        field("total_connections_received", st.connectionsReceived);
        field("total_commands_processed", st.commandsProcessed);
        field("instantaneous_ops_per_sec", st.opsPerSec.perSecond());
        field("total_net_input_bytes", st.netInputBytes);
        field("total_net_output_bytes", st.netOutputBytes);
        field("total_net_repl_input_bytes", 0);
        field("total_net_repl_output_bytes", 0);
        field("instantaneous_input_kbps", fixed2(st.inputBytesPerSec.perSecond() / 1024.0));
        field("instantaneous_output_kbps", fixed2(st.outputBytesPerSec.perSecond() / 1024.0));
        field("instantaneous_input_repl_kbps", "0.00");
        field("instantaneous_output_repl_kbps", "0.00");
        field("rejected_connections", st.rejectedConnections);
        field("sync_full", 0);
        field("sync_partial_ok", 0);
        field("sync_partial_err", 0);
        field("expired_keys", ks.expiredKeys);
        field("expired_stale_perc", fixed2(ks.expiredStalePerc));
        field("expired_time_cap_reached_count", 0);
        field("expire_cycle_cpu_milliseconds", ks.expireCycleMs);
        field("evicted_keys", 0);
        field("evicted_clients", 0);
        field("total_eviction_exceeded_time", 0);
        field("current_eviction_exceeded_time", 0);
        field("keyspace_hits", ks.keyspaceHits);
        field("keyspace_misses", ks.keyspaceMisses);
        field("pubsub_channels", 0);
        field("pubsub_patterns", 0);
        field("pubsubshard_channels", 0);
        field("latest_fork_usec", 0);
        field("total_forks", 0);
        field("migrate_cached_sockets", 0);
        field("slave_expires_tracked_keys", 0);
        field("active_defrag_hits", 0);
        field("active_defrag_misses", 0);
        field("active_defrag_key_hits", 0);
        field("active_defrag_key_misses", 0);
        field("total_active_defrag_time", 0);
        field("current_active_defrag_time", 0);
        field("tracking_total_keys", 0);
        field("tracking_total_items", 0);
        field("tracking_total_prefixes", 0);
        field("unexpected_error_replies", 0);
        field("total_error_replies", st.totalErrorReplies);
        field("dump_payload_sanitizations", 0);
        field("io_threaded_reads_processed", 0);
        field("io_threaded_writes_processed", 0);
    }

    /** The master's block of REDIS-FORMATS §9.1 (no replicas, no backlog yet). */
    private void replication() {
        section("Replication");
        field("role", "master");
        field("connected_slaves", 0);
        field("master_failover_state", "no-failover");
        field("master_replid", server.replication().replId());
        field("master_replid2", "0000000000000000000000000000000000000000");
        field("master_repl_offset", server.replication().offset());
        field("second_repl_offset", -1);
        field("repl_backlog_active", 0);
        field("repl_backlog_size", server.settings().replBacklogSize);
        field("repl_backlog_first_byte_offset", 0);
        field("repl_backlog_histlen", 0);
    }

    private void cpu() {
        long[] userSys = processCpuNanos();
        // INFO runs on the executing event loop: "main thread" is this thread, as in Redis
        long mainCpu = THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : 0;
        long mainUser = THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadUserTime() : 0;
        section("CPU");
        field("used_cpu_sys", seconds(userSys[1]));
        field("used_cpu_user", seconds(userSys[0]));
        field("used_cpu_sys_children", "0.000000");
        field("used_cpu_user_children", "0.000000");
        field("used_cpu_sys_main_thread", seconds(Math.max(0, mainCpu - mainUser)));
        field("used_cpu_user_main_thread", seconds(mainUser));
    }

    private void commandStats() {
        section("Commandstats");
        for (CommandSpec c : server.commands().allWithSubcommands()) {
            if (c.calls == 0 && c.failedCalls == 0 && c.rejectedCalls == 0) continue;
            out.append("cmdstat_").append(c.fullName).append(":calls=").append(c.calls)
                .append(",usec=").append(c.micros)
                .append(",usec_per_call=").append(fixed2(c.calls == 0 ? 0 : (double) c.micros / c.calls))
                .append(",rejected_calls=").append(c.rejectedCalls)
                .append(",failed_calls=").append(c.failedCalls).append("\r\n");
        }
    }

    private void errorStats() {
        section("Errorstats");
        for (Map.Entry<String, Long> e : server.stats().errorCodes().entrySet()) {
            out.append("errorstat_").append(e.getKey()).append(":count=").append(e.getValue()).append("\r\n");
        }
    }

    private void keyspace() {
        section("Keyspace");
        Keyspace ks = server.keyspace();
        for (int i = 0; i < ks.databases(); i++) {
            Database d = ks.db(i);
            long keys = d.size(), expires = d.volatileKeys();
            if (keys == 0 && expires == 0) continue;
            // avg_ttl is an estimate Redis refines in its expiry cycle; Ferry does not estimate it
            out.append("db").append(i).append(":keys=").append(keys).append(",expires=").append(expires)
                .append(",avg_ttl=0\r\n");
        }
    }

    // ---- formatting -------------------------------------------------------------------------------------

    private void section(String title) {
        if (sections++ > 0) out.append("\r\n");
        out.append("# ").append(title).append("\r\n");
    }

    private void field(String name, String value) {
        out.append(name).append(':').append(value).append("\r\n");
    }

    private void field(String name, long value) {
        out.append(name).append(':').append(value).append("\r\n");
    }

    static String fixed2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.6f", nanos / 1e9);
    }

    /** Redis's bytesToHuman: B below 1K, then K, M, G, T, P with two decimals. */
    static String bytesToHuman(long n) {
        if (n < 0) return Long.toUnsignedString(n) + "B";
        String[] units = {"K", "M", "G", "T", "P"};
        if (n < 1024) return n + "B";
        double d = n;
        for (String u : units) {
            d /= 1024;
            if (d < 1024 || u.equals("P")) {
                if (u.equals("P") && d >= 1024) return n + "B";
                return String.format(Locale.ROOT, "%.2f%s", d, u);
            }
        }
        return n + "B";
    }

    private static long serverTimeMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    private static String osName() {
        String arch = System.getProperty("os.arch", "");
        // uname -m spelling, as Redis prints it
        if (arch.equals("amd64")) arch = "x86_64";
        return System.getProperty("os.name", "") + " " + System.getProperty("os.version", "") + " " + arch;
    }

    private static long totalSystemMemory() {
        if (OS instanceof com.sun.management.OperatingSystemMXBean os) return os.getTotalMemorySize();
        return 0;
    }

    /** The resident set size from /proc/self/statm (an in-memory read); the committed heap elsewhere. */
    private static long residentSetSize() {
        try {
            String[] f = Files.readString(Path.of("/proc/self/statm")).trim().split(" ");
            return Long.parseLong(f[1]) * 4096;
        } catch (Exception e) {
            return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
        }
    }

    /**
     * Process CPU time split into user and system: the JVM gives the total; /proc/self/stat gives the
     * user/system proportion (Linux), otherwise everything counts as user time.
     */
    private static long[] processCpuNanos() {
        long total = OS instanceof com.sun.management.OperatingSystemMXBean os ? Math.max(0, os.getProcessCpuTime()) : 0;
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // fields after the ")" that closes the command name: state is field 3, utime 14, stime 15
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long utime = Long.parseLong(f[11]), stime = Long.parseLong(f[12]);
            if (utime + stime > 0) {
                long sys = total * stime / (utime + stime);
                return new long[] {total - sys, sys};
            }
        } catch (Exception ignored) {
            // not Linux: report the total as user time
        }
        return new long[] {total, 0};
    }

    private static String ferryVersion() {
        try {
            return ConfigProvider.getConfig().getOptionalValue("quarkus.application.version", String.class).orElse("unknown");
        } catch (RuntimeException e) {
            return "unknown";
        }
    }
}
