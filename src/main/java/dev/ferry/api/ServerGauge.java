package dev.ferry.api;

import dev.ferry.engine.ServerContext;
import dev.ferry.server.RespServer;
import io.micrometer.core.instrument.Gauge;

import java.util.function.ToDoubleFunction;

/** A gauge that reads the running server (0 before the RESP server has its context), on the scrape thread. */
final class ServerGauge {
    private ServerGauge() {}

    static Gauge.Builder<RespServer> builder(String name, RespServer resp, ToDoubleFunction<ServerContext> read) {
        return Gauge.builder(name, resp, r -> {
            ServerContext ctx = r.context();
            return ctx == null ? 0 : read.applyAsDouble(ctx);
        });
    }
}
