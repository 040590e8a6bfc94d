package dev.etcetera.web;

import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * Requests no resource answers get the plain-text bodies etcd's HTTP stack sends instead of the
 * container's HTML error page: grpc-gateway's {@code Not Found} / {@code Method Not Allowed} under
 * {@code /v3/}, Go's {@code 404 page not found} elsewhere.
 */
public final class UnroutedRequests {
    private static final String TEXT = "text/plain; charset=utf-8";

    private UnroutedRequests() {
    }

    @Provider
    public static final class NotFound implements ExceptionMapper<NotFoundException> {
        @Context
        UriInfo uri;

        @Override
        public Response toResponse(NotFoundException e) {
            boolean gateway = uri != null && uri.getPath().replaceFirst("^/", "").startsWith("v3/");
            return Response.status(404).type(TEXT).entity(gateway ? "Not Found\n" : "404 page not found\n").build();
        }
    }

    @Provider
    public static final class NotAllowed implements ExceptionMapper<NotAllowedException> {
        @Override
        public Response toResponse(NotAllowedException e) {
            return Response.status(405).type(TEXT).entity("Method Not Allowed\n").build();
        }
    }
}
