package dev.etcetera.storage.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import dev.etcetera.api.etcdserverpb.PutRequest;
import dev.etcetera.api.etcdserverpb.PutResponse;
import dev.etcetera.api.etcdserverpb.RangeRequest;
import dev.etcetera.api.etcdserverpb.RangeResponse;
import dev.etcetera.apply.LeaseLookup;
import dev.etcetera.journal.FileJournal;
import dev.etcetera.journal.Journal;
import dev.etcetera.journal.JournalOptions;
import dev.etcetera.journal.JournalStats;
import dev.etcetera.journal.MemoryJournal;
import dev.etcetera.mvcc.Backend;
import dev.etcetera.server.EtcdError;
import dev.etcetera.server.EtcdException;
import dev.etcetera.server.MemberInfo;
import dev.etcetera.server.ServerLimits;
import dev.etcetera.server.SingleMemberServer;
import dev.etcetera.storage.je.JeBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The single member's journal-first write path on real JE: acknowledgement only after the journal
 * sync, group commit, fatal journal failure, replay of entries the backend never committed, loss of
 * nothing but unacknowledged writes in a crash, and release of journal segments.
 */
class JournalWalServerTest {
    static final MemberInfo INFO = new MemberInfo(7, 9, "wal", List.of("http://127.0.0.1:2380"),
            List.of("http://127.0.0.1:2379"), "3.6.0", "3.6.0");

    @TempDir
    Path dir;

    private Path db() throws IOException {
        return Files.createDirectories(dir.resolve("db"));
    }

    private static SingleMemberServer open(Backend backend, Journal journal, long snapshotCount) {
        return SingleMemberServer.open(INFO, ServerLimits.defaults(), backend, LeaseLookup.NONE,
                new JournalWal(journal, snapshotCount));
    }

    private static ByteString b(String s) {
        return ByteString.copyFromUtf8(s);
    }

    private static CompletableFuture<PutResponse> put(SingleMemberServer s, String k, String v) {
        return s.put(PutRequest.newBuilder().setKey(b(k)).setValue(b(v)).build());
    }

    private static <T> T await(CompletableFuture<T> f, String what) throws Exception {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("timed out after 30 s waiting for " + what);
        }
    }

    private static EtcdException awaitFailure(CompletableFuture<?> f, String what) throws Exception {
        try {
            f.get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("timed out after 30 s waiting for " + what + " to fail");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof EtcdException ee) {
                return ee;
            }
            throw new AssertionError(what + " failed with " + e.getCause(), e.getCause());
        }
        return fail(what + " succeeded but should have failed");
    }

    private static RangeResponse get(SingleMemberServer s, String k) throws Exception {
        return await(s.range(RangeRequest.newBuilder().setKey(b(k)).build()), "range " + k);
    }

    @Test
    void aWriteIsAcknowledgedOnlyAfterTheJournalSyncedIt() throws Exception {
        MemoryJournal journal = MemoryJournal.open(new MemoryJournal.Disk(), MemoryJournal.SyncMode.MANUAL, 0, t -> {
        });
        try (SingleMemberServer s = open(JeBackend.open(db()), journal, 10_000)) {
            CompletableFuture<PutResponse> a = put(s, "a", "1");
            CompletableFuture<PutResponse> b = put(s, "b", "2");
            assertEquals(3, journal.unsyncedCalls(), "the empty entry of the member's term and both proposals are queued in the journal");
            // Nothing can complete them before the sync: they are not handed to the apply stage.
            assertFalse(a.isDone() || b.isDone(), "no write may be acknowledged before the journal sync");
            RangeResponse before = await(s.range(RangeRequest.newBuilder().setKey(b("a")).setSerializable(true).build()),
                    "serializable range before the sync");
            assertEquals(0, before.getKvsCount(), "an entry that is not durable must not be applied");
            assertEquals(3, journal.sync(), "one sync acknowledges the three appends");
            assertEquals(2, await(a, "put a").getHeader().getRevision());
            assertEquals(3, await(b, "put b").getHeader().getRevision());
            assertEquals(1, journal.stats().syncs());
            assertEquals(3, get(s, "b").getKvs(0).getModRevision());
        }
    }

    @Test
    void concurrentPutsShareJournalSyncs() throws Exception {
        int threads = 8;
        int perThread = 40;
        FileJournal journal = FileJournal.open(JournalOptions.defaults(dir.resolve("wal"))
                .withSegmentBytes(4L * 1024 * 1024).validate(), t -> {
        });
        try (SingleMemberServer s = open(JeBackend.open(db()), journal, 10_000)) {
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<PutResponse>> all = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                Thread th = new Thread(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < perThread; i++) {
                        all.add(put(s, "k/" + id + "/" + i, "v" + i));
                    }
                });
                th.start();
                ts.add(th);
            }
            JournalStats before = journal.stats();
            start.countDown();
            for (Thread th : ts) {
                th.join(TimeUnit.SECONDS.toMillis(30));
                assertFalse(th.isAlive(), "writer thread did not finish proposing within 30 s");
            }
            Set<Long> revisions = new HashSet<>();
            for (CompletableFuture<PutResponse> f : all) {
                revisions.add(await(f, "concurrent put").getHeader().getRevision());
            }
            int puts = threads * perThread;
            assertEquals(puts, revisions.size(), "every put got its own revision");
            JournalStats after = journal.stats();
            long syncs = after.syncs() - before.syncs();
            long appends = after.appends() - before.appends();
            System.out.println("group commit: " + puts + " puts, " + appends + " journal appends acknowledged by "
                    + syncs + " fdatasyncs");
            // Concurrent proposals may share one journal append (the proposer appends what queued up
            // while it held the append lock); each put is still its own entry (checked on replay below).
            assertTrue(appends >= 1 && appends <= puts, "between 1 and " + puts + " journal appends, got " + appends);
            assertTrue(syncs * 4 <= puts, "expected far fewer fdatasyncs than puts, got " + syncs + " for " + puts);
            assertEquals(1 + puts, s.revision());
            // Journal order is apply order: entry 1 is the empty entry of the member's term, and the
            // entry at index i > 1 is the put that got revision i.
            var replay = journal.replay(1);
            assertEquals(1 + puts, replay.entries().size());
            assertFalse(JournalWal.decode(replay.entries().get(0)).request().hasPut(), "entry 1 is the term's empty entry");
            for (var e : replay.entries().subList(1, replay.entries().size())) {
                String key = JournalWal.decode(e).request().getPut().getKey().toStringUtf8();
                assertEquals(e.index(), get(s, key).getKvs(0).getModRevision(),
                        "journal entry " + e.index() + " (" + key + ") applied out of order");
            }
        }
    }

    @Test
    void aJournalFailureFailsPendingAndLaterRequestsWithStopped() throws Exception {
        AtomicReference<Throwable> fatal = new AtomicReference<>();
        MemoryJournal journal = MemoryJournal.open(new MemoryJournal.Disk(), MemoryJournal.SyncMode.MANUAL, 0, fatal::set);
        try (SingleMemberServer s = open(JeBackend.open(db()), journal, 10_000)) {
            put(s, "ok", "1");
            journal.sync();
            assertTrue(s.healthy());
            CompletableFuture<PutResponse> a = put(s, "a", "1");
            CompletableFuture<PutResponse> b = put(s, "b", "2");
            CompletableFuture<RangeResponse> read = s.range(RangeRequest.newBuilder().setKey(b("a")).build());
            journal.failNextSync(new IOException("injected fdatasync failure"));
            journal.sync();
            assertNotNull(fatal.get(), "the journal's fatal handler is told");
            assertEquals(EtcdError.STOPPED, awaitFailure(a, "pending put a").error());
            assertEquals(EtcdError.STOPPED, awaitFailure(b, "pending put b").error());
            assertFalse(s.healthy(), "a member whose journal failed is unhealthy");
            assertNotNull(s.journalFailure());
            assertEquals(EtcdError.STOPPED, awaitFailure(put(s, "c", "3"), "put after the failure").error());
            // the linearizable read arrived before the failure; it may be answered or fail, but never hang
            try {
                read.get(30, TimeUnit.SECONDS);
            } catch (ExecutionException expected) {
                assertTrue(expected.getCause() instanceof EtcdException);
            }
        }
    }

    @Test
    void entriesTheBackendNeverCommittedAreReplayedAtStart() throws Exception {
        MemoryJournal.Disk disk = new MemoryJournal.Disk();
        Path db = db();
        CommitFailpointBackend backend = new CommitFailpointBackend(JeBackend.open(db));
        try (SingleMemberServer s = open(backend, MemoryJournal.open(disk, MemoryJournal.SyncMode.ON_APPEND, 0, t -> {
        }), 10_000)) {
            assertEquals(2, await(put(s, "a", "1"), "put a").getHeader().getRevision());
            assertEquals(3, await(put(s, "b", "2"), "put b").getHeader().getRevision());
            backend.failNextCommit();
            // journaled (synced at once), applied in memory, but the JE commit "crashes"
            EtcdException e = awaitFailure(put(s, "c", "3"), "put c whose backend commit fails");
            assertEquals(EtcdError.STOPPED, e.error());
        }
        try (JeBackend je = JeBackend.open(db)) {
            // entries: 1 the term's empty entry, 2 put a, 3 put b, 4 put c
            assertEquals(3, je.meta(Backend.Meta.CONSISTENT_INDEX), "the backend never committed entry 4 (put c)");
        }
        try (SingleMemberServer s = open(JeBackend.open(db), MemoryJournal.open(disk, MemoryJournal.SyncMode.ON_APPEND, 0,
                t -> {
                }), 10_000)) {
            RangeResponse c = get(s, "c");
            assertEquals(1, c.getKvsCount(), "entry 4 was replayed from the journal");
            assertEquals("3", c.getKvs(0).getValue().toStringUtf8());
            assertEquals(4, c.getKvs(0).getModRevision());
            assertEquals(2, get(s, "a").getKvs(0).getModRevision(), "entries at or below the applied index are not applied twice");
            assertEquals(4, s.revision());
            assertEquals(5, await(put(s, "d", "4"), "put d after replay").getHeader().getRevision());
        }
        try (SingleMemberServer s = open(JeBackend.open(db), MemoryJournal.open(disk, MemoryJournal.SyncMode.ON_APPEND, 0,
                t -> {
                }), 10_000)) {
            assertEquals(5, s.revision(), "a second restart replays nothing twice");
            assertEquals(5, get(s, "d").getKvs(0).getModRevision());
        }
    }

    @Test
    void aCrashLosesOnlyUnacknowledgedWrites() throws Exception {
        MemoryJournal.Disk disk = new MemoryJournal.Disk();
        Path db = db();
        MemoryJournal journal = MemoryJournal.open(disk, MemoryJournal.SyncMode.MANUAL, 0, t -> {
        });
        try (SingleMemberServer s = open(JeBackend.open(db), journal, 10_000)) {
            CompletableFuture<PutResponse> a = put(s, "a", "1");
            journal.sync();
            assertEquals(2, await(a, "put a").getHeader().getRevision());
            CompletableFuture<PutResponse> b = put(s, "b", "2");
            CompletableFuture<PutResponse> c = put(s, "c", "3");
            journal.crash(1); // b's record reached the disk, c's did not
            assertEquals(EtcdError.STOPPED, awaitFailure(b, "put b in the crash").error());
            assertEquals(EtcdError.STOPPED, awaitFailure(c, "put c in the crash").error());
        }
        try (SingleMemberServer s = open(JeBackend.open(db), MemoryJournal.open(disk, MemoryJournal.SyncMode.ON_APPEND, 0,
                t -> {
                }), 10_000)) {
            assertEquals(2, get(s, "a").getKvs(0).getModRevision(), "the acknowledged write survives");
            assertEquals(3, get(s, "b").getKvs(0).getModRevision(), "a write that reached the disk is recovered");
            assertEquals(0, get(s, "c").getKvsCount(), "a write that never reached the disk is gone");
            assertEquals(4, await(put(s, "d", "4"), "put d").getHeader().getRevision());
        }
    }

    @Test
    void aDataDirWithoutJournalStartsTheJournalAfterTheAppliedIndex() throws Exception {
        Path db = db();
        try (SingleMemberServer s = SingleMemberServer.open(INFO, ServerLimits.defaults(), JeBackend.open(db))) {
            for (int i = 0; i < 5; i++) {
                await(put(s, "k" + i, "v"), "synced put " + i);
            }
        }
        MemoryJournal.Disk disk = new MemoryJournal.Disk();
        try (SingleMemberServer s = open(JeBackend.open(db), MemoryJournal.open(disk, MemoryJournal.SyncMode.ON_APPEND, 0,
                t -> {
                }), 10_000)) {
            assertEquals(7, await(put(s, "x", "y"), "journaled put").getHeader().getRevision());
        }
        try (SingleMemberServer s = open(JeBackend.open(db), MemoryJournal.open(disk, MemoryJournal.SyncMode.ON_APPEND, 0,
                t -> {
                }), 10_000)) {
            assertEquals(7, get(s, "x").getKvs(0).getModRevision());
            assertEquals(6, get(s, "k4").getKvs(0).getModRevision());
        }
    }

    @Test
    void segmentsCoveredByASyncedBackendCommitAreReleasedKeepingCatchupEntries() throws Exception {
        Path walDir = dir.resolve("wal");
        Path db = db();
        long snapshotCount = 50;
        long retain = 20;
        JournalOptions options = JournalOptions.defaults(walDir).withSegmentBytes(JournalOptions.MIN_SEGMENT_BYTES)
                .withMaxBatchBytes(JournalOptions.MIN_SEGMENT_BYTES).withRetainEntries(retain).validate();
        String value = "x".repeat(1000);
        int puts = 400;
        CommitFailpointBackend backend = new CommitFailpointBackend(JeBackend.open(db));
        FileJournal journal = FileJournal.open(options, t -> {
        });
        JournalWal wal = new JournalWal(journal, snapshotCount);
        long segmentsCreated;
        try (SingleMemberServer s = SingleMemberServer.open(INFO, ServerLimits.defaults(), backend, LeaseLookup.NONE, wal)) {
            for (int i = 0; i < puts; i++) {
                await(put(s, "k" + i, value), "put " + i); // one at a time: each apply batch is one entry
            }
            await(wal.lastRelease(), "the release after the last synced commit");
            segmentsCreated = journal.stats().segmentsCreated();
            assertTrue(segmentsCreated >= 4, "the test must rotate segments, created " + segmentsCreated);
            assertEquals(puts / snapshotCount, backend.syncedCommits.get(),
                    "one synced backend commit every --snapshot-count entries");
        }
        long files;
        try (Stream<Path> st = Files.list(walDir)) {
            files = st.filter(p -> p.toString().endsWith(".wal")).count();
        }
        System.out.println("release: " + (segmentsCreated + 1) + " segments created, " + files + " left");
        assertTrue(files < segmentsCreated + 1, "some segments were released");
        // Everything is still there after a restart, and the journal still holds the catch-up entries.
        try (FileJournal reopened = FileJournal.open(options, t -> {
        })) {
            long lastSynced = (puts / snapshotCount) * snapshotCount;
            var replay = reopened.replay(1);
            assertTrue(replay.firstIndex() <= lastSynced - retain + 1,
                    "catch-up entries kept: first held " + replay.firstIndex() + ", snapshot " + lastSynced);
            assertTrue(replay.firstIndex() > 1, "old entries were released");
        }
        try (SingleMemberServer s = open(JeBackend.open(db), FileJournal.open(options, t -> {
        }), snapshotCount)) {
            assertEquals(1 + puts, s.revision());
            for (int i = 0; i < puts; i += 37) {
                assertEquals(2 + i, get(s, "k" + i).getKvs(0).getModRevision());
            }
        }
    }
}
