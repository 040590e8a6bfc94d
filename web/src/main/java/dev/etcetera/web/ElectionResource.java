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
import jakarta.ws.rs.core.Context;
import jakarta.servlet.http.HttpServletResponse;
import java.util.concurrent.atomic.AtomicBoolean;
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
        Gateway.callEmbedded(member.server(), body, CampaignRequest.newBuilder(),
                b -> new Elections(member.server()).campaign(b.build(), async::isCancelled), async);
    }

    @POST
    @Path("proclaim")
    public void proclaim(String body, @Suspended AsyncResponse async) {
        Gateway.callEmbedded(member.server(), body, ProclaimRequest.newBuilder(), b -> new Elections(member.server()).proclaim(b.build()), async);
    }

    @POST
    @Path("leader")
    public void leader(String body, @Suspended AsyncResponse async) {
        Gateway.callEmbedded(member.server(), body, LeaderRequest.newBuilder(), b -> new Elections(member.server()).leader(b.build()), async);
    }

    @POST
    @Path("resign")
    public void resign(String body, @Suspended AsyncResponse async) {
        Gateway.callEmbedded(member.server(), body, ResignRequest.newBuilder(), b -> new Elections(member.server()).resign(b.build()), async);
    }

    @POST
    @Path("observe")
    public Response observe(String body, @Context HttpServletResponse servletResponse) throws IOException {
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
        // Written straight to the servlet response: a JAX-RS entity is buffered by Jersey (8 KiB for
        // Content-Length), and each leader line must reach the client at once.
        servletResponse.setStatus(200);
        servletResponse.setContentType(MediaType.APPLICATION_JSON);
        servletResponse.flushBuffer();
        OutputStream out = servletResponse.getOutputStream();
        LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
        AtomicBoolean gone = new AtomicBoolean();
        var done = new Elections(server).observe(request, events::add, gone::get)
                .whenComplete((v, e) -> events.add(e == null ? "end" : e));
        try {
            while (true) {
                Object next = events.poll(IDLE_PROBE_SECONDS, TimeUnit.SECONDS);
                if (next == null) {
                    write(out, "\n"); // an IOException here means the client left
                } else if (next instanceof LeaderResponse r) {
                    write(out, "{\"result\":" + ProtoJson.print(r) + "}\n");
                } else {
                    break; // the member stopped or failed: end the stream
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            gone.set(true);
            done.cancel(false);
        }
        return null; // the response is complete and committed
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
