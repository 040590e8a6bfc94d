/**
 * The MVCC backend on Berkeley DB JE ({@link dev.etcetera.storage.je.JeBackend}).
 *
 * <p>On-disk format. One transactional JE environment in the member's {@code member/db/}
 * directory (JE's own log files {@code NNNNNNNN.jdb}), holding three databases:
 * <ul>
 *   <li><b>{@code key}</b>: one record per change of the key space.
 *       Key: 8-byte big-endian main revision, the byte {@code '_'} (0x5F), 8-byte big-endian sub
 *       revision, and for a deletion one more byte {@code 't'} (0x74): 17 bytes for a put, 18 for a
 *       tombstone. JE's default comparator (unsigned bytes) therefore orders records by revision.
 *       Value: the protobuf encoding of {@code mvccpb.KeyValue}: for a put the full key-value
 *       (key, create_revision, mod_revision = main, version, value, lease); for a tombstone only
 *       key and mod_revision.</li>
 *   <li><b>{@code meta}</b>: ASCII keys, 8-byte big-endian signed values:
 *       {@code consistent_index} and {@code consistent_term} (the last applied log entry, written in
 *       the same transaction as its effects), {@code scheduled_compact_revision} (written in the
 *       transaction that accepts a compaction, before anything is removed) and
 *       {@code finished_compact_revision} (written in the transaction that removes the last
 *       compacted record).</li>
 *   <li><b>{@code lease}</b>: key: the lease ID, 8-byte big-endian; value: the lease package's
 *       {@code LeaseRecord} (17 bytes: format byte 1, granted TTL, checkpointed remaining TTL, both
 *       big-endian int64 seconds). Written in the same transaction as the entry that granted,
 *       checkpointed or revoked the lease.</li>
 * </ul>
 *
 * <p>Invariants: every record's mod_revision equals the main revision of its key (checked when
 * read back); a record is never rewritten, only removed by compaction; the key index is not stored,
 * it is rebuilt from the {@code key} database at open.
 */
package dev.etcetera.storage.je;
