package dev.etcetera.journal;

import java.util.List;

/**
 * What one Raft {@code Ready} asks to persist: consecutive entries and, optionally, a new hard
 * state. Records of a batch are written in this order: entries (ascending index), then the hard
 * state. A batch is not atomic on disk: after a crash, a batch whose future had not completed may
 * be found in part (a prefix of its records) or not at all; a batch whose future completed is
 * found whole.
 *
 * @param entries   consecutive entries (each index one more than the previous), possibly empty;
 *                  ownership of the payload arrays passes to the journal (see {@link JournalEntry})
 * @param hardState the new hard state, or {@code null} when it did not change
 */
public record JournalBatch(List<JournalEntry> entries, HardState hardState) {

    public JournalBatch {
        entries = List.copyOf(entries);
        for (int i = 1; i < entries.size(); i++) {
            if (entries.get(i).index() != entries.get(i - 1).index() + 1) {
                throw new IllegalArgumentException("batch entries must be consecutive: index "
                        + entries.get(i).index() + " follows " + entries.get(i - 1).index());
            }
        }
        if (entries.isEmpty() && hardState == null) {
            throw new IllegalArgumentException("empty batch: no entries and no hard state");
        }
    }

    public static JournalBatch of(List<JournalEntry> entries) {
        return new JournalBatch(entries, null);
    }

    public static JournalBatch of(List<JournalEntry> entries, HardState hardState) {
        return new JournalBatch(entries, hardState);
    }

    public static JournalBatch of(HardState hardState) {
        return new JournalBatch(List.of(), hardState);
    }
}
