package dev.etcetera.web;

import dev.etcetera.api.etcdserverpb.CompactionRequest;
import dev.etcetera.api.etcdserverpb.DeleteRangeRequest;
import dev.etcetera.api.etcdserverpb.PutRequest;
import dev.etcetera.api.etcdserverpb.RangeRequest;
import dev.etcetera.api.etcdserverpb.TxnRequest;
import dev.etcetera.beans.MemberBean;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.MediaType;

/** etcd's gateway paths for the KV service ({@code POST /v3/kv/...}, body = the request as JSON). */
@Path("/v3/kv")
@Consumes(MediaType.WILDCARD)
@Produces(MediaType.APPLICATION_JSON)
public class KvResource {
    @Inject
    MemberBean member;

    @POST
    @Path("range")
    public void range(String body, @Suspended AsyncResponse async) {
        Gateway.call(member.server(), body, RangeRequest.newBuilder(), b -> member.server().range(b.build()), async);
    }

    @POST
    @Path("put")
    public void put(String body, @Suspended AsyncResponse async) {
        Gateway.call(member.server(), body, PutRequest.newBuilder(), b -> member.server().put(b.build()), async);
    }

    @POST
    @Path("deleterange")
    public void deleteRange(String body, @Suspended AsyncResponse async) {
        Gateway.call(member.server(), body, DeleteRangeRequest.newBuilder(), b -> member.server().deleteRange(b.build()), async);
    }

    @POST
    @Path("txn")
    public void txn(String body, @Suspended AsyncResponse async) {
        Gateway.call(member.server(), body, TxnRequest.newBuilder(), b -> member.server().txn(b.build()), async);
    }

    @POST
    @Path("compaction")
    public void compaction(String body, @Suspended AsyncResponse async) {
        Gateway.call(member.server(), body, CompactionRequest.newBuilder(), b -> member.server().compact(b.build()), async);
    }
}
