package dev.etcetera.grpc;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Answers a unary call on the thread that delivered it: Helidon runs every HTTP/2 stream on its own
 * virtual thread, which waits here (unmounted, holding no carrier) for the member's future and then
 * writes the response.
 *
 * <p>Why not complete it from the member's completion callback: Helidon 4.5's stream loop
 * ({@code Http2ServerStream.handle}) re-reads the gRPC stream state only when the handler returns
 * and then blocks on the next inbound DATA frame, which a unary client never sends. A response
 * completed later from another thread closes the call but leaves that virtual thread and its buffers
 * (about 17 KiB per call) parked for the life of the process, even after the connection closes:
 * under 100 clients a 1 GiB heap filled in about 40k calls (OutOfMemoryError, full GCs of seconds).
 * Answering on the stream thread also keeps response encoding and socket writes off the member's
 * apply thread.
 *
 * <p>The wait is bounded by the request itself: the facade's futures always complete (with the
 * outcome, or STOPPED when the member closes); waits that depend on other clients (lock, campaign)
 * look at the call's cancellation (which Helidon signals from the connection's thread) at each new
 * revision, so a cancelled one releases its thread at the next write. A facade method that
 * throws synchronously (it should not, but a bug must not kill the stream) is answered like a failed
 * future.
 */
final class UnaryReply {
    private UnaryReply() {
    }

    static <T> void from(Supplier<CompletableFuture<T>> call, StreamObserver<T> observer) {
        T response;
        try {
            response = call.get().join();
        } catch (RuntimeException e) { // CompletionException and CancellationException included: the table unwraps
            observer.onError(GrpcErrors.toStatus(e));
            return;
        }
        observer.onNext(response);
        observer.onCompleted();
    }
}
