package dev.etcetera.grpc;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Completes a unary call from the member's completion callback, so that no transport thread ever
 * waits for the member. A facade method that throws synchronously (it should not, but a bug must
 * not kill the stream) is answered like a failed future.
 */
final class UnaryReply {
    private UnaryReply() {
    }

    static <T> void from(Supplier<CompletableFuture<T>> call, StreamObserver<T> observer) {
        CompletableFuture<T> future;
        try {
            future = call.get();
        } catch (RuntimeException e) {
            observer.onError(GrpcErrors.toStatus(e));
            return;
        }
        future.whenComplete((response, failure) -> {
            if (failure != null) {
                observer.onError(GrpcErrors.toStatus(failure));
            } else {
                observer.onNext(response);
                observer.onCompleted();
            }
        });
    }
}
