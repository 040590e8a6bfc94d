package dev.etcetera.concurrency;

import com.google.protobuf.ByteString;
import dev.etcetera.api.etcdserverpb.Compare;
import dev.etcetera.api.etcdserverpb.DeleteRangeRequest;
import dev.etcetera.api.etcdserverpb.LeaseGrantRequest;
import dev.etcetera.api.etcdserverpb.PutRequest;
import dev.etcetera.api.etcdserverpb.RangeRequest;
import dev.etcetera.api.etcdserverpb.RequestOp;
import dev.etcetera.api.etcdserverpb.ResponseHeader;
import dev.etcetera.api.etcdserverpb.TxnRequest;
import dev.etcetera.api.mvccpb.KeyValue;
import dev.etcetera.api.v3electionpb.CampaignRequest;
import dev.etcetera.api.v3electionpb.CampaignResponse;
import dev.etcetera.api.v3electionpb.LeaderKey;
import dev.etcetera.api.v3electionpb.LeaderRequest;
import dev.etcetera.api.v3electionpb.LeaderResponse;
import dev.etcetera.api.v3electionpb.ProclaimRequest;
import dev.etcetera.api.v3electionpb.ProclaimResponse;
import dev.etcetera.api.v3electionpb.ResignRequest;
import dev.etcetera.api.v3electionpb.ResignResponse;
import dev.etcetera.server.EtcdError;
import dev.etcetera.server.EtcdServer;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * etcd's v3election service over the member facade (clientv3 concurrency's Election with an
 * orphaned session). Campaign puts {@code name/<lease hex>} with the value (or, if this lease already
 * campaigns, proclaims the new value), waits until every earlier candidate is gone and answers with
 * the leader key; Proclaim and Resign act only while the leader key still has the create revision
 * the caller holds; Leader answers the earliest candidate; Observe reports the leader and each of
 * its proclamations, then the next leader, and so on.
 */
public final class Elections {
    /** Revisions Observe reads one by one to see every proclamation; beyond that it jumps to the latest. */
    private static final long OBSERVE_MAX_REPLAY = 1000;

    private final EtcdServer server;

    public Elections(EtcdServer server) {
        this.server = server;
    }

    private static ByteString prefix(ByteString name) {
        return name.concat(ByteString.copyFromUtf8("/"));
    }

    public CompletableFuture<CampaignResponse> campaign(CampaignRequest request, BooleanSupplier cancelled) {
        return campaign(request, Cancellation.polled(cancelled));
    }

    /** As {@link #campaign(CampaignRequest, BooleanSupplier)}; a signalling caller resigns as soon as it gives up. */
    public CompletableFuture<CampaignResponse> campaign(CampaignRequest request, Cancellation cancelled) {
        return Locks.session(server, request.getLease())
                .thenCompose(lease -> campaign(request.getName(), lease, request.getValue(), cancelled));
    }

    private CompletableFuture<CampaignResponse> campaign(ByteString name, long lease, ByteString value,
                                                         Cancellation cancelled) {
        ByteString key = Locks.ownKey(name, lease);
        TxnRequest txn = TxnRequest.newBuilder()
                .addCompare(Compare.newBuilder().setKey(key).setTarget(Compare.CompareTarget.CREATE)
                        .setResult(Compare.CompareResult.EQUAL).setCreateRevision(0))
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key).setValue(value).setLease(lease)))
                .addFailure(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(key)))
                .build();
        return server.txn(txn).thenCompose(resp -> {
            ResponseHeader header = resp.getHeader();
            CompletableFuture<Long> rev;
            if (resp.getSucceeded()) {
                rev = CompletableFuture.completedFuture(header.getRevision());
            } else {
                KeyValue kv = resp.getResponses(0).getResponseRange().getKvs(0);
                LeaderKey existing = leaderKey(name, key, kv.getCreateRevision(), lease);
                rev = kv.getValue().equals(value)
                        ? CompletableFuture.completedFuture(kv.getCreateRevision())
                        : proclaimAs(existing, value).thenApply(p -> kv.getCreateRevision())
                                // etcd's Campaign resigns when its proclamation fails
                                .whenComplete((p, e) -> {
                                    if (e != null) {
                                        resign(existing);
                                    }
                                });
            }
            return rev.thenCompose(r -> PrefixWait.deletes(server, prefix(name), r - 1, cancelled)
                    .thenApply(h -> CampaignResponse.newBuilder().setHeader(header)
                            .setLeader(leaderKey(name, key, r, lease)).build())
                    // a candidate that gave up resigns before the error is returned, as etcd's Campaign
                    .exceptionallyCompose(e -> !cancelled.isCancelled() ? CompletableFuture.failedFuture(e)
                            : resign(leaderKey(name, key, r, lease))
                                    .handle((resigned, ignored) -> (CampaignResponse) null)
                                    .thenCompose(v -> CompletableFuture.<CampaignResponse>failedFuture(Locks.cause(e)))));
        });
    }

    private static LeaderKey leaderKey(ByteString name, ByteString key, long rev, long lease) {
        return LeaderKey.newBuilder().setName(name).setKey(key).setRev(rev).setLease(lease).build();
    }

    /**
     * Proclaim: the leader key gets the new value, and the lease named in the leader key (etcd puts it
     * with the session's lease: a key attached to another lease moves to it; an unknown lease fails
     * with LEASE_NOT_FOUND; lease 0 means a new 60 s session lease, as etcd's service opens one), but
     * only while the key still has the create revision the leader key holds (else "election: not
     * leader").
     */
    public CompletableFuture<ProclaimResponse> proclaim(ProclaimRequest request) {
        if (!request.hasLeader()) {
            return CompletableFuture.failedFuture(EtcdError.ELECTION_MISSING_LEADER_KEY.exception());
        }
        LeaderKey l = request.getLeader();
        return Locks.session(server, l.getLease())
                .thenCompose(lease -> proclaimAs(l.toBuilder().setLease(lease).build(), request.getValue()));
    }

    private CompletableFuture<ProclaimResponse> proclaimAs(LeaderKey l, ByteString value) {
        TxnRequest txn = TxnRequest.newBuilder()
                .addCompare(Compare.newBuilder().setKey(l.getKey()).setTarget(Compare.CompareTarget.CREATE)
                        .setResult(Compare.CompareResult.EQUAL).setCreateRevision(l.getRev()))
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(l.getKey())
                        .setValue(value).setLease(l.getLease())))
                .build();
        return server.txn(txn).thenCompose(resp -> resp.getSucceeded()
                ? CompletableFuture.completedFuture(ProclaimResponse.newBuilder().setHeader(resp.getHeader()).build())
                : CompletableFuture.failedFuture(EtcdError.ELECTION_NOT_LEADER.exception()));
    }

    /**
     * Resign: deletes the leader key if it still has the leader key's create revision; succeeds
     * either way (etcd's Resign). Lease 0 in the leader key opens a session lease first, as etcd's
     * service does for every request, though the delete does not use it.
     */
    public CompletableFuture<ResignResponse> resign(ResignRequest request) {
        if (!request.hasLeader()) {
            return CompletableFuture.failedFuture(EtcdError.ELECTION_MISSING_LEADER_KEY.exception());
        }
        LeaderKey l = request.getLeader();
        return Locks.session(server, l.getLease()).thenCompose(lease -> resign(l));
    }

    private CompletableFuture<ResignResponse> resign(LeaderKey l) {
        TxnRequest txn = TxnRequest.newBuilder()
                .addCompare(Compare.newBuilder().setKey(l.getKey()).setTarget(Compare.CompareTarget.CREATE)
                        .setResult(Compare.CompareResult.EQUAL).setCreateRevision(l.getRev()))
                .addSuccess(RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder().setKey(l.getKey())))
                .build();
        return server.txn(txn).thenApply(resp -> ResignResponse.newBuilder().setHeader(resp.getHeader()).build());
    }

    public CompletableFuture<LeaderResponse> leader(LeaderRequest request) {
        return PrefixWait.firstCreated(server, prefix(request.getName())).thenCompose(resp -> resp.getKvsCount() == 0
                ? CompletableFuture.failedFuture(EtcdError.ELECTION_NO_LEADER.exception())
                : CompletableFuture.completedFuture(
                        LeaderResponse.newBuilder().setHeader(resp.getHeader()).setKv(resp.getKvs(0)).build()));
    }

    /**
     * Streams the leader of {@code request.name} to {@code sink}: the current leader (or the first one
     * to appear), each proclamation of that leader in revision order, then the next leader when the
     * key goes. Runs until {@code cancelled} is true or the member fails; the returned future then
     * completes (exceptionally with the member's error).
     */
    public CompletableFuture<Void> observe(LeaderRequest request, Consumer<LeaderResponse> sink, BooleanSupplier cancelled) {
        return new Observer(request.getName(), sink, cancelled).next();
    }

    /** State of one Observe stream: the leader key being followed and the last revision reported. */
    private final class Observer {
        private final ByteString prefix;
        private final Consumer<LeaderResponse> sink;
        private final BooleanSupplier cancelled;
        private KeyValue following;

        Observer(ByteString name, Consumer<LeaderResponse> sink, BooleanSupplier cancelled) {
            this.prefix = prefix(name);
            this.sink = sink;
            this.cancelled = cancelled;
        }

        CompletableFuture<Void> next() {
            if (cancelled.getAsBoolean()) {
                return CompletableFuture.completedFuture(null);
            }
            if (following == null) {
                return PrefixWait.firstCreated(server, prefix).thenCompose(resp -> {
                    if (resp.getKvsCount() > 0) {
                        following = resp.getKvs(0);
                        sink.accept(LeaderResponse.newBuilder().setHeader(resp.getHeader()).setKv(following).build());
                    }
                    return server.revisionAbove(resp.getHeader().getRevision()).thenCompose(r -> next());
                });
            }
            return replay(following.getModRevision() + 1, false);
        }

        /** Reports every change of the followed key after {@code from}, one revision at a time. */
        private CompletableFuture<Void> replay(long from, boolean jump) {
            return server.range(RangeRequest.newBuilder().setKey(following.getKey()).setSerializable(true).build())
                    .thenCompose(latest -> {
                        long now = latest.getHeader().getRevision();
                        KeyValue kv = latest.getKvsCount() == 0 ? null : latest.getKvs(0);
                        if (kv != null && kv.getCreateRevision() == following.getCreateRevision()
                                && kv.getModRevision() == following.getModRevision()) {
                            return server.revisionAbove(now).thenCompose(r -> next()); // nothing new
                        }
                        if (jump || now - from > OBSERVE_MAX_REPLAY) {
                            report(kv, latest.getHeader());
                            return next();
                        }
                        return step(from, now);
                    });
        }

        /** Reads the followed key at revision {@code rev}; reports it if it changed there. */
        private CompletableFuture<Void> step(long rev, long upTo) {
            if (rev > upTo || cancelled.getAsBoolean()) {
                return next();
            }
            return server.range(RangeRequest.newBuilder().setKey(following.getKey()).setRevision(rev).setSerializable(true).build())
                    .handle((resp, error) -> resp) // compacted meanwhile: report the latest instead
                    .thenCompose(resp -> {
                        if (resp == null) {
                            return replay(rev, true);
                        }
                        KeyValue kv = resp.getKvsCount() == 0 ? null : resp.getKvs(0);
                        if (kv != null && kv.getModRevision() != rev) {
                            return step(rev + 1, upTo); // unchanged at rev
                        }
                        report(kv, resp.getHeader().toBuilder().setRevision(rev).build());
                        return following == null ? next() : step(rev + 1, upTo);
                    });
        }

        /** A put of the followed key is a proclamation (reported); its absence means a new leader is due. */
        private void report(KeyValue kv, ResponseHeader header) {
            if (kv == null || kv.getCreateRevision() != following.getCreateRevision()) {
                following = null; // deleted (resigned or expired): find the next leader
                return;
            }
            following = kv;
            sink.accept(LeaderResponse.newBuilder().setHeader(header).setKv(kv).build());
        }
    }
}
