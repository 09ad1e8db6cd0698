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
        ferry = new RawClient(ferryPort);
        redis = new RawClient(redisPort);
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
