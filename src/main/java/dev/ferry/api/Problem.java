package dev.ferry.api;

import jakarta.ws.rs.core.Response;

/**
 * An RFC 9457 problem: every error of the admin API is one, as {@code application/problem+json}. The type is a
 * URI naming the kind of problem; the detail says what went wrong with this request, never a stack trace.
 */
public record Problem(String type, String title, int status, String detail) {
    public static final String MEDIA_TYPE = "application/problem+json";
    private static final String TYPES = "https://ferry.dev/problems/";

    /** A problem of kind slug (the last part of its type URI). */
    public static Problem of(Response.Status status, String slug, String detail) {
        return new Problem(TYPES + slug, status.getReasonPhrase(), status.getStatusCode(), detail);
    }

    /** A problem for a status, its type "about:blank" as RFC 9457 says when the status says it all. */
    public static Problem ofStatus(int status, String detail) {
        Response.StatusType s = Response.Status.fromStatusCode(status);
        String title = s != null ? s.getReasonPhrase() : "HTTP " + status;
        return new Problem("about:blank", title, status, detail);
    }

    public Response.ResponseBuilder response() {
        return Response.status(status).type(MEDIA_TYPE).entity(this);
    }
}
