package dev.ferry.api;

import dev.ferry.engine.ServerContext;
import dev.ferry.server.RespServer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ServiceUnavailableException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * Runs admin work on the executing loop, the only thread that may read or change the engine (ARCHITECTURE.md
 * rule 1), and hands the result back as a stage, so the HTTP thread never waits for the loop.
 */
@ApplicationScoped
public class OnLoop {
    @Inject
    RespServer resp;

    public <T> CompletionStage<T> call(Function<ServerContext, T> work) {
        ServerContext ctx = resp.context();
        if (ctx == null) return CompletableFuture.failedFuture(new ServiceUnavailableException("the RESP server is not started"));
        CompletableFuture<T> result = new CompletableFuture<>();
        ctx.executor().runOnContext(v -> {
            try {
                result.complete(work.apply(ctx));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    /**
     * Waits for a stage of {@link #call} on a worker thread (a @Blocking resource), never on the loop: its
     * RuntimeExceptions (ProblemException) come out as they are.
     */
    public <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        }
    }
}
