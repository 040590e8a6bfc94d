package dev.etcetera.server;

import dev.etcetera.api.internal.InternalRaftRequest;
import java.util.concurrent.CompletableFuture;

/**
 * The proposer of a single member without Raft: a proposal is committed the moment it is proposed,
 * with the next log index and the member's term, and handed to the apply loop. Also its own
 * {@link ReadIndex}: the last index handed out. Index assignment and hand-off happen under one short
 * lock so the apply loop receives entries in index order.
 */
public final class LocalProposer implements Proposer, ReadIndex {
    private final ApplyLoop applyLoop;
    private final long term;
    private long lastIndex;
    private volatile long committed;
    private boolean stopped;

    /** @param lastIndex the index of the last entry already applied (the store's consistent index) */
    public LocalProposer(ApplyLoop applyLoop, long term, long lastIndex) {
        this.applyLoop = applyLoop;
        this.term = term;
        this.lastIndex = lastIndex;
        this.committed = lastIndex;
    }

    @Override
    public void propose(InternalRaftRequest request) {
        synchronized (this) {
            if (stopped) {
                throw EtcdError.STOPPED.exception();
            }
            long index = ++lastIndex;
            applyLoop.committed(new CommittedEntry(index, term, request));
            committed = index;
        }
    }

    @Override
    public long committedIndex() {
        return committed;
    }

    @Override
    public long term() {
        return term;
    }

    @Override
    public synchronized void stop() {
        stopped = true;
    }

    @Override
    public CompletableFuture<Long> readIndex() {
        return CompletableFuture.completedFuture(committed);
    }
}
