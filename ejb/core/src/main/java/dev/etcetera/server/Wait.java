package dev.etcetera.server;

import com.google.protobuf.Message;
import dev.etcetera.apply.ApplyResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Callers waiting for the outcome of their proposal, by envelope ID (etcd's {@code wait.Wait}).
 * Registered by request threads before proposing, triggered by the apply thread. Thread-safe.
 */
final class Wait {
    private final ConcurrentHashMap<Long, CompletableFuture<Message>> waiting = new ConcurrentHashMap<>();

    CompletableFuture<Message> register(long id) {
        CompletableFuture<Message> f = new CompletableFuture<>();
        if (waiting.putIfAbsent(id, f) != null) {
            throw new IllegalStateException("duplicate request id " + id);
        }
        return f;
    }

    boolean isRegistered(long id) {
        return waiting.containsKey(id);
    }

    /** Completes the caller waiting for {@code id}, if any (none after a restart or for a peer's entry). */
    void trigger(long id, ApplyResult result) {
        CompletableFuture<Message> f = waiting.remove(id);
        if (f == null) {
            return;
        }
        if (result.error() != null) {
            f.completeExceptionally(result.error());
        } else {
            f.complete(result.response());
        }
    }

    void fail(long id, EtcdException error) {
        CompletableFuture<Message> f = waiting.remove(id);
        if (f != null) {
            f.completeExceptionally(error);
        }
    }

    void failAll(EtcdException error) {
        for (Long id : waiting.keySet()) {
            fail(id, error);
        }
    }

    int size() {
        return waiting.size();
    }
}
