package dev.etcetera.raft;

/**
 * What happened to a proposal, conf change, or ReadIndex request handed to {@link RawNode}. Only
 * {@link #ACCEPTED} and {@link #FORWARDED} mean it may still succeed; everything else is final and
 * maps to an answer the server gives its client (etcd's ErrProposalDropped family).
 */
public enum ProposeResult {
    /** Appended to the leader's log (or queued as a ReadIndex request at the leader). */
    ACCEPTED,
    /** Sent to the known leader; it may still drop it (the caller times out / retries). */
    FORWARDED,
    /** No leader is known (election in progress): etcd's "no leader". */
    NO_LEADER,
    /** The leader is handing over leadership (MoveLeader): etcd's "leader changed" / retry. */
    TRANSFERRING,
    /** This node was removed from the configuration and cannot lead. */
    NOT_MEMBER,
    /** An earlier configuration change is not applied yet; one change at a time. */
    CONF_CHANGE_PENDING,
    /** The change would leave the cluster without an active quorum (strict reconfig check). */
    UNSAFE_CONF_CHANGE,
    /** The change is malformed (demoting a voter, removing the last voter, id 0...). */
    INVALID_CONF_CHANGE
}
