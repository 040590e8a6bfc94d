package dev.etcetera.server;

import dev.etcetera.api.mvccpb.KeyValue;
import dev.etcetera.mvcc.Backend;
import dev.etcetera.mvcc.Revision;
import dev.etcetera.mvcc.StoredRevision;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A real backend wrapped so a test can intervene at the commit of a batch (a gate, a failpoint):
 * everything, lease records included, is forwarded to {@code delegate}; subclasses override
 * {@link #commit(Backend.Batch, boolean)}.
 */
public abstract class ForwardingBackend implements Backend {
    protected final Backend delegate;

    protected ForwardingBackend(Backend delegate) {
        this.delegate = delegate;
    }

    /** Commits {@code batch}, the delegate's batch; the default just commits it. */
    protected void commit(Batch batch, boolean sync) {
        batch.commit(sync);
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
    public void forEachLease(BiConsumer<Long, byte[]> visitor) {
        delegate.forEachLease(visitor);
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
            public void putLease(long id, byte[] record) {
                b.putLease(id, record);
            }

            @Override
            public void deleteLease(long id) {
                b.deleteLease(id);
            }

            @Override
            public void commit(boolean sync) {
                ForwardingBackend.this.commit(b, sync);
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
    public Sizes sizes() {
        return delegate.sizes();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
