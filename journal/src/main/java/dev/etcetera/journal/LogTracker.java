package dev.etcetera.journal;

/**
 * The log position and Raft state a stream of records leads to, used to validate appends before
 * they are queued (and, in the writer, to know what a new segment's prelude must repeat).
 *
 * <p>Not thread-safe: each owner confines it to one thread or guards it with one lock.
 */
final class LogTracker {

    private long lastIndex;
    private HardState hardState;
    private SnapshotMarker snapshot;

    LogTracker(long lastIndex, HardState hardState, SnapshotMarker snapshot) {
        this.lastIndex = lastIndex;
        this.hardState = hardState;
        this.snapshot = snapshot;
    }

    long lastIndex() {
        return lastIndex;
    }

    HardState hardState() {
        return hardState;
    }

    SnapshotMarker snapshot() {
        return snapshot;
    }

    long commit() {
        return hardState == null ? 0 : hardState.commit();
    }

    /**
     * @throws IllegalArgumentException if the batch would leave a gap, truncate committed or
     *         snapshotted entries, or move the hard state backwards; nothing changes then
     */
    void checkBatch(JournalBatch batch) {
        if (!batch.entries().isEmpty()) {
            long first = batch.entries().getFirst().index();
            if (first > lastIndex + 1) {
                throw new IllegalArgumentException("entry " + first + " would leave a gap: last index is " + lastIndex);
            }
            if (first <= lastIndex) {
                long floor = Math.max(commit(), snapshot == null ? 0 : snapshot.index());
                if (first <= floor) {
                    throw new IllegalArgumentException("entry " + first + " would truncate committed or snapshotted"
                            + " entries (commit " + commit() + ", snapshot " + (snapshot == null ? 0 : snapshot.index()) + ")");
                }
            }
        }
        HardState hs = batch.hardState();
        if (hs != null && hardState != null) {
            if (hs.term() < hardState.term()) {
                throw new IllegalArgumentException("hard state term goes back from " + hardState.term() + " to " + hs.term());
            }
            if (hs.commit() < hardState.commit()) {
                throw new IllegalArgumentException("hard state commit goes back from " + hardState.commit() + " to " + hs.commit());
            }
            if (hs.term() == hardState.term() && hardState.vote() != 0 && hs.vote() != hardState.vote()) {
                throw new IllegalArgumentException("vote changes from " + hardState.vote() + " to " + hs.vote()
                        + " within term " + hs.term());
            }
        }
    }

    void applyBatch(JournalBatch batch) {
        if (!batch.entries().isEmpty()) {
            lastIndex = batch.entries().getLast().index();
        }
        if (batch.hardState() != null) {
            hardState = batch.hardState();
        }
    }

    /** @throws IllegalArgumentException if the marker is older than the latest one */
    void checkSnapshot(SnapshotMarker marker) {
        if (snapshot != null && marker.index() < snapshot.index()) {
            throw new IllegalArgumentException("snapshot " + marker.index() + " is older than snapshot " + snapshot.index());
        }
    }

    void applySnapshot(SnapshotMarker marker) {
        snapshot = marker;
        lastIndex = Math.max(lastIndex, marker.index());
    }

    /** Applies one stored record (writer side: records were validated when queued). */
    void apply(StoredRecord r) {
        switch (r) {
            case StoredRecord.Entry e -> lastIndex = e.entry().index();
            case StoredRecord.State s -> hardState = s.hardState();
            case StoredRecord.Snapshot s -> applySnapshot(s.marker());
            case StoredRecord.Header h -> {
            }
            case StoredRecord.Seal s -> {
            }
        }
    }
}
