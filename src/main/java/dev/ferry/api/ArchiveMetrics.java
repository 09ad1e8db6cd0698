package dev.ferry.api;

import dev.ferry.archive.Archiver;
import dev.ferry.server.RespServer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.function.ToDoubleFunction;

/**
 * The archive's and the bootstrap's metrics (what INFO # Archive shows), read from volatile fields the archive's
 * worker writes. Without an archive (ferry.archive.url=none) they read NaN, so no alert mistakes "none" for "0".
 */
@ApplicationScoped
public class ArchiveMetrics {
    @Inject
    MeterRegistry registry;
    @Inject
    RespServer resp;

    void register(@Observes StartupEvent ev) {
        gauge("ferry.archive.last.success.timestamp.seconds", "Unix time of the last snapshot archived and verified; 0 = none yet",
            a -> a.lastSuccessMillis() / 1000.0);
        gauge("ferry.archive.consecutive.failures", "Upload attempts failed in a row (0 after a success)", Archiver::consecutiveFailures);
        gauge("ferry.archive.upload.in.progress", "1 while a snapshot is being uploaded", a -> a.uploading() ? 1 : 0);
        gauge("ferry.archive.last.duration.seconds", "Duration of the last successful archive (upload, verify, manifest)",
            a -> a.lastDurationMillis() / 1000.0);
        counter("ferry.archive.uploads.ok", "Snapshots archived and verified", Archiver::uploadsOk);
        counter("ferry.archive.uploads.failed", "Upload attempts that failed (each retry counts)", Archiver::uploadsFailed);
        counter("ferry.archive.uploaded.bytes", "Bytes of snapshots archived", Archiver::uploadedBytes);
        gauge("ferry.archive.stream.offset", "The replication offset up to which the stream is archived and announced; -1 = none",
            Archiver::streamArchivedOffset);
        gauge("ferry.archive.stream.lag.bytes", "How much of the replication stream is not archived yet", Archiver::streamLagBytes);
        gauge("ferry.archive.stream.lag.seconds", "How old the oldest byte of the stream not archived yet is", Archiver::streamLagSeconds);
        gauge("ferry.archive.stream.refusing.writes", "1 while writes are refused: the stream archive is further behind than "
            + "ferry.archive.stream.min-archived-lag", a -> a.streamRefusingWrites() ? 1 : 0);
        counter("ferry.archive.stream.gaps", "Times the stream archive lost stream (more waited than spool-limit) and began again",
            Archiver::streamGaps);
        counter("ferry.archive.stream.segments.ok", "Stream segments archived and announced", Archiver::streamSegmentsOk);
        counter("ferry.archive.stream.segments.failed", "Stream segment attempts that failed (each retry counts)",
            Archiver::streamSegmentsFailed);
        gauge("ferry.bootstrap.duration.seconds", "How long the start-up bootstrap from the archive took; 0 while it runs or when there was none",
            a -> a.bootstrap() == null ? 0 : a.bootstrap().durationMillis() / 1000.0);
        gauge("ferry.bootstrap.finished", "1 once the start-up bootstrap from the archive ended (loaded, or started empty)",
            a -> a.bootstrap() == null || a.bootstrap().finished() ? 1 : 0);
    }

    private void gauge(String name, String description, ToDoubleFunction<Archiver> read) {
        Gauge.builder(name, resp, r -> {
            Archiver a = r.archiver();
            return a == null ? Double.NaN : read.applyAsDouble(a);
        }).description(description).register(registry);
    }

    private void counter(String name, String description, ToDoubleFunction<Archiver> read) {
        FunctionCounter.builder(name, resp, r -> {
            Archiver a = r.archiver();
            return a == null ? 0 : read.applyAsDouble(a);
        }).description(description).register(registry);
    }
}
