package dev.etcetera.journal;

import java.util.ArrayList;
import java.util.List;

/**
 * Rebuilds the live log from stored records in write order, applying Raft truncation: an entry at
 * an index that already exists replaces it and drops everything after it. Shared by the file and
 * in-memory journals so that both replay by the same rules.
 *
 * <p>Not thread-safe; one replay owns one builder.
 */
final class ReplayBuilder {

    private final long fromIndex;
    private final ArrayList<JournalEntry> entries = new ArrayList<>();
    private long firstHeld = -1;
    private long lastIndex;
    private HardState hardState;
    private SnapshotMarker snapshot;

    /** @param fromIndex lowest index to keep; {@code Long.MAX_VALUE} keeps none (state only) */
    ReplayBuilder(long fromIndex) {
        this.fromIndex = fromIndex;
    }

    /**
     * Starts a segment whose first entry will be {@code firstIndex}.
     *
     * @return a problem description when the segment does not continue the log, else {@code null}
     */
    String segmentStart(long firstIndex) {
        if (firstHeld < 0) {
            firstHeld = firstIndex;
            lastIndex = firstIndex - 1;
            return null;
        }
        if (firstIndex != lastIndex + 1) {
            return "segment starts at index " + firstIndex + " but the log before it ends at " + lastIndex;
        }
        return null;
    }

    /** @return a problem description when the entry leaves a gap, else {@code null} */
    String entry(JournalEntry e) {
        if (e.index() > lastIndex + 1) {
            return "entry " + e.index() + " leaves a gap after index " + lastIndex;
        }
        if (e.index() <= lastIndex) {
            // Truncation: drop the kept entries at or after e.index().
            int keep = entries.size();
            while (keep > 0 && entries.get(keep - 1).index() >= e.index()) {
                keep--;
            }
            entries.subList(keep, entries.size()).clear();
        }
        lastIndex = e.index();
        if (e.index() >= fromIndex) {
            entries.add(e);
        }
        return null;
    }

    void state(HardState hs) {
        hardState = hs;
    }

    void snapshot(SnapshotMarker marker) {
        snapshot = marker;
        if (marker.index() > lastIndex) {
            // The log restarts after the snapshot (a follower installed the leader's snapshot).
            entries.clear();
            lastIndex = marker.index();
        }
    }

    /** Feeds one non-structural record; returns a problem description or {@code null}. */
    String record(StoredRecord r) {
        return switch (r) {
            case StoredRecord.Entry e -> entry(e.entry());
            case StoredRecord.State s -> {
                state(s.hardState());
                yield null;
            }
            case StoredRecord.Snapshot s -> {
                snapshot(s.marker());
                yield null;
            }
            case StoredRecord.Header h -> segmentStart(h.firstIndex());
            case StoredRecord.Seal s -> null;
        };
    }

    long lastIndex() {
        return lastIndex;
    }

    long firstHeld() {
        return firstHeld < 0 ? 1 : firstHeld;
    }

    HardState hardState() {
        return hardState;
    }

    SnapshotMarker snapshot() {
        return snapshot;
    }

    /**
     * The first index a replay from {@code fromIndex} needs that the records do not hold, or -1
     * when nothing is missing.
     */
    long firstMissing() {
        long snap = snapshot == null ? 0 : snapshot.index();
        long required = Math.max(fromIndex, snap + 1);
        long first = firstHeld();
        return required < first && required <= lastIndex ? required : -1;
    }

    /** The live entries kept so far (index >= fromIndex), including any a snapshot covers. */
    List<JournalEntry> liveEntries() {
        return List.copyOf(entries);
    }

    Replay build() {
        long snap = snapshot == null ? 0 : snapshot.index();
        List<JournalEntry> live = entries;
        int skip = 0;
        while (skip < live.size() && live.get(skip).index() <= snap) {
            skip++;
        }
        long first = firstHeld();
        return new Replay(snapshot, hardState, live.subList(skip, live.size()),
                Math.min(first, lastIndex + 1), lastIndex);
    }
}
