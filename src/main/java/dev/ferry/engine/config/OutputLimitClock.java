package dev.ferry.engine.config;

/**
 * Redis's checkClientOutputBufferLimits for one client: over the hard limit of its class, or over the soft one
 * for longer than the soft seconds (the clock is the time it first went over the soft limit). A connection's
 * queued replies and the stream a replica's full resync holds are checked the same way.
 */
public final class OutputLimitClock {
    /** Unix second since when the output has been over the soft limit (Redis's obuf_soft_limit_reached_time); 0 = not over. */
    private long softLimitSince;

    /** The output is empty again: the soft limit's clock stops. */
    public void reset() {
        softLimitSince = 0;
    }

    /** Whether used bytes of output of class cls are over the limits now; replica: the class is a replica's. */
    public boolean over(ServerSettings s, int cls, boolean replica, long used, long nowSeconds) {
        OutputBufferLimits limits = s.outputBufferLimits;
        long hard = limits.hard(cls), soft = limits.soft(cls);
        // a replica's hard limit below the backlog size would drop it right after a partial resync
        if (replica && hard != 0 && Long.compareUnsigned(hard, s.replBacklogSize) < 0) hard = s.replBacklogSize;
        boolean overHard = hard != 0 && Long.compareUnsigned(used, hard) >= 0;
        boolean overSoft = soft != 0 && Long.compareUnsigned(used, soft) >= 0;
        if (overSoft) {
            if (softLimitSince == 0) {
                softLimitSince = nowSeconds; // first time over it
                overSoft = false;
            } else if (nowSeconds - softLimitSince <= limits.softSeconds(cls)) {
                overSoft = false; // not over it long enough yet
            }
        } else {
            softLimitSince = 0;
        }
        return overHard || overSoft;
    }
}
