package dev.etcetera.raft;

import static dev.etcetera.raft.RaftTestSupport.entry;
import static dev.etcetera.raft.RaftTestSupport.logOfTerms;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class RaftLogTest {

    private static RaftLog log(long... terms) {
        MemoryStorage s = new MemoryStorage();
        s.append(logOfTerms(terms));
        return new RaftLog(s, Long.MAX_VALUE);
    }

    @Test
    void findConflict() {
        RaftLog l = log(1, 2, 3);
        assertEquals(0, l.findConflict(List.of(entry(1, 1), entry(2, 2))), "all present");
        assertEquals(4, l.findConflict(List.of(entry(3, 3), entry(4, 4))), "new entries");
        assertEquals(2, l.findConflict(List.of(entry(4, 2), entry(4, 3))), "conflict at 2");
    }

    @Test
    void findConflictByTermSkipsWholeTerms() {
        RaftLog l = log(1, 1, 2, 2, 4, 4, 4);
        assertArrayEquals(new long[] {4, 2}, l.findConflictByTerm(7, 3), "last entry with term <= 3");
        assertArrayEquals(new long[] {2, 1}, l.findConflictByTerm(7, 1));
        assertArrayEquals(new long[] {0, 0}, l.findConflictByTerm(7, 0));
    }

    @Test
    void maybeAppendRefusesMismatchAndNeverTruncatesCommitted() {
        RaftLog l = log(1, 1, 2);
        assertEquals(-1, l.maybeAppend(3, 1, 3, List.of(entry(3, 4))), "preceding entry term differs");
        assertEquals(4, l.maybeAppend(3, 2, 2, List.of(entry(3, 4))));
        assertEquals(2, l.committed, "commit = min(leader commit, last new index)");
        assertThrows(IllegalStateException.class, () -> l.maybeAppend(1, 1, 2, List.of(entry(5, 2))),
                "overwriting a committed entry is a safety violation");
    }

    @Test
    void unstableEntriesBecomeStableAfterPersisting() {
        RaftLog l = log(1);
        l.append(List.of(entry(2, 2), entry(2, 3)));
        assertEquals(List.of(entry(2, 2), entry(2, 3)), l.unstableEntries());
        assertEquals(1, l.lastStableIndex());
        ((MemoryStorage) l.storage).append(l.unstableEntries());
        l.stableTo(3, 2);
        assertEquals(List.of(), l.unstableEntries());
        assertEquals(3, l.lastStableIndex());
        l.stableTo(3, 1);
    }

    @Test
    void committedEntriesHandedOutOnceInOrder() {
        RaftLog l = log(1, 1, 1);
        l.commitTo(2);
        assertEquals(List.of(entry(1, 1), entry(1, 2)), l.nextCommittedEntries());
        l.appliedTo(2);
        assertEquals(List.of(), l.nextCommittedEntries());
        l.commitTo(3);
        assertEquals(List.of(entry(1, 3)), l.nextCommittedEntries());
        assertThrows(IllegalStateException.class, () -> l.commitTo(9), "cannot commit beyond the log");
    }
}
