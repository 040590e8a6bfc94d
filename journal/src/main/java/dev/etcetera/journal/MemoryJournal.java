package dev.etcetera.journal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * An in-memory {@link Journal} for deterministic simulation: the "disk" is a {@link Disk} object
 * that outlives a simulated crash, and syncing is driven by the test.
 *
 * <p>Appends are held as <em>unsynced</em> until a sync: in {@link SyncMode#ON_APPEND} every call
 * syncs at once (its future is complete on return); in {@link SyncMode#MANUAL} the test calls
 * {@link #sync()}. Faults: {@link #crash(int)} keeps only synced records (plus, optionally, a prefix
 * of the unsynced ones, as a real disk may have written some of them) and kills this instance;
 * {@link #failNextSync(IOException)} makes the next sync fail, which is fatal exactly as for the
 * file journal. Replay applies the same rules as the file journal (shared code).
 *
 * <p>Thread-safe (one monitor). Futures complete on the thread that calls {@code sync} (or
 * {@code append} in {@code ON_APPEND} mode), in call order.
 */
public final class MemoryJournal implements Journal {

    /** When appends become durable. */
    public enum SyncMode { ON_APPEND, MANUAL }

    /**
     * Stable storage: the records that survived. Hand it to {@link #open} after a crash to
     * restart. Not for concurrent use by two live journals.
     */
    public static final class Disk {
        private final List<StoredRecord> records = new ArrayList<>();

        public Disk() {
            records.add(new StoredRecord.Header(0, 1, 0));
        }

        /** Number of durable records (for assertions in tests). */
        public synchronized int records() {
            return records.size();
        }
    }

    private record Unsynced(List<StoredRecord> records, CompletableFuture<Void> future) {
    }

    private final Disk disk;
    private final SyncMode mode;
    private final long retainEntries;
    private final Consumer<Throwable> onFatal;
    private final LogTracker accepted;
    private final List<Unsynced> unsynced = new ArrayList<>();
    private SnapshotMarker durableSnapshot;
    private IOException nextSyncFailure;
    private Throwable failure;
    private boolean closed;
    private long appends;
    private long syncs;
    private long bytes;

    private MemoryJournal(Disk disk, SyncMode mode, long retainEntries, Consumer<Throwable> onFatal) {
        this.disk = disk;
        this.mode = mode;
        this.retainEntries = retainEntries;
        this.onFatal = onFatal;
        ReplayBuilder b = new ReplayBuilder(Long.MAX_VALUE);
        synchronized (disk) {
            for (StoredRecord r : disk.records) {
                b.record(r);
            }
        }
        this.accepted = new LogTracker(b.lastIndex(), b.hardState(), b.snapshot());
        this.durableSnapshot = b.snapshot();
    }

    /**
     * Opens a journal over {@code disk} (a new {@link Disk} for a fresh member).
     *
     * @param retainEntries as {@link JournalOptions#retainEntries()}
     * @param onFatal       told once when an injected sync failure hits
     */
    public static MemoryJournal open(Disk disk, SyncMode mode, long retainEntries,
                                     Consumer<Throwable> onFatal) {
        return new MemoryJournal(disk, mode, retainEntries, onFatal);
    }

    public Disk disk() {
        return disk;
    }

    @Override
    public synchronized CompletableFuture<Void> append(JournalBatch batch) {
        checkOpen();
        accepted.checkBatch(batch);
        accepted.applyBatch(batch);
        List<StoredRecord> records = new ArrayList<>();
        for (JournalEntry e : batch.entries()) {
            records.add(new StoredRecord.Entry(copy(e)));
        }
        if (batch.hardState() != null) {
            records.add(new StoredRecord.State(batch.hardState()));
        }
        return queue(records);
    }

    @Override
    public synchronized CompletableFuture<Void> saveSnapshot(SnapshotMarker marker) {
        checkOpen();
        accepted.checkSnapshot(marker);
        accepted.applySnapshot(marker);
        return queue(List.of(new StoredRecord.Snapshot(marker)));
    }

    private CompletableFuture<Void> queue(List<StoredRecord> records) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        unsynced.add(new Unsynced(records, f));
        for (StoredRecord r : records) {
            bytes += RecordFrame.frameBytes(r);
        }
        if (mode == SyncMode.ON_APPEND) {
            sync();
        }
        return f;
    }

    /** Own copy of the payload, so a caller reusing its array cannot change "disk" contents. */
    private static JournalEntry copy(JournalEntry e) {
        return new JournalEntry(e.index(), e.term(), e.type(), e.payload().clone());
    }

    /**
     * Makes every unsynced call durable and completes its future, or, if a failure was injected,
     * fails the journal (fatal: nothing more is synced, all pending futures fail).
     *
     * @return how many calls were acknowledged
     */
    public synchronized int sync() {
        if (failure != null || unsynced.isEmpty()) {
            return 0;
        }
        if (nextSyncFailure != null) {
            IOException cause = nextSyncFailure;
            nextSyncFailure = null;
            failure = cause;
            JournalFailedException ex = new JournalFailedException("journal failed: " + cause, cause);
            unsynced.forEach(u -> u.future().completeExceptionally(ex));
            unsynced.clear();
            onFatal.accept(cause);
            return 0;
        }
        List<Unsynced> done = new ArrayList<>(unsynced);
        unsynced.clear();
        synchronized (disk) {
            for (Unsynced u : done) {
                disk.records.addAll(u.records());
                for (StoredRecord r : u.records()) {
                    if (r instanceof StoredRecord.Snapshot s) {
                        durableSnapshot = s.marker();
                    }
                }
            }
        }
        syncs++;
        appends += done.size();
        done.forEach(u -> u.future().complete(null));
        return done.size();
    }

    /** Calls queued and not yet synced. */
    public synchronized int unsyncedCalls() {
        return unsynced.size();
    }

    /** Makes the next {@link #sync()} fail with {@code cause}. */
    public synchronized void failNextSync(IOException cause) {
        nextSyncFailure = cause;
    }

    /**
     * Simulates a process or power crash: the first {@code keepUnsyncedRecords} unsynced records
     * reach the disk (a torn tail at record granularity), the rest are lost, and this instance is
     * dead (pending futures fail; they would never complete in a real crash, but a simulation
     * must not leak waiters). Restart with {@link #open} over {@link #disk()}.
     */
    public synchronized void crash(int keepUnsyncedRecords) {
        int keep = keepUnsyncedRecords;
        synchronized (disk) {
            for (Unsynced u : unsynced) {
                for (StoredRecord r : u.records()) {
                    if (keep-- > 0) {
                        disk.records.add(r);
                    }
                }
            }
        }
        JournalFailedException ex = new JournalFailedException("journal crashed (simulated)", null);
        unsynced.forEach(u -> u.future().completeExceptionally(ex));
        unsynced.clear();
        closed = true;
    }

    private void checkOpen() {
        if (failure != null) {
            throw new JournalFailedException("journal failed earlier: " + failure, failure);
        }
        if (closed) {
            throw new JournalFailedException("journal is closed", null);
        }
    }

    @Override
    public synchronized Replay replay(long fromIndex) throws IOException {
        if (fromIndex < 1) {
            throw new IllegalArgumentException("fromIndex must be >= 1, got " + fromIndex);
        }
        ReplayBuilder b = new ReplayBuilder(fromIndex);
        synchronized (disk) {
            for (StoredRecord r : disk.records) {
                String problem = b.record(r);
                if (problem != null) {
                    throw new JournalCorruptionException(Path.of("memory"), -1, problem);
                }
            }
        }
        long missing = b.firstMissing();
        if (missing >= 0) {
            throw new JournalCorruptionException(Path.of("memory"), -1, "entries from index "
                    + missing + " are not held: the log starts at " + b.firstHeld());
        }
        Replay r = b.build();
        List<JournalEntry> copies = r.entries().stream().map(MemoryJournal::copy).toList();
        return new Replay(r.snapshot(), r.hardState(), copies, r.firstIndex(), r.lastIndex());
    }

    /**
     * Drops durable entries at or below {@code snapshotIndex - retainEntries}, keeping the latest
     * hard state and snapshot marker (the file journal frees whole segments; the memory journal
     * frees exactly, which only makes it stricter for tests that read released entries).
     *
     * @return 1 if anything was dropped, else 0
     */
    @Override
    public synchronized int release(long snapshotIndex) throws IOException {
        if (durableSnapshot == null || durableSnapshot.index() < snapshotIndex) {
            throw new IllegalStateException("no durable snapshot marker covers index " + snapshotIndex
                    + " (latest durable: " + durableSnapshot + ")");
        }
        long cutoff = snapshotIndex - retainEntries;
        synchronized (disk) {
            ReplayBuilder b = new ReplayBuilder(1);
            for (StoredRecord r : disk.records) {
                b.record(r);
            }
            if (b.firstHeld() > cutoff) {
                return 0;
            }
            // Entries first, then the snapshot marker, then the hard state: replaying this gives
            // the same live log, state and marker as the records it replaces.
            ReplayBuilder live = new ReplayBuilder(cutoff + 1);
            for (StoredRecord r : disk.records) {
                live.record(r);
            }
            List<JournalEntry> entries = live.liveEntries();
            long first = entries.isEmpty() ? live.lastIndex() + 1 : entries.getFirst().index();
            List<StoredRecord> kept = new ArrayList<>();
            kept.add(new StoredRecord.Header(0, first, 0));
            for (JournalEntry e : entries) {
                kept.add(new StoredRecord.Entry(e));
            }
            if (b.snapshot() != null) {
                kept.add(new StoredRecord.Snapshot(b.snapshot()));
            }
            if (b.hardState() != null) {
                kept.add(new StoredRecord.State(b.hardState()));
            }
            disk.records.clear();
            disk.records.addAll(kept);
        }
        return 1;
    }

    @Override
    public synchronized long lastIndex() {
        return accepted.lastIndex();
    }

    @Override
    public synchronized JournalStats stats() {
        return new JournalStats(appends, syncs, bytes, 0);
    }

    /** Syncs what is queued (unless failed or crashed), then refuses further calls. */
    @Override
    public synchronized void close() {
        if (!closed && failure == null) {
            sync();
        }
        closed = true;
    }
}
