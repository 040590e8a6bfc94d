package dev.etcetera.grpc;

import dev.etcetera.api.v3electionpb.CampaignRequest;
import dev.etcetera.api.v3electionpb.CampaignResponse;
import dev.etcetera.api.v3electionpb.ElectionGrpc;
import dev.etcetera.api.v3electionpb.LeaderRequest;
import dev.etcetera.api.v3electionpb.LeaderResponse;
import dev.etcetera.api.v3electionpb.ProclaimRequest;
import dev.etcetera.api.v3electionpb.ProclaimResponse;
import dev.etcetera.api.v3electionpb.ResignRequest;
import dev.etcetera.api.v3electionpb.ResignResponse;
import dev.etcetera.concurrency.Cancellation;
import dev.etcetera.concurrency.Elections;
import dev.etcetera.server.EtcdServer;
import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * etcd's {@code v3electionpb.Election} service; Observe is a server stream that ends when the client cancels.
 * Errors are answered as etcd's embedded client answers them ({@link EmbeddedClientErrors}).
 */
public final class ElectionService extends ElectionGrpc.ElectionImplBase {
    private final Elections elections;

    public ElectionService(EtcdServer server) {
        this.elections = new Elections(server);
    }

    @Override
    public void campaign(CampaignRequest request, StreamObserver<CampaignResponse> observer) {
        Cancellation cancelled = CallCancellation.of(observer);
        UnaryReply.from(() -> EmbeddedClientErrors.asUnknown(elections.campaign(request, cancelled)), observer);
    }

    @Override
    public void proclaim(ProclaimRequest request, StreamObserver<ProclaimResponse> observer) {
        UnaryReply.from(() -> EmbeddedClientErrors.asUnknown(elections.proclaim(request)), observer);
    }

    @Override
    public void leader(LeaderRequest request, StreamObserver<LeaderResponse> observer) {
        UnaryReply.from(() -> EmbeddedClientErrors.asUnknown(elections.leader(request)), observer);
    }

    @Override
    public void resign(ResignRequest request, StreamObserver<ResignResponse> observer) {
        UnaryReply.from(() -> EmbeddedClientErrors.asUnknown(elections.resign(request)), observer);
    }

    @Override
    public void observe(LeaderRequest request, StreamObserver<LeaderResponse> observer) {
        Context context = Context.current();
        boolean[] cancelled = new boolean[1];
        if (observer instanceof ServerCallStreamObserver<LeaderResponse> call) {
            call.setOnCancelHandler(() -> {
                synchronized (cancelled) {
                    cancelled[0] = true;
                }
            });
        }
        elections.observe(request, response -> {
            synchronized (cancelled) {
                if (!cancelled[0]) {
                    observer.onNext(response);
                }
            }
        }, () -> {
            synchronized (cancelled) {
                return cancelled[0] || context.isCancelled();
            }
        }).whenComplete((v, failure) -> {
            synchronized (cancelled) {
                if (cancelled[0]) {
                    return;
                }
                if (failure != null) {
                    observer.onError(GrpcErrors.toStatus(EmbeddedClientErrors.toUnknown(failure)));
                } else {
                    observer.onCompleted();
                }
            }
        });
    }
}
