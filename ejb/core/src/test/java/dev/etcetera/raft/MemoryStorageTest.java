package dev.etcetera.raft;

import static dev.etcetera.raft.RaftTestSupport.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import dev.etcetera.raft.pb.ConfState;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryStorageTest {

    private static MemoryStorage withEntries() {
        MemoryStorage s = new MemoryStorage();
        s.append(List.of(entry(1, 1), entry(1, 2), entry(2, 3), entry(2, 4), entry(3, 5)));
        return s;
    }

    @Test
    void rangesAreHalfOpenAndBoundsChecked() {
        MemoryStorage s = withEntries();
        assertEquals(List.of(entry(1, 2), entry(2, 3)), s.entries(2, 4, Long.MAX_VALUE));
        assertEquals(1, s.firstIndex());
        assertEquals(5, s.lastIndex());
        assertThrows(Storage.UnavailableException.class, () -> s.entries(2, 7, Long.MAX_VALUE));
        assertThrows(Storage.UnavailableException.class, () -> s.term(6));
        assertEquals(List.of(entry(1, 2)), s.entries(2, 5, 1), "at least one entry even over the byte limit");
    }

    @Test
    void compactKeepsTheTermOfTheCompactedIndex() {
        MemoryStorage s = withEntries();
        s.compact(3);
        assertEquals(4, s.firstIndex());
        assertEquals(2, s.term(3));
        assertThrows(Storage.CompactedException.class, () -> s.term(2));
        assertThrows(Storage.CompactedException.class, () -> s.entries(3, 5, Long.MAX_VALUE));
        assertThrows(Storage.CompactedException.class, () -> s.compact(2));
    }

    @Test
    void appendTruncatesConflictingSuffixAndSkipsCompacted() {
        MemoryStorage s = withEntries();
        s.compact(2);
        s.append(List.of(entry(1, 1), entry(1, 2), entry(2, 3), entry(4, 4)));
        assertEquals(List.of(entry(2, 3), entry(4, 4)), s.entries(3, 5, Long.MAX_VALUE));
        assertThrows(IllegalStateException.class, () -> s.append(List.of(entry(4, 7))), "a gap is refused");
    }

    @Test
    void snapshotCreateAndApply() {
        MemoryStorage s = withEntries();
        ConfState cs = RaftTestSupport.voters(1, 2, 3);
        s.createSnapshot(4, cs, ByteString.copyFromUtf8("state"));
        assertEquals(4, s.snapshot().getMetadata().getIndex());
        assertEquals(2, s.snapshot().getMetadata().getTerm());
        assertThrows(IllegalArgumentException.class, () -> s.createSnapshot(3, cs, ByteString.EMPTY));
        MemoryStorage f = new MemoryStorage();
        f.applySnapshot(s.snapshot());
        assertEquals(5, f.firstIndex());
        assertEquals(4, f.lastIndex());
        assertEquals(2, f.term(4));
        assertEquals(cs, f.initialState().confState());
    }
}
