package dev.ferry.server;

import dev.ferry.engine.ServerContext;
import dev.ferry.engine.ServerStats;
import dev.ferry.engine.config.ServerSettings;
import dev.ferry.engine.info.Info;
import dev.ferry.engine.info.InfoWriter;
import org.eclipse.microprofile.config.ConfigProvider;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.ferry.engine.info.InfoWriter.bytesToHuman;
import static dev.ferry.engine.info.InfoWriter.fixed2;
import static dev.ferry.engine.info.InfoWriter.seconds;

/**
 * The INFO sections about the process itself: Server (versions, pid, port, uptime), Memory (the JVM heap
 * stands for Redis's used_memory, the resident set size from /proc) and CPU.
 */
final class ProcessInfo {
    private static final OperatingSystemMXBean OS = ManagementFactory.getOperatingSystemMXBean();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final String FERRY_VERSION = ferryVersion();
    private static final String EXECUTABLE = ProcessHandle.current().info().command().orElse("");

    private final ServerContext server;

    private ProcessInfo(ServerContext server) {
        this.server = server;
    }

    static void register(ServerContext server) {
        ProcessInfo p = new ProcessInfo(server);
        server.info().register(Info.Section.SERVER, p::server);
        server.info().register(Info.Section.MEMORY, p::memory);
        server.info().register(Info.Section.CPU, p::cpu);
    }

    private void server(InfoWriter out) {
        long now = System.currentTimeMillis();
        long uptime = (now - server.startMillis()) / 1000;
        ServerSettings s = server.settings();
        out.field("redis_version", ServerContext.REDIS_VERSION);
        out.field("ferry_version", FERRY_VERSION);
        out.field("redis_git_sha1", "00000000");
        out.field("redis_git_dirty", 0);
        out.field("redis_mode", "standalone");
        out.field("os", osName());
        out.field("arch_bits", System.getProperty("sun.arch.data.model", "64"));
        out.field("process_id", ProcessHandle.current().pid());
        out.field("process_supervised", "no");
        out.field("run_id", server.runId());
        out.field("tcp_port", s.port);
        out.field("server_time_usec", serverTimeMicros());
        out.field("uptime_in_seconds", uptime);
        out.field("uptime_in_days", uptime / 86400);
        out.field("hz", s.hz);
        out.field("configured_hz", s.hz);
        out.field("lru_clock", (now / 1000) & 0xFFFFFF);
        out.field("executable", EXECUTABLE);
        out.field("config_file", "");
        out.field("io_threads_active", 0);
    }

    private void memory(InfoWriter out) {
        ServerStats st = server.stats();
        ServerSettings s = server.settings();
        long used = st.sampleMemory();
        long peak = Math.max(st.peakMemory, used);
        long rss = residentSetSize();
        long total = totalSystemMemory();
        out.field("used_memory", used);
        out.field("used_memory_human", bytesToHuman(used));
        out.field("used_memory_rss", rss);
        out.field("used_memory_rss_human", bytesToHuman(rss));
        out.field("used_memory_peak", peak);
        out.field("used_memory_peak_human", bytesToHuman(peak));
        out.field("used_memory_peak_perc", fixed2(peak == 0 ? 0 : used * 100.0 / peak) + "%");
        out.field("total_system_memory", total);
        out.field("total_system_memory_human", bytesToHuman(total));
        out.field("maxmemory", Long.toUnsignedString(s.maxmemory));
        out.field("maxmemory_human", bytesToHuman(s.maxmemory));
        out.field("maxmemory_policy", s.maxmemoryPolicy);
        out.field("mem_fragmentation_ratio", fixed2(used == 0 ? 0 : (double) rss / used));
        out.field("mem_allocator", "jvm");
        out.field("active_defrag_running", 0);
        out.field("lazyfree_pending_objects", 0);
        out.field("lazyfreed_objects", 0);
    }

    private void cpu(InfoWriter out) {
        long[] userSys = processCpuNanos();
        // INFO runs on the executing event loop: "main thread" is this thread, as in Redis
        long mainCpu = THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : 0;
        long mainUser = THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadUserTime() : 0;
        out.field("used_cpu_sys", seconds(userSys[1]));
        out.field("used_cpu_user", seconds(userSys[0]));
        out.field("used_cpu_sys_children", "0.000000");
        out.field("used_cpu_user_children", "0.000000");
        out.field("used_cpu_sys_main_thread", seconds(Math.max(0, mainCpu - mainUser)));
        out.field("used_cpu_user_main_thread", seconds(mainUser));
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
