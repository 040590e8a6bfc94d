/**
 * The apply stage: turns a committed replicated request ({@code InternalRaftRequest}) into changes
 * of the MVCC store and the response the caller gets, with etcd's semantics for Put, DeleteRange,
 * Txn (compares, nested txns, ranges seeing the txn's own writes) and Compaction, and the Range
 * logic (filters, sort, limit, count) shared with reads that do not go through the log. Lease entries
 * (grant, revoke, checkpoint) go to the lessor through the {@link dev.etcetera.apply.LeaseRequests}
 * port when the applier was given one; a put naming a lease asks {@link dev.etcetera.apply.LeaseLookup}.
 *
 * <p>Invariants: entries are applied in log index order on one thread, each exactly once (an entry
 * at or below the store's consistent index is skipped); an entry that fails changes nothing (every
 * check that can fail runs before the first write); one entry that writes creates exactly one
 * revision; a read-only txn creates none. Nothing here blocks, reads a clock or starts a thread.
 */
package dev.etcetera.apply;
