package dev.etcetera.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryJournalTest {

    private final AtomicReference<Throwable> fatal = new AtomicReference<>();

    private MemoryJournal open(MemoryJournal.Disk disk, MemoryJournal.SyncMode mode) {
        return MemoryJournal.open(disk, mode, 0, fatal::set);
    }

    @Test
    void onAppendModeCompletesAtOnce() throws Exception {
        MemoryJournal j = open(new MemoryJournal.Disk(), MemoryJournal.SyncMode.ON_APPEND);
        CompletableFuture<Void> f = j.append(JournalBatch.of(Entries.range(1, 3, 1), new HardState(1, 2, 1)));
        assertTrue(f.isDone() && !f.isCompletedExceptionally());
        Replay r = j.replay(1);
        assertEquals(Entries.range(1, 3, 1), r.entries());
        assertEquals(new HardState(1, 2, 1), r.hardState());
    }

    @Test
    void crashLosesWhatWasNotSynced() throws Exception {
        MemoryJournal.Disk disk = new MemoryJournal.Disk();
        MemoryJournal j = open(disk, MemoryJournal.SyncMode.MANUAL);
        CompletableFuture<Void> a = j.append(JournalBatch.of(Entries.range(1, 2, 1)));
        assertFalse(a.isDone(), "not durable before sync");
        assertEquals(1, j.sync());
        assertTrue(a.isDone());
        CompletableFuture<Void> b = j.append(JournalBatch.of(Entries.range(3, 4, 1), new HardState(1, 0, 2)));
        j.crash(0);
        assertTrue(b.isCompletedExceptionally(), "a lost append never reports success");
        assertThrows(JournalFailedException.class, () -> j.append(JournalBatch.of(Entries.range(3, 3, 1))));
        MemoryJournal restarted = open(disk, MemoryJournal.SyncMode.MANUAL);
        Replay r = restarted.replay(1);
        assertEquals(Entries.range(1, 2, 1), r.entries());
        assertEquals(null, r.hardState());
        assertEquals(2, restarted.lastIndex());
    }

    @Test
    void crashMayKeepAPrefixOfUnsyncedRecords() throws Exception {
        MemoryJournal.Disk disk = new MemoryJournal.Disk();
        MemoryJournal j = open(disk, MemoryJournal.SyncMode.MANUAL);
        j.append(JournalBatch.of(Entries.range(1, 5, 1), new HardState(1, 0, 0)));
        j.crash(3);
        Replay r = open(disk, MemoryJournal.SyncMode.MANUAL).replay(1);
        assertEquals(Entries.range(1, 3, 1), r.entries(), "torn at record granularity");
    }

    @Test
    void failedSyncIsFatal() throws Exception {
        MemoryJournal j = open(new MemoryJournal.Disk(), MemoryJournal.SyncMode.MANUAL);
        IOException boom = new IOException("injected");
        CompletableFuture<Void> f = j.append(JournalBatch.of(Entries.range(1, 1, 1)));
        j.failNextSync(boom);
        assertEquals(0, j.sync());
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(1, TimeUnit.SECONDS));
        assertInstanceOf(JournalFailedException.class, e.getCause());
        assertEquals(boom, fatal.get());
        assertThrows(JournalFailedException.class, () -> j.append(JournalBatch.of(Entries.range(1, 1, 1))));
        assertEquals(0, j.replay(1).entries().size(), "nothing reached the disk");
    }

    @Test
    void payloadArraysAreNotShared() throws Exception {
        MemoryJournal j = open(new MemoryJournal.Disk(), MemoryJournal.SyncMode.ON_APPEND);
        byte[] p = {1, 2, 3};
        j.append(JournalBatch.of(List.of(new JournalEntry(1, 1, 0, p))));
        j.replay(1).entries().getFirst().payload()[0] = 9;
        assertEquals(1, j.replay(1).entries().getFirst().payload()[0]);
    }

    @Test
    void releaseKeepsStateAndRetainedEntries() throws Exception {
        MemoryJournal.Disk disk = new MemoryJournal.Disk();
        MemoryJournal j = MemoryJournal.open(disk, MemoryJournal.SyncMode.ON_APPEND, 10, fatal::set);
        j.append(JournalBatch.of(Entries.range(1, 100, 1), new HardState(1, 0, 100)));
        assertThrows(IllegalStateException.class, () -> j.release(50));
        j.saveSnapshot(new SnapshotMarker(50, 1));
        assertEquals(1, j.release(50));
        Replay r = MemoryJournal.open(disk, MemoryJournal.SyncMode.ON_APPEND, 10, fatal::set).replay(41);
        assertEquals(41, r.firstIndex());
        assertEquals(Entries.range(51, 100, 1), r.entries());
        assertEquals(new HardState(1, 0, 100), r.hardState());
        Replay all = j.replay(1);
        assertEquals(41, all.firstIndex(), "entries up to 40 are released");
        assertEquals(51, all.entries().getFirst().index(), "entries the snapshot covers are not returned");
    }

    /**
     * The same random sequence of operations on a file journal and a memory journal replays the
     * same: the two implementations agree on truncation, snapshots and release.
     */
    @Test
    void fileAndMemoryJournalsReplayTheSame(@TempDir Path dir) throws Exception {
        long seed = Long.getLong("journal.test.seed", System.nanoTime());
        System.out.println("fileAndMemoryJournalsReplayTheSame seed=" + seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        JournalOptions options = JournalOptions.defaults(dir).withSegmentBytes(JournalOptions.MIN_SEGMENT_BYTES)
                .withMaxBatchBytes(JournalOptions.MIN_SEGMENT_BYTES).withRetainEntries(20);
        MemoryJournal mem = MemoryJournal.open(new MemoryJournal.Disk(), MemoryJournal.SyncMode.ON_APPEND, 20, fatal::set);
        FileJournal file = FileJournal.open(options, fatal::set);
        try {
            long term = 1;
            long commit = 0;
            long snapshot = 0;
            for (int step = 0; step < 400; step++) {
                int op = rnd.nextInt(10);
                long last = mem.lastIndex();
                JournalBatch batch;
                if (op < 6 || last == commit) {
                    int n = 1 + rnd.nextInt(8);
                    List<JournalEntry> es = new ArrayList<>();
                    for (int k = 1; k <= n; k++) {
                        es.add(Entries.entry(last + k, term, rnd.nextInt(400)));
                    }
                    batch = JournalBatch.of(es, rnd.nextBoolean() ? null : new HardState(term, 1, commit));
                } else if (op < 8) {
                    term++;
                    long at = commit + 1 + rnd.nextLong(last - commit);
                    batch = JournalBatch.of(List.of(Entries.entry(at, term, rnd.nextInt(400))));
                } else if (op < 9) {
                    commit = commit + rnd.nextLong(last - commit + 1);
                    batch = JournalBatch.of(new HardState(term, 1, commit));
                } else {
                    if (commit > snapshot) {
                        snapshot = commit;
                        SnapshotMarker m = new SnapshotMarker(snapshot, term);
                        mem.saveSnapshot(m).get(30, TimeUnit.SECONDS);
                        file.saveSnapshot(m).get(30, TimeUnit.SECONDS);
                        mem.release(snapshot);
                        file.release(snapshot);
                    }
                    continue;
                }
                mem.append(batch).get(30, TimeUnit.SECONDS);
                file.append(batch).get(30, TimeUnit.SECONDS);
                assertEquals(mem.lastIndex(), file.lastIndex(), "step " + step);
            }
            long from = Math.max(1, snapshot - 20 + 1);
            Replay m = mem.replay(from);
            Replay f = file.replay(from);
            assertEquals(m.entries(), f.entries(), "seed " + seed);
            assertEquals(m.hardState(), f.hardState());
            assertEquals(m.snapshot(), f.snapshot());
            assertEquals(m.lastIndex(), f.lastIndex());
            file.close();
            file = FileJournal.open(options, fatal::set);
            assertEquals(m.entries(), file.replay(from).entries(), "after reopen, seed " + seed);
        } finally {
            file.close();
        }
    }
}
