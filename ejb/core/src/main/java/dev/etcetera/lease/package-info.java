/**
 * Leases (etcd's {@code lease} package): the {@link dev.etcetera.lease.Lessor}, the applier of the
 * lease entries of the log ({@link dev.etcetera.lease.LeaseApplier}) and the leader's expiry and
 * checkpoint duty ({@link dev.etcetera.lease.LeaseExpiry}).
 *
 * <p>Invariants.
 * <ul>
 *   <li>Which leases exist, their granted TTL, their checkpointed remaining TTL and the keys attached
 *       to them change only when a committed entry is applied (grant, revoke, checkpoint, put,
 *       delete), so all members agree. A key belongs to at most one lease: a put with another lease
 *       (or none) detaches it from the old one; a delete detaches it.</li>
 *   <li>Only the primary lessor (the leader's) has expiry instants, from an injected
 *       {@link dev.etcetera.lease.LeaseClock}; a lease never expires anywhere else. An expired lease
 *       is revoked by <em>proposing</em> a LeaseRevoke, never by changing state directly; applying it
 *       deletes all its keys in one write transaction, hence one revision, then the lease.</li>
 *   <li>On promotion every lease expires its full TTL from then (or its checkpointed remainder), as
 *       etcd's Promote. With checkpointing (on by default) the leader records, every 5 minutes, the
 *       remaining TTL of leases longer than that, so repeated leader changes cannot keep a lease
 *       alive forever; a keepalive clears the checkpoint through the log.</li>
 *   <li>TTL bounds: a grant above 9,000,000,000 s fails (LEASE_TTL_TOO_LARGE); one below the
 *       minimum (ceil of 1.5 x election timeout) is raised to it; ID 0 in the log is refused, any
 *       other ID (negative ones too, as etcd) is taken.</li>
 *   <li>Keepalives and remaining TTLs are the primary's business: on a non-primary lessor
 *       {@link dev.etcetera.lease.Lessor#renew} fails with NOT_LEADER, and its
 *       {@link dev.etcetera.lease.Lessor#timeToLive} knows only the granted or checkpointed TTL. A
 *       replicated member must therefore forward LeaseKeepAlive and LeaseTimeToLive to the leader
 *       (etcd's leasehttp) instead of answering them locally; the single member is always primary.
 *       A keepalive of a lease that has expired is answered only once its revoke is applied.</li>
 * </ul>
 *
 * <p>On disk: the backend's lease bucket maps the lease ID (8 bytes, big-endian) to a
 * {@link dev.etcetera.lease.LeaseRecord} (17 bytes: format byte 1, granted TTL, remaining TTL, both
 * big-endian int64 seconds), written in the same batch as the entry's revisions and consistent
 * index. Attachments are not stored: at start they are rebuilt from the {@code lease} field of
 * every live key.
 */
package dev.etcetera.lease;
