/**
 * The member's client-facing facade ({@link dev.etcetera.server.EtcdServer}) and etcd's error
 * vocabulary ({@link dev.etcetera.server.EtcdError}). Adapters (gRPC, JSON) depend on this package
 * only; implementations live beside the state machine they drive.
 *
 * <p>Invariants: every error a client can see is an {@link dev.etcetera.server.EtcdError} constant
 * (code + exact etcd message); no method of the facade blocks its caller.
 *
 * <p>The single-member implementation, {@link dev.etcetera.server.SingleMemberServer}, validates
 * requests as etcd's gRPC layer does ({@link dev.etcetera.server.RequestChecks}), wraps writes in the
 * replicated-request envelope with a unique ID, hands them to a {@link dev.etcetera.server.Proposer}
 * (committing at once for one member; Raft later) and learns the outcome from the
 * {@link dev.etcetera.server.ApplyLoop}, which applies committed entries in index order on one thread
 * with group commit: a caller's future completes only after its write is durable and published.
 * Linearizable reads wait for the applied index to reach a {@link dev.etcetera.server.ReadIndex};
 * reads never wait for the apply thread otherwise.
 *
 * <p>Durability has two shapes. Without a journal ({@link dev.etcetera.server.LocalProposer}) every
 * backend commit is synced. With one ({@link dev.etcetera.server.WalProposer} over a
 * {@link dev.etcetera.server.WriteAheadLog}) an entry is fdatasynced in the journal before it is
 * handed to the apply loop, backend commits are unsynced and carry the applied index, and at start
 * the journal is replayed from that index; {@link dev.etcetera.server.ApplyDurability} lets the
 * journal ask for a synced commit now and then so that it can release what that commit covers.
 */
package dev.etcetera.server;
