package dev.etcetera.lease;

import java.util.concurrent.TimeUnit;

/**
 * The lessor's settings, with etcd's values by default.
 *
 * @param minTtlSeconds         the smallest TTL a lease gets: etcd's {@code ceil(1.5 x election timeout)}
 *                              computed from ticks ({@code 3 * electionTicks / 2 * heartbeat}); a grant
 *                              asking for less is raised to it
 * @param checkpointing         etcd's LeaseCheckpoint (+Persist): the leader records remaining TTLs in the log
 * @param checkpointIntervalNanos leases whose remaining TTL exceeds this are checkpointed this often (5 min)
 * @param revokeRatePerSecond   expired leases revoked per second at most (etcd's leaseRevokeRate, 1000)
 * @param checkpointRatePerSecond checkpoints proposed per second at most (etcd's leaseCheckpointRate, 1000)
 * @param checkIntervalNanos    how often the leader looks for expired leases and due checkpoints (500 ms)
 * @param expiredRetryNanos     an expired lease whose revoke was proposed is offered again after this (3 s)
 *                              if it still exists (the revoke was lost, e.g. on a leader change)
 */
public record LeaseOptions(long minTtlSeconds, boolean checkpointing, long checkpointIntervalNanos,
                           int revokeRatePerSecond, int checkpointRatePerSecond, long checkIntervalNanos,
                           long expiredRetryNanos) {

    /** etcd's maximum lease TTL, 9,000,000,000 s. */
    public static final long MAX_TTL_SECONDS = 9_000_000_000L;
    /** etcd's maxLeaseCheckpointBatchSize. */
    public static final int MAX_CHECKPOINT_BATCH = 1000;

    public LeaseOptions {
        if (minTtlSeconds < 1) {
            throw new IllegalArgumentException("minimum lease TTL must be >= 1 s, got " + minTtlSeconds);
        }
        if (checkpointIntervalNanos <= 0 || checkIntervalNanos <= 0 || expiredRetryNanos <= 0) {
            throw new IllegalArgumentException("lease intervals must be > 0");
        }
        if (revokeRatePerSecond < 1 || checkpointRatePerSecond < 1) {
            throw new IllegalArgumentException("lease revoke and checkpoint rates must be >= 1/s");
        }
    }

    /** etcd's defaults for the given {@code --heartbeat-interval} and {@code --election-timeout}. */
    public static LeaseOptions forRaft(long heartbeatMs, long electionTimeoutMs) {
        long electionTicks = Math.max(1, electionTimeoutMs / heartbeatMs);
        long minTtlMs = (3 * electionTicks) / 2 * heartbeatMs;
        long minTtl = Math.max(1, (minTtlMs + 999) / 1000);
        return new LeaseOptions(minTtl, true, TimeUnit.MINUTES.toNanos(5), 1000, 1000,
                TimeUnit.MILLISECONDS.toNanos(500), TimeUnit.SECONDS.toNanos(3));
    }

    /** etcd's defaults with its default Raft timing (heartbeat 100 ms, election 1000 ms): min TTL 2 s. */
    public static LeaseOptions defaults() {
        return forRaft(100, 1000);
    }

    public LeaseOptions withCheckpointIntervalNanos(long v) {
        return new LeaseOptions(minTtlSeconds, checkpointing, v, revokeRatePerSecond, checkpointRatePerSecond,
                checkIntervalNanos, expiredRetryNanos);
    }

    public LeaseOptions withCheckIntervalNanos(long v) {
        return new LeaseOptions(minTtlSeconds, checkpointing, checkpointIntervalNanos, revokeRatePerSecond,
                checkpointRatePerSecond, v, expiredRetryNanos);
    }

    public LeaseOptions withRevokeRatePerSecond(int v) {
        return new LeaseOptions(minTtlSeconds, checkpointing, checkpointIntervalNanos, v, checkpointRatePerSecond,
                checkIntervalNanos, expiredRetryNanos);
    }

    /** Revokes per check: the rate spread over the check interval, at least one. */
    int revokesPerCheck() {
        return (int) Math.max(1, revokeRatePerSecond * checkIntervalNanos / 1_000_000_000L);
    }

    int checkpointsPerCheck() {
        return (int) Math.max(1, checkpointRatePerSecond * checkIntervalNanos / 1_000_000_000L);
    }
}
