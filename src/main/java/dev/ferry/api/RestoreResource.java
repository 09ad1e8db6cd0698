package dev.ferry.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.archive.Archiver;
import dev.ferry.archive.Restore;
import dev.ferry.archive.RestoreTarget;
import dev.ferry.server.RespServer;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.URI;

/**
 * /api/v1/restore: this master's dataset rebuilt as of a point of the archive, a history's offset or a time (the
 * archived snapshot before it and the archived stream after it, up to it). GET /api/v1/snapshots follows it under
 * "restore".
 */
@Path("/api/v1/restore")
@Produces(MediaType.APPLICATION_JSON)
public class RestoreResource {
    @Inject
    OnLoop loop;
    @Inject
    RespServer resp;

    @POST
    @AdminOnly
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    public Response restore(JsonNode body) {
        RestoreTarget target = parse(body);
        Archiver archiver = resp.archiver();
        Restore restore = resp.restore();
        if (archiver == null || restore == null) {
            throw new ProblemException(Problem.of(Response.Status.SERVICE_UNAVAILABLE, "no-archive",
                "this server has no archive to restore from (ferry.archive.url=none), or is not started"));
        }
        String refused = loop.await(loop.call(ctx -> restore.startToPoint(target, archiver.store())));
        if (refused != null) throw new ProblemException(Problem.of(Response.Status.CONFLICT, "busy", refused));
        return Response.accepted(new SnapshotsResource.Accepted("restoring", "the dataset is being restored as of " + target
            + "; GET /api/v1/snapshots shows its progress")).location(URI.create("/api/v1/snapshots")).build();
    }

    /** {"to": "<replid>:<offset>" or an ISO-8601 time}, nothing else. */
    private static RestoreTarget parse(JsonNode body) {
        if (body == null || !body.isObject() || body.size() != 1 || !body.has("to") || !body.get("to").isTextual()) {
            throw bad("the body must be {\"to\": \"<replid>:<offset>\"} or {\"to\": \"<ISO-8601 time>\"}");
        }
        try {
            return RestoreTarget.parse(body.get("to").asText());
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage().replace("ferry.archive.restore-to", "\"to\""));
        }
    }

    private static ProblemException bad(String detail) {
        return new ProblemException(Problem.of(Response.Status.BAD_REQUEST, "bad-body", detail));
    }
}
