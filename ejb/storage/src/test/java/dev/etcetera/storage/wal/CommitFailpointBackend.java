package dev.etcetera.storage.wal;

import dev.etcetera.api.mvccpb.KeyValue;
import dev.etcetera.mvcc.Backend;
import dev.etcetera.mvcc.Revision;
import dev.etcetera.mvcc.StoredRevision;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A real backend with one failpoint, "before backend commit": once armed, the next commit throws
 * instead of committing, so the batch never reaches the backend. To the apply stage this is a crash
 * between the journal fsync and the backend commit. Also counts synced commits.
 */
final class CommitFailpointBackend implements Backend {
    private final Backend delegate;
    private final AtomicBoolean failNext = new AtomicBoolean();
    final AtomicInteger syncedCommits = new AtomicInteger();

    CommitFailpointBackend(Backend delegate) {
        this.delegate = delegate;
    }

    void failNextCommit() {
        failNext.set(true);
    }

    @Override
    public KeyValue read(Revision revision) {
        return delegate.read(revision);
    }

    @Override
    public List<StoredRevision> scan(Revision from, long maxMain, int limit) {
        return delegate.scan(from, maxMain, limit);
    }

    @Override
    public void forEach(Consumer<StoredRevision> visitor) {
        delegate.forEach(visitor);
    }

    @Override
    public long meta(Meta key) {
        return delegate.meta(key);
    }

    @Override
    public Batch begin() {
        Batch b = delegate.begin();
        return new Batch() {
            @Override
            public void put(Revision revision, boolean tombstone, KeyValue kv) {
                b.put(revision, tombstone, kv);
            }

            @Override
            public void delete(Revision revision, boolean tombstone) {
                b.delete(revision, tombstone);
            }

            @Override
            public void putMeta(Meta key, long value) {
                b.putMeta(key, value);
            }

            @Override
            public void commit(boolean sync) {
                if (failNext.compareAndSet(true, false)) {
                    b.abort(); // the commit never happened; the transaction must not stay open
                    throw new IllegalStateException("failpoint: crash before backend commit");
                }
                b.commit(sync);
                if (sync) {
                    syncedCommits.incrementAndGet();
                }
            }

            @Override
            public void abort() {
                b.abort();
            }
        };
    }

    @Override
    public long size() {
        return delegate.size();
    }

    @Override
    public long sizeInUse() {
        return delegate.sizeInUse();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
