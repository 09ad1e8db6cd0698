package dev.ferry.api;

import dev.ferry.archive.ArchivedSnapshot;
import dev.ferry.archive.Archiver;
import dev.ferry.archive.Restore;
import dev.ferry.server.RespServer;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.util.List;

/**
 * /api/v1/snapshots: the local snapshot and the archived ones (from the manifest, never a listing), a BGSAVE on
 * demand, and a restore of the dataset from one of them. Blocking endpoints: they read the archive on a worker
 * thread, and what they ask of the engine runs on the executing loop.
 */
@Path("/api/v1/snapshots")
@Produces(MediaType.APPLICATION_JSON)
public class SnapshotsResource {
    @Inject
    OnLoop loop;
    @Inject
    RespServer resp;
    @Inject
    SnapshotCatalog catalog;

    @GET
    @Blocking
    public SnapshotList list() {
        SnapshotCatalog.Archived archived = catalog.archived();
        return new SnapshotList(catalog.local(archived.snapshots()), archived.url(), archived.error(), archived.snapshots().stream().map(SnapshotView::of).toList(),
            RestoreView.of(restore().status()));
    }

    @GET
    @Path("/{id}")
    @Blocking
    public SnapshotView one(@PathParam("id") String id) {
        if (SnapshotCatalog.LOCAL.equals(id)) {
            SnapshotView local = catalog.local();
            if (local == null) throw notFound(id);
            return local;
        }
        return SnapshotView.of(findArchived(id));
    }

    /** BGSAVE: 202 with the local snapshot's location; 409 while a save or a load runs. */
    @POST
    @AdminOnly
    @Blocking
    public Response take() {
        String refused = loop.await(loop.call(ctx -> {
            if (ctx.persistence().loading()) return "the server is loading its dataset";
            if (ctx.persistence().saving()) return "a background save is already in progress";
            return ctx.persistence().startBackgroundSave("admin API") ? null : "the background save could not start";
        }));
        if (refused != null) throw conflict(refused);
        return Response.accepted(new Accepted("saving", "the snapshot is being written; GET its location for the result"))
            .location(URI.create("/api/v1/snapshots/" + SnapshotCatalog.LOCAL)).build();
    }

    /** Replaces this master's dataset with the snapshot: 202, GET /api/v1/snapshots follows it under "restore". */
    @POST
    @Path("/{id}/restore")
    @AdminOnly
    @Blocking
    public Response restore(@PathParam("id") String id) {
        ArchivedSnapshot archived = SnapshotCatalog.LOCAL.equals(id) ? null : findArchived(id);
        if (archived == null && catalog.local() == null) throw notFound(id);
        Archiver archiver = resp.archiver();
        String refused = loop.await(loop.call(ctx -> restore().start(id, archived, archiver == null ? null : archiver.store(),
            catalog.localFile())));
        if (refused != null) throw conflict(refused);
        return Response.accepted(new Accepted("restoring", "the dataset is being restored from " + id + "; GET /api/v1/snapshots shows its progress"))
            .location(URI.create("/api/v1/snapshots")).build();
    }

    private Restore restore() {
        Restore r = resp.restore();
        if (r == null) throw new ProblemException(Problem.of(Response.Status.SERVICE_UNAVAILABLE, "not-started", "the RESP server is not started"));
        return r;
    }

    private ArchivedSnapshot findArchived(String id) {
        SnapshotCatalog.Archived archived = catalog.archived();
        if (archived.error() != null) {
            throw new ProblemException(Problem.of(Response.Status.SERVICE_UNAVAILABLE, "archive-unavailable", archived.error()));
        }
        return archived.snapshots().stream().filter(s -> SnapshotView.idOf(s).equals(id)).findFirst().orElseThrow(() -> notFound(id));
    }

    private static ProblemException notFound(String id) {
        return new ProblemException(Problem.of(Response.Status.NOT_FOUND, "no-such-snapshot", "no snapshot with id " + id));
    }

    private static ProblemException conflict(String detail) {
        return new ProblemException(Problem.of(Response.Status.CONFLICT, "busy", detail));
    }

    /** The answer of POST: what started. */
    public record Accepted(String state, String detail) { }

    public record SnapshotList(SnapshotView local, String archive, String archiveError, List<SnapshotView> archived, RestoreView restore) { }

    public record RestoreView(String state, String snapshot, String error, Long startedMillis, Long finishedMillis, long keysLoaded, String to,
                              String reached) {
        static RestoreView of(Restore.Status s) {
            return new RestoreView(s.state().name().toLowerCase(java.util.Locale.ROOT), s.snapshot(), s.error(),
                s.startedMillis() == 0 ? null : s.startedMillis(), s.finishedMillis() == 0 ? null : s.finishedMillis(), s.keysLoaded(),
                s.to(), s.reached());
        }
    }
}
