package dev.etcetera.config;

/**
 * Raft timing and snapshotting.
 *
 * @param heartbeatIntervalMs {@code --heartbeat-interval} (default 100): milliseconds between leader
 *                            heartbeats; one Raft tick
 * @param electionTimeoutMs   {@code --election-timeout} (default 1000): milliseconds without a leader
 *                            before a follower campaigns; at least 5 heartbeats, at most 50000
 * @param snapshotCount       {@code --snapshot-count} (default 10000): applied entries between two Raft
 *                            snapshots; 0 means the default, as in etcd
 */
public record RaftConfig(long heartbeatIntervalMs, long electionTimeoutMs, long snapshotCount) {

    /** etcd's default {@code --snapshot-count}. */
    public static final long DEFAULT_SNAPSHOT_COUNT = 10_000;
    /** etcd's upper bound on {@code --election-timeout}. */
    public static final long MAX_ELECTION_TIMEOUT_MS = 50_000;

    static RaftConfig from(FlagValues v) {
        return new RaftConfig(v.number(FlagTable.HEARTBEAT_INTERVAL), v.number(FlagTable.ELECTION_TIMEOUT),
                v.number(FlagTable.SNAPSHOT_COUNT));
    }

    /**
     * etcd's checks ({@code embed.Config.Validate}), with its messages.
     *
     * @throws ConfigException naming --heartbeat-interval or --election-timeout
     */
    public void validate() throws ConfigException {
        if (heartbeatIntervalMs <= 0) {
            throw new ConfigException(FlagTable.HEARTBEAT_INTERVAL.name(),
                    "--heartbeat-interval must be >0 (set to " + heartbeatIntervalMs + "ms)");
        }
        if (electionTimeoutMs <= 0) {
            throw new ConfigException(FlagTable.ELECTION_TIMEOUT.name(),
                    "--election-timeout must be >0 (set to " + electionTimeoutMs + "ms)");
        }
        // 5 * heartbeat > election, written so that it cannot overflow
        if (heartbeatIntervalMs > electionTimeoutMs / 5) {
            throw new ConfigException(FlagTable.ELECTION_TIMEOUT.name(), "--election-timeout[" + electionTimeoutMs
                    + "ms] should be at least as 5 times as --heartbeat-interval[" + heartbeatIntervalMs + "ms]");
        }
        if (electionTimeoutMs > MAX_ELECTION_TIMEOUT_MS) {
            throw new ConfigException(FlagTable.ELECTION_TIMEOUT.name(), "--election-timeout[" + electionTimeoutMs
                    + "ms] is too long, and should be set less than " + MAX_ELECTION_TIMEOUT_MS + "ms");
        }
    }

    /** Election timeout in ticks, as etcd computes it (integer division). */
    public int electionTicks() {
        return (int) (electionTimeoutMs / heartbeatIntervalMs);
    }

    /** The snapshot trigger in effect: {@link #snapshotCount()}, or the default when it is 0. */
    public long effectiveSnapshotCount() {
        return snapshotCount == 0 ? DEFAULT_SNAPSHOT_COUNT : snapshotCount;
    }
}
