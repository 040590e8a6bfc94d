package dev.etcetera.apply;

import dev.etcetera.api.etcdserverpb.LeaseCheckpointRequest;
import dev.etcetera.api.etcdserverpb.LeaseCheckpointResponse;
import dev.etcetera.api.etcdserverpb.LeaseGrantRequest;
import dev.etcetera.api.etcdserverpb.LeaseGrantResponse;
import dev.etcetera.api.etcdserverpb.LeaseRevokeRequest;
import dev.etcetera.api.etcdserverpb.LeaseRevokeResponse;
import dev.etcetera.api.etcdserverpb.ResponseHeader;

/**
 * What the applier needs from the lessor to apply the lease entries of the log (etcd's applier
 * {@code LeaseGrant}, {@code LeaseRevoke}, {@code LeaseCheckpoint}). Implemented by the lease
 * package; the applier dispatches to it when the {@link LeaseLookup} it was given is one. Apply
 * thread only; each method either changes state and answers, or throws an
 * {@link dev.etcetera.server.EtcdException} having changed nothing.
 */
public interface LeaseRequests extends LeaseLookup {

    /** @param header cluster/member/term; the implementation sets the revision */
    LeaseGrantResponse grant(LeaseGrantRequest request, ResponseHeader header);

    /** Deletes every key attached to the lease in one revision, then the lease. */
    LeaseRevokeResponse revoke(LeaseRevokeRequest request, ResponseHeader header);

    LeaseCheckpointResponse checkpoint(LeaseCheckpointRequest request, ResponseHeader header);
}
