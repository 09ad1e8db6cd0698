package dev.ferry.api;

import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

/**
 * Guards the {@link AdminOnly} endpoints: 403 when no ferry.admin-token is configured (changing endpoints are
 * then closed, never open), 401 with {@code WWW-Authenticate: Bearer} when the token is missing or wrong.
 */
@AdminOnly
@Provider
@Priority(Priorities.AUTHENTICATION)
public class AdminAuthFilter implements ContainerRequestFilter {
    @Inject
    AdminToken token;

    @Override
    public void filter(ContainerRequestContext request) {
        switch (token.check(request.getHeaderString(HttpHeaders.AUTHORIZATION))) {
            case ACCEPTED -> { }
            case NOT_CONFIGURED -> request.abortWith(Problem.of(Response.Status.FORBIDDEN, "admin-token-not-configured",
                "this endpoint changes the server and is closed: ferry.admin-token is not configured").response().build());
            case WRONG -> request.abortWith(Problem.of(Response.Status.UNAUTHORIZED, "admin-token-required",
                    "this endpoint takes the header Authorization: Bearer <ferry.admin-token>").response()
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"ferry-admin\"").build());
        }
    }
}
