package dev.etcetera.apply;

/**
 * What applying a put needs from the lessor: whether a lease exists (etcd's {@code Lessor.Lookup}).
 * The lease package implements it when leases arrive; until then {@link #NONE} knows no lease, so a
 * put naming one fails with LEASE_NOT_FOUND as in etcd. Called on the apply thread only.
 */
@FunctionalInterface
public interface LeaseLookup {

    /** A lessor with no leases. */
    LeaseLookup NONE = id -> false;

    boolean exists(long leaseId);
}
