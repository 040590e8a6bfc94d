package dev.etcetera.storage.wal;

import dev.etcetera.mvcc.Backend;
import dev.etcetera.server.ForwardingBackend;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real backend with one failpoint, "before backend commit": once armed, the next commit throws
 * instead of committing, so the batch never reaches the backend. To the apply stage this is a crash
 * between the journal fsync and the backend commit. Also counts synced commits.
 */
final class CommitFailpointBackend extends ForwardingBackend {
    private final AtomicBoolean failNext = new AtomicBoolean();
    final AtomicInteger syncedCommits = new AtomicInteger();

    CommitFailpointBackend(Backend delegate) {
        super(delegate);
    }

    void failNextCommit() {
        failNext.set(true);
    }

    @Override
    protected void commit(Batch batch, boolean sync) {
        if (failNext.compareAndSet(true, false)) {
            batch.abort(); // the commit never happened; the transaction must not stay open
            throw new IllegalStateException("failpoint: crash before backend commit");
        }
        batch.commit(sync);
        if (sync) {
            syncedCommits.incrementAndGet();
        }
    }
}
