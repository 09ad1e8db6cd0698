package dev.ferry.engine.config;

/** Why CONFIG SET refused a value; the message is the reason text of Redis's "CONFIG SET failed" error. */
public final class InvalidValue extends Exception {
    public InvalidValue(String reason) {
        super(reason, null, false, false);
    }
}
