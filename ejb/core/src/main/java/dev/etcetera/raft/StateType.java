package dev.etcetera.raft;

/** The role of a node. PRE_CANDIDATE polls for votes without raising its term (pre-vote, §9.6). */
public enum StateType {
    FOLLOWER, CANDIDATE, LEADER, PRE_CANDIDATE;

    /** etcd's spelling, used in logs and golden files. */
    public String etcdName() {
        return switch (this) {
            case FOLLOWER -> "StateFollower";
            case CANDIDATE -> "StateCandidate";
            case LEADER -> "StateLeader";
            case PRE_CANDIDATE -> "StatePreCandidate";
        };
    }
}
