package dev.ferry.api;

import dev.ferry.engine.CommandSpec;
import dev.ferry.engine.ServerContext;
import dev.ferry.server.RespServer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.HashSet;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * {@code ferry_commands_total{command, result}}: the counts INFO commandstats shows, read from the command table's
 * own fields, so the hot path pays nothing for the metric. result="ok" is calls that did not fail, "error" calls
 * that answered an error while running (failed_calls), "rejected" calls refused before running (rejected_calls:
 * arity, NOAUTH, -LOADING...). Like INFO's, they restart from 0 at CONFIG RESETSTAT (Prometheus reads that as a
 * counter reset). The two fields behind "ok" are read one after the other without a lock, so while a command
 * fails between the reads "ok" may be one off for one scrape.
 *
 * <p>A command gets its series the first time it has been called (checked every second on Quarkus's event loop,
 * reading plain fields; the table itself never changes after start-up), so the scrape lists the commands in use,
 * not all 240.
 */
@ApplicationScoped
public class CommandMetrics {
    private static final long CHECK_EVERY_MS = 1000;

    @Inject
    MeterRegistry registry;
    @Inject
    RespServer resp;
    @Inject
    Vertx vertx;

    /** Commands (full names) with series; touched only by the periodic check. */
    private final Set<String> registered = new HashSet<>();

    void start(@Observes StartupEvent ev) {
        vertx.setPeriodic(CHECK_EVERY_MS, id -> registerNewlyCalled());
    }

    void registerNewlyCalled() {
        ServerContext ctx = resp.context();
        if (ctx == null) return;
        for (CommandSpec c : ctx.commands().allWithSubcommands()) {
            if (registered.contains(c.fullName) || (c.calls == 0 && c.failedCalls == 0 && c.rejectedCalls == 0)) continue;
            registered.add(c.fullName);
            counter(c, "ok", s -> Math.max(0, s.calls - s.failedCalls));
            counter(c, "error", s -> s.failedCalls);
            counter(c, "rejected", s -> s.rejectedCalls);
        }
    }

    private void counter(CommandSpec c, String result, ToDoubleFunction<CommandSpec> read) {
        FunctionCounter.builder("ferry.commands", c, read)
            .description("Commands by name and result, as INFO commandstats counts them")
            .tag("command", c.fullName)
            .tag("result", result)
            .register(registry);
    }
}
