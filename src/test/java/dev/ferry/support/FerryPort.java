package dev.ferry.support;

import dev.ferry.server.RespServer;
import io.quarkus.arc.Arc;

/** The RESP port of the Ferry that the current @QuarkusTest started (ferry.port=0 picks a free one). */
public final class FerryPort {
    private FerryPort() {}

    public static int get() {
        return Arc.container().instance(RespServer.class).get().port();
    }
}
