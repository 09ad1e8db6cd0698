package dev.ferry.api;

import dev.ferry.config.FerryConfig;
import dev.ferry.server.LoopHeartbeat;
import dev.ferry.server.RespServer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

/**
 * /q/health/live: UP while the executing event loop answers, i.e. has run its heartbeat within
 * ferry.liveness-timeout. A loop frozen in a command, or dead, makes it DOWN (HTTP 503) and the
 * orchestrator restarts the process, which a bound port alone would never cause. The probe only reads the
 * heartbeat's time stamp: it never waits on the loop, and HTTP runs on other threads (see RespServer).
 */
@Liveness
@ApplicationScoped
public class LoopLivenessCheck implements HealthCheck {
    @Inject
    RespServer resp;
    @Inject
    FerryConfig config;

    @Override
    public HealthCheckResponse call() {
        LoopHeartbeat beat = resp.heartbeat();
        long limit = config.livenessTimeout().toMillis();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("ferry-executing-loop");
        if (!beat.started()) return b.down().withData("loop", "not started").build();
        long silent = beat.silentMillis();
        return b.status(silent <= limit).withData("silent_ms", silent).withData("limit_ms", limit).build();
    }
}
