package dev.etcetera.web;

import dev.etcetera.beans.MemberBean;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.MediaType;

/**
 * The second gateway paths etcd registers for three Lease calls ({@code /v3/kv/lease/revoke},
 * {@code timetolive}, {@code leases}). A class of its own: its literal prefix is longer than
 * {@link KvResource}'s {@code /v3/kv}, so JAX-RS routes these paths here.
 */
@Path("/v3/kv/lease")
@Consumes(MediaType.WILDCARD)
@Produces(MediaType.APPLICATION_JSON)
public class LeaseAliasResource {
    @Inject
    MemberBean member;

    @POST
    @Path("revoke")
    public void revoke(String body, @Suspended AsyncResponse async) {
        LeaseResource.revoke(member.server(), body, async);
    }

    @POST
    @Path("timetolive")
    public void timeToLive(String body, @Suspended AsyncResponse async) {
        LeaseResource.timeToLive(member.server(), body, async);
    }

    @POST
    @Path("leases")
    public void leases(String body, @Suspended AsyncResponse async) {
        LeaseResource.leases(member.server(), body, async);
    }
}
