package dev.ferry.support;

/** Waits for a condition that a server reaches on its own time (a replica online, a cron's count). */
public final class Eventually {
    private Eventually() {}

    public interface Condition {
        boolean holds() throws Exception;
    }

    /** Checks every 20 ms for up to 20 seconds; fails naming what it waited for. */
    public static void waitFor(Condition c, String what) throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        while (!c.holds()) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }
}
