package dev.etcetera.raft;

import dev.etcetera.raft.pb.Entry;
import dev.etcetera.raft.pb.Snapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * Entries (and possibly a snapshot) that Raft accepted but the caller has not yet persisted.
 * {@code entries.get(i)} is log index {@code offset + i}. After the caller persists a Ready it calls
 * {@link #stableTo} / {@link #stableSnapTo} and they leave this buffer for {@link Storage}.
 */
final class Unstable {
    Snapshot snapshot;
    List<Entry> entries = new ArrayList<>();
    long offset;

    Unstable(long offset) {
        this.offset = offset;
    }

    /** First index, known only if a snapshot is pending (otherwise the storage knows). */
    long maybeFirstIndex() {
        return snapshot != null ? snapshot.getMetadata().getIndex() + 1 : -1;
    }

    /** Last index of the unstable entries or snapshot; -1 if neither. */
    long maybeLastIndex() {
        if (!entries.isEmpty()) {
            return offset + entries.size() - 1;
        }
        return snapshot != null ? snapshot.getMetadata().getIndex() : -1;
    }

    /** Term of index {@code i} if this buffer knows it; -1 otherwise. */
    long maybeTerm(long i) {
        if (i < offset) {
            if (snapshot != null && snapshot.getMetadata().getIndex() == i) {
                return snapshot.getMetadata().getTerm();
            }
            return -1;
        }
        long last = maybeLastIndex();
        if (last < 0 || i > last) {
            return -1;
        }
        return entries.get((int) (i - offset)).getTerm();
    }

    /** Entries up to {@code i} (of term {@code t}) are now durable. Ignored if the log changed since. */
    void stableTo(long i, long t) {
        long gt = maybeTerm(i);
        if (gt < 0) {
            return;
        }
        // only drop them if the entry was not overwritten in the meantime (a newer term replaced it)
        if (gt == t && i >= offset) {
            entries = new ArrayList<>(entries.subList((int) (i + 1 - offset), entries.size()));
            offset = i + 1;
        }
    }

    void stableSnapTo(long i) {
        if (snapshot != null && snapshot.getMetadata().getIndex() == i) {
            snapshot = null;
        }
    }

    void restore(Snapshot s) {
        offset = s.getMetadata().getIndex() + 1;
        entries = new ArrayList<>();
        snapshot = s;
    }

    void truncateAndAppend(List<Entry> ents) {
        long after = ents.get(0).getIndex();
        if (after == offset + entries.size()) {
            entries.addAll(ents);
        } else if (after <= offset) {
            // the new entries replace everything unstable (and maybe some stable entries)
            offset = after;
            entries = new ArrayList<>(ents);
        } else {
            List<Entry> kept = new ArrayList<>(entries.subList(0, (int) (after - offset)));
            kept.addAll(ents);
            entries = kept;
        }
    }

    /** Entries {@code [lo, hi)}, all within the buffer. */
    List<Entry> slice(long lo, long hi) {
        long upper = offset + entries.size();
        if (lo > hi || lo < offset || hi > upper) {
            throw new IllegalStateException("unstable.slice[" + lo + "," + hi + ") out of bound [" + offset + "," + upper + "]");
        }
        return entries.subList((int) (lo - offset), (int) (hi - offset));
    }
}
