package dev.etcetera.raft;

import dev.etcetera.raft.pb.ConfChange;
import dev.etcetera.raft.pb.ConfChangeType;
import dev.etcetera.raft.pb.ConfState;
import dev.etcetera.raft.pb.EntryType;
import dev.etcetera.raft.pb.Entry;
import dev.etcetera.raft.pb.HardState;
import dev.etcetera.raft.pb.Snapshot;
import dev.etcetera.raft.pb.SnapshotMetadata;
import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link Storage} held in memory: the reference implementation, used by tests, the simulation and
 * the benchmark, and the shape the journal-backed storage follows.
 *
 * <p>Representation: {@code ents.get(0)} is a dummy entry carrying the snapshot's index and term, so
 * {@code ents.get(i - offset)} is entry {@code i} where {@code offset = ents.get(0).index}. Every
 * method is synchronized: the node-loop thread appends, the apply stage may create snapshots and
 * compact. "Durable" here means "in this object": a simulated crash keeps exactly this state.
 */
public final class MemoryStorage implements Storage {
    private HardState hardState = HardState.getDefaultInstance();
    private Snapshot snapshot = Snapshot.newBuilder()
            .setMetadata(SnapshotMetadata.newBuilder().setConfState(ConfState.getDefaultInstance())).build();
    private final ArrayList<Entry> ents = new ArrayList<>();

    public MemoryStorage() {
        ents.add(Entry.getDefaultInstance());
    }

    /** A new storage whose configuration is {@code cs} at index 0 (a brand-new cluster). */
    public static MemoryStorage withConfState(ConfState cs) {
        MemoryStorage s = new MemoryStorage();
        s.snapshot = s.snapshot.toBuilder().setMetadata(s.snapshot.getMetadata().toBuilder().setConfState(cs)).build();
        return s;
    }

    /**
     * A new cluster's first state, as etcd bootstraps one: one committed conf change entry per
     * initial member at term 1 (voters, then learners), so that a member added later, which replays
     * the log from index 1, learns the initial configuration the same way everyone else did.
     * Applying these entries again on start is harmless (adding a present member is a no-op).
     */
    public static MemoryStorage bootstrap(ConfState cs) {
        MemoryStorage s = withConfState(cs);
        List<Entry> es = new ArrayList<>();
        for (long v : cs.getVotersList()) es.add(bootstrapEntry(es.size() + 1, ConfChangeType.CONF_CHANGE_ADD_NODE, v));
        for (long l : cs.getLearnersList()) es.add(bootstrapEntry(es.size() + 1, ConfChangeType.CONF_CHANGE_ADD_LEARNER_NODE, l));
        s.append(es);
        s.setHardState(HardState.newBuilder().setTerm(1).setCommit(es.size()).build());
        return s;
    }

    private static Entry bootstrapEntry(long index, ConfChangeType type, long node) {
        return Entry.newBuilder().setTerm(1).setIndex(index).setType(EntryType.ENTRY_CONF_CHANGE)
                .setData(ConfChange.newBuilder().setType(type).setNodeId(node).build().toByteString()).build();
    }

    @Override
    public synchronized InitialState initialState() {
        return new InitialState(hardState, snapshot.getMetadata().getConfState());
    }

    /** Records the hard state; the caller does this before sending the Ready's persisted messages. */
    public synchronized void setHardState(HardState hs) {
        this.hardState = hs;
    }

    public synchronized HardState hardState() {
        return hardState;
    }

    private long offset() {
        return ents.get(0).getIndex();
    }

    @Override
    public synchronized List<Entry> entries(long lo, long hi, long maxBytes) {
        long offset = offset();
        if (lo <= offset) {
            throw new CompactedException(lo, offset);
        }
        if (hi > lastIndexLocked() + 1) {
            throw new UnavailableException(hi - 1, lastIndexLocked());
        }
        if (ents.size() == 1) {
            return List.of();
        }
        List<Entry> out = new ArrayList<>();
        long size = 0;
        for (long i = lo; i < hi; i++) {
            Entry e = ents.get((int) (i - offset));
            size += e.getSerializedSize();
            if (!out.isEmpty() && size > maxBytes) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    @Override
    public synchronized long term(long i) {
        long offset = offset();
        if (i < offset) {
            throw new CompactedException(i, offset);
        }
        if (i - offset >= ents.size()) {
            throw new UnavailableException(i, lastIndexLocked());
        }
        return ents.get((int) (i - offset)).getTerm();
    }

    @Override
    public synchronized long lastIndex() {
        return lastIndexLocked();
    }

    private long lastIndexLocked() {
        return ents.get(0).getIndex() + ents.size() - 1;
    }

    @Override
    public synchronized long firstIndex() {
        return offset() + 1;
    }

    @Override
    public synchronized Snapshot snapshot() {
        return snapshot;
    }

    /**
     * Replaces the whole content with {@code snap} (a follower installing a leader's snapshot).
     * A snapshot older than the current one is refused.
     */
    public synchronized void applySnapshot(Snapshot snap) {
        long idx = snap.getMetadata().getIndex();
        if (idx < snapshot.getMetadata().getIndex()) {
            throw new IllegalArgumentException("snapshot " + idx + " is older than " + snapshot.getMetadata().getIndex());
        }
        snapshot = snap;
        ents.clear();
        ents.add(Entry.newBuilder().setIndex(idx).setTerm(snap.getMetadata().getTerm()).build());
    }

    /**
     * Builds a snapshot of the application state {@code data} as of applied index {@code i}, which
     * must be in the log. The log is not compacted: call {@link #compact} separately (usually a
     * little lower, so slow followers can still catch up from the log).
     */
    public synchronized Snapshot createSnapshot(long i, ConfState cs, ByteString data) {
        if (i <= snapshot.getMetadata().getIndex()) {
            throw new IllegalArgumentException("snapshot at " + i + " is not newer than " + snapshot.getMetadata().getIndex());
        }
        if (i > lastIndexLocked()) {
            throw new IllegalArgumentException("snapshot " + i + " is out of bound lastindex(" + lastIndexLocked() + ")");
        }
        long offset = offset();
        Entry e = ents.get((int) (i - offset));
        snapshot = Snapshot.newBuilder().setData(data)
                .setMetadata(SnapshotMetadata.newBuilder().setIndex(i).setTerm(e.getTerm()).setConfState(cs)).build();
        return snapshot;
    }

    /** Discards entries up to and including {@code compactIndex}; it must not exceed the last index. */
    public synchronized void compact(long compactIndex) {
        long offset = offset();
        if (compactIndex <= offset) {
            throw new CompactedException(compactIndex, offset);
        }
        if (compactIndex > lastIndexLocked()) {
            throw new IllegalArgumentException("compact " + compactIndex + " is out of bound lastindex(" + lastIndexLocked() + ")");
        }
        int i = (int) (compactIndex - offset);
        Entry dummy = Entry.newBuilder().setIndex(ents.get(i).getIndex()).setTerm(ents.get(i).getTerm()).build();
        List<Entry> rest = new ArrayList<>(ents.subList(i + 1, ents.size()));
        ents.clear();
        ents.add(dummy);
        ents.addAll(rest);
    }

    /**
     * Appends entries made durable by the caller. Entries that overlap the stored log replace the
     * conflicting suffix (a follower overwriting uncommitted entries); entries already compacted are
     * skipped. The first new entry must not leave a gap.
     */
    public synchronized void append(List<Entry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        long first = offset() + 1;
        long last = entries.get(entries.size() - 1).getIndex();
        if (last < first) {
            return; // all compacted already
        }
        List<Entry> es = entries;
        if (first > es.get(0).getIndex()) {
            es = es.subList((int) (first - es.get(0).getIndex()), es.size());
        }
        long offset = es.get(0).getIndex() - offset();
        if (offset > ents.size()) {
            throw new IllegalStateException("missing log entry [last: " + lastIndexLocked() + ", append at: " + es.get(0).getIndex() + "]");
        }
        while (ents.size() > offset) {
            ents.remove(ents.size() - 1);
        }
        ents.addAll(es);
    }
}
