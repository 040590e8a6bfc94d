package dev.etcetera.grpc;

import dev.etcetera.api.etcdserverpb.LeaseGrantRequest;
import dev.etcetera.api.etcdserverpb.LeaseGrantResponse;
import dev.etcetera.api.etcdserverpb.LeaseGrpc;
import dev.etcetera.api.etcdserverpb.LeaseKeepAliveRequest;
import dev.etcetera.api.etcdserverpb.LeaseKeepAliveResponse;
import dev.etcetera.api.etcdserverpb.LeaseLeasesRequest;
import dev.etcetera.api.etcdserverpb.LeaseLeasesResponse;
import dev.etcetera.api.etcdserverpb.LeaseRevokeRequest;
import dev.etcetera.api.etcdserverpb.LeaseRevokeResponse;
import dev.etcetera.api.etcdserverpb.LeaseTimeToLiveRequest;
import dev.etcetera.api.etcdserverpb.LeaseTimeToLiveResponse;
import dev.etcetera.server.EtcdServer;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;

/**
 * etcd's {@code etcdserverpb.Lease} service. LeaseKeepAlive is a bidi stream: every request renews
 * one lease and is answered by one response, in order (a keepalive of an expired lease is answered
 * only once its revoke is applied, and later requests of the stream wait behind it, as in etcd's
 * serial leaseKeepAlive loop); an error ends the stream. Responses are sent under the stream's
 * monitor, since renewals may complete on member threads.
 */
public final class LeaseService extends LeaseGrpc.LeaseImplBase {
    private final EtcdServer server;

    public LeaseService(EtcdServer server) {
        this.server = server;
    }

    @Override
    public void leaseGrant(LeaseGrantRequest request, StreamObserver<LeaseGrantResponse> observer) {
        UnaryReply.from(() -> server.leaseGrant(request), observer);
    }

    @Override
    public void leaseRevoke(LeaseRevokeRequest request, StreamObserver<LeaseRevokeResponse> observer) {
        UnaryReply.from(() -> server.leaseRevoke(request), observer);
    }

    @Override
    public void leaseTimeToLive(LeaseTimeToLiveRequest request, StreamObserver<LeaseTimeToLiveResponse> observer) {
        UnaryReply.from(() -> server.leaseTimeToLive(request), observer);
    }

    @Override
    public void leaseLeases(LeaseLeasesRequest request, StreamObserver<LeaseLeasesResponse> observer) {
        UnaryReply.from(() -> server.leaseLeases(request), observer);
    }

    @Override
    public StreamObserver<LeaseKeepAliveRequest> leaseKeepAlive(StreamObserver<LeaseKeepAliveResponse> responses) {
        return new StreamObserver<>() {
            private boolean done;
            /** The last renewal of this stream: each waits for the one before, so answers keep request order. */
            private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

            @Override
            public void onNext(LeaseKeepAliveRequest request) {
                synchronized (this) {
                    if (done) {
                        return;
                    }
                    tail = tail.thenCompose(v -> server.leaseRenew(request).handle((response, failure) -> {
                        answer(response, failure);
                        return null;
                    }));
                }
            }

            private synchronized void answer(LeaseKeepAliveResponse response, Throwable failure) {
                if (done) {
                    return;
                }
                if (failure != null) {
                    done = true;
                    responses.onError(GrpcErrors.toStatus(failure));
                } else {
                    responses.onNext(response);
                }
            }

            @Override
            public synchronized void onError(Throwable t) {
                done = true;
            }

            @Override
            public void onCompleted() {
                synchronized (this) {
                    if (done) {
                        return;
                    }
                    // etcd's loop returns (ending the call) once the client has sent its last request and
                    // that request has been answered
                    tail = tail.thenRun(this::complete);
                }
            }

            private synchronized void complete() {
                if (!done) {
                    done = true;
                    responses.onCompleted();
                }
            }
        };
    }
}
