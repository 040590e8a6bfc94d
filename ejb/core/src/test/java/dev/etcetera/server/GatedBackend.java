package dev.etcetera.server;

import dev.etcetera.api.mvccpb.KeyValue;
import dev.etcetera.mvcc.Backend;
import dev.etcetera.mvcc.Revision;
import dev.etcetera.mvcc.StoredRevision;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A real backend whose next commit can be held: {@link #hold()} makes the next commit block until
 * {@link #release()}, and {@link #awaitHeld()} waits until a commit is blocked. Lets tests freeze the
 * apply thread at its durability point, deterministically.
 */
public final class GatedBackend implements Backend {
    private final Backend delegate;
    private volatile CountDownLatch gate;
    private volatile CountDownLatch held = new CountDownLatch(1);

    public GatedBackend(Backend delegate) {
        this.delegate = delegate;
    }

    public void hold() {
        held = new CountDownLatch(1);
        gate = new CountDownLatch(1);
    }

    public void release() {
        CountDownLatch g = gate;
        gate = null;
        if (g != null) {
            g.countDown();
        }
    }

    public void awaitHeld() throws InterruptedException {
        if (!held.await(20, TimeUnit.SECONDS)) {
            throw new AssertionError("no commit reached the gate within 20 s");
        }
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
                CountDownLatch g = gate;
                if (g != null) {
                    held.countDown();
                    try {
                        if (!g.await(60, TimeUnit.SECONDS)) {
                            throw new IllegalStateException("gate never released");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                }
                b.commit(sync);
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
