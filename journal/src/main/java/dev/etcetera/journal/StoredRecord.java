package dev.etcetera.journal;

/**
 * A record as stored in a segment (see the format in {@code package-info.java}). Package-private:
 * callers see only {@link JournalEntry}, {@link HardState} and {@link SnapshotMarker}.
 */
sealed interface StoredRecord {

    /** First record of every segment. */
    record Header(long seq, long firstIndex, long segmentBytes) implements StoredRecord {
    }

    record Entry(JournalEntry entry) implements StoredRecord {
    }

    record State(HardState hardState) implements StoredRecord {
    }

    record Snapshot(SnapshotMarker marker) implements StoredRecord {
    }

    /** Last record of a segment that has a successor; names the successor's sequence. */
    record Seal(long nextSeq) implements StoredRecord {
    }
}
