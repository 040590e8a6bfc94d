package dev.etcetera.raft.tracker;

/** How the leader currently replicates to one follower (etcd-io/raft's StateProbe/Replicate/Snapshot). */
public enum ProgressState {
    /** The leader does not know the follower's last index: at most one MsgApp per heartbeat interval. */
    PROBE,
    /** The follower is caught up enough: MsgApp are streamed optimistically within the inflight window. */
    REPLICATE,
    /** The follower needs entries the leader has compacted: a snapshot is in flight; no MsgApp. */
    SNAPSHOT
}
