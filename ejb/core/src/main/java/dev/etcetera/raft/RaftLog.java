package dev.etcetera.raft;

import dev.etcetera.raft.pb.Entry;
import dev.etcetera.raft.pb.Snapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * The node's view of the log: durable entries in {@link Storage} followed by {@link Unstable}
 * entries, plus the commit and applied indexes.
 *
 * <p>Invariants: {@code applied <= committed <= lastIndex()}; an entry at or below
 * {@code committed} is never truncated (truncating one is a safety violation and throws).
 */
final class RaftLog {
    final Storage storage;
    final Unstable unstable;
    long committed;
    long applied;
    private final long maxApplyBytes;

    RaftLog(Storage storage, long maxApplyBytes) {
        this.storage = storage;
        this.maxApplyBytes = maxApplyBytes;
        long first = storage.firstIndex();
        long last = storage.lastIndex();
        this.unstable = new Unstable(last + 1);
        this.committed = first - 1;
        this.applied = first - 1;
    }

    long firstIndex() {
        long i = unstable.maybeFirstIndex();
        return i >= 0 ? i : storage.firstIndex();
    }

    long lastIndex() {
        long i = unstable.maybeLastIndex();
        return i >= 0 ? i : storage.lastIndex();
    }

    /** Index of the last entry the caller has persisted (what the leader may count for itself). */
    long lastStableIndex() {
        if (unstable.snapshot != null) {
            return storage.lastIndex();
        }
        return unstable.offset - 1;
    }

    long lastTerm() {
        return termOrZero(lastIndex());
    }

    /**
     * Term of entry {@code i}: 0 if {@code i} is beyond the log or below the dummy entry.
     *
     * @throws Storage.CompactedException if it is compacted
     */
    long term(long i) {
        long dummy = firstIndex() - 1;
        if (i < dummy || i > lastIndex()) {
            if (i < dummy) {
                throw new Storage.CompactedException(i, dummy);
            }
            return 0;
        }
        long t = unstable.maybeTerm(i);
        if (t >= 0) {
            return t;
        }
        return storage.term(i);
    }

    /** Like {@link #term} but 0 for a compacted index. */
    long termOrZero(long i) {
        try {
            return term(i);
        } catch (Storage.CompactedException e) {
            return 0;
        }
    }

    boolean matchTerm(long i, long t) {
        try {
            return term(i) == t;
        } catch (Storage.CompactedException e) {
            return false;
        }
    }

    /**
     * Appends {@code ents} that follow entry {@code (index, logTerm)} if we have that entry,
     * truncating a conflicting suffix, and advances the commit index to
     * {@code min(committed, last new index)}.
     *
     * @return the last index of the new entries, or -1 if the preceding entry does not match
     */
    long maybeAppend(long index, long logTerm, long leaderCommit, List<Entry> ents) {
        if (!matchTerm(index, logTerm)) {
            return -1;
        }
        long lastNew = index + ents.size();
        long ci = findConflict(ents);
        if (ci != 0) {
            if (ci <= committed) {
                throw new IllegalStateException("entry " + ci + " conflicts with committed entry [committed(" + committed + ")]");
            }
            append(ents.subList((int) (ci - index - 1), ents.size()));
        }
        commitTo(Math.min(leaderCommit, lastNew));
        return lastNew;
    }

    long append(List<Entry> ents) {
        if (ents.isEmpty()) {
            return lastIndex();
        }
        long after = ents.get(0).getIndex() - 1;
        if (after < committed) {
            throw new IllegalStateException("after(" + after + ") is out of range [committed(" + committed + ")]");
        }
        unstable.truncateAndAppend(ents);
        return lastIndex();
    }

    /**
     * The index of the first entry in {@code ents} that is new or conflicts with the log (different
     * term at the same index); 0 if all of them are already present.
     */
    long findConflict(List<Entry> ents) {
        for (Entry e : ents) {
            if (!matchTerm(e.getIndex(), e.getTerm())) {
                return e.getIndex();
            }
        }
        return 0;
    }

    /**
     * Fast back-off: the largest index {@code <= index} whose term is {@code <= term}, returned as
     * {@code {index, term}}. Entries in between cannot match a log whose entry at that point has
     * {@code term}, so the leader may skip them in one round trip.
     */
    long[] findConflictByTerm(long index, long term) {
        for (; index > 0; index--) {
            long t;
            try {
                t = term(index);
            } catch (Storage.CompactedException e) {
                return new long[] {index, 0};
            }
            if (t <= term) {
                return new long[] {index, t};
            }
        }
        return new long[] {0, 0};
    }

    List<Entry> unstableEntries() {
        return unstable.entries.isEmpty() ? List.of() : List.copyOf(unstable.entries);
    }

    /** Committed entries not yet applied, limited in bytes (at least one). */
    List<Entry> nextCommittedEntries() {
        long off = Math.max(applied + 1, firstIndex());
        if (committed + 1 > off) {
            return slice(off, committed + 1, maxApplyBytes);
        }
        return List.of();
    }

    boolean hasNextCommittedEntries() {
        long off = Math.max(applied + 1, firstIndex());
        return committed + 1 > off;
    }

    boolean hasPendingSnapshot() {
        return unstable.snapshot != null;
    }

    Snapshot snapshot() {
        if (unstable.snapshot != null) {
            return unstable.snapshot;
        }
        return storage.snapshot();
    }

    void commitTo(long tocommit) {
        if (committed < tocommit) {
            if (lastIndex() < tocommit) {
                throw new IllegalStateException("tocommit(" + tocommit + ") is out of range [lastIndex(" + lastIndex()
                        + ")]. Was the raft log corrupted, truncated, or lost?");
            }
            committed = tocommit;
        }
    }

    void appliedTo(long i) {
        if (i == 0) {
            return;
        }
        if (committed < i || i < applied) {
            throw new IllegalStateException("applied(" + i + ") is out of range [prevApplied(" + applied + "), committed(" + committed + ")]");
        }
        applied = i;
    }

    void stableTo(long i, long t) {
        unstable.stableTo(i, t);
    }

    void stableSnapTo(long i) {
        unstable.stableSnapTo(i);
    }

    /** Whether a candidate whose last entry is {@code (lasti, term)} is at least as up to date (§5.4.1). */
    boolean isUpToDate(long lasti, long term) {
        long lt = lastTerm();
        return term > lt || (term == lt && lasti >= lastIndex());
    }

    /** Entries from {@code i} to the end, at most {@code maxBytes} (but at least one). */
    List<Entry> entries(long i, long maxBytes) {
        if (i > lastIndex()) {
            return List.of();
        }
        return slice(i, lastIndex() + 1, maxBytes);
    }

    List<Entry> allEntries() {
        return entries(firstIndex(), Long.MAX_VALUE);
    }

    /** Commits {@code maxIndex} only if its entry is from {@code term} (§5.4.2). */
    boolean maybeCommit(long maxIndex, long term) {
        if (maxIndex > committed && termOrZero(maxIndex) == term) {
            commitTo(maxIndex);
            return true;
        }
        return false;
    }

    void restore(Snapshot s) {
        committed = s.getMetadata().getIndex();
        unstable.restore(s);
    }

    /** Entries {@code [lo, hi)} from storage and/or the unstable buffer, limited in bytes. */
    List<Entry> slice(long lo, long hi, long maxBytes) {
        long first = firstIndex();
        if (lo < first) {
            throw new Storage.CompactedException(lo, first - 1);
        }
        if (hi > lastIndex() + 1) {
            throw new IllegalStateException("slice[" + lo + "," + hi + ") out of bound [" + first + "," + lastIndex() + "]");
        }
        if (lo == hi) {
            return List.of();
        }
        List<Entry> out = new ArrayList<>();
        if (lo < unstable.offset) {
            List<Entry> stored = storage.entries(lo, Math.min(hi, unstable.offset), maxBytes);
            out.addAll(stored);
            if (stored.size() < Math.min(hi, unstable.offset) - lo) {
                return out; // hit the byte limit (or storage has less than expected)
            }
        }
        if (hi > unstable.offset) {
            out.addAll(unstable.slice(Math.max(lo, unstable.offset), hi));
        }
        return limitSize(out, maxBytes);
    }

    static List<Entry> limitSize(List<Entry> ents, long maxBytes) {
        if (ents.isEmpty() || maxBytes == Long.MAX_VALUE) {
            return ents;
        }
        long size = ents.get(0).getSerializedSize();
        int limit = 1;
        for (; limit < ents.size(); limit++) {
            size += ents.get(limit).getSerializedSize();
            if (size > maxBytes) {
                break;
            }
        }
        return limit == ents.size() ? ents : new ArrayList<>(ents.subList(0, limit));
    }

    @Override
    public String toString() {
        return "committed=" + committed + ", applied=" + applied + ", unstable.offset=" + unstable.offset
                + ", len(unstable.entries)=" + unstable.entries.size();
    }
}
