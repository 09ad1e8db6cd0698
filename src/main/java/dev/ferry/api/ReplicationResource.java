package dev.ferry.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.engine.ReplicationStatus;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * /api/v1/replication: the replication state (readable without a token), and the master this server follows
 * (REPLICAOF, with the admin token). Both run on the executing loop; the HTTP thread waits for neither.
 */
@Path("/api/v1/replication")
@Produces(MediaType.APPLICATION_JSON)
public class ReplicationResource {
    private static final Set<String> MASTER_FIELDS = Set.of("host", "port");

    @Inject
    OnLoop loop;

    @GET
    public CompletionStage<ReplicationView> state() {
        return loop.call(ctx -> ReplicationView.of(ctx.replicationLinks().status()));
    }

    /**
     * {"host": "10.0.0.5", "port": 6379} follows that master (REPLICAOF host port); {"host": null} makes this server a
     * master (REPLICAOF NO ONE). Answers the state after the change: 202 while this server is a replica whose link is
     * not up yet (it connects and syncs in the background; GET follows it), 200 otherwise.
     */
    @PUT
    @Path("/master")
    @AdminOnly
    @Consumes(MediaType.APPLICATION_JSON)
    public CompletionStage<Response> setMaster(JsonNode body, @Context HttpServerRequest http) {
        MasterTarget target = MasterTarget.parse(body);
        String who = "admin API from " + http.remoteAddress();
        return loop.call(ctx -> {
            ctx.replicationLinks().replicaOf(target.host(), target.port(), who);
            ReplicationStatus s = ctx.replicationLinks().status();
            boolean connecting = s.master() != null && !s.master().up();
            return Response.status(connecting ? Response.Status.ACCEPTED : Response.Status.OK)
                .entity(ReplicationView.of(s)).build();
        });
    }

    /** The body of PUT /master, checked field by field: a typo must not turn a replica into a master. */
    record MasterTarget(String host, int port) {
        static MasterTarget parse(JsonNode body) {
            if (body == null || !body.isObject()) throw bad("the body must be a JSON object with \"host\" (and \"port\")");
            for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!MASTER_FIELDS.contains(name)) throw bad("unknown field \"" + name + "\": the fields are host and port");
            }
            JsonNode host = body.get("host");
            if (host == null) throw bad("\"host\" is required: a host name or address, or null to become a master");
            if (host.isNull()) {
                if (body.has("port") && !body.get("port").isNull()) throw bad("\"port\" goes with a host, not with null");
                return new MasterTarget(null, 0);
            }
            if (!host.isTextual() || host.asText().isBlank() || host.asText().length() > 255
                || host.asText().chars().anyMatch(c -> c <= ' ')) {
                throw bad("\"host\" must be a host name or address (1 to 255 characters, no spaces), or null");
            }
            JsonNode port = body.get("port");
            if (port == null || !port.canConvertToInt() || !port.isIntegralNumber() || port.asInt() < 1 || port.asInt() > 65535) {
                throw bad("\"port\" must be an integer from 1 to 65535");
            }
            return new MasterTarget(host.asText(), port.asInt());
        }

        private static ProblemException bad(String detail) {
            return new ProblemException(Problem.of(Response.Status.BAD_REQUEST, "bad-body", detail));
        }
    }
}
