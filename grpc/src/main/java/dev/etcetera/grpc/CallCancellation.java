package dev.etcetera.grpc;

import dev.etcetera.concurrency.Cancellation;
import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;

/**
 * The client's cancellation of a waiting unary call (Lock, Campaign) as a {@link Cancellation}
 * signal: the call's cancel handler (Helidon reports a client's RST_STREAM through the call, on its
 * connection thread) and the gRPC context, whichever tells first. Must be made during the service
 * method's initial invocation, before its response observer is frozen (grpc-java's rule for
 * {@link ServerCallStreamObserver#setOnCancelHandler}).
 */
final class CallCancellation {
    private CallCancellation() {
    }

    static Cancellation of(StreamObserver<?> observer) {
        CompletableFuture<Void> gone = new CompletableFuture<>();
        if (observer instanceof ServerCallStreamObserver<?> call) {
            call.setOnCancelHandler(() -> gone.complete(null));
            if (call.isCancelled()) {
                gone.complete(null);
            }
        }
        Context context = Context.current();
        context.addListener(c -> gone.complete(null), Runnable::run);
        return Cancellation.signalled(gone);
    }
}
