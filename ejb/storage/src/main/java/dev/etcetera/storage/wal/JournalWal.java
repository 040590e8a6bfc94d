package dev.etcetera.storage.wal;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.etcetera.api.internal.InternalRaftRequest;
import dev.etcetera.journal.Journal;
import dev.etcetera.journal.JournalBatch;
import dev.etcetera.journal.JournalEntry;
import dev.etcetera.journal.JournalFailedException;
import dev.etcetera.journal.Replay;
import dev.etcetera.journal.SnapshotMarker;
import dev.etcetera.server.CommittedEntry;
import dev.etcetera.server.WriteAheadLog;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The single member's {@link WriteAheadLog} on a {@link Journal}: one journal entry per proposal
 * (type {@link #TYPE_REQUEST}, payload the serialised {@code InternalRaftRequest}), and the
 * periodic release of journal segments once the backend holds their effects durably.
 *
 * <h2>Release</h2>
 * Backend commits are unsynced, except every {@code snapshotCount} applied entries
 * ({@code --snapshot-count}) the apply stage is asked for a synced one ({@link #syncCommit}). Once
 * that commit returned, the backend durably holds everything up to its applied index {@code A}
 * (JE: {@code COMMIT_SYNC} forces its log, which it recovers in order), so the backend is the
 * snapshot of the state machine at {@code A}: a snapshot marker {@code (A, term)} is saved in the
 * journal and, once durable, segments wholly at or below {@code A - retainEntries}
 * ({@code --snapshot-catchup-entries}) are released, on a thread of this class (file deletion must
 * not run on the journal's sync thread nor delay the apply thread). The consistent index read at
 * start is never used for release: after a process kill JE may have recovered it from the page
 * cache, not from the disk.
 *
 * <p>Failures of the marker or of the release are logged and otherwise ignored here: a failed
 * journal fails the next append, which is what stops the member.
 *
 * <p>Threads: {@link #append} from the proposer (serialised by it); {@link #syncCommit} and
 * {@link #committed} on the apply thread; {@link #replay} once at start.
 */
public final class JournalWal implements WriteAheadLog {
    private static final System.Logger LOG = System.getLogger(JournalWal.class.getName());
    /** Journal entry type of a proposal; the same code as Raft's {@code ENTRY_NORMAL}. */
    public static final int TYPE_REQUEST = 0;

    private final Journal journal;
    private final long snapshotCount;
    private final ExecutorService releaser = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "etcetera-wal-release");
        t.setDaemon(true);
        return t;
    });
    /** Apply thread only: the applied index of the last synced backend commit (or of the start). */
    private long lastSynced;
    private volatile boolean closed;
    private volatile CompletableFuture<Void> lastRelease = CompletableFuture.completedFuture(null);

    /**
     * @param journal       the open journal; this object owns it from now on and closes it
     * @param snapshotCount applied entries between two synced backend commits that let the journal
     *                      release segments, {@code >= 1}
     */
    public JournalWal(Journal journal, long snapshotCount) {
        if (snapshotCount < 1) {
            throw new IllegalArgumentException("--snapshot-count must be >= 1, got " + snapshotCount);
        }
        this.journal = journal;
        this.snapshotCount = snapshotCount;
    }

    @Override
    public List<CommittedEntry> replay(long appliedIndex, long appliedTerm) {
        lastSynced = appliedIndex;
        try {
            if (journal.lastIndex() < appliedIndex) {
                // The backend is ahead of the journal: a data dir from before the journal (every commit
                // was synced) or a new --wal-dir. The backend is the snapshot; the log restarts after it.
                LOG.log(System.Logger.Level.WARNING, "journal ends at index " + journal.lastIndex()
                        + " but the backend has applied " + appliedIndex + "; starting the journal after it");
                journal.saveSnapshot(new SnapshotMarker(appliedIndex, appliedTerm)).join();
            }
            Replay r = journal.replay(appliedIndex + 1);
            List<CommittedEntry> out = new ArrayList<>(r.entries().size());
            long expected = appliedIndex + 1;
            for (JournalEntry e : r.entries()) {
                if (e.index() != expected) {
                    throw new IllegalStateException("journal replay from " + (appliedIndex + 1)
                            + " returned entry " + e.index() + " where " + expected + " was expected");
                }
                out.add(decode(e));
                expected++;
            }
            if (r.lastIndex() != expected - 1) {
                throw new IllegalStateException("journal's last index " + r.lastIndex() + " but replay ended at "
                        + (expected - 1));
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot replay the journal after applied index " + appliedIndex + ": "
                    + e.getMessage(), e);
        }
    }

    /** The proposal stored in a journal entry; checks the type and the encoding. */
    static CommittedEntry decode(JournalEntry e) {
        if (e.type() != TYPE_REQUEST) {
            throw new IllegalStateException("journal entry " + e.index() + " has type " + e.type()
                    + ", expected a request (" + TYPE_REQUEST + ")");
        }
        try {
            return new CommittedEntry(e.index(), e.term(), InternalRaftRequest.parseFrom(e.payload()));
        } catch (InvalidProtocolBufferException x) {
            throw new IllegalStateException("journal entry " + e.index() + " does not hold a request: "
                    + x.getMessage(), x);
        }
    }

    /** The journal entry holding a proposal. */
    static JournalEntry encode(CommittedEntry e) {
        return new JournalEntry(e.index(), e.term(), TYPE_REQUEST, e.request().toByteArray());
    }

    @Override
    public CompletableFuture<Void> append(List<CommittedEntry> entries) {
        List<JournalEntry> records = new ArrayList<>(entries.size());
        for (CommittedEntry e : entries) {
            records.add(encode(e));
        }
        return journal.append(JournalBatch.of(records));
    }

    @Override
    public boolean syncCommit(long appliedIndex) {
        return appliedIndex - lastSynced >= snapshotCount;
    }

    @Override
    public void committed(long appliedIndex, long term, boolean synced) {
        if (!synced) {
            return;
        }
        lastSynced = appliedIndex;
        if (closed) {
            return;
        }
        try {
            CompletableFuture<Void> marker = journal.saveSnapshot(new SnapshotMarker(appliedIndex, term));
            lastRelease = marker.thenRunAsync(() -> release(appliedIndex), releaser);
        } catch (JournalFailedException | RejectedExecutionException e) {
            LOG.log(System.Logger.Level.DEBUG, "no release after applied index " + appliedIndex + ": " + e);
        }
    }

    private void release(long appliedIndex) {
        if (closed) {
            return;
        }
        try {
            int n = journal.release(appliedIndex);
            if (n > 0) {
                LOG.log(System.Logger.Level.INFO, "released " + n + " journal segment(s) below applied index "
                        + appliedIndex);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "journal release after applied index " + appliedIndex
                    + " failed", e);
        }
    }

    /** Completes when the release started by the latest synced commit has run (tests). */
    CompletableFuture<Void> lastRelease() {
        return lastRelease;
    }

    /** The journal underneath (tests, metrics). */
    public Journal journal() {
        return journal;
    }

    @Override
    public void close() {
        closed = true;
        releaser.shutdown();
        try {
            if (!releaser.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "journal release still running after 30 s; closing anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        journal.close();
    }
}
