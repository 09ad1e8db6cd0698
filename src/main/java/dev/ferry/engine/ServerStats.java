package dev.ferry.engine;

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
    /** Highest heap use seen (INFO used_memory_peak); sampled by the cron and by INFO. */
    public long peakMemory;
    /** Unix ms of the last successful save (LASTSAVE, rdb_last_save_time); the start time until a save. */
    public long lastSaveMillis = System.currentTimeMillis();
    /** The keyspace's dirty counter at the last save (rdb_changes_since_last_save = dirty - this). */
    public long dirtyAtLastSave;

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
