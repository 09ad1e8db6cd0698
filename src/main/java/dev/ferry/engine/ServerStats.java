package dev.ferry.engine;

import dev.ferry.engine.info.InfoWriter;
import dev.ferry.store.Keyspace;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counters behind INFO stats / errorstats and the Prometheus meters. Written by the executing thread only;
 * other threads (metrics) read them without locks and may see a slightly old value.
 */
public final class ServerStats {
    /** Redis's ERROR_STATS_NUMBER: distinct error codes tracked by INFO errorstats. */
    static final int MAX_ERROR_CODES = 128;
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    public long commandsProcessed;
    public long connectionsReceived;
    public long rejectedConnections;
    /**
     * Clients closed by client-output-buffer-limit (Redis 7.2's client_output_buffer_limit_disconnections;
     * 7.0's INFO has no such field, so Ferry shows it on /q/metrics only).
     */
    public long clientOutputBufferLimitDisconnections;
    public long totalErrorReplies;
    public long netInputBytes;
    public long netOutputBytes;
    /** Full resyncs served (SYNC included), PSYNCs answered +CONTINUE, PSYNCs that fell back to a full one. */
    public long syncFull, syncPartialOk, syncPartialErr;
    /** Highest heap use seen (INFO used_memory_peak); sampled by the cron and by INFO. */
    public long peakMemory;

    /** Error replies by their code (first word), sorted like Redis's rax. */
    private final Map<String, Long> errorCodes = new TreeMap<>();

    public final InstantaneousMetric opsPerSec = new InstantaneousMetric();
    public final InstantaneousMetric inputBytesPerSec = new InstantaneousMetric();
    public final InstantaneousMetric outputBytesPerSec = new InstantaneousMetric();

    /** Counts one error reply (Redis's afterErrorReply): total_error_replies and errorstat_CODE. */
    public void errorReply(String message) {
        totalErrorReplies++;
        // Redis looks for the code's end in the first 32 bytes of "-CODE ..." and falls back to ERR
        int end = message.indexOf(' ');
        String code = end < 0 || end >= 31 ? "ERR" : message.substring(0, end);
        Long n = errorCodes.get(code);
        if (n != null) errorCodes.put(code, n + 1);
        else if (errorCodes.size() < MAX_ERROR_CODES) errorCodes.put(code, 1L);
    }

    public Map<String, Long> errorCodes() {
        return Collections.unmodifiableMap(errorCodes);
    }

    /** Redis's trackInstantaneousMetric calls, run by the cron about every 100 ms. */
    public void sampleInstantaneous(long nowMillis) {
        opsPerSec.sample(commandsProcessed, nowMillis);
        inputBytesPerSec.sample(netInputBytes, nowMillis);
        outputBytesPerSec.sample(netOutputBytes, nowMillis);
    }

    /** Heap in use now (INFO used_memory stands for the JVM heap), keeping the peak up to date. */
    public long sampleMemory() {
        long used = MEMORY.getHeapMemoryUsage().getUsed();
        if (used > peakMemory) peakMemory = used;
        return used;
    }

    /** CONFIG RESETSTAT (Redis's resetServerStats and resetErrorTableStats). */
    public void reset() {
        commandsProcessed = connectionsReceived = rejectedConnections = totalErrorReplies = 0;
        netInputBytes = netOutputBytes = 0;
        clientOutputBufferLimitDisconnections = 0;
        peakMemory = 0;
        errorCodes.clear();
        opsPerSec.reset();
        inputBytesPerSec.reset();
        outputBytesPerSec.reset();
    }

    /** INFO stats: these counters and the keyspace's. */
    void writeStats(InfoWriter out, Keyspace.Stats ks, PubSub pubsub) {
        out.field("total_connections_received", connectionsReceived);
        out.field("total_commands_processed", commandsProcessed);
        out.field("instantaneous_ops_per_sec", opsPerSec.perSecond());
        out.field("total_net_input_bytes", netInputBytes);
        out.field("total_net_output_bytes", netOutputBytes);
        out.field("total_net_repl_input_bytes", 0);
        out.field("total_net_repl_output_bytes", 0);
        out.field("instantaneous_input_kbps", InfoWriter.fixed2(inputBytesPerSec.perSecond() / 1024.0));
        out.field("instantaneous_output_kbps", InfoWriter.fixed2(outputBytesPerSec.perSecond() / 1024.0));
        out.field("instantaneous_input_repl_kbps", "0.00");
        out.field("instantaneous_output_repl_kbps", "0.00");
        out.field("rejected_connections", rejectedConnections);
        out.field("sync_full", syncFull);
        out.field("sync_partial_ok", syncPartialOk);
        out.field("sync_partial_err", syncPartialErr);
        out.field("expired_keys", ks.expiredKeys);
        out.field("expired_stale_perc", InfoWriter.fixed2(ks.expiredStalePerc));
        out.field("expired_time_cap_reached_count", 0);
        out.field("expire_cycle_cpu_milliseconds", ks.expireCycleMs);
        out.field("evicted_keys", 0);
        out.field("evicted_clients", 0);
        out.field("total_eviction_exceeded_time", 0);
        out.field("current_eviction_exceeded_time", 0);
        out.field("keyspace_hits", ks.keyspaceHits);
        out.field("keyspace_misses", ks.keyspaceMisses);
        out.field("pubsub_channels", pubsub.channelCount());
        out.field("pubsub_patterns", pubsub.patternCount());
        out.field("pubsubshard_channels", pubsub.shardChannelCount());
        out.field("latest_fork_usec", 0);
        out.field("total_forks", 0);
        out.field("migrate_cached_sockets", 0);
        out.field("slave_expires_tracked_keys", 0);
        out.field("active_defrag_hits", 0);
        out.field("active_defrag_misses", 0);
        out.field("active_defrag_key_hits", 0);
        out.field("active_defrag_key_misses", 0);
        out.field("total_active_defrag_time", 0);
        out.field("current_active_defrag_time", 0);
        out.field("tracking_total_keys", 0);
        out.field("tracking_total_items", 0);
        out.field("tracking_total_prefixes", 0);
        out.field("unexpected_error_replies", 0);
        out.field("total_error_replies", totalErrorReplies);
        out.field("dump_payload_sanitizations", 0);
        out.field("io_threaded_reads_processed", 0);
        out.field("io_threaded_writes_processed", 0);
    }

    /** INFO errorstats. */
    void writeErrorStats(InfoWriter out) {
        for (Map.Entry<String, Long> e : errorCodes.entrySet()) out.field("errorstat_" + e.getKey(), "count=" + e.getValue());
    }

    /**
     * A per-second rate averaged over the last 16 samples, like Redis's inst_metric: each sample is the
     * growth of a counter divided by the time since the previous sample.
     */
    public static final class InstantaneousMetric {
        private static final int SAMPLES = 16;
        private final long[] samples = new long[SAMPLES];
        private int index;
        private long lastValue = -1;
        private long lastMillis;

        void sample(long value, long nowMillis) {
            if (lastValue >= 0 && value >= lastValue) {
                long dt = Math.max(1, nowMillis - lastMillis);
                samples[index] = (value - lastValue) * 1000 / dt;
                index = (index + 1) % SAMPLES;
            }
            lastValue = value;
            lastMillis = nowMillis;
        }

        void reset() {
            java.util.Arrays.fill(samples, 0);
            index = 0;
            lastValue = -1;
        }

        /** The average of the samples (a per-second rate). */
        public long perSecond() {
            long sum = 0;
            for (long s : samples) sum += s;
            return sum / SAMPLES;
        }
    }
}
