package dev.etcetera.storage.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.etcetera.journal.FileJournal;
import dev.etcetera.journal.Journal;
import dev.etcetera.journal.JournalOptions;
import dev.etcetera.journal.MemoryJournal;
import dev.etcetera.raft.Storage;
import dev.etcetera.raft.pb.ConfState;
import dev.etcetera.raft.pb.Entry;
import dev.etcetera.raft.pb.EntryType;
import dev.etcetera.raft.pb.HardState;
import dev.etcetera.raft.pb.Snapshot;
import dev.etcetera.raft.pb.SnapshotMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The Raft storage adapter on a real {@link FileJournal} in a temp dir and on {@link MemoryJournal}:
 * what Raft reads is exactly what was made durable, before and after a restart.
 */
class JournalRaftStorageTest {

    @TempDir
    Path dir;

    /** Opens the journal again over the same "disk": a clean reopen for files, a crash for memory. */
    interface Medium {
        Journal open();

        /** Stops the journal as a crash would (memory) or as a clean close (files). */
        void stop(Journal j);
    }

    static Stream<String> media() {
        return Stream.of("file", "memory");
    }

    private Medium medium(String kind) {
        if (kind.equals("file")) {
            JournalOptions options = JournalOptions.defaults(dir.resolve("wal"))
                    .withSegmentBytes(JournalOptions.MIN_SEGMENT_BYTES).withMaxBatchBytes(JournalOptions.MIN_SEGMENT_BYTES)
                    .withRetainEntries(10).validate();
            return new Medium() {
                @Override
                public Journal open() {
                    try {
                        return FileJournal.open(options, t -> {
                        });
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }

                @Override
                public void stop(Journal j) {
                    j.close();
                }
            };
        }
        MemoryJournal.Disk disk = new MemoryJournal.Disk();
        return new Medium() {
            @Override
            public Journal open() {
                return MemoryJournal.open(disk, MemoryJournal.SyncMode.ON_APPEND, 10, t -> {
                });
            }

            @Override
            public void stop(Journal j) {
                ((MemoryJournal) j).crash(0);
            }
        };
    }

    private static Entry entry(long index, long term, String data) {
        return Entry.newBuilder().setIndex(index).setTerm(term).setType(EntryType.ENTRY_NORMAL)
                .setData(ByteString.copyFromUtf8(data)).build();
    }

    private static List<Entry> entries(long from, long to, long term) {
        List<Entry> out = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            out.add(entry(i, term, "e" + i + "t" + term + "-" + "p".repeat(500)));
        }
        return out;
    }

    private static HardState hs(long term, long vote, long commit) {
        return HardState.newBuilder().setTerm(term).setVote(vote).setCommit(commit).build();
    }

    private static <T> T await(CompletableFuture<T> f, String what) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    private static Snapshot snapshot(long index, long term, ConfState cs) {
        return Snapshot.newBuilder().setData(ByteString.copyFromUtf8("state@" + index))
                .setMetadata(SnapshotMetadata.newBuilder().setIndex(index).setTerm(term).setConfState(cs)).build();
    }

    @ParameterizedTest
    @MethodSource("media")
    void savedEntriesAndHardStateAreReadBackAfterARestart(String kind) throws Exception {
        Medium m = medium(kind);
        Journal j = m.open();
        JournalRaftStorage s = JournalRaftStorage.open(j, null, 10);
        assertEquals(0, s.lastIndex());
        assertEquals(1, s.firstIndex());
        await(s.save(hs(1, 1, 0), entries(1, 5, 1)), "save 1..5");
        await(s.save(hs(1, 1, 3), List.of()), "save commit 3");
        assertEquals(5, s.lastIndex());
        assertEquals(entries(1, 5, 1), s.entries(1, 6, Long.MAX_VALUE));
        assertEquals(1, s.term(5));
        assertEquals(0, s.term(0), "term of the (empty) snapshot index");
        assertEquals(hs(1, 1, 3), s.initialState().hardState());
        assertThrows(Storage.UnavailableException.class, () -> s.entries(1, 7, Long.MAX_VALUE));
        assertThrows(Storage.UnavailableException.class, () -> s.term(6));
        long two = entries(1, 2, 1).stream().mapToLong(Entry::getSerializedSize).sum();
        assertEquals(2, s.entries(1, 6, two).size(), "maxBytes limits the result to what fits");
        assertEquals(1, s.entries(1, 6, 0).size(), "at least one entry even over maxBytes");
        m.stop(j);

        Journal j2 = m.open();
        JournalRaftStorage r = JournalRaftStorage.open(j2, null, 10);
        assertEquals(5, r.lastIndex());
        assertEquals(entries(1, 5, 1), r.entries(1, 6, Long.MAX_VALUE));
        assertEquals(hs(1, 1, 3), r.initialState().hardState());
        j2.close();
    }

    @ParameterizedTest
    @MethodSource("media")
    void aConflictingAppendTruncatesTheSuffixButNeverCommittedEntries(String kind) throws Exception {
        Medium m = medium(kind);
        Journal j = m.open();
        JournalRaftStorage s = JournalRaftStorage.open(j, null, 10);
        await(s.save(hs(1, 0, 3), entries(1, 6, 1)), "save 1..6");
        await(s.save(hs(2, 0, 3), entries(4, 5, 2)), "overwrite 4..5 with term 2");
        assertEquals(5, s.lastIndex(), "entry 6 of term 1 is gone");
        assertEquals(2, s.term(4));
        assertEquals(1, s.term(3));
        assertThrows(IllegalArgumentException.class, () -> s.save(null, entries(3, 3, 2)),
                "the journal refuses to truncate a committed entry");
        assertEquals(5, s.lastIndex(), "a refused save changes nothing");
        m.stop(j);

        Journal j2 = m.open();
        JournalRaftStorage r = JournalRaftStorage.open(j2, null, 10);
        List<Entry> expected = new ArrayList<>(entries(1, 3, 1));
        expected.addAll(entries(4, 5, 2));
        assertEquals(expected, r.entries(1, 6, Long.MAX_VALUE));
        assertEquals(hs(2, 0, 3), r.initialState().hardState());
        j2.close();
    }

    @ParameterizedTest
    @MethodSource("media")
    void aSnapshotCompactsTheLogKeepingCatchupEntriesAndSurvivesARestart(String kind) throws Exception {
        Medium m = medium(kind);
        Journal j = m.open();
        JournalRaftStorage s = JournalRaftStorage.open(j, null, 10);
        for (long i = 1; i <= 400; i += 50) {
            await(s.save(hs(3, 1, i + 49), entries(i, i + 49, 3)), "save " + i);
        }
        ConfState cs = ConfState.newBuilder().addVoters(1).addVoters(2).addVoters(3).build();
        Snapshot snap = await(s.snapshotTaken(300, cs, ByteString.copyFromUtf8("state@300")), "snapshot marker");
        assertEquals(300, snap.getMetadata().getIndex());
        assertEquals(3, snap.getMetadata().getTerm());
        int released = s.compact(300);
        assertEquals(291, s.firstIndex(), "10 catch-up entries kept below the snapshot");
        assertEquals(400, s.lastIndex());
        assertEquals(3, s.term(290), "the term at the compaction point is kept");
        assertThrows(Storage.CompactedException.class, () -> s.entries(290, 300, Long.MAX_VALUE));
        assertThrows(Storage.CompactedException.class, () -> s.term(289));
        assertEquals(entries(291, 400, 3), s.entries(291, 401, Long.MAX_VALUE));
        assertEquals(snap, s.snapshot());
        if (kind.equals("file")) {
            assertTrue(released > 0, "segments below the catch-up point are released, got " + released);
        }
        var held = j.replay(1); // entries at or below the marker are held but not replayed
        assertTrue(held.firstIndex() <= 291, "the journal still holds the catch-up entries, first " + held.firstIndex());
        assertTrue(held.firstIndex() > 1, "entries below the catch-up point are released, first " + held.firstIndex());
        assertEquals(entries(301, 400, 3), held.entries().stream().map(JournalRaftStorage::fromJournal).toList());
        m.stop(j);

        Journal j2 = m.open();
        assertThrows(IllegalStateException.class, () -> JournalRaftStorage.open(j2, null, 10),
                "a journal marked at 300 needs the snapshot at 300");
        JournalRaftStorage r = JournalRaftStorage.open(j2, snapshot(300, 3, cs), 10);
        assertEquals(301, r.firstIndex(), "after a restart the log starts after the snapshot, as in etcd");
        assertEquals(400, r.lastIndex());
        assertEquals(3, r.term(300));
        assertEquals(entries(301, 400, 3), r.entries(301, 401, Long.MAX_VALUE));
        assertEquals(cs, r.initialState().confState());
        assertEquals(hs(3, 1, 400), r.initialState().hardState());
        await(r.save(hs(4, 2, 400), entries(401, 401, 4)), "append after the restart");
        assertEquals(401, r.lastIndex());
        j2.close();
    }

    @ParameterizedTest
    @MethodSource("media")
    void aFollowerInstallsALeadersSnapshotBeyondItsLog(String kind) throws Exception {
        Medium m = medium(kind);
        Journal j = m.open();
        JournalRaftStorage s = JournalRaftStorage.open(j, null, 10);
        await(s.save(hs(1, 0, 2), entries(1, 5, 1)), "save 1..5");
        ConfState cs = ConfState.newBuilder().addVoters(1).addVoters(2).addVoters(3).build();
        Snapshot leader = snapshot(50, 2, cs);
        await(s.installSnapshot(leader), "install snapshot 50");
        assertEquals(50, s.lastIndex());
        assertEquals(51, s.firstIndex());
        assertEquals(2, s.term(50));
        await(s.save(hs(2, 0, 50), entries(51, 52, 2)), "append after the snapshot");
        m.stop(j);

        Journal j2 = m.open();
        JournalRaftStorage r = JournalRaftStorage.open(j2, leader, 10);
        assertEquals(51, r.firstIndex());
        assertEquals(52, r.lastIndex());
        assertEquals(entries(51, 52, 2), r.entries(51, 53, Long.MAX_VALUE));
        assertEquals(leader, r.snapshot());
        j2.close();
    }

    @ParameterizedTest
    @MethodSource("media")
    void aStoredSnapshotWhoseMarkerWasLostIsMarkedAtOpen(String kind) throws Exception {
        Medium m = medium(kind);
        Journal j = m.open();
        JournalRaftStorage s = JournalRaftStorage.open(j, null, 10);
        await(s.save(hs(1, 0, 20), entries(1, 20, 1)), "save 1..20");
        m.stop(j); // crash after the snapshot store saved a snapshot at 15, before the marker
        ConfState cs = ConfState.newBuilder().addVoters(1).build();
        Journal j2 = m.open();
        JournalRaftStorage r = JournalRaftStorage.open(j2, snapshot(15, 1, cs), 10);
        assertEquals(16, r.firstIndex());
        assertEquals(20, r.lastIndex());
        assertEquals(15, j2.replay(Long.MAX_VALUE).snapshot().index(), "the marker is written at open");
        j2.close();
    }

    @Test
    void aCrashKeepsOnlyWhatWasSynced() throws Exception {
        MemoryJournal.Disk disk = new MemoryJournal.Disk();
        MemoryJournal j = MemoryJournal.open(disk, MemoryJournal.SyncMode.MANUAL, 10, t -> {
        });
        JournalRaftStorage s = JournalRaftStorage.open(j, null, 10);
        CompletableFuture<Void> first = s.save(hs(1, 1, 0), entries(1, 3, 1));
        assertEquals(0, s.lastIndex(), "nothing is visible to Raft before it is durable");
        j.sync();
        await(first, "first save");
        assertEquals(3, s.lastIndex());
        CompletableFuture<Void> second = s.save(hs(1, 1, 3), entries(4, 6, 1));
        assertEquals(3, s.lastIndex());
        j.crash(1); // entry 4 reached the disk, 5, 6 and the hard state did not
        assertTrue(second.isCompletedExceptionally());
        assertEquals(3, s.lastIndex(), "a failed save is never visible");

        MemoryJournal j2 = MemoryJournal.open(disk, MemoryJournal.SyncMode.ON_APPEND, 10, t -> {
        });
        JournalRaftStorage r = JournalRaftStorage.open(j2, null, 10);
        assertEquals(4, r.lastIndex());
        assertEquals(entries(1, 4, 1), r.entries(1, 5, Long.MAX_VALUE));
        assertEquals(hs(1, 1, 0), r.initialState().hardState());
    }

    @Test
    void bootstrapWritesTheInitialMembersAsCommittedConfChanges() throws Exception {
        MemoryJournal.Disk disk = new MemoryJournal.Disk();
        ConfState cs = ConfState.newBuilder().addVoters(1).addVoters(2).addLearners(3).build();
        JournalRaftStorage s = JournalRaftStorage.bootstrap(
                MemoryJournal.open(disk, MemoryJournal.SyncMode.ON_APPEND, 10, t -> {
                }), cs, 10);
        assertEquals(3, s.lastIndex());
        assertEquals(hs(1, 0, 3), s.initialState().hardState());
        MemoryJournal j2 = MemoryJournal.open(disk, MemoryJournal.SyncMode.ON_APPEND, 10, t -> {
        });
        assertThrows(IllegalStateException.class, () -> JournalRaftStorage.bootstrap(j2, cs, 10));
        JournalRaftStorage r = JournalRaftStorage.open(j2, null, 10);
        List<Entry> es = r.entries(1, 4, Long.MAX_VALUE);
        assertEquals(3, es.size());
        for (Entry e : es) {
            assertEquals(EntryType.ENTRY_CONF_CHANGE, e.getType());
            assertEquals(1, e.getTerm());
        }
        assertEquals(hs(1, 0, 3), r.initialState().hardState());
    }
}
