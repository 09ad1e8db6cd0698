package dev.ferry.server;

/**
 * Proof that the executing event loop still turns: a timer on the loop stamps the time every
 * {@link #PERIOD_MS} ms, and any thread (the liveness probe, the shutdown watchdog) reads how long ago
 * that was without ever waiting on the loop.
 */
public final class LoopHeartbeat {
    static final long PERIOD_MS = 100;

    /** System.nanoTime() of the last beat; 0 until the loop has started. */
    private volatile long lastBeat;

    /** Called on the executing loop. */
    void beat() {
        lastBeat = System.nanoTime();
    }

    public boolean started() {
        return lastBeat != 0;
    }

    /** Milliseconds since the loop last ran its heartbeat (0 to about PERIOD_MS while it is healthy). */
    public long silentMillis() {
        long last = lastBeat;
        return last == 0 ? 0 : (System.nanoTime() - last) / 1_000_000;
    }
}
