package dev.etcetera.it.watch;

import dev.etcetera.api.etcdserverpb.WatchCreateRequest;
import dev.etcetera.api.etcdserverpb.WatchGrpc;
import dev.etcetera.api.etcdserverpb.WatchRequest;
import dev.etcetera.api.etcdserverpb.WatchResponse;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One gRPC watch stream to a server, with its responses queued for the test. With
 * {@code manualFlowControl} the stream reads nothing until {@link #read(int)} is called: a client
 * that deliberately stops reading, so HTTP/2 flow control pushes back on the server.
 */
final class WatchClient implements AutoCloseable {
    static final long TIMEOUT_SECONDS = 60;

    final LinkedBlockingQueue<WatchResponse> responses = new LinkedBlockingQueue<>();
    private final StreamObserver<WatchRequest> requests;
    private volatile ClientCallStreamObserver<WatchRequest> call;
    volatile Throwable error;

    WatchClient(ManagedChannel channel, boolean manualFlowControl) {
        // wait-for-ready: a stream opened while the channel reconnects (after a restart) waits instead of failing
        requests = WatchGrpc.newStub(channel).withWaitForReady().watch(new ClientResponseObserver<WatchRequest, WatchResponse>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<WatchRequest> requestStream) {
                call = requestStream;
                if (manualFlowControl) {
                    requestStream.disableAutoRequestWithInitial(0);
                }
            }

            @Override
            public void onNext(WatchResponse value) {
                responses.add(value);
            }

            @Override
            public void onError(Throwable t) {
                error = t;
            }

            @Override
            public void onCompleted() {
            }
        });
    }

    /** Lets {@code n} more responses in (manual flow control only). */
    void read(int n) {
        call.request(n);
    }

    synchronized void create(WatchCreateRequest.Builder c) {
        requests.onNext(WatchRequest.newBuilder().setCreateRequest(c).build());
    }

    WatchResponse next(String what) throws InterruptedException {
        WatchResponse r = responses.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no watch response within " + TIMEOUT_SECONDS + " s waiting for " + what
                    + (error != null ? " (stream failed: " + error + ")" : ""));
        }
        return r;
    }

    @Override
    public void close() {
        try {
            call.cancel("test done", null);
        } catch (RuntimeException ignored) {
            // already closed
        }
    }
}
