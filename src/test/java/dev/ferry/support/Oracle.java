package dev.ferry.support;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Sends the same command to Ferry and to a real redis-server and asserts that the reply bytes are equal.
 * Use a fresh key prefix per test (both servers share nothing, but Ferry's keyspace is shared by the tests
 * of one Quarkus application).
 */
public final class Oracle implements AutoCloseable {
    private final RawClient ferry;
    private final RawClient redis;

    public Oracle(int ferryPort, int redisPort) throws IOException {
        this(new RawClient(ferryPort), new RawClient(redisPort));
    }

    /** Over connections of the caller's (e.g. from another address than loopback); closed with it. */
    public Oracle(RawClient ferry, RawClient redis) {
        this.ferry = ferry;
        this.redis = redis;
    }

    /** Runs the command on both and asserts equal replies; returns the reply. */
    public String check(String... args) throws IOException {
        String expected = redis.call(args);
        String actual = ferry.call(args);
        assertEquals(expected, actual, () -> "reply to " + String.join(" ", args));
        return actual;
    }

    public String check(byte[]... args) throws IOException {
        String expected = redis.call(args);
        String actual = ferry.call(args);
        assertEquals(expected, actual, () -> "reply to " + new String(args[0]));
        return actual;
    }

    /** Switches both connections to a protocol version (HELLO 3 for RESP3; 2 changes nothing). */
    public void protocol(int version) throws IOException {
        if (version == 2) return;
        ferry.call("HELLO", Integer.toString(version));
        redis.call("HELLO", Integer.toString(version));
    }

    /** {@link #check} as step {@code step} of a random sequence: a failure names the seed and step to replay. */
    public void checkStep(long seed, int step, String... args) throws IOException {
        try {
            check(args);
        } catch (AssertionError e) {
            throw new AssertionError("seed " + seed + " step " + step + ": " + e.getMessage(), e);
        }
    }

    public RawClient ferry() {
        return ferry;
    }

    public RawClient redis() {
        return redis;
    }

    @Override
    public void close() throws IOException {
        ferry.close();
        redis.close();
    }
}
