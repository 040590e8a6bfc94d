package dev.etcetera.raft;

import com.google.protobuf.ByteString;
import dev.etcetera.raft.pb.ConfChange;
import dev.etcetera.raft.pb.ConfState;
import dev.etcetera.raft.pb.Entry;
import dev.etcetera.raft.pb.EntryType;
import dev.etcetera.raft.pb.HardState;
import dev.etcetera.raft.pb.Message;
import dev.etcetera.raft.pb.MessageType;
import dev.etcetera.raft.pb.Snapshot;
import dev.etcetera.raft.tracker.Progress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The public face of one Raft node: inputs ({@link #tick}, {@link #step}, {@link #propose},
 * {@link #proposeConfChange}, {@link #readIndex}, {@link #transferLeader}, {@link #campaign}),
 * output as a {@link Ready}, and {@link #advance} once the caller has done the I/O.
 *
 * <p>Thread contract: one thread (the member's node loop) owns a RawNode and calls every method;
 * nothing here blocks, sleeps, reads a clock or does I/O. Between {@link #ready()} and
 * {@link #advance(Ready)} the caller must not call any other method; it may hold the Ready while
 * persisting.
 */
public final class RawNode {
    private final Raft raft;
    private SoftState prevSoftState;
    private HardState prevHardState;

    public RawNode(RaftConfig config) {
        this.raft = new Raft(config);
        this.prevSoftState = raft.softState();
        this.prevHardState = raft.hardState();
    }

    public long id() {
        return raft.id;
    }

    /** Advances logical time by one tick (etcd: 100 ms). */
    public void tick() {
        raft.tick();
    }

    /** Starts an election now (pre-vote first if configured). */
    public void campaign() {
        raft.step(Message.newBuilder().setType(MessageType.MSG_HUP).build());
    }

    public ProposeResult propose(ByteString data) {
        return raft.propose(List.of(Entry.newBuilder().setType(EntryType.ENTRY_NORMAL).setData(data).build()));
    }

    /** Proposes several entries as one batch (one MsgApp, one log append). */
    public ProposeResult proposeBatch(List<ByteString> data) {
        List<Entry> es = new ArrayList<>(data.size());
        for (ByteString d : data) es.add(Entry.newBuilder().setData(d).build());
        return raft.propose(es);
    }

    /**
     * Proposes a membership change. Membership changes one member at a time: a new change is
     * refused ({@link ProposeResult#CONF_CHANGE_PENDING}) until the previous one is applied.
     */
    public ProposeResult proposeConfChange(ConfChange cc) {
        return raft.propose(List.of(Entry.newBuilder().setType(EntryType.ENTRY_CONF_CHANGE).setData(cc.toByteString()).build()));
    }

    /** Applies a committed conf change entry's change; call it while applying that entry. */
    public ConfState applyConfChange(ConfChange cc) {
        return raft.applyConfChange(cc);
    }

    /**
     * Steps a message received from a peer. Local-only message types and responses from peers the
     * node does not know are ignored (a message from the network can never forge local input).
     */
    public void step(Message m) {
        if (Raft.isLocal(m.getType())) {
            return;
        }
        if (Raft.isResponse(m.getType()) && raft.prs.get(m.getFrom()) == null && raft.state == StateType.LEADER) {
            return;
        }
        raft.step(m);
    }

    /**
     * Requests a linearizable read point. The answer arrives as a {@link ReadState} carrying
     * {@code context} in a later Ready; the context should be unique per request.
     */
    public ProposeResult readIndex(ByteString context) {
        return raft.readIndex(context);
    }

    /** Asks the leader to hand leadership to {@code transferee} (etcd's MoveLeader). */
    public void transferLeader(long transferee) {
        raft.step(Message.newBuilder().setType(MessageType.MSG_TRANSFER_LEADER).setFrom(transferee).build());
    }

    /** The transport could not reach {@code id}: stop streaming to it until it answers again. */
    public void reportUnreachable(long id) {
        raft.step(Message.newBuilder().setType(MessageType.MSG_UNREACHABLE).setFrom(id).build());
    }

    /** The transport finished (or failed) sending a snapshot to {@code id}. */
    public void reportSnapshot(long id, boolean failed) {
        raft.step(Message.newBuilder().setType(MessageType.MSG_SNAP_STATUS).setFrom(id).setReject(failed).build());
    }

    public boolean hasReady() {
        SoftState ss = raft.softState();
        if (!ss.equals(prevSoftState)) return true;
        HardState hs = raft.hardState();
        if (!hs.equals(HardState.getDefaultInstance()) && !hs.equals(prevHardState)) return true;
        if (raft.raftLog.hasPendingSnapshot()) return true;
        if (!raft.msgs.isEmpty() || raft.readIndexBroadcastPending) return true;
        if (!raft.raftLog.unstable.entries.isEmpty() || raft.raftLog.hasNextCommittedEntries()) return true;
        return !raft.readStates.isEmpty();
    }

    /** Collects the output accumulated since the last {@link #advance}; see {@link Ready} for the contract. */
    public Ready ready() {
        raft.flushReadIndex();
        List<Message> now = new ArrayList<>();
        List<Message> afterPersist = new ArrayList<>();
        for (int i = 0; i < raft.msgs.size(); i++) {
            (raft.msgsImmediate.get(i) ? now : afterPersist).add(raft.msgs.get(i));
        }
        raft.msgs.clear();
        raft.msgsImmediate.clear();

        SoftState ss = raft.softState();
        HardState hs = raft.hardState();
        List<Entry> entries = raft.raftLog.unstableEntries();
        Snapshot snap = raft.raftLog.unstable.snapshot;
        boolean hsChanged = !hs.equals(prevHardState);
        boolean mustSync = !entries.isEmpty()
                || hs.getTerm() != prevHardState.getTerm() || hs.getVote() != prevHardState.getVote();
        Ready rd = new Ready(
                ss.equals(prevSoftState) ? null : ss,
                hsChanged ? hs : null,
                List.copyOf(raft.readStates),
                entries,
                snap,
                List.copyOf(raft.raftLog.nextCommittedEntries()),
                List.copyOf(now),
                List.copyOf(afterPersist),
                mustSync || snap != null);
        raft.readStates.clear();
        return rd;
    }

    /** The caller has persisted, sent and applied {@code rd} as {@link Ready} describes. */
    public void advance(Ready rd) {
        if (rd.softState() != null) {
            prevSoftState = rd.softState();
        }
        if (rd.hardState() != null) {
            prevHardState = rd.hardState();
        }
        if (rd.snapshot() != null) {
            long si = rd.snapshot().getMetadata().getIndex();
            raft.raftLog.stableSnapTo(si);
            // the caller installed the snapshot into its state machine: that is applying up to si
            raft.raftLog.appliedTo(si);
        }
        if (!rd.entries().isEmpty()) {
            Entry last = rd.entries().get(rd.entries().size() - 1);
            raft.raftLog.stableTo(last.getIndex(), last.getTerm());
            raft.onPersisted(last.getIndex(), last.getTerm());
        }
        if (!rd.committedEntries().isEmpty()) {
            raft.raftLog.appliedTo(rd.committedEntries().get(rd.committedEntries().size() - 1).getIndex());
        }
    }

    /** Cheap view of the volatile state (who leads, our role). */
    public SoftState softState() {
        return raft.softState();
    }

    /** Cheap view of term, vote and commit index (not necessarily persisted yet). */
    public HardState hardState() {
        return raft.hardState();
    }

    /** A snapshot of the node's state for monitoring and tests; copies, safe to keep. */
    public Status status() {
        Map<Long, String> progress = new TreeMap<>();
        if (raft.state == StateType.LEADER) {
            for (Map.Entry<Long, Progress> e : raft.prs.progress().entrySet()) {
                progress.put(e.getKey(), e.getValue().toString());
            }
        }
        return new Status(raft.id, raft.hardState(), raft.softState(), raft.raftLog.applied, raft.raftLog.lastIndex(),
                raft.raftLog.firstIndex(), raft.leadTransferee, raft.prs.confState(), progress);
    }

    /** What {@link #status()} reports. */
    public record Status(long id, HardState hardState, SoftState softState, long applied, long lastIndex,
                         long firstIndex, long leadTransferee, ConfState confState, Map<Long, String> progress) {
    }

    /** Test and simulation access to the whole log (stable and unstable); not for production paths. */
    public List<Entry> logEntries() {
        return raft.raftLog.allEntries();
    }

    /** The term of entry {@code i} as this node sees it; 0 if beyond the log or compacted. */
    public long term(long i) {
        return raft.raftLog.termOrZero(i);
    }

    /** For scenario tests: the randomised election timeout currently drawn. */
    public int randomizedElectionTimeout() {
        return raft.randomizedElectionTimeout;
    }

    /** For scenario tests: pin the randomised election timeout. */
    public void setRandomizedElectionTimeout(int ticks) {
        raft.randomizedElectionTimeout = ticks;
    }

    /** Package-private access for tests in this package. */
    Raft raftForTest() {
        return raft;
    }

    public int electionTimeout() {
        return raft.electionTimeout;
    }

    public int heartbeatTimeout() {
        return raft.heartbeatTimeout;
    }
}
