package dev.etcetera.concurrency;

import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * How a waiting Lock or Campaign learns that its caller gave up (etcd: the request's context is
 * cancelled). The wait asks {@link #isCancelled()} whenever it looks again, and looks again at once
 * when {@link #signal()} completes; a caller that can only be asked (never signals) is noticed at
 * the next revision of the store. Once cancelled, a waiter gives up its place (deletes its key or
 * resigns) instead of taking what it waited for.
 */
public interface Cancellation {

    /** A caller that never gives up. */
    Cancellation NEVER = polled(() -> false);

    boolean isCancelled();

    /** Completes when the caller gives up; may never complete. Completing it need not be the only way to cancel. */
    CompletableFuture<?> signal();

    /** A caller that can only be asked. */
    static Cancellation polled(BooleanSupplier cancelled) {
        CompletableFuture<Void> never = new CompletableFuture<>();
        return new Cancellation() {
            @Override
            public boolean isCancelled() {
                return cancelled.getAsBoolean();
            }

            @Override
            public CompletableFuture<?> signal() {
                return never;
            }
        };
    }

    /** A caller that gives up by completing {@code signal} (and is asked through it too). */
    static Cancellation signalled(CompletableFuture<?> signal) {
        return new Cancellation() {
            @Override
            public boolean isCancelled() {
                return signal.isDone();
            }

            @Override
            public CompletableFuture<?> signal() {
                return signal;
            }
        };
    }
}
