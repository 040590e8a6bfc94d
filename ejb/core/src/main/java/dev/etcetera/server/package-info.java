/**
 * The member's client-facing facade ({@link dev.etcetera.server.EtcdServer}) and etcd's error
 * vocabulary ({@link dev.etcetera.server.EtcdError}). Adapters (gRPC, JSON) depend on this package
 * only; implementations live beside the state machine they drive.
 *
 * <p>Invariants: every error a client can see is an {@link dev.etcetera.server.EtcdError} constant
 * (code + exact etcd message); no method of the facade blocks its caller.
 */
package dev.etcetera.server;
