package dev.ferry.api;

import dev.ferry.config.FerryConfig;
import dev.ferry.server.RespServer;
import dev.ferry.engine.ServerContext;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.function.ToDoubleFunction;

/**
 * Prometheus gauges (on /q/metrics) read from the running server. They are read on the scrape thread
 * without locks: each is one field or a sum of sizes, a value at most a moment old. Before the RESP port
 * is bound they read 0.
 */
@ApplicationScoped
public class FerryMetrics {
    @Inject
    MeterRegistry registry;
    @Inject
    RespServer resp;
    @Inject
    FerryConfig config;

    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    void register(@Observes StartupEvent ev) {
        gauge("ferry.clients.connected", "Connected RESP clients (INFO connected_clients)",
            ctx -> ctx.clients().size());
        gauge("ferry.commands.processed", "Commands executed since start or CONFIG RESETSTAT (INFO total_commands_processed)",
            ctx -> ctx.stats().commandsProcessed);
        gauge("ferry.clients.output.buffer.limit.disconnections",
            "Clients closed for overcoming client-output-buffer-limit since start or CONFIG RESETSTAT",
            ctx -> ctx.stats().clientOutputBufferLimitDisconnections);
        gauge("ferry.keys", "Keys in all databases", ctx -> ctx.keyspace().totalKeys());
        // one series per database (INFO keyspace lists the non-empty ones): a size read, as ferry.keys does
        for (int db = 0; db < config.databases(); db++) {
            int index = db;
            ServerGauge.builder("ferry.db.keys", resp, ctx -> ctx.keyspace().db(index).size())
                .description("Keys in one database (INFO keyspace keys=)")
                .tag("db", Integer.toString(db))
                .register(registry);
        }
        // the JVM heap in use, what INFO reports as used_memory (MemoryMXBean is safe from any thread)
        Gauge.builder("ferry.memory.used.bytes", MEMORY, m -> m.getHeapMemoryUsage().getUsed())
            .description("Memory in use (INFO used_memory: the JVM heap)")
            .register(registry);
        gauge("ferry.expired.keys", "Keys deleted because their TTL passed (INFO expired_keys)",
            ctx -> ctx.keyspace().stats.expiredKeys);
        // snapshots and the start-up load: progress of what runs now, outcome of the last
        gauge("ferry.rdb.bgsave.in.progress", "1 while a snapshot (BGSAVE, SAVE) is being written (INFO rdb_bgsave_in_progress)",
            ctx -> ctx.persistence().saving() ? 1 : 0);
        gauge("ferry.rdb.save.progress.percent", "Keys of the running snapshot written so far, in percent; -1 when none runs",
            ctx -> ctx.persistence().savePercent());
        gauge("ferry.rdb.save.bytes", "Bytes the running snapshot has written so far", ctx -> ctx.persistence().saveBytes());
        gauge("ferry.rdb.last.bgsave.ok", "1 when the last snapshot succeeded (INFO rdb_last_bgsave_status)",
            ctx -> ctx.persistence().lastSaveOk() ? 1 : 0);
        gauge("ferry.rdb.last.bgsave.seconds", "Duration of the last snapshot (INFO rdb_last_bgsave_time_sec)",
            ctx -> ctx.persistence().lastSaveSeconds());
        gauge("ferry.rdb.last.save.time.seconds", "Unix time of the last successful snapshot (LASTSAVE)",
            ctx -> ctx.persistence().lastSaveMillis() / 1000.0);
        gauge("ferry.rdb.changes.since.last.save", "Writes since the last successful snapshot (INFO rdb_changes_since_last_save)",
            ctx -> ctx.persistence().changesSinceLastSave());
        gauge("ferry.loading.progress.percent", "Bytes of the start-up snapshot loaded, in percent; -1 when not loading",
            ctx -> ctx.persistence().loadPercent());
    }

    private void gauge(String name, String description, ToDoubleFunction<ServerContext> read) {
        ServerGauge.builder(name, resp, read).description(description).register(registry);
    }
}
