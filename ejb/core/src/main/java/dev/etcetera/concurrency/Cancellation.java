package dev.etcetera.concurrency;

import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * How a waiting Lock or Campaign learns that its caller gave up (etcd: the request's context is
 * cancelled). The wait asks {@link #isCancelled()} whenever it looks again, and looks again at once
 * when {@link #signal()} completes; a caller that can only be asked (never signals) is noticed at
 * the next revision of the store. Once cancelled, a waiter gives up its place (deletes its key or
 * resigns) instead of taking what it waited for.
 *
 * @param asked  whether the caller has given up
 * @param signal completes when the caller gives up; may never complete (completing it need not be the
 *               only way to cancel)
 */
public record Cancellation(BooleanSupplier asked, CompletableFuture<?> signal) {

    public boolean isCancelled() {
        return asked.getAsBoolean();
    }

    /** A caller that can only be asked. */
    public static Cancellation polled(BooleanSupplier cancelled) {
        return new Cancellation(cancelled, new CompletableFuture<Void>());
    }

    /** A caller that gives up by completing {@code signal} (and is asked through it too). */
    public static Cancellation signalled(CompletableFuture<?> signal) {
        return new Cancellation(signal::isDone, signal);
    }
}
