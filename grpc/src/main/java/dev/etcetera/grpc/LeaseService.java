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

/**
 * etcd's {@code etcdserverpb.Lease} service. LeaseKeepAlive is a bidi stream: every request renews
 * one lease and is answered by one response, in order; an error ends the stream (etcd's
 * leaseKeepAlive loop). Responses are sent under the stream's monitor, since renewals may complete
 * on member threads.
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

            @Override
            public void onNext(LeaseKeepAliveRequest request) {
                server.leaseRenew(request).whenComplete((response, failure) -> {
                    synchronized (this) {
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
                });
            }

            @Override
            public void onError(Throwable t) {
                synchronized (this) {
                    done = true;
                }
            }

            @Override
            public void onCompleted() {
                synchronized (this) {
                    if (!done) {
                        done = true;
                        responses.onCompleted();
                    }
                }
            }
        };
    }
}
