package dev.etcetera.web;

import dev.etcetera.api.etcdserverpb.LeaseGrantRequest;
import dev.etcetera.api.etcdserverpb.LeaseKeepAliveRequest;
import dev.etcetera.api.etcdserverpb.LeaseKeepAliveResponse;
import dev.etcetera.api.etcdserverpb.LeaseLeasesRequest;
import dev.etcetera.api.etcdserverpb.LeaseRevokeRequest;
import dev.etcetera.api.etcdserverpb.LeaseTimeToLiveRequest;
import dev.etcetera.beans.MemberBean;
import dev.etcetera.server.EtcdError;
import dev.etcetera.server.EtcdServer;
import dev.etcetera.server.StatusCode;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * etcd's gateway paths for the Lease service ({@code POST /v3/lease/...}). The keepalive stream takes
 * one or more JSON requests in the body and answers each with one line {@code {"result":{...}}}, as
 * grpc-gateway's bidi streaming does over a plain POST (the stream ends with the request body; see
 * {@link #keepAlive}).
 */
@Path("/v3/lease")
@Consumes(MediaType.WILDCARD)
@Produces(MediaType.APPLICATION_JSON)
public class LeaseResource {
    @Inject
    MemberBean member;

    @POST
    @Path("grant")
    public void grant(String body, @Suspended AsyncResponse async) {
        Gateway.call(member.server(), body, LeaseGrantRequest.newBuilder(), b -> member.server().leaseGrant(b.build()), async);
    }

    @POST
    @Path("revoke")
    public void revoke(String body, @Suspended AsyncResponse async) {
        revoke(member.server(), body, async);
    }

    @POST
    @Path("timetolive")
    public void timeToLive(String body, @Suspended AsyncResponse async) {
        timeToLive(member.server(), body, async);
    }

    @POST
    @Path("leases")
    public void leases(String body, @Suspended AsyncResponse async) {
        leases(member.server(), body, async);
    }

    /**
     * The keepalive stream as etcd 3.4's grpc-gateway serves it over a plain POST: the body is read
     * as a sequence of JSON requests (Go's json.Decoder: whitespace between values, none needed), each
     * renewed in order and answered by one line {@code {"result":{...}}}. A first request that does not
     * decode fails the call as the stream's error (HTTP 500, code 2, Go's message); a later one ends
     * the stream after the results so far; an empty body is an empty stream (HTTP 200, no lines).
     * etcd answers only once the request body has ended, and so does this.
     */
    @POST
    @Path("keepalive")
    public void keepAlive(String body, @Suspended AsyncResponse async) {
        EtcdServer server = member.server();
        if (server == null) {
            async.resume(GatewayErrors.toResponse(EtcdError.STOPPED.exception()));
            return;
        }
        List<LeaseKeepAliveRequest> requests = new ArrayList<>();
        String rest = body == null ? "" : body;
        while (true) {
            GoJsonScanner.Result next = GoJsonScanner.scan(rest);
            if (next.empty()) {
                break;
            }
            LeaseKeepAliveRequest request = null;
            String undecodable = next.error();
            if (undecodable == null) {
                try {
                    request = ProtoJson.parse(rest.substring(0, next.end()), LeaseKeepAliveRequest.newBuilder()).build();
                } catch (ProtoJson.BadJson e) {
                    undecodable = e.getMessage();
                }
            }
            if (request == null) {
                if (requests.isEmpty()) {
                    async.resume(GatewayErrors.error(StatusCode.UNKNOWN, undecodable));
                    return;
                }
                break; // grpc-gateway stops reading the body and closes the stream's sending side
            }
            requests.add(request);
            rest = rest.substring(next.end());
        }
        StringBuilder out = new StringBuilder();
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (LeaseKeepAliveRequest request : requests) {
            chain = chain.thenCompose(v -> server.leaseRenew(request))
                    .thenAccept((LeaseKeepAliveResponse r) -> out.append("{\"result\":").append(ProtoJson.print(r)).append("}\n"));
        }
        chain.whenComplete((v, failure) -> {
            if (failure != null && out.isEmpty()) {
                async.resume(GatewayErrors.toResponse(failure));
            } else {
                // a failure after some results ends the stream, as a broken gRPC stream would
                async.resume(Response.ok(out.toString(), MediaType.APPLICATION_JSON_TYPE).build());
            }
        });
    }

    static void revoke(EtcdServer server, String body, AsyncResponse async) {
        Gateway.call(server, body, LeaseRevokeRequest.newBuilder(), b -> server.leaseRevoke(b.build()), async);
    }

    static void timeToLive(EtcdServer server, String body, AsyncResponse async) {
        Gateway.call(server, body, LeaseTimeToLiveRequest.newBuilder(), b -> server.leaseTimeToLive(b.build()), async);
    }

    static void leases(EtcdServer server, String body, AsyncResponse async) {
        Gateway.call(server, body, LeaseLeasesRequest.newBuilder(), b -> server.leaseLeases(b.build()), async);
    }
}
