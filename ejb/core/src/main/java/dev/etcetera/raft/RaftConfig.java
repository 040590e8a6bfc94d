package dev.etcetera.raft;

/**
 * Parameters of one Raft node. Defaults follow etcd with its 100 ms tick: heartbeat every tick,
 * election timeout 10 ticks (randomised per election in {@code [10, 20)}).
 *
 * @param id                   this node's id; non-zero
 * @param electionTick         ticks without hearing from a leader before a follower campaigns
 * @param heartbeatTick        ticks between leader heartbeats; must be less than electionTick
 * @param storage              durable state to start from
 * @param applied              last index already applied by the caller (0: start after the snapshot)
 * @param maxSizePerMsg        byte limit of entries in one MsgApp (batching); at least one entry is sent
 * @param maxInflightMsgs      unacknowledged MsgApp per follower in REPLICATE state
 * @param maxInflightBytes     unacknowledged payload bytes per follower (0: unlimited)
 * @param maxCommittedSizePerReady byte limit of committed entries handed out in one Ready
 * @param checkQuorum          a leader steps down when it has not heard from a quorum for an election timeout;
 *                             followers then also ignore votes while they hear from a leader (leader stickiness)
 * @param preVote              run a pre-election that does not raise terms before a real election
 * @param randomSeed           seed of the election-timeout randomisation (the core reads no entropy)
 * @param logger               where state transitions are reported
 */
public record RaftConfig(
        long id,
        int electionTick,
        int heartbeatTick,
        Storage storage,
        long applied,
        long maxSizePerMsg,
        int maxInflightMsgs,
        long maxInflightBytes,
        long maxCommittedSizePerReady,
        boolean checkQuorum,
        boolean preVote,
        long randomSeed,
        RaftLogger logger) {

    /** etcd's defaults (1 MiB messages, 256 in flight) with check-quorum and pre-vote on. */
    public static RaftConfig defaults(long id, Storage storage) {
        return new RaftConfig(id, 10, 1, storage, 0, 1024 * 1024, 256, 0, Long.MAX_VALUE, true, true, id,
                RaftLogger.DISCARD);
    }

    public RaftConfig withApplied(long a) {
        return new RaftConfig(id, electionTick, heartbeatTick, storage, a, maxSizePerMsg, maxInflightMsgs,
                maxInflightBytes, maxCommittedSizePerReady, checkQuorum, preVote, randomSeed, logger);
    }

    public RaftConfig withLimits(long sizePerMsg, int inflightMsgs, long inflightBytes) {
        return new RaftConfig(id, electionTick, heartbeatTick, storage, applied, sizePerMsg, inflightMsgs,
                inflightBytes, maxCommittedSizePerReady, checkQuorum, preVote, randomSeed, logger);
    }

    public RaftConfig withFlags(boolean quorumCheck, boolean preVoting) {
        return new RaftConfig(id, electionTick, heartbeatTick, storage, applied, maxSizePerMsg, maxInflightMsgs,
                maxInflightBytes, maxCommittedSizePerReady, quorumCheck, preVoting, randomSeed, logger);
    }

    public RaftConfig withTicks(int election, int heartbeat) {
        return new RaftConfig(id, election, heartbeat, storage, applied, maxSizePerMsg, maxInflightMsgs,
                maxInflightBytes, maxCommittedSizePerReady, checkQuorum, preVote, randomSeed, logger);
    }

    public RaftConfig withSeed(long seed) {
        return new RaftConfig(id, electionTick, heartbeatTick, storage, applied, maxSizePerMsg, maxInflightMsgs,
                maxInflightBytes, maxCommittedSizePerReady, checkQuorum, preVote, seed, logger);
    }

    public RaftConfig withLogger(RaftLogger l) {
        return new RaftConfig(id, electionTick, heartbeatTick, storage, applied, maxSizePerMsg, maxInflightMsgs,
                maxInflightBytes, maxCommittedSizePerReady, checkQuorum, preVote, randomSeed, l);
    }

    /** @throws IllegalArgumentException naming the offending parameter */
    public void validate() {
        if (id == 0) throw new IllegalArgumentException("raft id must not be 0 (reserved for 'none')");
        if (heartbeatTick <= 0) throw new IllegalArgumentException("heartbeatTick must be greater than 0");
        if (electionTick <= heartbeatTick) throw new IllegalArgumentException("electionTick must be greater than heartbeatTick");
        if (storage == null) throw new IllegalArgumentException("storage must not be null");
        if (maxInflightMsgs <= 0) throw new IllegalArgumentException("maxInflightMsgs must be greater than 0");
        if (maxInflightBytes < 0) throw new IllegalArgumentException("maxInflightBytes must not be negative");
        if (maxInflightBytes > 0 && maxInflightBytes < maxSizePerMsg) {
            throw new IllegalArgumentException("maxInflightBytes must be >= maxSizePerMsg");
        }
        if (maxSizePerMsg <= 0) throw new IllegalArgumentException("maxSizePerMsg must be greater than 0");
        if (maxCommittedSizePerReady <= 0) throw new IllegalArgumentException("maxCommittedSizePerReady must be greater than 0");
        if (logger == null) throw new IllegalArgumentException("logger must not be null");
    }
}
