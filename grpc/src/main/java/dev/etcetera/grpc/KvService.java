package dev.etcetera.grpc;

import dev.etcetera.api.etcdserverpb.CompactionRequest;
import dev.etcetera.api.etcdserverpb.CompactionResponse;
import dev.etcetera.api.etcdserverpb.DeleteRangeRequest;
import dev.etcetera.api.etcdserverpb.DeleteRangeResponse;
import dev.etcetera.api.etcdserverpb.KVGrpc;
import dev.etcetera.api.etcdserverpb.PutRequest;
import dev.etcetera.api.etcdserverpb.PutResponse;
import dev.etcetera.api.etcdserverpb.RangeRequest;
import dev.etcetera.api.etcdserverpb.RangeResponse;
import dev.etcetera.api.etcdserverpb.TxnRequest;
import dev.etcetera.api.etcdserverpb.TxnResponse;
import dev.etcetera.server.EtcdServer;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * etcd's {@code etcdserverpb.KV} service: each call goes straight to the member facade.
 *
 * <p>Threads: Helidon runs every HTTP/2 stream on its own virtual thread and calls a unary method on
 * it. A call is answered <em>on that thread</em>: it waits (unmounted, so no carrier is held) for
 * the member's future and then writes the response. It must not be answered from the member's
 * completion thread instead: Helidon 4.5's stream loop ({@code Http2ServerStream.handle}) re-reads
 * the gRPC stream state only after the handler returns and then blocks on the next inbound DATA
 * frame, which a unary client never sends; a response completed later from another thread closes
 * the call but leaves that virtual thread and its buffers (about 17 KiB per call) parked for the
 * life of the process, even after the connection closes. Under 100 clients that filled a 1 GiB heap
 * in about 40k calls (OutOfMemoryError, full GCs of seconds). Answering on the stream thread also
 * keeps response encoding and socket writes off the apply thread.
 */
public final class KvService extends KVGrpc.KVImplBase {
    private final EtcdServer server;

    public KvService(EtcdServer server) {
        this.server = server;
    }

    @Override
    public void range(RangeRequest request, StreamObserver<RangeResponse> observer) {
        answer(() -> server.range(request), observer);
    }

    @Override
    public void put(PutRequest request, StreamObserver<PutResponse> observer) {
        answer(() -> server.put(request), observer);
    }

    @Override
    public void deleteRange(DeleteRangeRequest request, StreamObserver<DeleteRangeResponse> observer) {
        answer(() -> server.deleteRange(request), observer);
    }

    @Override
    public void txn(TxnRequest request, StreamObserver<TxnResponse> observer) {
        answer(() -> server.txn(request), observer);
    }

    @Override
    public void compact(CompactionRequest request, StreamObserver<CompactionResponse> observer) {
        answer(() -> server.compact(request), observer);
    }

    /**
     * Calls the facade and answers on the calling (stream) thread once its future completes. The
     * facade's futures always complete (with the outcome, or STOPPED when the member closes), so the
     * wait is bounded by the request's own processing. A facade method that throws synchronously (it
     * should not, but a bug must not kill the stream) is answered like a failed future.
     */
    static <T> void answer(Supplier<CompletableFuture<T>> call, StreamObserver<T> observer) {
        T response;
        try {
            CompletableFuture<T> future = call.get();
            response = future.join();
        } catch (RuntimeException e) { // CompletionException and CancellationException included: the table unwraps
            observer.onError(GrpcErrors.toStatus(e));
            return;
        }
        observer.onNext(response);
        observer.onCompleted();
    }
}
