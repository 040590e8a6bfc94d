package dev.etcetera.lease;

import dev.etcetera.api.etcdserverpb.LeaseCheckpoint;
import dev.etcetera.api.etcdserverpb.LeaseCheckpointRequest;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The leader's periodic lease duties (etcd's lessor runLoop): propose a revoke for every expired
 * lease and a checkpoint for every due one, through the same proposal path as any client write.
 * Rate-limited: at most {@link LeaseOptions#revokeRatePerSecond()} revokes and
 * {@link LeaseOptions#checkpointRatePerSecond()} checkpoints per second, spread over the checks, so a
 * mass expiry cannot flood the log and stall client writes; the rest waits for the next check.
 *
 * <p>Thread: {@link #check()} is called by one scheduler thread of the member, every
 * {@link LeaseOptions#checkIntervalNanos()}; never on the apply thread (it proposes and would wait
 * for itself).
 */
public final class LeaseExpiry {

    /** Where the proposals go: the member's write path. Futures complete when applied. */
    public interface Proposals {
        CompletableFuture<?> revoke(long leaseId);

        CompletableFuture<?> checkpoint(LeaseCheckpointRequest request);
    }

    private static final System.Logger LOG = System.getLogger(LeaseExpiry.class.getName());

    private final Lessor lessor;
    private final Proposals proposals;

    public LeaseExpiry(Lessor lessor, Proposals proposals) {
        this.lessor = lessor;
        this.proposals = proposals;
    }

    /**
     * One round: revokes proposed for up to the per-check budget of expired leases, then due
     * checkpoints in batches of at most {@link LeaseOptions#MAX_CHECKPOINT_BATCH}.
     *
     * @return the number of revokes proposed
     */
    public int check() {
        LeaseOptions o = lessor.options();
        List<Long> expired = lessor.expired(o.revokesPerCheck());
        for (long id : expired) {
            proposals.revoke(id).whenComplete((r, e) -> {
                if (e != null) {
                    // Not lost: the lessor offers the lease again after expiredRetryNanos.
                    LOG.log(System.Logger.Level.DEBUG, "revoke of expired lease " + Long.toHexString(id) + " failed: " + e);
                }
            });
        }
        List<LeaseCheckpoint> due = lessor.dueCheckpoints(o.checkpointsPerCheck());
        for (int i = 0; i < due.size(); i += LeaseOptions.MAX_CHECKPOINT_BATCH) {
            List<LeaseCheckpoint> part = due.subList(i, Math.min(due.size(), i + LeaseOptions.MAX_CHECKPOINT_BATCH));
            proposals.checkpoint(LeaseCheckpointRequest.newBuilder().addAllCheckpoints(part).build());
        }
        return expired.size();
    }
}
