package dev.etcetera.web;

import com.google.protobuf.Message;
import dev.etcetera.server.EtcdError;
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
}
