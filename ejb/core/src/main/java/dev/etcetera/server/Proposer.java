package dev.etcetera.server;

import dev.etcetera.api.internal.InternalRaftRequest;

/**
 * The port through which the server puts a write into the replicated log. The single member's
 * {@link LocalProposer} commits at once; the Raft node loop will implement it by proposing to Raft.
 * Either way, committed entries reach {@link ApplyLoop#committed} in index order, and the caller
 * learns the outcome from the apply stage (matched by the envelope's header ID), never from here.
 */
public interface Proposer {

    /**
     * Proposes a request. Thread-safe, never blocks for long.
     *
     * @throws EtcdException STOPPED if the member is stopping (or NOT_LEADER/NO_LEADER with Raft)
     */
    void propose(InternalRaftRequest request);

    /** The highest log index known committed (etcd's raftIndex in Status). */
    long committedIndex();

    /** The current Raft term, for response headers. */
    long term();

    /** Stops accepting proposals; later calls to {@link #propose} fail with STOPPED. */
    void stop();
}
