package dev.etcetera.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileJournalTest {

    static final long SMALL_SEGMENT = JournalOptions.MIN_SEGMENT_BYTES;

    @TempDir
    Path dir;

    private final AtomicReference<Throwable> fatal = new AtomicReference<>();

    private FileJournal open(long segmentBytes, long retain) throws IOException {
        return FileJournal.open(JournalOptions.defaults(dir).withSegmentBytes(segmentBytes)
                .withMaxBatchBytes(Math.min(segmentBytes, JournalOptions.DEFAULT_MAX_BATCH_BYTES))
                .withRetainEntries(retain), fatal::set);
    }

    private FileJournal open() throws IOException {
        return open(SMALL_SEGMENT, 0);
    }

    private static void await(CompletableFuture<Void> f) throws Exception {
        f.get(30, TimeUnit.SECONDS);
    }

    private List<Path> segmentFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".wal")).sorted().toList();
        }
    }

    @Test
    void freshJournalIsEmptyAndHasOnePreallocatedSegment() throws Exception {
        try (FileJournal j = open()) {
            Replay r = j.replay(1);
            assertEquals(List.of(), r.entries());
            assertNull(r.hardState());
            assertNull(r.snapshot());
            assertEquals(0, r.lastIndex());
            assertEquals(0, j.lastIndex());
        }
        List<Path> files = segmentFiles();
        assertEquals(List.of(dir.resolve("0000000000000000-0000000000000001.wal")), files);
        assertEquals(SMALL_SEGMENT, Files.size(files.getFirst()), "preallocated to the segment size");
    }

    @Test
    void appendedEntriesAndHardStateReplayAfterReopen() throws Exception {
        try (FileJournal j = open()) {
            await(j.append(JournalBatch.of(Entries.range(1, 10, 1), new HardState(1, 3, 4))));
            await(j.append(JournalBatch.of(Entries.range(11, 12, 2), new HardState(2, 0, 10))));
            assertEquals(Entries.range(5, 12, 0).size(), j.replay(5).entries().size());
        }
        try (FileJournal j = open()) {
            Replay r = j.replay(1);
            List<JournalEntry> expected = new ArrayList<>(Entries.range(1, 10, 1));
            expected.addAll(Entries.range(11, 12, 2));
            assertEquals(expected, r.entries());
            assertEquals(new HardState(2, 0, 10), r.hardState());
            assertEquals(12, r.lastIndex());
            assertEquals(12, j.lastIndex());
            assertEquals(Entries.range(11, 12, 2), j.replay(11).entries(), "replay from an index");
        }
    }

    @Test
    void laterEntryAtAnExistingIndexTruncatesTheSuffixLiveAndOnReplay() throws Exception {
        try (FileJournal j = open()) {
            await(j.append(JournalBatch.of(Entries.range(1, 10, 1), new HardState(1, 0, 3))));
            await(j.append(JournalBatch.of(Entries.range(6, 7, 2))));
            assertEquals(7, j.lastIndex());
            List<JournalEntry> expected = new ArrayList<>(Entries.range(1, 5, 1));
            expected.addAll(Entries.range(6, 7, 2));
            assertEquals(expected, j.replay(1).entries(), "live");
            await(j.append(JournalBatch.of(Entries.range(8, 8, 2))));
        }
        try (FileJournal j = open()) {
            List<JournalEntry> expected = new ArrayList<>(Entries.range(1, 5, 1));
            expected.addAll(Entries.range(6, 8, 2));
            assertEquals(expected, j.replay(1).entries(), "after reopen");
            assertEquals(8, j.lastIndex());
        }
    }

    @Test
    void appendsThatBreakTheLogAreRefusedWithoutEffect() throws Exception {
        try (FileJournal j = open()) {
            await(j.append(JournalBatch.of(Entries.range(1, 5, 2), new HardState(2, 1, 3))));
            assertThrows(IllegalArgumentException.class, () -> j.append(JournalBatch.of(Entries.range(7, 7, 2))),
                    "gap");
            assertThrows(IllegalArgumentException.class, () -> j.append(JournalBatch.of(Entries.range(3, 3, 3))),
                    "truncating a committed entry");
            assertThrows(IllegalArgumentException.class, () -> j.append(JournalBatch.of(new HardState(1, 1, 3))),
                    "term going back");
            assertThrows(IllegalArgumentException.class, () -> j.append(JournalBatch.of(new HardState(2, 1, 2))),
                    "commit going back");
            assertThrows(IllegalArgumentException.class, () -> j.append(JournalBatch.of(new HardState(2, 7, 3))),
                    "second vote in one term");
            assertThrows(IllegalArgumentException.class,
                    () -> j.append(JournalBatch.of(List.of(Entries.entry(6, 2, (int) SMALL_SEGMENT)))),
                    "record larger than a segment");
            assertEquals(5, j.lastIndex());
            await(j.append(JournalBatch.of(Entries.range(4, 6, 3))));
            assertEquals(6, j.replay(1).lastIndex());
        }
    }

    @Test
    void fullSegmentsRotateAndReplayAcrossSegments() throws Exception {
        int n = 1000; // ~300 bytes each: about five 64 KiB segments
        try (FileJournal j = open()) {
            for (int i = 1; i <= n; i += 10) {
                List<JournalEntry> batch = new ArrayList<>();
                for (int k = i; k < i + 10; k++) {
                    batch.add(Entries.entry(k, 1, 256));
                }
                await(j.append(JournalBatch.of(batch, new HardState(1, 1, i))));
            }
            assertTrue(j.stats().segmentsCreated() >= 3, "rotated: " + j.stats());
        }
        List<Path> files = segmentFiles();
        assertTrue(files.size() >= 4, "segments: " + files);
        long previousFirst = 0;
        for (int i = 0; i < files.size(); i++) {
            SegmentName name = SegmentName.parse(files.get(i).getFileName().toString());
            assertEquals(i, name.seq(), "sequence without gaps");
            assertTrue(name.firstIndex() > previousFirst, "first indexes ascend");
            previousFirst = name.firstIndex();
            assertEquals(SMALL_SEGMENT, Files.size(files.get(i)));
        }
        try (FileJournal j = open()) {
            Replay r = j.replay(1);
            assertEquals(n, r.entries().size());
            for (int i = 0; i < n; i++) {
                assertEquals(Entries.entry(i + 1, 1, 256), r.entries().get(i));
            }
            assertEquals(new HardState(1, 1, 991), r.hardState());
            await(j.append(JournalBatch.of(Entries.range(n + 1, n + 1, 1))));
            assertEquals(n + 1, j.replay(n).lastIndex());
        }
    }

    @Test
    void truncationAcrossASegmentBoundarySupersedesEarlierSegments() throws Exception {
        try (FileJournal j = open()) {
            for (int i = 1; i <= 400; i++) {
                await(j.append(JournalBatch.of(List.of(Entries.entry(i, 1, 256)))));
            }
            assertTrue(j.stats().segmentsCreated() >= 1);
            await(j.append(JournalBatch.of(Entries.range(100, 101, 2))));
        }
        try (FileJournal j = open()) {
            Replay r = j.replay(1);
            assertEquals(101, r.lastIndex());
            assertEquals(Entries.entry(99, 1, 256), r.entries().get(98));
            assertEquals(Entries.range(100, 101, 2), r.entries().subList(99, 101));
        }
    }

    @Test
    void snapshotMarkerHidesCoveredEntriesAndReleaseFreesWholeSegments() throws Exception {
        try (FileJournal j = open(SMALL_SEGMENT, 50)) {
            for (int i = 1; i <= 1000; i += 10) {
                List<JournalEntry> batch = new ArrayList<>();
                for (int k = i; k < i + 10; k++) {
                    batch.add(Entries.entry(k, 1, 256));
                }
                await(j.append(JournalBatch.of(batch, new HardState(1, 1, i + 9))));
            }
            assertThrows(IllegalStateException.class, () -> j.release(600), "no snapshot yet");
            await(j.saveSnapshot(new SnapshotMarker(600, 1)));
            int segmentsBefore = j.segmentFiles().size();
            int released = j.release(600);
            assertTrue(released >= 1, "released " + released);
            assertEquals(segmentsBefore - released, j.segmentFiles().size());
            Replay r = j.replay(1);
            assertEquals(new SnapshotMarker(600, 1), r.snapshot());
            assertEquals(601, r.entries().getFirst().index(), "entries at or below the snapshot are not returned");
            assertTrue(r.firstIndex() <= 551, "the retained 50 entries are still held: first " + r.firstIndex());
            assertTrue(r.firstIndex() > 1, "something was released");
            assertEquals(1000, r.lastIndex());
            assertThrows(IllegalStateException.class, () -> j.release(700), "marker 600 does not cover 700");
        }
        try (FileJournal j = open(SMALL_SEGMENT, 50)) {
            Replay r = j.replay(551);
            assertEquals(new SnapshotMarker(600, 1), r.snapshot());
            assertEquals(new HardState(1, 1, 1000), r.hardState(), "state survives release (segment prelude)");
            assertEquals(400, r.entries().size());
            await(j.append(JournalBatch.of(Entries.range(1001, 1001, 1))));
        }
    }

    @Test
    void snapshotBeyondTheLogRestartsItAfterTheSnapshot() throws Exception {
        try (FileJournal j = open()) {
            await(j.append(JournalBatch.of(Entries.range(1, 5, 1), new HardState(1, 0, 2))));
            await(j.saveSnapshot(new SnapshotMarker(100, 4)));
            assertEquals(100, j.lastIndex());
            assertThrows(IllegalArgumentException.class, () -> j.append(JournalBatch.of(Entries.range(102, 102, 4))));
            await(j.append(JournalBatch.of(Entries.range(101, 102, 4), new HardState(4, 0, 101))));
        }
        try (FileJournal j = open()) {
            Replay r = j.replay(1);
            assertEquals(Entries.range(101, 102, 4), r.entries());
            assertEquals(102, r.lastIndex());
        }
    }

    @Test
    void manyConcurrentAppendersShareSyncs() throws Exception {
        int threads = 16;
        int perThread = 50;
        Object order = new Object();
        long[] next = {1};
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        try (FileJournal j = open(1L << 20, 0)) {
            CountDownLatch done = new CountDownLatch(threads);
            for (int t = 0; t < threads; t++) {
                Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; i < perThread; i++) {
                            CompletableFuture<Void> f;
                            synchronized (order) {
                                f = j.append(JournalBatch.of(List.of(Entries.entry(next[0]++, 1, 256))));
                            }
                            f.get(30, TimeUnit.SECONDS);
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    } finally {
                        done.countDown();
                    }
                });
            }
            assertTrue(done.await(60, TimeUnit.SECONDS), "appenders finished within 60 s");
            assertEquals(List.of(), errors);
            JournalStats s = j.stats();
            assertEquals(threads * perThread, s.appends());
            assertTrue(s.syncs() < s.appends() / 2, "group commit: " + s);
            assertEquals(threads * perThread, j.replay(1).entries().size());
        }
    }

    @Test
    void maxBatchBytesBoundsWhatOneSyncCovers() throws Exception {
        int threads = 16;
        int perThread = 40;
        long maxBatch = 4096;
        Object order = new Object();
        long[] next = {1};
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        try (FileJournal j = FileJournal.open(JournalOptions.defaults(dir).withSegmentBytes(1L << 20)
                .withMaxBatchBytes(maxBatch).withMaxGroupWait(Duration.ofMillis(50)), fatal::set)) {
            CountDownLatch done = new CountDownLatch(threads);
            for (int t = 0; t < threads; t++) {
                Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; i < perThread; i++) {
                            CompletableFuture<Void> f;
                            synchronized (order) {
                                f = j.append(JournalBatch.of(List.of(Entries.entry(next[0]++, 1, 256))));
                            }
                            f.get(30, TimeUnit.SECONDS);
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    } finally {
                        done.countDown();
                    }
                });
            }
            assertTrue(done.await(60, TimeUnit.SECONDS), "appenders finished within 60 s");
            assertEquals(List.of(), errors);
            JournalStats s = j.stats();
            // A sync stops collecting once it covers maxBatchBytes; each writer group is itself at
            // most maxBatchBytes plus one append: so a sync covers less than 2 * maxBatch + 2 appends.
            long bound = 2 * maxBatch + 2 * 400;
            assertTrue(s.syncs() >= s.bytesWritten() / bound, "syncs " + s.syncs() + " for " + s.bytesWritten()
                    + " bytes: some sync covered more than " + bound + " bytes");
        }
    }

    @Test
    void futuresCompleteInCallOrder() throws Exception {
        try (FileJournal j = open()) {
            List<Integer> completed = java.util.Collections.synchronizedList(new ArrayList<>());
            List<CompletableFuture<Void>> fs = new ArrayList<>();
            for (int i = 1; i <= 200; i++) {
                int k = i;
                fs.add(j.append(JournalBatch.of(List.of(Entries.entry(i, 1)))).thenRun(() -> completed.add(k)));
            }
            CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            for (int i = 0; i < 200; i++) {
                assertEquals(i + 1, completed.get(i));
            }
        }
    }

    @Test
    void failedSyncIsFatal() throws Exception {
        IOException boom = new IOException("injected fdatasync failure");
        boolean[] armed = {false};
        Failpoint fp = name -> {
            if (armed[0] && name.equals("before-sync")) {
                throw boom;
            }
        };
        FileJournal j = FileJournal.open(JournalOptions.defaults(dir).withSegmentBytes(SMALL_SEGMENT)
                .withMaxBatchBytes(SMALL_SEGMENT), fatal::set, fp);
        try {
            await(j.append(JournalBatch.of(Entries.range(1, 1, 1))));
            armed[0] = true;
            CompletableFuture<Void> f = j.append(JournalBatch.of(Entries.range(2, 2, 1)));
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
            assertInstanceOf(JournalFailedException.class, e.getCause());
            assertEquals(boom, e.getCause().getCause());
            assertEquals(boom, fatal.get(), "fatal handler told");
            assertThrows(JournalFailedException.class, () -> j.append(JournalBatch.of(Entries.range(3, 3, 1))),
                    "no log-and-continue");
        } finally {
            j.close();
        }
        try (FileJournal again = open()) {
            assertTrue(again.replay(1).lastIndex() >= 1, "acknowledged entry 1 survives");
        }
    }

    @Test
    void failedWriteIsFatal() throws Exception {
        boolean[] armed = {false};
        Failpoint fp = name -> {
            if (armed[0] && name.equals("before-write")) {
                throw new IOException("injected write failure");
            }
        };
        try (FileJournal j = FileJournal.open(JournalOptions.defaults(dir).withSegmentBytes(SMALL_SEGMENT)
                .withMaxBatchBytes(SMALL_SEGMENT), fatal::set, fp)) {
            await(j.append(JournalBatch.of(Entries.range(1, 1, 1))));
            armed[0] = true;
            CompletableFuture<Void> f = j.append(JournalBatch.of(Entries.range(2, 2, 1)));
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
            assertInstanceOf(JournalFailedException.class, e.getCause());
            assertTrue(fatal.get() instanceof IOException);
        }
    }

    @Test
    void aSecondOpenOfTheSameDirectoryIsRefused() throws Exception {
        try (FileJournal j = open()) {
            IOException e = assertThrows(IOException.class, this::open);
            assertTrue(e.getMessage().contains("locked"), e.getMessage());
        }
    }

    @Test
    void closeDrainsQueuedAppendsAndThenRefusesCalls() throws Exception {
        FileJournal j = open();
        List<CompletableFuture<Void>> fs = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            fs.add(j.append(JournalBatch.of(Entries.range(i, i, 1))));
        }
        j.close();
        for (CompletableFuture<Void> f : fs) {
            assertTrue(f.isDone() && !f.isCompletedExceptionally(), "queued append was made durable by close");
        }
        assertThrows(JournalFailedException.class, () -> j.append(JournalBatch.of(Entries.range(101, 101, 1))));
        try (FileJournal again = open()) {
            assertEquals(100, again.replay(1).entries().size());
        }
    }

    @Test
    void groupWaitDoesNotDelayALoneAppender() throws Exception {
        try (FileJournal j = FileJournal.open(JournalOptions.defaults(dir).withSegmentBytes(SMALL_SEGMENT)
                .withMaxBatchBytes(SMALL_SEGMENT).withMaxGroupWait(Duration.ofSeconds(1)), fatal::set)) {
            long start = System.nanoTime();
            for (int i = 1; i <= 5; i++) {
                await(j.append(JournalBatch.of(Entries.range(i, i, 1))));
            }
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(elapsedMs < 2500, "5 lone appends with a 1 s max group wait took " + elapsedMs + " ms");
        }
    }

    /** Replay and release may run while appends and rotations go on; replay sees every acknowledged append. */
    @Test
    void replayAndReleaseRunConcurrentlyWithAppends() throws Exception {
        try (FileJournal j = open(SMALL_SEGMENT, 20)) {
            long[] acked = {0};
            AtomicReference<Throwable> appenderError = new AtomicReference<>();
            int total = 1500;
            Thread appender = Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 1; i <= total; i++) {
                        j.append(JournalBatch.of(List.of(Entries.entry(i, 1, 200)), new HardState(1, 1, i - 1)))
                                .get(30, TimeUnit.SECONDS);
                        synchronized (acked) {
                            acked[0] = i;
                        }
                        if (i % 300 == 0) {
                            j.saveSnapshot(new SnapshotMarker(i - 100, 1)).get(30, TimeUnit.SECONDS);
                        }
                    }
                } catch (Throwable e) {
                    appenderError.set(e);
                }
            });
            int replays = 0;
            while (appender.isAlive() || replays == 0) {
                long before;
                synchronized (acked) {
                    before = acked[0];
                }
                Replay r = j.replay(1);
                replays++;
                assertTrue(r.lastIndex() >= before, "replay sees acknowledged index " + before + ": " + r.lastIndex());
                for (int k = 1; k < r.entries().size(); k++) {
                    assertEquals(r.entries().get(k - 1).index() + 1, r.entries().get(k).index());
                }
                if (r.snapshot() != null) {
                    j.release(r.snapshot().index());
                }
            }
            appender.join();
            assertNull(appenderError.get());
            assertTrue(replays > 1, "replays ran during the appends: " + replays);
            j.release(j.replay(1).snapshot().index()); // whatever the concurrent releases left
            Replay r = j.replay(1);
            assertEquals(total, r.lastIndex());
            assertEquals(new SnapshotMarker(1400, 1), r.snapshot());
            assertTrue(r.firstIndex() > 1 && r.firstIndex() <= 1400 - 20 + 1,
                    "segments below the snapshot minus 20 retained entries were released: first index " + r.firstIndex());
        }
    }
}
