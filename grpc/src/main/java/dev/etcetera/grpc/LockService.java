package dev.etcetera.grpc;

import dev.etcetera.api.v3lockpb.LockGrpc;
import dev.etcetera.api.v3lockpb.LockRequest;
import dev.etcetera.api.v3lockpb.LockResponse;
import dev.etcetera.api.v3lockpb.UnlockRequest;
import dev.etcetera.api.v3lockpb.UnlockResponse;
import dev.etcetera.concurrency.Cancellation;
import dev.etcetera.concurrency.Locks;
import dev.etcetera.server.EtcdServer;
import io.grpc.stub.StreamObserver;

/**
 * etcd's {@code v3lockpb.Lock} service. A Lock call may wait a long time; it waits on member
 * callbacks, never on a transport thread, and gives up (removing its waiter key) as soon as the
 * client cancels the call ({@link CallCancellation}). Errors are answered as etcd's embedded client answers them ({@link EmbeddedClientErrors}).
 */
public final class LockService extends LockGrpc.LockImplBase {
    private final Locks locks;

    public LockService(EtcdServer server) {
        this.locks = new Locks(server);
    }

    @Override
    public void lock(LockRequest request, StreamObserver<LockResponse> observer) {
        Cancellation cancelled = CallCancellation.of(observer);
        UnaryReply.from(() -> EmbeddedClientErrors.asUnknown(locks.lock(request, cancelled)), observer);
    }

    @Override
    public void unlock(UnlockRequest request, StreamObserver<UnlockResponse> observer) {
        UnaryReply.from(() -> EmbeddedClientErrors.asUnknown(locks.unlock(request)), observer);
    }
}
