package dev.ferry.support;

import dev.ferry.server.RespServer;
import dev.ferry.engine.ServerContext;
import io.quarkus.arc.Arc;
import io.vertx.core.Context;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs test code on Ferry's executing event loop, the only thread that may touch the keyspace, the
 * settings or the replication stream, and waits for it (tests of the @QuarkusTest application).
 */
public final class OnFerry {
    private OnFerry() {}

    /** The executing event loop's context, to post a task without waiting for it. */
    public static Context executor() {
        return Arc.container().instance(RespServer.class).get().context().executor();
    }

    public static <T> T call(Function<ServerContext, T> fn) throws Exception {
        ServerContext ctx = Arc.container().instance(RespServer.class).get().context();
        CompletableFuture<T> f = new CompletableFuture<>();
        ctx.executor().runOnContext(v -> {
            try {
                f.complete(fn.apply(ctx));
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f.get(10, TimeUnit.SECONDS);
    }

    public static void run(Consumer<ServerContext> action) throws Exception {
        call(ctx -> {
            action.accept(ctx);
            return null;
        });
    }
}
