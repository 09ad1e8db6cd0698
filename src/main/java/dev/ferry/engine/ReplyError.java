package dev.ferry.engine;

/**
 * An error reply raised from deep inside argument parsing. It carries no stack trace (it is control
 * flow, not a bug) and the dispatcher turns it into exactly one "-" reply; the connection stays open.
 */
public final class ReplyError extends RuntimeException {
    public ReplyError(String message) {
        super(message, null, false, false);
    }
}
