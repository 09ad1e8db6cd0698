package dev.ferry.api;

import dev.ferry.engine.ServerContext;
import dev.ferry.server.RespServer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * /q/health/ready: UP while the RESP port is bound and no snapshot is loading, with the port and the number of
 * connected clients as data; DOWN (HTTP 503) before the port is bound, when binding failed, and while the
 * snapshot of {@code ferry.dir} loads at start-up.
 */
@Readiness
@ApplicationScoped
public class RespHealthCheck implements HealthCheck {
    @Inject
    RespServer resp;

    @Override
    public HealthCheckResponse call() {
        int port = resp.port();
        ServerContext ctx = resp.context();
        boolean loading = ctx != null && ctx.persistence().loading();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("ferry-resp").status(port > 0 && !loading);
        b.withData("port", port);
        b.withData("loading", loading);
        if (ctx != null) b.withData("clients", ctx.clients().size());
        return b.build();
    }
}
