/**
 * etcd's multi-version concurrency control store: revisions, the in-memory key index, and the
 * {@link dev.etcetera.mvcc.MvccStore} over a {@link dev.etcetera.mvcc.Backend} port (JE in
 * {@code dev.etcetera.storage.je}; {@link dev.etcetera.mvcc.MemoryBackend} for tests).
 *
 * <p>Invariants.
 * <ul>
 *   <li><b>Revisions.</b> The store revision starts at 1. Every write transaction that changes
 *       something (a Put, a DeleteRange that deletes, a Txn with at least one change) takes exactly
 *       the next main revision; its changes get sub revisions 0, 1, ... in the order made. A
 *       transaction that changes nothing leaves the revision alone. Revisions never go back, also
 *       across restarts (the current revision is at least the highest stored one and at least the
 *       compacted one).</li>
 *   <li><b>Records.</b> Every change is a record in the backend at its revision: a put stores the
 *       full {@code KeyValue} (create_revision kept while the key lives, version 1 on creation and +1
 *       per put, mod_revision = its main revision); a delete stores a tombstone (key and
 *       mod_revision only). Records are immutable once written; only compaction removes them.</li>
 *   <li><b>Key index.</b> For every key the index holds the ordered revisions of its records not
 *       yet compacted, tombstones included ({@link dev.etcetera.mvcc.KeyIndex}). A key exists at
 *       revision r iff its last event at or before r is a put. The index is rebuilt from the records
 *       at open; it equals what the applied transactions built.</li>
 *   <li><b>Single writer, lock-free readers.</b> Only the apply thread mutates the index and the
 *       backend. Readers take the published revision and ignore newer events; each key's events are
 *       published through one volatile reference to an immutable view, so a reader sees a whole
 *       transaction or none of it, and never a revision that is not yet durable: a revision is
 *       published only after the batch containing it was committed (synced when no journal holds
 *       the entries).</li>
 *   <li><b>Compaction at c.</b> Accepted only for {@code compacted < c <= current}. Once published,
 *       reads below c fail with COMPACTED (a read that started earlier and overlaps it fails too).
 *       It keeps, for each key, its last record at or before c unless that is a tombstone, and every
 *       record after c; keys left without records leave the index. The index is compacted before any
 *       record is removed; records are removed in bounded batches. The scheduled revision is written
 *       with the batch that accepts the compaction, the finished one with the last removal batch; at
 *       open, scheduled &gt; finished means the removal is redone.</li>
 *   <li><b>Order.</b> Keys order by unsigned bytes. A range end of null means the single key, an
 *       empty one means "to the end of the key space" (etcd's "\0"), otherwise it is exclusive.</li>
 * </ul>
 */
package dev.etcetera.mvcc;
