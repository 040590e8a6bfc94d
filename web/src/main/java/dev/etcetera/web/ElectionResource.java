package dev.etcetera.web;

import dev.etcetera.api.v3electionpb.CampaignRequest;
import dev.etcetera.api.v3electionpb.LeaderRequest;
import dev.etcetera.api.v3electionpb.LeaderResponse;
import dev.etcetera.api.v3electionpb.ProclaimRequest;
import dev.etcetera.api.v3electionpb.ResignRequest;
import dev.etcetera.beans.MemberBean;
import dev.etcetera.concurrency.Elections;
import dev.etcetera.server.EtcdError;
import dev.etcetera.server.EtcdServer;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * etcd's gateway paths for v3electionpb.Election ({@code POST /v3/election/...}). Observe is a
 * stream of lines {@code {"result":{...}}} that lasts until the client goes away.
 */
@Path("/v3/election")
@Consumes(MediaType.WILDCARD)
@Produces(MediaType.APPLICATION_JSON)
public class ElectionResource {
    /** How often an idle Observe stream checks that its client is still there (a newline is written). */
    private static final long IDLE_PROBE_SECONDS = 5;

    @Inject
    MemberBean member;

    @POST
    @Path("campaign")
    public void campaign(String body, @Suspended AsyncResponse async) {
        Gateway.call(member.server(), body, CampaignRequest.newBuilder(),
                b -> new Elections(member.server()).campaign(b.build(), async::isCancelled), async);
    }

    @POST
    @Path("proclaim")
    public void proclaim(String body, @Suspended AsyncResponse async) {
        Gateway.call(member.server(), body, ProclaimRequest.newBuilder(), b -> new Elections(member.server()).proclaim(b.build()), async);
    }

    @POST
    @Path("leader")
    public void leader(String body, @Suspended AsyncResponse async) {
        Gateway.call(member.server(), body, LeaderRequest.newBuilder(), b -> new Elections(member.server()).leader(b.build()), async);
    }

    @POST
    @Path("resign")
    public void resign(String body, @Suspended AsyncResponse async) {
        Gateway.call(member.server(), body, ResignRequest.newBuilder(), b -> new Elections(member.server()).resign(b.build()), async);
    }

    @POST
    @Path("observe")
    public Response observe(String body) {
        EtcdServer server = member.server();
        if (server == null) {
            return GatewayErrors.toResponse(EtcdError.STOPPED.exception());
        }
        LeaderRequest request;
        try {
            request = ProtoJson.parse(body, LeaderRequest.newBuilder()).build();
        } catch (ProtoJson.BadJson | RuntimeException e) {
            return GatewayErrors.toResponse(e);
        }
        StreamingOutput stream = out -> {
            LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
            boolean[] gone = {false};
            var done = new Elections(server).observe(request, events::add, () -> gone[0])
                    .whenComplete((v, e) -> events.add(e == null ? "end" : e));
            try {
                while (true) {
                    Object next = events.poll(IDLE_PROBE_SECONDS, TimeUnit.SECONDS);
                    if (next == null) {
                        write(out, "\n"); // an IOException here means the client left
                        continue;
                    }
                    if (next instanceof LeaderResponse r) {
                        write(out, "{\"result\":" + ProtoJson.print(r) + "}\n");
                    } else {
                        return; // the member stopped or failed: end the stream
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                gone[0] = true;
                done.cancel(false);
            }
        };
        return Response.ok(stream, MediaType.APPLICATION_JSON_TYPE).build();
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
