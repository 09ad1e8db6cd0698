package dev.ferry.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every failure of a request becomes a problem JSON: ours as they are, the JAX-RS ones (404, 405, 415...) with
 * their status, a body Jackson cannot read as 400, anything else as 500 with the detail logged, not sent. No
 * stack trace or HTML page reaches the client.
 */
public class ProblemMappers {
    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        return e.problem().response().build();
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        // a 400 from the framework is a body it could not read (JSON cut short, not JSON at all)
        Problem problem = status == 400
            ? Problem.of(Response.Status.BAD_REQUEST, "bad-body", "the body is not the JSON this endpoint takes")
            : Problem.ofStatus(status, detail(status));
        Response.ResponseBuilder b = problem.response();
        // 405 names the methods the path has (RFC 9110 says it must)
        Object allow = e.getResponse().getHeaders().getFirst("Allow");
        if (allow != null) b.header("Allow", allow);
        return b.build();
    }

    @ServerExceptionMapper
    public Response unreadableJson(JsonProcessingException e) {
        return Problem.of(Response.Status.BAD_REQUEST, "bad-body",
            "the body is not the JSON this endpoint takes: " + e.getOriginalMessage()).response().build();
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable t) {
        LOG.error("Admin API request failed", t);
        return Problem.ofStatus(500, "the request failed on the server; its log says why").response().build();
    }

    private static String detail(int status) {
        return switch (status) {
            case 404 -> "no such resource";
            case 405 -> "this resource does not take that method";
            case 406 -> "this resource answers application/json only";
            case 415 -> "this resource takes application/json only";
            case 503 -> "the server is not ready to take this request";
            default -> "the request failed";
        };
    }
}
