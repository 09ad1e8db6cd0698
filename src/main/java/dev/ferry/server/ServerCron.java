package dev.ferry.server;

import dev.ferry.engine.Client;
import dev.ferry.engine.ClientType;
import dev.ferry.engine.ServerContext;

import java.util.ArrayList;
import java.util.List;

/**
 * Periodic work on the executing event loop, like Redis's serverCron: the active expiry cycle, the
 * incremental rehash of big tables, closing clients idle past "timeout", sampling the instantaneous
 * rates of INFO stats and the memory peak. Runs hz times a second (hz is read live, CONFIG SET hz
 * takes effect at the next tick).
 */
final class ServerCron {
    private final ServerContext server;
    private long lastSampleMillis;
    private long lastIdleCheckMillis;

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
        // DEBUG SET-ACTIVE-EXPIRE 0 stops the background cycle; lazy expiry on access still runs
        if (server.settings().activeExpire) {
            // Redis's slow cycle: at most 25% of the time between two runs
            server.keyspace().activeExpireCycle(1_000_000L * 25 / hz / 100);
        }
        server.keyspace().cron();
        // a scheduled BGSAVE, or a save point that is due
        if (!server.persistence().loading()) server.persistence().cron();
        long now = System.currentTimeMillis();
        // Redis samples its instantaneous metrics every 100 ms (run_with_period(100))
        if (now - lastSampleMillis >= 100) {
            lastSampleMillis = now;
            server.stats().sampleInstantaneous(now);
            server.stats().sampleMemory();
        }
        if (now - lastIdleCheckMillis >= 1000) {
            lastIdleCheckMillis = now;
            closeIdleClients(now);
            // replicationCron runs once a second, as Redis's
            server.replicationLinks().cron();
        }
    }

    /** Redis's clientsCronHandleTimeout: a client idle for more than "timeout" seconds is closed. */
    private void closeIdleClients(long now) {
        int timeout = server.settings().timeout;
        if (timeout <= 0) return;
        List<Client> idle = new ArrayList<>();
        for (Client c : server.clients().all()) {
            // replicas and the link to a master have their own timeouts (repl-timeout), as in Redis; monitors (replicas
            // to Redis's check) are never idle
            if (c.channel().type() == ClientType.REPLICA || c.channel().type() == ClientType.MASTER || c.monitor()) continue;
            if (now - c.lastInteractionMillis() > timeout * 1000L) idle.add(c);
        }
        for (Client c : idle) c.channel().kill();
    }
}
