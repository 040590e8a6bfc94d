package dev.etcetera.server;

import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Reads waiting until the applied index reaches their read index. The apply thread calls
 * {@link #advance} after each published batch; readers call {@link #await}. A reader registers and
 * then re-checks the applied index, so an advance racing with the registration is never missed.
 * Waiters are few (only reads that arrive while writes are in flight), so a scan is fine.
 */
final class AppliedIndexWait {
    private record Waiter(long index, CompletableFuture<Void> future) {
    }

    private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
    private volatile long applied;
    private volatile EtcdException failure;

    AppliedIndexWait(long applied) {
        this.applied = applied;
    }

    long applied() {
        return applied;
    }

    /** Completes once the applied index is at least {@code index}; at once if it already is. */
    CompletableFuture<Void> await(long index) {
        if (applied >= index) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        waiters.add(new Waiter(index, f));
        EtcdException failed = failure;
        if (failed != null) {
            f.completeExceptionally(failed);
        } else if (applied >= index) {
            f.complete(null);
        }
        return f;
    }

    /** Apply thread: the applied index is now {@code index}. */
    void advance(long index) {
        applied = index;
        if (waiters.isEmpty()) {
            return;
        }
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.index() <= index || w.future().isDone()) {
                it.remove();
                w.future().complete(null);
            }
        }
    }

    /** Fails every present and future waiter that would have to wait. */
    void failAll(EtcdException error) {
        failure = error;
        for (Waiter w; (w = waiters.poll()) != null; ) {
            w.future().completeExceptionally(error);
        }
    }
}
