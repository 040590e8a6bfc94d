package dev.etcetera.grpc;

import dev.etcetera.server.EtcdException;
import io.grpc.Status;
import java.util.concurrent.CompletableFuture;

/**
 * The error contract of etcd's v3lock and v3election services. etcd serves them through an embedded clientv3
 * that calls its own KV and Lease API; clientv3 turns etcd's errors into plain error values that carry no gRPC
 * status, so whatever fails inside Lock, Campaign, Proclaim, Resign, Leader or Observe reaches the caller as
 * {@code Unknown} with etcd's message (measured against etcd 3.4: Lock on an unknown lease answers
 * {@code Unknown "etcdserver: requested lease not found"}, not the Lease API's {@code NotFound}). Messages are
 * kept exactly: clients match on them.
 */
final class EmbeddedClientErrors {
    private EmbeddedClientErrors() {
    }

    /** {@code future}, with an {@link EtcdException} failure turned into {@code Unknown} with the same message. */
    static <T> CompletableFuture<T> asUnknown(CompletableFuture<T> future) {
        return future.exceptionallyCompose(failure -> CompletableFuture.failedFuture(toUnknown(failure)));
    }

    static Throwable toUnknown(Throwable failure) {
        if (GrpcErrors.unwrap(failure) instanceof EtcdException ee) {
            return Status.UNKNOWN.withDescription(ee.getMessage()).asRuntimeException();
        }
        return failure;
    }
}
