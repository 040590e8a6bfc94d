package dev.etcetera.concurrency;

import com.google.protobuf.ByteString;
import dev.etcetera.api.etcdserverpb.Compare;
import dev.etcetera.api.etcdserverpb.DeleteRangeRequest;
import dev.etcetera.api.etcdserverpb.LeaseGrantRequest;
import dev.etcetera.api.etcdserverpb.PutRequest;
import dev.etcetera.api.etcdserverpb.RangeRequest;
import dev.etcetera.api.etcdserverpb.RequestOp;
import dev.etcetera.api.etcdserverpb.TxnRequest;
import dev.etcetera.api.etcdserverpb.TxnResponse;
import dev.etcetera.api.v3lockpb.LockRequest;
import dev.etcetera.api.v3lockpb.LockResponse;
import dev.etcetera.api.v3lockpb.UnlockRequest;
import dev.etcetera.api.v3lockpb.UnlockResponse;
import dev.etcetera.server.EtcdError;
import dev.etcetera.server.EtcdServer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * etcd's v3lock service over the member facade (clientv3 concurrency's Mutex with an orphaned
 * session). Lock puts {@code name/<lease hex>} with the lease unless that key exists, then waits
 * until every key under {@code name/} created before it is gone, checks its own key still exists
 * (its lease may have expired while it waited: etcd #11408), and answers with the key. Unlock
 * deletes the key. Lease 0 means a new 60 s lease that nobody keeps alive (etcd's default session
 * TTL, orphaned), so such a lock releases itself about a minute later.
 */
public final class Locks {
    /** clientv3 concurrency's default session TTL. */
    static final long DEFAULT_SESSION_TTL = 60;

    private final EtcdServer server;

    public Locks(EtcdServer server) {
        this.server = server;
    }

    /**
     * @param cancelled polled while waiting; once true the wait stops and the waiter's key is deleted
     *                  (etcd unlocks when the caller's context ends)
     */
    public CompletableFuture<LockResponse> lock(LockRequest request, BooleanSupplier cancelled) {
        return lock(request, Cancellation.polled(cancelled));
    }

    /** As {@link #lock(LockRequest, BooleanSupplier)}; a signalling caller's key goes as soon as it gives up. */
    public CompletableFuture<LockResponse> lock(LockRequest request, Cancellation cancelled) {
        return session(server, request.getLease()).thenCompose(lease -> lock(request.getName(), lease, cancelled));
    }

    /**
     * The lease of the session etcd's lock and election services open for a request
     * (concurrency.NewSession with the request's lease, then orphaned): the given lease, not checked
     * here, or, for lease 0, a new lease of {@value #DEFAULT_SESSION_TTL} s that nobody keeps alive.
     */
    static CompletableFuture<Long> session(EtcdServer server, long lease) {
        if (lease != 0) {
            return CompletableFuture.completedFuture(lease);
        }
        return server.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(DEFAULT_SESSION_TTL).build())
                .thenApply(r -> r.getID());
    }

    static ByteString ownKey(ByteString name, long lease) {
        return name.concat(ByteString.copyFrom("/" + Long.toHexString(lease), StandardCharsets.UTF_8));
    }

    private CompletableFuture<LockResponse> lock(ByteString name, long lease, Cancellation cancelled) {
        ByteString prefix = name.concat(ByteString.copyFromUtf8("/"));
        ByteString key = ownKey(name, lease);
        RangeRequest owner = RangeRequest.newBuilder().setKey(prefix).setRangeEnd(PrefixWait.prefixEnd(prefix))
                .setSortTarget(RangeRequest.SortTarget.CREATE).setSortOrder(RangeRequest.SortOrder.ASCEND)
                .setLimit(1).build();
        TxnRequest txn = TxnRequest.newBuilder()
                .addCompare(Compare.newBuilder().setKey(key).setTarget(Compare.CompareTarget.CREATE)
                        .setResult(Compare.CompareResult.EQUAL).setCreateRevision(0))
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key).setLease(lease)))
                .addSuccess(RequestOp.newBuilder().setRequestRange(owner))
                .addFailure(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(key)))
                .addFailure(RequestOp.newBuilder().setRequestRange(owner))
                .build();
        return server.txn(txn).thenCompose(resp -> {
            long myRev = myRevision(resp);
            var first = resp.getResponses(1).getResponseRange().getKvsList();
            if (first.isEmpty() || first.get(0).getCreateRevision() == myRev) {
                return CompletableFuture.completedFuture(
                        LockResponse.newBuilder().setHeader(resp.getHeader()).setKey(key).build());
            }
            return PrefixWait.deletes(server, prefix, myRev - 1, cancelled)
                    .thenCompose(h -> server.range(RangeRequest.newBuilder().setKey(key).build()))
                    .thenCompose(own -> own.getKvsCount() == 0
                            ? CompletableFuture.<LockResponse>failedFuture(EtcdError.LOCK_SESSION_EXPIRED.exception())
                            : CompletableFuture.completedFuture(
                                    LockResponse.newBuilder().setHeader(own.getHeader()).setKey(key).build()))
                    // etcd's Mutex unlocks (deletes its key) before it returns the wait's error
                    .exceptionallyCompose(e -> isSessionExpired(e) ? CompletableFuture.failedFuture(e)
                            : server.deleteRange(DeleteRangeRequest.newBuilder().setKey(key).build())
                                    .handle((deleted, ignored) -> (LockResponse) null)
                                    .thenCompose(v -> CompletableFuture.<LockResponse>failedFuture(cause(e))));
        });
    }

    private static boolean isSessionExpired(Throwable e) {
        return cause(e) instanceof dev.etcetera.server.EtcdException ee && ee.error() == EtcdError.LOCK_SESSION_EXPIRED;
    }

    /** The failure a dependent future carries, without its CompletionException wrapper. */
    static Throwable cause(Throwable e) {
        return e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    /** Our key's create revision: the txn's revision if we created it, else the existing key's. */
    private static long myRevision(TxnResponse resp) {
        if (resp.getSucceeded()) {
            return resp.getHeader().getRevision();
        }
        return resp.getResponses(0).getResponseRange().getKvs(0).getCreateRevision();
    }

    public CompletableFuture<UnlockResponse> unlock(UnlockRequest request) {
        return server.deleteRange(DeleteRangeRequest.newBuilder().setKey(request.getKey()).build())
                .thenApply(r -> UnlockResponse.newBuilder().setHeader(r.getHeader()).build());
    }
}
