/**
 * Raft consensus as a pure, deterministic state machine, designed like etcd-io/raft.
 *
 * <p><b>Shape.</b> {@link dev.etcetera.raft.RawNode} takes inputs (tick, step, propose,
 * proposeConfChange, readIndex, transferLeader, campaign) and returns its output as a
 * {@link dev.etcetera.raft.Ready}; the caller persists, sends, applies and calls {@code advance}.
 * The package opens no file or socket, reads no clock, draws no entropy (election timeouts come
 * from a seeded generator) and starts no thread; it imports only the JDK and the Raft messages in
 * {@code dev.etcetera.raft.pb} (generated from {@code etcetera/raftpb.proto}, the wire and journal
 * format).
 *
 * <p><b>Invariants.</b>
 * <ul>
 *   <li>At most one leader per term; a node votes at most once per term, and its vote is durable
 *       before the vote leaves (persisted messages of a {@link dev.etcetera.raft.Ready}).</li>
 *   <li>A leader only appends to its log; commits only an entry of its own term by counting
 *       (earlier entries commit with it); counts its own copy only after the caller persisted it.</li>
 *   <li>A committed entry is never truncated: doing so throws (crash on corruption).</li>
 *   <li>Committed entries are handed out in index order, each once, after the Ready that persists
 *       them.</li>
 *   <li>A ReadIndex answer is at least the commit index of every leader of earlier terms: the leader
 *       answers only after committing an entry of its term and hearing a quorum after the request
 *       arrived.</li>
 * </ul>
 *
 * <p><b>Membership.</b> One change at a time (add voter, promote learner, add learner, remove),
 * taking effect when the caller applies the committed entry. A new change is refused while an
 * earlier one is unapplied, and a new leader refuses changes until its first entry is applied
 * (the fix to the single-server-change bug). A change that would leave fewer recently active
 * voters than a quorum of the new configuration is refused (etcd's strict reconfig check).
 * Demoting a voter to a learner is refused: remove it and add it back as a learner.
 * A new cluster starts from {@link dev.etcetera.raft.MemoryStorage#bootstrap}: its initial members
 * are committed conf change entries at term 1 (as in etcd), so a member added later learns the
 * configuration by replaying the log. A node installs a snapshot only if the snapshot's
 * configuration contains it; the server should therefore take a snapshot after applying a change
 * that adds a member (the simulation does), or a new member whose entries were compacted away
 * waits for the next snapshot.
 *
 * <p><b>Node loop</b> (one thread): {@code tick()} every 100 ms; {@code step()} each peer message;
 * {@code propose}/{@code readIndex} from the request queue; then while {@code hasReady()}: take
 * the {@link dev.etcetera.raft.Ready}, send {@code messages()}, persist snapshot, entries and hard
 * state (fsync when {@code mustSync()}), send {@code persistedMessages()}, apply
 * {@code committedEntries()} (conf changes through {@code applyConfChange}), answer reads whose
 * {@code ReadState} index is applied, {@code advance(ready)}. The transport reports failures with
 * {@code reportUnreachable} and snapshot delivery with {@code reportSnapshot}.
 */
package dev.etcetera.raft;
