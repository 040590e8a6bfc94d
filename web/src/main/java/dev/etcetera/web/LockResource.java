package dev.etcetera.web;

import dev.etcetera.api.v3lockpb.LockRequest;
import dev.etcetera.api.v3lockpb.UnlockRequest;
import dev.etcetera.beans.MemberBean;
import dev.etcetera.concurrency.Locks;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.MediaType;

/** etcd's gateway paths for v3lockpb.Lock ({@code POST /v3/lock/lock}, {@code /v3/lock/unlock}). */
@Path("/v3/lock")
@Consumes(MediaType.WILDCARD)
@Produces(MediaType.APPLICATION_JSON)
public class LockResource {
    @Inject
    MemberBean member;

    @POST
    @Path("lock")
    public void lock(String body, @Suspended AsyncResponse async) {
        // A waiting lock gives up (and leaves the queue) only if the suspended response is cancelled.
        // JAX-RS does not report a client that disconnects, so such a waiter keeps its place and, once
        // it gets the lock, holds it until its lease ends (etcd's gateway cancels it with the request):
        // a known gap, as for Campaign.
        Gateway.callEmbedded(member.server(), body, LockRequest.newBuilder(),
                b -> new Locks(member.server()).lock(b.build(), async::isCancelled), async);
    }

    @POST
    @Path("unlock")
    public void unlock(String body, @Suspended AsyncResponse async) {
        Gateway.callEmbedded(member.server(), body, UnlockRequest.newBuilder(), b -> new Locks(member.server()).unlock(b.build()), async);
    }
}
