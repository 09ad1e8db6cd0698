package dev.ferry.api;

import dev.ferry.engine.ReplicationStatus;
import dev.ferry.engine.ServerContext;
import dev.ferry.server.RespServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Replication on /q/metrics: the stream's offset and backlog, the sync counters of INFO stats (plain fields of the
 * engine, read without locks), and what needs the list of replicas, taken from the state the executing loop
 * publishes every second ({@link dev.ferry.engine.ReplicationLinks#lastStatus()}): no scrape iterates an engine
 * collection. The per-replica lag is a MultiGauge whose rows follow the replicas, refreshed every second.
 */
@ApplicationScoped
public class ReplicationMetrics {
    @Inject
    MeterRegistry registry;
    @Inject
    RespServer resp;
    @Inject
    Vertx vertx;

    private MultiGauge replicaLag;

    void register(@Observes StartupEvent ev) {
        gauge("ferry.replication.offset", "The replication stream's offset (INFO master_repl_offset)",
            ctx -> ctx.replication().offset());
        gauge("ferry.replication.backlog.size.bytes", "Configured backlog size (INFO repl_backlog_size)",
            ctx -> ctx.replication().backlog().size());
        gauge("ferry.replication.backlog.histlen.bytes", "Bytes of stream the backlog holds (INFO repl_backlog_histlen)",
            ctx -> ctx.replication().backlog().histlen());
        gauge("ferry.replication.sync.full", "Full resyncs served since start or CONFIG RESETSTAT (INFO sync_full)",
            ctx -> ctx.stats().syncFull);
        gauge("ferry.replication.sync.partial.ok", "Partial resyncs accepted (INFO sync_partial_ok)",
            ctx -> ctx.stats().syncPartialOk);
        gauge("ferry.replication.sync.partial.err", "Partial resyncs refused, served in full (INFO sync_partial_err)",
            ctx -> ctx.stats().syncPartialErr);
        published("ferry.replication.replicas.connected", "Replicas attached (INFO connected_slaves)",
            s -> s.replicas().size());
        published("ferry.replication.is.replica", "1 while this server follows a master (INFO role:slave)",
            s -> s.replica() ? 1 : 0);
        published("ferry.replication.master.link.up", "1 while this replica's link to its master is up; 0 on a master",
            s -> s.master() != null && s.master().up() ? 1 : 0);
        replicaLag = MultiGauge.builder("ferry.replication.replica.lag.seconds")
            .description("Seconds since each replica's last acknowledgement (INFO slaveN lag), by replica ip:port")
            .register(registry);
        vertx.setPeriodic(1000, id -> refreshReplicaLag());
    }

    void refreshReplicaLag() {
        ServerContext ctx = resp.context();
        ReplicationStatus s = ctx == null ? null : ctx.replicationLinks().lastStatus();
        if (s == null) return;
        long now = System.currentTimeMillis();
        List<MultiGauge.Row<?>> rows = s.replicas().stream()
            .<MultiGauge.Row<?>>map(r -> MultiGauge.Row.of(Tags.of("replica", r.ip() + ":" + r.port()),
                Math.max(0, now - r.ackMillis()) / 1000.0))
            .toList();
        replicaLag.register(rows, true);
    }

    private void gauge(String name, String description, ToDoubleFunction<ServerContext> read) {
        ServerGauge.builder(name, resp, read).description(description).register(registry);
    }

    private void published(String name, String description, ToDoubleFunction<ReplicationStatus> read) {
        gauge(name, description, ctx -> {
            ReplicationStatus s = ctx.replicationLinks().lastStatus();
            return s == null ? 0 : read.applyAsDouble(s);
        });
    }
}
