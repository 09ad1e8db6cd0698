package dev.ferry.api;

import dev.ferry.config.FerryConfig;
import dev.ferry.engine.ReplicationStatus;
import dev.ferry.engine.ServerContext;
import dev.ferry.server.RespServer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * /q/health/ready: UP while the RESP port is bound, the start-up is over (the snapshot of {@code ferry.dir} is
 * loaded, no start-up phase held) and, on a replica, the link to the master is up and the master was heard from
 * within {@code ferry.health.max-lag}. DOWN (HTTP 503) otherwise: before the port is bound, while loading, on a
 * replica whose master is unreachable, syncing or silent.
 *
 * <p>The lag is the silence of the master (seconds since its last byte or ping), not an offset difference: a
 * replica learns its master's offset only at PSYNC, so the only measure it has of falling behind is how long the
 * master has said nothing; a master pings every repl-ping-replica-period, so a live link is never silent long.
 * The replication state is the one the executing loop publishes every second: the probe never waits on the loop.
 */
@Readiness
@ApplicationScoped
public class RespHealthCheck implements HealthCheck {
    @Inject
    RespServer resp;
    @Inject
    FerryConfig config;

    @Override
    public HealthCheckResponse call() {
        int port = resp.port();
        ServerContext ctx = resp.context();
        boolean loading = ctx == null || ctx.persistence().loading() || !ctx.startupPhases().done();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("ferry-resp");
        b.withData("port", port);
        b.withData("loading", loading);
        boolean up = port > 0 && !loading;
        if (ctx != null) {
            b.withData("clients", ctx.clients().size());
            ReplicationStatus repl = ctx.replicationLinks().lastStatus();
            if (repl != null && repl.replica()) up &= replicaReady(repl.master(), b);
        }
        return b.status(up).build();
    }

    private boolean replicaReady(ReplicationStatus.MasterLinkStatus link, HealthCheckResponseBuilder b) {
        long maxLag = config.health().maxLag().toMillis();
        b.withData("master", link.host() + ":" + link.port());
        b.withData("master_link", link.state());
        if (!link.up()) return false;
        long silent = Math.max(0, System.currentTimeMillis() - link.lastIoMillis());
        b.withData("master_silent_ms", silent);
        b.withData("max_lag_ms", maxLag);
        return silent <= maxLag;
    }
}
