package dev.ferry.server;

/**
 * The largest input and output memory one connection held during the last seconds, as Redis keeps them
 * for INFO client_recent_max_input_buffer / client_recent_max_output_buffer (server.c
 * clientsCronTrackExpansiveClients: one slot per second, eight slots). Redis samples every client once a
 * second; Ferry records each value when it changes, so a peak between two samples is not missed.
 */
final class RecentPeaks {
    private static final int SLOTS = 8;
    private final long[] second = new long[SLOTS];
    private final long[] input = new long[SLOTS];
    private final long[] output = new long[SLOTS];

    void input(long bytes, long nowMillis) {
        record(input, bytes, nowMillis);
    }

    void output(long bytes, long nowMillis) {
        record(output, bytes, nowMillis);
    }

    long maxInput(long nowMillis) {
        return max(input, nowMillis);
    }

    long maxOutput(long nowMillis) {
        return max(output, nowMillis);
    }

    private void record(long[] slots, long bytes, long nowMillis) {
        long s = nowMillis / 1000;
        int i = (int) (s % SLOTS);
        if (second[i] != s) {
            // the slot held a second that has passed: start it afresh for both directions
            second[i] = s;
            input[i] = 0;
            output[i] = 0;
        }
        if (bytes > slots[i]) slots[i] = bytes;
    }

    private long max(long[] slots, long nowMillis) {
        long s = nowMillis / 1000;
        long m = 0;
        for (int i = 0; i < SLOTS; i++) {
            if (s - second[i] < SLOTS && slots[i] > m) m = slots[i];
        }
        return m;
    }
}
