package dev.etcetera.storage.wal;

import com.google.protobuf.ByteString;
import dev.etcetera.journal.Journal;
import dev.etcetera.journal.JournalBatch;
import dev.etcetera.journal.JournalEntry;
import dev.etcetera.journal.Replay;
import dev.etcetera.journal.SnapshotMarker;
import dev.etcetera.raft.MemoryStorage;
import dev.etcetera.raft.Storage;
import dev.etcetera.raft.pb.ConfState;
import dev.etcetera.raft.pb.Entry;
import dev.etcetera.raft.pb.EntryType;
import dev.etcetera.raft.pb.HardState;
import dev.etcetera.raft.pb.Snapshot;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Raft's {@link Storage} port on the journal, as etcd pairs its WAL with a {@code MemoryStorage}:
 * every write goes to the {@link Journal} first, and only once it is durable is it added to an
 * in-memory {@link MemoryStorage} that serves Raft's reads. So Raft never sees an entry, hard
 * state or snapshot that a crash could take back.
 *
 * <h2>Mapping</h2>
 * A Raft entry is a journal entry with the same index and term, type = the {@link EntryType}
 * number, payload = the entry's data. The Raft hard state is the journal's hard state. A snapshot
 * is <em>not</em> stored in the journal: its data and metadata (with the configuration) live in the
 * snapshot store ({@code member/snap}), which must have it durably before the journal gets its
 * marker {@code (index, term)}; at open the caller passes the latest stored snapshot back in.
 *
 * <h2>Lifecycle</h2>
 * <ul>
 *   <li>{@link #bootstrap}: a new cluster's log (one conf change entry per initial member).</li>
 *   <li>{@link #open}: restart; replays the journal after the given snapshot.</li>
 *   <li>{@link #save}: persist a Ready's entries and hard state (truncating on a conflict).</li>
 *   <li>{@link #installSnapshot}: a follower installs a leader's snapshot.</li>
 *   <li>{@link #snapshotTaken} then {@link #compact}: after the application made a durable
 *       snapshot, record the marker, then drop entries (keeping {@code retainEntries} for slow
 *       followers) from memory and release journal segments.</li>
 * </ul>
 *
 * <p>Threads: the write methods must be called from one thread (the node loop) and a write's
 * future must complete before Raft is told the entries are stable ({@code advance}). Reads
 * ({@link Storage} methods) are atomic and may come from any thread. Futures complete on the
 * journal's sync thread; the in-memory update is done there, in call order.
 */
public final class JournalRaftStorage implements Storage {

    private final Journal journal;
    private final MemoryStorage cache;
    private final long retainEntries;

    private JournalRaftStorage(Journal journal, MemoryStorage cache, long retainEntries) {
        this.journal = journal;
        this.cache = cache;
        this.retainEntries = retainEntries;
    }

    /**
     * A new member of a new cluster: writes the bootstrap entries (one committed conf change per
     * initial member, term 1, as {@link MemoryStorage#bootstrap}) durably to an empty journal.
     *
     * @throws IllegalStateException if the journal is not empty
     */
    public static JournalRaftStorage bootstrap(Journal journal, ConfState cs, long retainEntries) {
        if (journal.lastIndex() != 0) {
            throw new IllegalStateException("cannot bootstrap: the journal already holds entries up to "
                    + journal.lastIndex());
        }
        MemoryStorage boot = MemoryStorage.bootstrap(cs);
        List<Entry> entries = boot.entries(1, boot.lastIndex() + 1, Long.MAX_VALUE);
        journal.append(JournalBatch.of(toJournal(entries), toJournal(boot.hardState()))).join();
        return new JournalRaftStorage(journal, boot, retainEntries);
    }

    /**
     * Recovers what the journal durably holds after {@code snapshot}.
     *
     * @param snapshot      the latest snapshot from the snapshot store, or {@code null} when none
     *                      was ever taken; may be newer than the journal's marker (a crash between
     *                      storing the snapshot and saving the marker), never older
     * @param retainEntries entries kept in memory below a snapshot on {@link #compact}
     *                      ({@code --snapshot-catchup-entries})
     * @throws IOException           if the journal cannot be read
     * @throws IllegalStateException if the journal's snapshot marker is newer than {@code snapshot}
     *                               (the snapshot store lost a snapshot the journal relies on)
     */
    public static JournalRaftStorage open(Journal journal, Snapshot snapshot, long retainEntries) throws IOException {
        long snapIndex = snapshot == null ? 0 : snapshot.getMetadata().getIndex();
        Replay state = journal.replay(Long.MAX_VALUE);
        SnapshotMarker marker = state.snapshot();
        if (marker != null && marker.index() > snapIndex) {
            throw new IllegalStateException("the journal has a snapshot marker at index " + marker.index()
                    + " but the latest snapshot given is at " + snapIndex);
        }
        MemoryStorage cache = new MemoryStorage();
        if (snapshot != null) {
            if (marker == null || marker.index() < snapIndex) {
                // Stored but not yet marked: mark it now, so the journal agrees where the log starts.
                journal.saveSnapshot(new SnapshotMarker(snapIndex, snapshot.getMetadata().getTerm())).join();
            }
            cache.applySnapshot(snapshot);
        }
        Replay r = journal.replay(snapIndex + 1);
        List<Entry> entries = new ArrayList<>(r.entries().size());
        for (JournalEntry e : r.entries()) {
            entries.add(fromJournal(e));
        }
        cache.append(entries);
        if (r.hardState() != null) {
            cache.setHardState(fromJournal(r.hardState()));
        }
        return new JournalRaftStorage(journal, cache, retainEntries);
    }

    // ------------------------------------------------------------------ writes (node loop)

    /**
     * Persists a Ready's entries and hard state. Entries starting at or below the last index
     * replace that suffix (Raft truncation; never at or below the commit index).
     *
     * @param hardState the new hard state, or {@code null} / the default instance when unchanged
     * @return completes once durable and visible through this {@link Storage}
     * @throws IllegalArgumentException if the entries would break the log (see {@link Journal})
     */
    public CompletableFuture<Void> save(HardState hardState, List<Entry> entries) {
        boolean hs = hardState != null && !hardState.equals(HardState.getDefaultInstance());
        if (entries.isEmpty() && !hs) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> f = journal.append(JournalBatch.of(toJournal(entries), hs ? toJournal(hardState) : null));
        List<Entry> copy = List.copyOf(entries);
        return f.thenRun(() -> {
            cache.append(copy);
            if (hs) {
                cache.setHardState(hardState);
            }
        });
    }

    /**
     * A follower installs the leader's snapshot, which the caller has already stored durably: the
     * journal records the marker and the log restarts after it.
     */
    public CompletableFuture<Void> installSnapshot(Snapshot snapshot) {
        SnapshotMarker marker = new SnapshotMarker(snapshot.getMetadata().getIndex(), snapshot.getMetadata().getTerm());
        return journal.saveSnapshot(marker).thenRun(() -> cache.applySnapshot(snapshot));
    }

    /**
     * The application has durably stored a snapshot of its state at applied index {@code index}
     * (which must be in the log): Raft may send it to followers, and the journal records the marker.
     * Call {@link #compact} once the returned future completes.
     */
    public CompletableFuture<Snapshot> snapshotTaken(long index, ConfState cs, ByteString data) {
        Snapshot snap = cache.createSnapshot(index, cs, data);
        return journal.saveSnapshot(new SnapshotMarker(index, snap.getMetadata().getTerm())).thenApply(v -> snap);
    }

    /**
     * Drops entries at or below {@code snapshotIndex - retainEntries} from memory and releases the
     * journal segments wholly below that point. Does file I/O: not on the journal's thread.
     *
     * @param snapshotIndex the index of a snapshot whose marker is durable ({@link #snapshotTaken})
     * @return the number of journal segments released
     */
    public int compact(long snapshotIndex) throws IOException {
        long to = snapshotIndex - retainEntries;
        if (to > cache.firstIndex() - 1) {
            cache.compact(Math.min(to, cache.lastIndex()));
        }
        return journal.release(snapshotIndex);
    }

    // ------------------------------------------------------------------ Storage

    @Override
    public InitialState initialState() {
        return cache.initialState();
    }

    @Override
    public List<Entry> entries(long lo, long hi, long maxBytes) {
        return cache.entries(lo, hi, maxBytes);
    }

    @Override
    public long term(long i) {
        return cache.term(i);
    }

    @Override
    public long lastIndex() {
        return cache.lastIndex();
    }

    @Override
    public long firstIndex() {
        return cache.firstIndex();
    }

    @Override
    public Snapshot snapshot() {
        return cache.snapshot();
    }

    /** The durable hard state (the default instance when none was saved). */
    public HardState hardState() {
        return cache.hardState();
    }

    // ------------------------------------------------------------------ mapping

    static List<JournalEntry> toJournal(List<Entry> entries) {
        List<JournalEntry> out = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            out.add(new JournalEntry(e.getIndex(), e.getTerm(), e.getTypeValue(), e.getData().toByteArray()));
        }
        return out;
    }

    static Entry fromJournal(JournalEntry e) {
        EntryType type = EntryType.forNumber(e.type());
        if (type == null) {
            throw new IllegalStateException("journal entry " + e.index() + " has unknown Raft entry type " + e.type());
        }
        return Entry.newBuilder().setIndex(e.index()).setTerm(e.term()).setType(type)
                .setData(ByteString.copyFrom(e.payload())).build();
    }

    static dev.etcetera.journal.HardState toJournal(HardState hs) {
        return new dev.etcetera.journal.HardState(hs.getTerm(), hs.getVote(), hs.getCommit());
    }

    static HardState fromJournal(dev.etcetera.journal.HardState hs) {
        return HardState.newBuilder().setTerm(hs.term()).setVote(hs.vote()).setCommit(hs.commit()).build();
    }
}
