package dev.etcetera.grpc;

import dev.etcetera.api.etcdserverpb.AlarmRequest;
import dev.etcetera.api.etcdserverpb.AlarmResponse;
import dev.etcetera.api.etcdserverpb.MaintenanceGrpc;
import dev.etcetera.api.etcdserverpb.StatusRequest;
import dev.etcetera.api.etcdserverpb.StatusResponse;
import dev.etcetera.server.EtcdServer;
import io.grpc.stub.StreamObserver;

/**
 * etcd's {@code etcdserverpb.Maintenance} service. Status is served by the member; the remaining
 * RPCs (defragment, hash, snapshot, move-leader, downgrade) come with later issues and answer
 * {@code Unimplemented} until then, which etcd clients surface as a plain error.
 */
public final class MaintenanceService extends MaintenanceGrpc.MaintenanceImplBase {
    private final EtcdServer server;

    public MaintenanceService(EtcdServer server) {
        this.server = server;
    }

    @Override
    public void status(StatusRequest request, StreamObserver<StatusResponse> observer) {
        UnaryReply.from(() -> server.status(request), observer);
    }

    @Override
    public void alarm(AlarmRequest request, StreamObserver<AlarmResponse> observer) {
        UnaryReply.from(() -> server.alarm(request), observer);
    }
}
