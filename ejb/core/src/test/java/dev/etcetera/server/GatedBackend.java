package dev.etcetera.server;

import dev.etcetera.mvcc.Backend;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A real backend whose next commit can be held: {@link #hold()} makes the next commit block until
 * {@link #release()}, and {@link #awaitHeld()} waits until a commit is blocked. Lets tests freeze the
 * apply thread at its durability point, deterministically.
 */
public final class GatedBackend extends ForwardingBackend {
    private volatile CountDownLatch gate;
    private volatile CountDownLatch held = new CountDownLatch(1);

    public GatedBackend(Backend delegate) {
        super(delegate);
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
    protected void commit(Batch batch, boolean sync) {
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
        batch.commit(sync);
    }
}
