package dev.etcetera.lease;

import com.google.protobuf.ByteString;
import dev.etcetera.api.etcdserverpb.LeaseCheckpoint;
import dev.etcetera.api.etcdserverpb.LeaseCheckpointRequest;
import dev.etcetera.api.etcdserverpb.LeaseCheckpointResponse;
import dev.etcetera.api.etcdserverpb.LeaseGrantRequest;
import dev.etcetera.api.etcdserverpb.LeaseGrantResponse;
import dev.etcetera.api.etcdserverpb.LeaseRevokeRequest;
import dev.etcetera.api.etcdserverpb.LeaseRevokeResponse;
import dev.etcetera.api.etcdserverpb.ResponseHeader;
import dev.etcetera.apply.LeaseRequests;
import dev.etcetera.mvcc.KeyLeaseSink;
import dev.etcetera.mvcc.MvccStore;
import dev.etcetera.mvcc.WriteTxn;
import java.util.List;

/**
 * Applies the lease entries of the log to the {@link Lessor} and the store, and keeps the lessor's
 * key attachments in step with the store's writes. Every change of a lease is written into the
 * store's open backend batch, so it commits atomically with the revisions and the consistent index
 * of the same entries (etcd's lease bucket in the same bbolt transaction).
 *
 * <p>Thread: the apply thread only.
 */
public final class LeaseApplier implements LeaseRequests, KeyLeaseSink {
    private final Lessor lessor;
    private final MvccStore store;

    public LeaseApplier(Lessor lessor, MvccStore store) {
        this.lessor = lessor;
        this.store = store;
    }

    @Override
    public boolean exists(long leaseId) {
        return lessor.exists(leaseId);
    }

    @Override
    public LeaseGrantResponse grant(LeaseGrantRequest request, ResponseHeader header) {
        LeaseRecord r = lessor.grant(request.getID(), request.getTTL());
        store.batch().putLease(r.id(), r.encode());
        return LeaseGrantResponse.newBuilder()
                .setHeader(header.toBuilder().setRevision(store.currentRevision()))
                .setID(r.id()).setTTL(r.ttl()).build();
    }

    /** Deletes the lease's keys in one write transaction (one revision), then the lease itself. */
    @Override
    public LeaseRevokeResponse revoke(LeaseRevokeRequest request, ResponseHeader header) {
        long id = request.getID();
        List<ByteString> keys = lessor.keys(id); // LEASE_NOT_FOUND before anything is written
        if (!keys.isEmpty()) {
            WriteTxn txn = store.write();
            try {
                for (ByteString key : keys) {
                    txn.deleteRange(key, null);
                }
            } finally {
                txn.end();
            }
        }
        lessor.remove(id);
        store.batch().deleteLease(id);
        return LeaseRevokeResponse.newBuilder()
                .setHeader(header.toBuilder().setRevision(store.currentRevision())).build();
    }

    @Override
    public LeaseCheckpointResponse checkpoint(LeaseCheckpointRequest request, ResponseHeader header) {
        for (LeaseCheckpoint cp : request.getCheckpointsList()) {
            LeaseRecord r = lessor.checkpoint(cp.getID(), cp.getRemainingTTL());
            if (r != null) {
                store.batch().putLease(r.id(), r.encode());
            }
        }
        return LeaseCheckpointResponse.newBuilder()
                .setHeader(header.toBuilder().setRevision(store.currentRevision())).build();
    }

    @Override
    public void put(ByteString key, long lease) {
        lessor.attach(key, lease);
    }

    @Override
    public void deleted(ByteString key) {
        lessor.detach(key);
    }
}
