package dev.etcetera.web;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonStreamParser;
import dev.etcetera.api.etcdserverpb.WatchRequest;
import dev.etcetera.api.etcdserverpb.WatchResponse;
import dev.etcetera.beans.MemberBean;
import dev.etcetera.server.EtcdError;
import dev.etcetera.server.EtcdException;
import dev.etcetera.server.EtcdServer;
import dev.etcetera.watch.WatchStream;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Context;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * etcd's gateway path for the Watch stream: {@code POST /v3/watch} with one or more
 * {@code WatchRequest}s as JSON in the body (grpc-gateway reads the body as a stream of JSON
 * objects), answered with chunked, newline-delimited {@code {"result":<WatchResponse>}} objects as
 * they are produced, for as long as the client stays connected (like etcd, the end of the request
 * body does not end the stream). A stream the server ends with an error writes one
 * {@code {"error":{...}}} line, as grpc-gateway does.
 *
 * <p>The response is written by the container's request thread, which blocks on the socket when
 * the client does not read; the member's watch stage is not affected (the stream's queue is bounded
 * and its watchers catch up from history).
 */
@Path("/v3/watch")
@Consumes(MediaType.WILDCARD)
@Produces(MediaType.APPLICATION_JSON)
public class WatchResource {
    @Inject
    MemberBean member;

    @POST
    public Response watch(String body, @HeaderParam("hasleader") String hasLeader,
                          @Context HttpServletResponse servletResponse) throws IOException {
        EtcdServer server = member.server();
        if (server == null) {
            return GatewayErrors.toResponse(EtcdError.STOPPED.exception());
        }
        List<WatchRequest> requests = new ArrayList<>();
        try {
            if (body != null && !body.isBlank()) {
                JsonStreamParser objects = new JsonStreamParser(new StringReader(body));
                while (objects.hasNext()) {
                    JsonElement e = objects.next();
                    requests.add(ProtoJson.parse(e.toString(), WatchRequest.newBuilder()).build());
                }
            }
        } catch (ProtoJson.BadJson | JsonParseException e) {
            return GatewayErrors.toResponse(e instanceof ProtoJson.BadJson ? e
                    : new ProtoJson.BadJson("invalid JSON: " + e.getMessage()));
        }
        WatchStream stream = server.openWatchStream("true".equals(hasLeader));
        requests.forEach(stream::request);
        // Written straight to the servlet response: a JAX-RS entity would be buffered (Jersey holds
        // the first 8 KiB to compute Content-Length) and a watch line must reach the client at once.
        servletResponse.setStatus(200);
        servletResponse.setContentType(MediaType.APPLICATION_JSON);
        servletResponse.flushBuffer();
        stream(stream, servletResponse.getOutputStream());
        return null; // the response is complete and committed
    }

    private static void stream(WatchStream stream, OutputStream os) throws IOException {
        try {
            WatchResponse r;
            while ((r = stream.take()) != null) {
                os.write(("{\"result\":" + ProtoJson.print(r) + "}\n").getBytes(StandardCharsets.UTF_8));
                os.flush();
            }
            EtcdException failure = stream.failure();
            if (failure != null) {
                JsonObject error = new JsonObject();
                error.addProperty("grpc_code", failure.code().value());
                error.addProperty("http_code", failure.code().httpStatus());
                error.addProperty("message", failure.getMessage());
                error.addProperty("http_status", failure.code().name());
                JsonObject line = new JsonObject();
                line.add("error", error);
                os.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                os.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stream.close(); // client gone (write failed) or stream over: drop its watchers
        }
    }
}
