package dev.ferry.engine;

/** Error replies with the exact words of Redis 7 (server.c shared objects, t_string.c, db.c, expire.c). */
public final class Errors {
    private Errors() {}

    public static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
    public static final String NOT_INTEGER = "ERR value is not an integer or out of range";
    public static final String NOT_FLOAT = "ERR value is not a valid float";
    public static final String SYNTAX = "ERR syntax error";
    public static final String NO_SUCH_KEY = "ERR no such key";
    public static final String OVERFLOW = "ERR increment or decrement would overflow";
    public static final String DB_INDEX = "ERR DB index is out of range";
    public static final String NOAUTH = "NOAUTH Authentication required.";
    public static final String WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";
    public static final String SAME_OBJECT = "ERR source and destination objects are the same";
    public static final String INVALID_CURSOR = "ERR invalid cursor";
    public static final String OUT_OF_RANGE_OFFSET = "ERR offset is out of range";
    /** Redis's shared.oomerr, the words a client gets when memory runs out for its command. */
    public static final String OOM = "OOM command not allowed when used memory > 'maxmemory'.";
    public static final String STRING_TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
    /** getPositiveLongFromObjectOrReply's words without a message of its own (a non-integer gets them too). */
    public static final String MUST_BE_POSITIVE = "ERR value is out of range, must be positive";

    public static ReplyError wrongType() {
        return new ReplyError(WRONGTYPE);
    }

    public static ReplyError notInteger() {
        return new ReplyError(NOT_INTEGER);
    }

    public static ReplyError syntax() {
        return new ReplyError(SYNTAX);
    }

    public static ReplyError of(String message) {
        return new ReplyError(message);
    }

    public static String wrongArgs(String fullName) {
        return "ERR wrong number of arguments for '" + fullName + "' command";
    }

    public static String invalidExpire(String command) {
        return "ERR invalid expire time in '" + command + "' command";
    }
}
