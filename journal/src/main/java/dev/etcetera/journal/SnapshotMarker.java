package dev.etcetera.journal;

/**
 * Records that the state machine up to and including {@code index} (of {@code term}) is held in a
 * snapshot stored outside the journal. On replay, entries at or below the latest marker are not
 * returned, and a log that ended before the marker restarts right after it (a follower that
 * installed a leader's snapshot).
 *
 * @param index last log index covered by the snapshot, {@code >= 0}
 * @param term  term of that entry, {@code >= 0}
 */
public record SnapshotMarker(long index, long term) {

    public SnapshotMarker {
        if (index < 0 || term < 0) {
            throw new IllegalArgumentException("snapshot index and term must be >= 0: index=" + index
                    + " term=" + term);
        }
    }
}
