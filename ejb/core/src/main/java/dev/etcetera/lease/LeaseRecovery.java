package dev.etcetera.lease;

import com.google.protobuf.ByteString;
import dev.etcetera.api.mvccpb.KeyValue;
import dev.etcetera.mvcc.Backend;
import dev.etcetera.mvcc.MvccStore;

/**
 * Rebuilds the lessor at start (etcd's lessor initAndRecover plus mvcc's restore attaching keys):
 * leases from the backend's lease bucket, attachments from the {@code lease} field of every key that
 * exists at the current revision. Runs once, before the apply thread starts.
 */
public final class LeaseRecovery {
    private static final System.Logger LOG = System.getLogger(LeaseRecovery.class.getName());
    private static final ByteString FIRST_KEY = ByteString.copyFrom(new byte[] {0});

    private LeaseRecovery() {
    }

    /** @return the number of keys attached */
    public static int recover(Lessor lessor, Backend backend, MvccStore store) {
        backend.forEachLease((id, bytes) -> lessor.recover(LeaseRecord.decode(id, bytes)));
        int attached = 0;
        // Whole key space at the latest revision (keys are never empty, so "\0".. covers all).
        for (KeyValue kv : store.readView().range(FIRST_KEY, ByteString.EMPTY, 0, 0, false).kvs()) {
            if (kv.getLease() == 0) {
                continue;
            }
            if (!lessor.exists(kv.getLease())) {
                // etcd logs and goes on: the key stays, without a lease to expire it.
                LOG.log(System.Logger.Level.WARNING, "key " + kv.getKey().toStringUtf8() + " names missing lease "
                        + Long.toHexString(kv.getLease()));
                continue;
            }
            lessor.attach(kv.getKey(), kv.getLease());
            attached++;
        }
        return attached;
    }
}
