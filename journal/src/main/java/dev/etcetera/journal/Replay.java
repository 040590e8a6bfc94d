package dev.etcetera.journal;

import java.util.List;

/**
 * What the journal holds, as read back by {@link Journal#replay(long)}.
 *
 * @param snapshot  the latest snapshot marker, or {@code null} when none was ever saved
 * @param hardState the latest hard state, or {@code null} when none was ever saved
 * @param entries   the live log from the requested index on, ascending and consecutive, after
 *                  applying every truncation (a later entry at an existing index replaces that
 *                  index and everything after it); owned by the caller
 * @param firstIndex the lowest index the journal still holds (entries below were released), or
 *                  {@code lastIndex + 1} when it holds none
 * @param lastIndex the highest live index (0 for an empty log; at least the snapshot index)
 */
public record Replay(SnapshotMarker snapshot, HardState hardState, List<JournalEntry> entries,
                     long firstIndex, long lastIndex) {

    public Replay {
        entries = List.copyOf(entries);
    }
}
