package dev.etcetera.web;

import dev.etcetera.api.etcdserverpb.AlarmRequest;
import dev.etcetera.api.etcdserverpb.StatusRequest;
import dev.etcetera.beans.MemberBean;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.MediaType;

/** etcd's gateway paths for the Maintenance service. */
@Path("/v3/maintenance")
@Consumes(MediaType.WILDCARD)
@Produces(MediaType.APPLICATION_JSON)
public class MaintenanceResource {
    @Inject
    MemberBean member;

    @POST
    @Path("status")
    public void status(String body, @Suspended AsyncResponse async) {
        Gateway.call(member.server(), body, StatusRequest.newBuilder(), b -> member.server().status(b.build()), async);
    }

    @POST
    @Path("alarm")
    public void alarm(String body, @Suspended AsyncResponse async) {
        Gateway.call(member.server(), body, AlarmRequest.newBuilder(), b -> member.server().alarm(b.build()), async);
    }
}
