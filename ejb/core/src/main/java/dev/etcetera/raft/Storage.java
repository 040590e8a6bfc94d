package dev.etcetera.raft;

import dev.etcetera.raft.pb.Entry;
import dev.etcetera.raft.pb.Snapshot;
import java.util.List;

/**
 * The port through which Raft reads what the caller has made durable: the hard state, the stable
 * log and the latest snapshot. Raft never writes through it; the caller appends and compacts on its
 * own (see {@link MemoryStorage}) after processing a {@link Ready}.
 *
 * <p>Index ranges are half-open {@code [lo, hi)}. The log always starts just after the latest
 * snapshot: {@code firstIndex() == snapshot.index + 1}, and {@code term(firstIndex() - 1)} is the
 * snapshot's term. Returned lists and messages are immutable and may be shared; callers must not
 * modify them. Calls come from the node-loop thread; an implementation that is also written to by
 * another thread (the apply stage creating snapshots) must make each call atomic.
 */
public interface Storage {

    /** The hard state and configuration saved before the last crash (an empty state when new). */
    InitialState initialState();

    /**
     * Entries in {@code [lo, hi)}, limited to {@code maxBytes} of serialised size but always at least
     * one entry when the range is not empty.
     *
     * @throws CompactedException if {@code lo <= snapshot index}
     * @throws UnavailableException if {@code hi > lastIndex() + 1}
     */
    List<Entry> entries(long lo, long hi, long maxBytes);

    /**
     * The term of entry {@code i}; {@code i} may be the snapshot index (its term is kept).
     *
     * @throws CompactedException if {@code i} is below the snapshot index
     * @throws UnavailableException if {@code i > lastIndex()}
     */
    long term(long i);

    /** Index of the last entry (the snapshot index when the log is empty). */
    long lastIndex();

    /** Index of the first entry still available (snapshot index + 1). */
    long firstIndex();

    /**
     * The most recent snapshot.
     *
     * @throws SnapshotTemporarilyUnavailableException if it is being built; Raft retries later
     */
    Snapshot snapshot();

    /** What a restarting node recovers: its last hard state and configuration. */
    record InitialState(dev.etcetera.raft.pb.HardState hardState, dev.etcetera.raft.pb.ConfState confState) {
    }

    /** The requested index is covered by a snapshot and no longer in the log. */
    final class CompactedException extends RuntimeException {
        public CompactedException(long index, long snapshotIndex) {
            super("requested index " + index + " is unavailable due to compaction (snapshot at " + snapshotIndex + ")");
        }
    }

    /** The requested index is beyond the last stable entry. */
    final class UnavailableException extends RuntimeException {
        public UnavailableException(long index, long lastIndex) {
            super("requested entry at index " + index + " is unavailable (last index " + lastIndex + ")");
        }
    }

    /** The snapshot is being prepared; the leader will retry on a later heartbeat. */
    final class SnapshotTemporarilyUnavailableException extends RuntimeException {
        public SnapshotTemporarilyUnavailableException() {
            super("snapshot is temporarily unavailable");
        }
    }
}
