package dev.ferry.api;

import dev.ferry.engine.ServerContext;
import dev.ferry.server.RespServer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Startup;

/**
 * /q/health/started: DOWN until the start-up is over: the RESP port bound and every start-up phase released
 * ({@link dev.ferry.engine.StartupPhases}: today the load of the snapshot of {@code ferry.dir}; a later phase holds
 * its own). A Kubernetes startup probe on it keeps the liveness probe from restarting a pod that is still loading a
 * large snapshot. Reads only thread-safe state; never waits on the executing loop.
 */
@Startup
@ApplicationScoped
public class StartedCheck implements HealthCheck {
    @Inject
    RespServer resp;

    @Override
    public HealthCheckResponse call() {
        int port = resp.port();
        ServerContext ctx = resp.context();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("ferry-startup");
        if (ctx == null || port <= 0) return b.down().withData("waiting_for", "the RESP port").build();
        if (!ctx.startupPhases().done()) {
            return b.down().withData("waiting_for", String.join(", ", ctx.startupPhases().pending())).build();
        }
        return b.up().build();
    }
}
