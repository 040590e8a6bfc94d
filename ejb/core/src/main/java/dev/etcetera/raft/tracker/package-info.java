/**
 * The leader's bookkeeping of the group: the active configuration (voters and learners), one
 * {@link dev.etcetera.raft.tracker.Progress} per member with its in-flight window, quorum
 * arithmetic (commit index, check-quorum, vote tally).
 *
 * <p>Invariants: voters and learners are disjoint; {@code match < next} for every Progress; the
 * commit index derived here is only ever applied by the leader to entries of its own term
 * (Raft paper §5.4.2). Pure Java, confined to the node-loop thread.
 */
package dev.etcetera.raft.tracker;
