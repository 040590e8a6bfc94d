package dev.etcetera.concurrency;

import com.google.protobuf.ByteString;
import dev.etcetera.api.etcdserverpb.RangeRequest;
import dev.etcetera.api.etcdserverpb.RangeResponse;
import dev.etcetera.api.etcdserverpb.ResponseHeader;
import dev.etcetera.server.EtcdServer;
import java.util.concurrent.CompletableFuture;

/**
 * clientv3 concurrency's {@code waitDeletes}: completes once no key under a prefix has a create
 * revision at or below a bound. Re-checks after every published revision (through
 * {@link EtcdServer#revisionAbove}) instead of watching the one key in the way.
 */
final class PrefixWait {
    private PrefixWait() {
    }

    /** The prefix's range end: the prefix with its last byte incremented (etcd's GetPrefixRangeEnd). */
    static ByteString prefixEnd(ByteString prefix) {
        byte[] b = prefix.toByteArray();
        for (int i = b.length - 1; i >= 0; i--) {
            if (b[i] != (byte) 0xff) {
                b[i]++;
                return ByteString.copyFrom(b, 0, i + 1);
            }
        }
        return ByteString.copyFrom(new byte[] {0}); // all 0xff: "to the end"
    }

    /** The key under {@code prefix} with the lowest create revision (etcd's WithFirstCreate). */
    static CompletableFuture<RangeResponse> firstCreated(EtcdServer server, ByteString prefix) {
        return server.range(RangeRequest.newBuilder().setKey(prefix).setRangeEnd(prefixEnd(prefix))
                .setSortTarget(RangeRequest.SortTarget.CREATE).setSortOrder(RangeRequest.SortOrder.ASCEND)
                .setLimit(1).build());
    }

    /**
     * Completes with the header of the read that found no key under {@code prefix} created at or
     * before {@code maxCreateRevision}. Fails with what the server fails with; stops (completes
     * exceptionally with a cancellation) once {@code cancelled} says so (at once if it signals), also when the keys are gone
     * by then: a caller that gave up must not be told it got what it waited for (it would never
     * release it), as etcd's waitDeletes returns the context's error.
     */
    static CompletableFuture<ResponseHeader> deletes(EtcdServer server, ByteString prefix, long maxCreateRevision,
                                                     Cancellation cancelled) {
        RangeRequest lastBefore = RangeRequest.newBuilder().setKey(prefix).setRangeEnd(prefixEnd(prefix))
                .setMaxCreateRevision(maxCreateRevision)
                .setSortTarget(RangeRequest.SortTarget.CREATE).setSortOrder(RangeRequest.SortOrder.DESCEND)
                .setLimit(1).build();
        return server.range(lastBefore).thenCompose(resp -> {
            if (cancelled.isCancelled()) {
                return CompletableFuture.failedFuture(new java.util.concurrent.CancellationException("wait cancelled"));
            }
            if (resp.getKvsCount() == 0) {
                return CompletableFuture.completedFuture(resp.getHeader());
            }
            // look again at the next revision, or at once when the caller gives up
            return CompletableFuture.anyOf(server.revisionAbove(resp.getHeader().getRevision()), cancelled.signal())
                    .thenCompose(woken -> deletes(server, prefix, maxCreateRevision, cancelled));
        });
    }
}
