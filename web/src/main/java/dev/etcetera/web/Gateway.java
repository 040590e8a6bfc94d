package dev.etcetera.web;

import com.google.protobuf.Message;
import dev.etcetera.server.EtcdError;
import dev.etcetera.server.EtcdException;
import dev.etcetera.server.EtcdServer;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The shape of every unary gateway call: decode the JSON body into the same request message the
 * gRPC API uses, call the member facade, and resume the suspended HTTP response from the
 * completion callback (no container thread waits for the member).
 */
final class Gateway {
    private Gateway() {
    }

    static <B extends Message.Builder, R extends Message> void call(EtcdServer server, String body, B builder,
                                                                     Function<B, CompletableFuture<R>> method,
                                                                     AsyncResponse async) {
        if (server == null) {
            async.resume(GatewayErrors.toResponse(EtcdError.STOPPED.exception()));
            return;
        }
        CompletableFuture<R> future;
        try {
            future = method.apply(ProtoJson.parse(body, builder));
        } catch (ProtoJson.BadJson | RuntimeException e) {
            async.resume(GatewayErrors.toResponse(e));
            return;
        }
        future.whenComplete((response, failure) -> async.resume(failure != null
                ? GatewayErrors.toResponse(failure)
                : Response.ok(ProtoJson.print(response), MediaType.APPLICATION_JSON_TYPE).build()));
    }

    /**
     * As {@link #call}, for etcd's v3lock and v3election services: etcd serves them through an
     * embedded client that drops the status of the errors it meets, so every error of the call
     * itself reaches the gateway client as {@code Unknown} (HTTP 500) with etcd's message (etcd 3.4
     * answers a lock on an unknown lease with {@code "code":2}). A request body that does not parse
     * keeps its InvalidArgument: the gateway rejects it before the service runs.
     */
    static <B extends Message.Builder, R extends Message> void callEmbedded(EtcdServer server, String body, B builder,
                                                                             Function<B, CompletableFuture<R>> method,
                                                                             AsyncResponse async) {
        call(server, body, builder, b -> {
            CompletableFuture<R> future;
            try {
                future = method.apply(b);
            } catch (EtcdException e) {
                return CompletableFuture.failedFuture(new EmbeddedClientError(e.getMessage()));
            }
            return future.exceptionallyCompose(failure -> CompletableFuture.failedFuture(
                    GatewayErrors.unwrap(failure) instanceof EtcdException e ? new EmbeddedClientError(e.getMessage()) : failure));
        }, async);
    }

    /** An etcd error as etcd's embedded client passes it on: a message without a status (Unknown). */
    static final class EmbeddedClientError extends RuntimeException {
        EmbeddedClientError(String message) {
            super(message, null, false, false);
        }
    }
}
