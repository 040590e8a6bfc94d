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

/**
 * etcd's {@code etcdserverpb.KV} service: each call goes straight to the member facade and is
 * answered on its own stream thread (see {@link UnaryReply} for why).
 */
public final class KvService extends KVGrpc.KVImplBase {
    private final EtcdServer server;

    public KvService(EtcdServer server) {
        this.server = server;
    }

    @Override
    public void range(RangeRequest request, StreamObserver<RangeResponse> observer) {
        UnaryReply.from(() -> server.range(request), observer);
    }

    @Override
    public void put(PutRequest request, StreamObserver<PutResponse> observer) {
        UnaryReply.from(() -> server.put(request), observer);
    }

    @Override
    public void deleteRange(DeleteRangeRequest request, StreamObserver<DeleteRangeResponse> observer) {
        UnaryReply.from(() -> server.deleteRange(request), observer);
    }

    @Override
    public void txn(TxnRequest request, StreamObserver<TxnResponse> observer) {
        UnaryReply.from(() -> server.txn(request), observer);
    }

    @Override
    public void compact(CompactionRequest request, StreamObserver<CompactionResponse> observer) {
        UnaryReply.from(() -> server.compact(request), observer);
    }
}
