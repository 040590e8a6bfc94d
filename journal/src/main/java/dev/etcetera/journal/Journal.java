package dev.etcetera.journal;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * The write-ahead log port: persists Raft entries, hard state and snapshot markers before they
 * are acknowledged, and reads them back at start.
 *
 * <h2>Durability</h2>
 * A future returned by {@link #append} or {@link #saveSnapshot} completes normally only once its
 * records, and every record of every earlier call, are on stable storage (for the file journal:
 * written and {@code fdatasync}ed). Futures complete in call order. Calls from many threads are
 * grouped so that one sync acknowledges many of them (group commit).
 *
 * <h2>Ordering and validation</h2>
 * The journal keeps the Raft log contiguous. The entries of an append must start at most one past
 * the current last index. Starting at or below the last index truncates: the new entry replaces
 * that index and drops everything after it, both for later calls and on replay. Truncating at or
 * below the highest commit index the journal has been given is refused, as are hard states whose
 * term or commit go backwards. Violations throw {@link IllegalArgumentException} from the call
 * itself and change nothing. Validation and queueing happen atomically, so concurrent callers are
 * ordered by the moment their call validated.
 *
 * <h2>Failure</h2>
 * A failed write or sync is fatal: the journal stops, every pending and later future completes
 * exceptionally with {@link JournalFailedException}, later calls throw it, and the fatal-error
 * handler given at open is told once. Nothing is retried and nothing is skipped: after a failed
 * sync the kernel may have dropped the dirty pages, so the only safe continuation is a restart
 * that re-reads what is really on disk.
 *
 * <h2>Threads</h2>
 * Every method is thread-safe. Futures are completed on the thread that made the
 * records durable: one of the journal's own threads or, for the file journal, a caller blocked in
 * {@code get}/{@code join} of one of its futures that did the write and sync itself. Dependent
 * actions must be short and must not block (use the {@code *Async} variants for anything heavy),
 * or they delay every later acknowledgement.
 *
 * <h2>Backpressure</h2>
 * {@link #append} and {@link #saveSnapshot} may block the caller while the journal holds too
 * many bytes not yet durable (for the file journal {@code maxPendingBytes}, see
 * {@link JournalOptions}); they never block when called from a completion callback.
 */
public interface Journal extends AutoCloseable {

    /**
     * Queues a batch for persistence.
     *
     * @return a future completed when the batch (and all earlier calls) is durable, or completed
     *         exceptionally with {@link JournalFailedException} if the journal failed first
     * @throws IllegalArgumentException if the batch breaks log contiguity or Raft monotonicity
     *         (see the class comment), or a record does not fit in one segment
     * @throws JournalFailedException   if the journal already failed or was closed
     */
    CompletableFuture<Void> append(JournalBatch batch);

    /**
     * Queues a snapshot marker: the state machine up to {@code marker.index()} is held in a
     * snapshot outside the journal. Save the snapshot itself durably first. If the marker is beyond
     * the last index, the log restarts at {@code marker.index() + 1} (a follower installing a
     * leader's snapshot).
     *
     * @return a future completed when the marker (and all earlier calls) is durable
     * @throws IllegalArgumentException if the marker is older than the latest one
     * @throws JournalFailedException   if the journal already failed or was closed
     */
    CompletableFuture<Void> saveSnapshot(SnapshotMarker marker);

    /**
     * Reads back what the journal durably holds: the latest snapshot marker and hard state, and
     * the live entries with index {@code >= fromIndex}. Records queued but not yet durable when the
     * call starts are not included. Every record read is checked again (length, CRC32C).
     *
     * @param fromIndex lowest entry index wanted, {@code >= 1}; entries below the latest snapshot
     *                  marker are never returned
     * @throws JournalCorruptionException if a stored record is damaged, a segment is missing, or
     *         entries in {@code [max(fromIndex, snapshot + 1), lastIndex]} are not held (released
     *         or lost)
     * @throws IOException                on an I/O error while reading
     */
    Replay replay(long fromIndex) throws IOException;

    /**
     * Releases storage no longer needed: whole segments whose entries are all at or below
     * {@code snapshotIndex - retainEntries} (the retained tail serves slow followers). The latest
     * durable snapshot marker must be at or beyond {@code snapshotIndex}; the segment being
     * written is never released. Releasing never changes what {@link #replay} returns for
     * {@code fromIndex > snapshotIndex - retainEntries}.
     *
     * @return the number of segments released
     * @throws IllegalStateException if no durable snapshot marker covers {@code snapshotIndex}
     * @throws IOException           if a segment could not be deleted
     */
    int release(long snapshotIndex) throws IOException;

    /** The highest live log index accepted so far (not necessarily durable yet); 0 when empty. */
    long lastIndex();

    /** Counters for monitoring and for tests of group commit. */
    JournalStats stats();

    /**
     * Stops accepting calls, waits for queued records to become durable (completing their
     * futures), then releases files and threads. Idempotent.
     */
    @Override
    void close();
}
