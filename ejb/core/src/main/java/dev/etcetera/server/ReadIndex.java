package dev.etcetera.server;

import java.util.concurrent.CompletableFuture;

/**
 * The port a linearizable read goes through: the log index the read must wait for before reading
 * the local store. With Raft it is etcd's ReadIndex (the leader's commit index confirmed by a
 * heartbeat quorum); a single member answers its own last committed index at once.
 */
@FunctionalInterface
public interface ReadIndex {

    /** Completes with the index, or exceptionally with an {@link EtcdException} (e.g. NO_LEADER). */
    CompletableFuture<Long> readIndex();
}
