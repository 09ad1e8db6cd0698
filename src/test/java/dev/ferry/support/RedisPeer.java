package dev.ferry.support;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real redis-server for the tests of one class: {@code @RegisterExtension static final RedisPeer redis =
 * new RedisPeer();} starts it before the class's tests (skipping, or failing under PEERS_REQUIRED, when
 * redis-server is missing) and stops it after them.
 */
public final class RedisPeer implements BeforeAllCallback, AfterAllCallback {
    private final String[] extraArgs;
    private RedisServer server;

    public RedisPeer(String... extraArgs) {
        this.extraArgs = extraArgs;
    }

    public int port() {
        return server.port();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        server = RedisServer.start(extraArgs);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) server.close();
        server = null;
    }
}
