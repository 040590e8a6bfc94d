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
 */
package dev.etcetera.server;
