package dev.etcetera.web;

import com.google.gson.JsonObject;
import dev.etcetera.server.EtcdException;
import dev.etcetera.server.StatusCode;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one table from core outcomes to gateway error responses: etcd's HTTP status for the gRPC
 * code and etcd 3.4/3.5's body {@code {"error":m,"message":m,"code":N}} (which also carries the
 * {@code code} and {@code message} fields that 3.6's gateway body has).
 */
final class GatewayErrors {
    private static final Logger LOG = Logger.getLogger(GatewayErrors.class.getName());

    private GatewayErrors() {
    }

    static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    static Response toResponse(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof EtcdException ee) {
            return error(ee.code(), ee.getMessage());
        }
        if (cause instanceof Gateway.EmbeddedClientError ec) {
            return error(StatusCode.UNKNOWN, ec.getMessage());
        }
        if (cause instanceof ProtoJson.BadJson bad) {
            return error(StatusCode.INVALID_ARGUMENT, bad.getMessage());
        }
        LOG.log(Level.WARNING, "unexpected failure answered as Unknown", cause);
        return error(StatusCode.UNKNOWN, cause.getMessage() == null ? cause.toString() : cause.getMessage());
    }

    static Response error(StatusCode code, String message) {
        JsonObject body = new JsonObject();
        body.addProperty("error", message);
        body.addProperty("message", message);
        body.addProperty("code", code.value());
        return Response.status(code.httpStatus()).type(MediaType.APPLICATION_JSON_TYPE).entity(body.toString()).build();
    }
}
