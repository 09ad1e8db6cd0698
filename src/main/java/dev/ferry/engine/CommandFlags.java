package dev.ferry.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * Command flags, with the names COMMAND INFO prints (Redis's CMD_* in server.h). The dispatcher checks
 * them once, centrally: WRITE decides what reaches the replication stream and what a read-only replica
 * refuses; NO_AUTH what runs before AUTH; NO_MULTI what MULTI refuses to queue.
 */
public final class CommandFlags {
    private CommandFlags() {}

    public static final int WRITE = 1;
    public static final int READONLY = 1 << 1;
    public static final int DENYOOM = 1 << 2;
    public static final int ADMIN = 1 << 3;
    public static final int PUBSUB = 1 << 4;
    public static final int NOSCRIPT = 1 << 5;
    public static final int BLOCKING = 1 << 6;
    public static final int LOADING = 1 << 7;
    public static final int STALE = 1 << 8;
    public static final int SKIP_MONITOR = 1 << 9;
    public static final int SKIP_SLOWLOG = 1 << 10;
    public static final int FAST = 1 << 11;
    public static final int NO_AUTH = 1 << 12;
    public static final int MAY_REPLICATE = 1 << 13;
    public static final int NO_MULTI = 1 << 14;
    public static final int ALLOW_BUSY = 1 << 15;
    /** Runs even inside MULTI instead of being queued (EXEC, DISCARD, MULTI, WATCH, QUIT, RESET). */
    public static final int TRANSACTION_CONTROL = 1 << 16;
    /** Redis's CMD_PROTECTED (DEBUG): refused unless its enable-*-command setting allows the client. */
    public static final int PROTECTED = 1 << 17;
    /** Redis's CMD_MOVABLE_KEYS: keys are found by a key spec other than a fixed range (LMPOP's numkeys). */
    public static final int MOVABLE_KEYS = 1 << 18;
    /** Redis's CMD_NO_ASYNC_LOADING (SAVE, BGSAVE): informational in Ferry, which has no async loading. */
    public static final int NO_ASYNC_LOADING = 1 << 19;

    private static final String[] NAMES = {
        "write", "readonly", "denyoom", "admin", "pubsub", "noscript", "blocking", "loading", "stale",
        "skip_monitor", "skip_slowlog", "fast", "no_auth", "may_replicate", "no_multi", "allow_busy"
    };

    public static List<String> names(int flags) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < NAMES.length; i++) {
            // and no_async_loading just before no_multi
            if (i == 14 && (flags & NO_ASYNC_LOADING) != 0) out.add("no_async_loading");
            // Redis lists movablekeys between no_multi and allow_busy
            if (i == 15 && (flags & MOVABLE_KEYS) != 0) out.add("movablekeys");
            if ((flags & (1 << i)) != 0) out.add(NAMES[i]);
        }
        return out;
    }
}
