/**
 * The journal: Etcetera's write-ahead log for Raft entries, hard state and snapshot markers,
 * modelled on BookKeeper's bookie journal (a queue of appends, one writer thread, one sync thread
 * that fdatasyncs once for a whole group and then completes every append in it) and on etcd's WAL
 * (what a Raft log needs: truncation, hard state, snapshot markers, release).
 *
 * <h2>Threads of the file journal</h2>
 * Appenders queue encoded records (blocking while more than {@code maxPendingBytes} are not yet
 * durable). One <em>write token</em> serializes the writing: its holder drains the queue, writes
 * a group to the current segment, and then either fdatasyncs it itself, when the sync thread is
 * idle and nothing more is queued (a lone appender costs one write and one fdatasync, no thread
 * hand-off), or hands it to the sync thread. While a sync is in flight, appends stay queued
 * (unless {@code PREWRITE_BYTES} pile up, which the writer then writes ahead): when the sync
 * ends, the sync thread itself writes everything queued meanwhile with one call (at most
 * {@code maxBatchBytes}) and syncs it at once. So under load there is one write call and one
 * fdatasync per group, and no thread hand-off per append. The holder is the writer thread, the
 * sync thread after a sync, or a (platform) thread about to block on a journal future while no
 * sync is in flight, which does the pending work instead of sleeping. Futures are completed by
 * whichever thread ran the sync, in call order. An interrupt of a thread doing journal work never
 * stops the journal: segment I/O closed by it is reopened and redone.
 *
 * <p>{@link dev.etcetera.journal.Journal} is the port; {@link dev.etcetera.journal.FileJournal}
 * the file implementation; {@link dev.etcetera.journal.MemoryJournal} the in-memory one with
 * injectable faults for simulation. The data model (entry = index, term, type, payload; hard state
 * = term, vote, commit; snapshot marker = index, term) is independent of the Raft message classes.
 *
 * <h2>Invariants</h2>
 * <ol>
 *   <li>A future completes normally only after its records and all earlier ones were fdatasynced.</li>
 *   <li>The live log is contiguous. An entry at an existing index replaces it and everything after
 *       it (Raft truncation), never at or below the commit index or the snapshot.</li>
 *   <li>Every segment file is preallocated (zeros written, not a sparse hole) before it gets its
 *       name, so syncs never change file size or allocation and fdatasync writes only data.</li>
 *   <li>A segment that has a successor ends with a seal record, and the successor existed on disk
 *       before the seal was written. Nothing is written to a segment before its predecessor's seal
 *       is durable.</li>
 *   <li>Every segment starts with the hard state and snapshot marker in force when it was
 *       created, so releasing earlier segments never loses them.</li>
 *   <li>A failed write or sync stops the journal for good (see {@code Journal}).</li>
 * </ol>
 *
 * <h2>Directory</h2>
 * <pre>
 *   LOCK                                  advisory lock held while a journal is open
 *   0000000000000000-0000000000000001.wal segment seq 0, first index 1
 *   0000000000000001-00000000000a1b2c.wal segment seq 1, first index 0xa1b2c
 *   next.tmp                              zero-filled file being prepared for the next segment
 * </pre>
 * A segment name is {@code <seq>-<firstIndex>.wal}, both 16 lower-case hex digits: {@code seq}
 * counts from 0 without gaps; {@code firstIndex} is the index of the first entry that will be
 * written to it (the last index + 1 when it was created). A new segment is made by writing its
 * prelude into {@code next.tmp}, forcing it, renaming it atomically and syncing the directory.
 *
 * <h2>Segment</h2>
 * A segment is a sequence of records from offset 0, followed by zeros up to its preallocated size
 * ({@code --journal-segment-bytes}, default 64 MiB). The first record is a HEADER; next come a
 * STATE and a SNAPSHOT record when the log had them (the prelude); then any number of ENTRY,
 * STATE and SNAPSHOT records in write order; then, if a successor exists, one SEAL record.
 * A record never spans two segments; a batch may.
 *
 * <h2>Record frame</h2>
 * Big-endian. A 16-byte header, then the body:
 * <pre>
 *   offset size
 *    0      4   body length L (bytes after the header)
 *    4      1   type: 1 HEADER, 2 ENTRY, 3 STATE, 4 SNAPSHOT, 5 SEAL (0 never: zeros mean "no record")
 *    5      3   zero
 *    8      4   CRC32C of the body
 *   12      4   CRC32C of header bytes [0, 12)
 *   16      L   body
 * </pre>
 * The header has its own checksum so that a damaged length is recognised before it is used.
 * Bodies:
 * <pre>
 *   HEADER   magic u32 0x45544a31 ("ETJ1") | version u16 = 1 | u16 0 | seq u64 | firstIndex u64 | segmentBytes u64
 *   ENTRY    index u64 | term u64 | type i32 | payload (L - 20 bytes)
 *   STATE    term u64 | vote u64 | commit u64
 *   SNAPSHOT index u64 | term u64
 *   SEAL     nextSeq u64
 * </pre>
 *
 * <h2>Replay</h2>
 * Segments are read in sequence order: each must continue the previous one (its first index is
 * the previous last index + 1), entries may not leave a gap, a later entry at an existing index
 * truncates, the latest STATE and SNAPSHOT win, and a SNAPSHOT beyond the last index restarts the
 * log after it. Entries at or below the latest snapshot marker are not returned.
 *
 * <h2>Torn tail versus corruption</h2>
 * Reading a segment stops at the first position that does not hold a good record:
 * <ul>
 *   <li><b>zeros</b> where a header would be: the end of the written data;</li>
 *   <li><b>torn</b>: a record whose checksum fails and that has a sector-aligned 512-byte piece
 *       that is all zeros (storage writes whole sectors, and the file was zero-filled, so a write
 *       cut short leaves such a piece), or a record cut off by the end of a file shorter than its
 *       preallocated size;</li>
 *   <li>anything else (a checksum mismatch without a zero sector, an impossible type or length, a
 *       malformed body, a header that does not match the file name) is <b>corruption</b>.</li>
 * </ul>
 * At start-up, zeros or a torn record in the <em>last</em> segment are the tail: everything from
 * there on is zeroed and the file is extended back to its preallocated size (a warning is
 * logged). In any earlier segment (which must end with a seal), a missing segment in the
 * sequence, a sealed last segment (its successor is missing), or corruption anywhere, opening
 * fails with a {@link dev.etcetera.journal.JournalCorruptionException} naming the file and offset.
 * One repair besides the tail: a last segment that holds only its prelude while its predecessor
 * is unsealed (a crash during rotation) is deleted. All repairs are idempotent. Recovery then
 * fdatasyncs every segment and the directory: what a killed process left in the page cache
 * becomes durable before the member acts on it (votes, acknowledgements to the leader).
 *
 * <p>Limits of detection, shared with etcd's WAL: a zeroed range, or damage to a record that
 * itself contains a zero sector, inside the last segment cannot be told from a torn write and is
 * truncated as a tail; the first segments missing as a whole are reported by {@code replay} when
 * it needs entries they held.
 */
package dev.etcetera.journal;
