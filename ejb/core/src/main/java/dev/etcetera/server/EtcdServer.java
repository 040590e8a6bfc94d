package dev.etcetera.server;

import dev.etcetera.api.etcdserverpb.AlarmRequest;
import dev.etcetera.api.etcdserverpb.AlarmResponse;
import dev.etcetera.api.etcdserverpb.CompactionRequest;
import dev.etcetera.api.etcdserverpb.CompactionResponse;
import dev.etcetera.api.etcdserverpb.DeleteRangeRequest;
import dev.etcetera.api.etcdserverpb.DeleteRangeResponse;
import dev.etcetera.api.etcdserverpb.LeaseGrantRequest;
import dev.etcetera.api.etcdserverpb.LeaseGrantResponse;
import dev.etcetera.api.etcdserverpb.LeaseKeepAliveRequest;
import dev.etcetera.api.etcdserverpb.LeaseKeepAliveResponse;
import dev.etcetera.api.etcdserverpb.LeaseLeasesRequest;
import dev.etcetera.api.etcdserverpb.LeaseLeasesResponse;
import dev.etcetera.api.etcdserverpb.LeaseRevokeRequest;
import dev.etcetera.api.etcdserverpb.LeaseRevokeResponse;
import dev.etcetera.api.etcdserverpb.LeaseTimeToLiveRequest;
import dev.etcetera.api.etcdserverpb.LeaseTimeToLiveResponse;
import dev.etcetera.api.etcdserverpb.PutRequest;
import dev.etcetera.api.etcdserverpb.PutResponse;
import dev.etcetera.api.etcdserverpb.RangeRequest;
import dev.etcetera.api.etcdserverpb.RangeResponse;
import dev.etcetera.api.etcdserverpb.StatusRequest;
import dev.etcetera.api.etcdserverpb.StatusResponse;
import dev.etcetera.api.etcdserverpb.TxnRequest;
import dev.etcetera.api.etcdserverpb.TxnResponse;
import java.util.concurrent.CompletableFuture;

/**
 * The client-facing facade of one member: what the gRPC services and the JSON gateway call.
 *
 * <p>Contract for every method: it never blocks the calling (transport) thread; it validates the
 * request exactly as etcd does (empty key, sort options, txn op count and duplicate keys, request
 * size, revisions) so both adapters behave identically; the returned future completes with the
 * response, its {@code header} filled (cluster_id, member_id, revision, raft_term), or
 * exceptionally with an {@link EtcdException} carrying etcd's code and message. A write's future
 * completes only once the write is durable. Completion may happen on a member thread: callers must
 * not block in their callbacks.
 */
public interface EtcdServer extends AutoCloseable {

    CompletableFuture<RangeResponse> range(RangeRequest request);

    CompletableFuture<PutResponse> put(PutRequest request);

    CompletableFuture<DeleteRangeResponse> deleteRange(DeleteRangeRequest request);

    CompletableFuture<TxnResponse> txn(TxnRequest request);

    CompletableFuture<CompactionResponse> compact(CompactionRequest request);

    CompletableFuture<StatusResponse> status(StatusRequest request);

    // ---- leases (a member without a lessor answers NOT_CAPABLE) ----

    /** Lease.LeaseGrant: ID 0 lets the member choose; TTL above the maximum fails, below the minimum is raised. */
    default CompletableFuture<LeaseGrantResponse> leaseGrant(LeaseGrantRequest request) {
        return CompletableFuture.failedFuture(EtcdError.NOT_CAPABLE.exception());
    }

    /** Lease.LeaseRevoke: deletes the lease's keys in one revision; unknown lease -> LEASE_NOT_FOUND. */
    default CompletableFuture<LeaseRevokeResponse> leaseRevoke(LeaseRevokeRequest request) {
        return CompletableFuture.failedFuture(EtcdError.NOT_CAPABLE.exception());
    }

    /** One keepalive of Lease.LeaseKeepAlive: the granted TTL, or TTL 0 for an unknown or expired lease. */
    default CompletableFuture<LeaseKeepAliveResponse> leaseRenew(LeaseKeepAliveRequest request) {
        return CompletableFuture.failedFuture(EtcdError.NOT_CAPABLE.exception());
    }

    /** Lease.LeaseTimeToLive: TTL -1 for an unknown lease (not an error). */
    default CompletableFuture<LeaseTimeToLiveResponse> leaseTimeToLive(LeaseTimeToLiveRequest request) {
        return CompletableFuture.failedFuture(EtcdError.NOT_CAPABLE.exception());
    }

    default CompletableFuture<LeaseLeasesResponse> leaseLeases(LeaseLeasesRequest request) {
        return CompletableFuture.failedFuture(EtcdError.NOT_CAPABLE.exception());
    }

    /**
     * Completes with the published revision once it exceeds {@code revision} (at once if it already
     * does). A narrow change notification for the server-side Lock and Election helpers until they
     * can use the watch package. Fails with STOPPED when the member stops.
     */
    default CompletableFuture<Long> revisionAbove(long revision) {
        return CompletableFuture.failedFuture(EtcdError.NOT_CAPABLE.exception());
    }

    /**
     * Maintenance.Alarm. Until the alarm store exists (quota NOSPACE and CORRUPT alarms are raised
     * through the log in a later issue) no alarm can be active, so GET and DEACTIVATE answer with an
     * empty list, and ACTIVATE, which only a member itself may do, is refused as etcd refuses an
     * alarm it cannot raise. Implementations that keep alarms override this.
     */
    default CompletableFuture<AlarmResponse> alarm(AlarmRequest request) {
        if (request.getAction() == AlarmRequest.AlarmAction.ACTIVATE) {
            return CompletableFuture.failedFuture(EtcdError.NOT_CAPABLE.exception());
        }
        return status(dev.etcetera.api.etcdserverpb.StatusRequest.getDefaultInstance())
                .thenApply(s -> AlarmResponse.newBuilder().setHeader(s.getHeader()).build());
    }

    /**
     * Opens a client watch stream (etcd's Watch RPC): the adapter feeds it the client's requests and
     * takes its responses on a thread of its own (see {@link dev.etcetera.watch.WatchStream}). With
     * {@code requireLeader} (gRPC metadata {@code hasleader}) the stream ends with NO_LEADER while the
     * member has no leader. Never blocks.
     */
    default dev.etcetera.watch.WatchStream openWatchStream(boolean requireLeader) {
        throw new UnsupportedOperationException("this member has no watch stage");
    }

    /** Identity and version facts of this member, for headers, /version and Status. */
    MemberInfo info();

    /**
     * A cheap local health probe for /health, /livez and /readyz: true while the member can serve
     * (has a leader, no alarm, store readable).
     */
    boolean healthy();

    /**
     * Told once, when the member's client listeners are up and it is about to announce that it
     * serves. The lessor is promoted again here, so that every lease gets its full TTL (or its
     * checkpointed remainder) counted from the moment keepalives can reach the member, as etcd's
     * leader does when it starts serving, not from the moment the store was opened: on a busy
     * host the container can take many seconds in between.
     */
    default void startServing() {
    }

    /** Stops accepting requests, fails those still pending with {@link EtcdError#STOPPED}, closes storage. */
    @Override
    void close();
}
