package dev.etcetera.web;

import com.google.gson.JsonObject;
import dev.etcetera.beans.MemberBean;
import dev.etcetera.server.EtcdServer;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET /version}: {@code {"etcdserver":"3.6.0","etcdcluster":"3.6.0"}}, dotted integers, as
 * gateway clients (etcd3gw, Patroni) parse it to pick the API prefix.
 */
@Path("/version")
public class VersionResource {
    @Inject
    MemberBean member;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response version() {
        EtcdServer server = member.server();
        if (server == null) {
            return Response.status(503).build();
        }
        JsonObject body = new JsonObject();
        body.addProperty("etcdserver", server.info().serverVersion());
        body.addProperty("etcdcluster", server.info().clusterVersion());
        return Response.ok(body.toString(), MediaType.APPLICATION_JSON_TYPE).build();
    }
}
