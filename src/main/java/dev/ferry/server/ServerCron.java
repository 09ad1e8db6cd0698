package dev.ferry.server;

import java.util.ArrayList;
import java.util.List;

/**
 * Periodic work on the executing event loop, like Redis's serverCron: the active expiry cycle, the
 * incremental rehash of big tables, and closing clients idle past "timeout". Runs hz times a second.
 */
final class ServerCron {
    private final ServerContext server;
    private long ticks;

    ServerCron(ServerContext server) {
        this.server = server;
    }

    void start() {
        schedule();
    }

    private void schedule() {
        long period = Math.max(1, 1000 / Math.max(1, server.settings().hz));
        server.vertx().setTimer(period, id -> {
            try {
                run();
            } finally {
                schedule();
            }
        });
    }

    private void run() {
        int hz = Math.max(1, server.settings().hz);
        // Redis's slow cycle: at most 25% of the time between two runs
        server.keyspace().activeExpireCycle(1_000_000L * 25 / hz / 100);
        server.keyspace().cron();
        if (++ticks % hz == 0) closeIdleClients();
    }

    private void closeIdleClients() {
        int timeout = server.settings().timeout;
        if (timeout <= 0) return;
        long now = System.currentTimeMillis();
        List<ClientSession> idle = new ArrayList<>();
        for (ClientSession c : server.clients().all()) {
            if (now - c.lastInteractionMillis() > timeout * 1000L) idle.add(c);
        }
        for (ClientSession c : idle) c.kill();
    }
}
