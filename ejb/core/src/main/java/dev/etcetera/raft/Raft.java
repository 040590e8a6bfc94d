package dev.etcetera.raft;

import com.google.protobuf.ByteString;
import dev.etcetera.raft.RaftLogger.Level;
import dev.etcetera.raft.pb.ConfChange;
import dev.etcetera.raft.pb.ConfState;
import dev.etcetera.raft.pb.Entry;
import dev.etcetera.raft.pb.EntryType;
import dev.etcetera.raft.pb.HardState;
import dev.etcetera.raft.pb.Message;
import dev.etcetera.raft.pb.MessageType;
import dev.etcetera.raft.pb.Snapshot;
import dev.etcetera.raft.tracker.Progress;
import dev.etcetera.raft.tracker.ProgressTracker;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The Raft protocol for one node: the state transitions of the paper (with pre-vote, check-quorum,
 * leader transfer, ReadIndex and single-step membership changes) as a pure function of the messages
 * and ticks it is given. Output accumulates in {@link #msgs}, the log's unstable part and
 * {@link #readStates}; {@link RawNode} packages it into a {@link Ready}.
 *
 * <p>Not thread-safe: confined to the node-loop thread. Reads no clock and no entropy (the
 * election-timeout randomisation uses a seeded generator).
 */
final class Raft {
    static final long NONE = 0;
    /** Vote context of an election forced by leader transfer: bypasses leader stickiness. */
    static final ByteString CAMPAIGN_TRANSFER = ByteString.copyFromUtf8("CampaignTransfer");

    private enum CampaignType { PRE_ELECTION, ELECTION, TRANSFER }

    final long id;
    long term;
    long vote;
    long lead = NONE;
    StateType state = StateType.FOLLOWER;
    boolean isLearner;
    final RaftLog raftLog;
    final ProgressTracker prs;
    /** Messages produced since the last Ready; each tagged by whether it may leave before persistence. */
    final List<Message> msgs = new ArrayList<>();
    final List<Boolean> msgsImmediate = new ArrayList<>();
    final List<ReadState> readStates = new ArrayList<>();

    long leadTransferee = NONE;
    /** A conf change at an index above applied is in flight: no other may be proposed. */
    long pendingConfIndex;
    ReadOnly readOnly = new ReadOnly();
    /** ReadIndex requests that arrived before this leader committed an entry of its term. */
    private final List<Message> pendingReadIndexMessages = new ArrayList<>();
    /** A ReadIndex request was queued since the last heartbeat round: broadcast one at the next Ready. */
    boolean readIndexBroadcastPending;

    int electionElapsed;
    int heartbeatElapsed;
    final boolean checkQuorum;
    final boolean preVote;
    final int heartbeatTimeout;
    final int electionTimeout;
    int randomizedElectionTimeout;
    final long maxMsgSize;
    private final SplittableRandom rand;
    private final LeaderStep leader = new LeaderStep(this);
    final RaftLogger logger;

    Raft(RaftConfig c) {
        c.validate();
        this.id = c.id();
        this.logger = c.logger();
        this.raftLog = new RaftLog(c.storage(), c.maxCommittedSizePerReady());
        this.prs = new ProgressTracker(c.maxInflightMsgs(), c.maxInflightBytes());
        this.maxMsgSize = c.maxSizePerMsg();
        this.electionTimeout = c.electionTick();
        this.heartbeatTimeout = c.heartbeatTick();
        this.checkQuorum = c.checkQuorum();
        this.preVote = c.preVote();
        this.rand = new SplittableRandom(c.randomSeed());

        Storage.InitialState is = c.storage().initialState();
        ConfState cs = is.confState();
        prs.reset(cs, raftLog.lastIndex() + 1);
        isLearner = prs.isLearner(id);
        HardState hs = is.hardState();
        if (!hs.equals(HardState.getDefaultInstance())) {
            if (hs.getCommit() < raftLog.committed || hs.getCommit() > raftLog.lastIndex()) {
                throw new IllegalStateException(id + " state.commit " + hs.getCommit() + " is out of range ["
                        + raftLog.committed + ", " + raftLog.lastIndex() + "]");
            }
            raftLog.committed = hs.getCommit();
            term = hs.getTerm();
            vote = hs.getVote();
        }
        if (c.applied() > 0) {
            raftLog.appliedTo(c.applied());
        }
        becomeFollower(term, NONE);
        info("newRaft " + id + " [" + Describe.confState(prs.confState()) + ", term: " + term + ", commit: "
                + raftLog.committed + ", applied: " + raftLog.applied + ", lastindex: " + raftLog.lastIndex()
                + ", lastterm: " + raftLog.lastTerm() + "]");
    }

    // ---------------------------------------------------------------- logging

    void info(String s) {
        if (logger.enabled(Level.INFO)) logger.log(Level.INFO, s);
    }

    boolean debugOn() {
        return logger.enabled(Level.DEBUG);
    }

    void debug(String s) {
        logger.log(Level.DEBUG, s);
    }

    // ---------------------------------------------------------------- state queries

    SoftState softState() {
        return new SoftState(lead, state);
    }

    HardState hardState() {
        return HardState.newBuilder().setTerm(term).setVote(vote).setCommit(raftLog.committed).build();
    }

    /** Whether this node may campaign: a voter of the current configuration with no pending snapshot. */
    boolean promotable() {
        return prs.isVoter(id) && !raftLog.hasPendingSnapshot();
    }

    boolean pastElectionTimeout() {
        return electionElapsed >= randomizedElectionTimeout;
    }

    void resetRandomizedElectionTimeout() {
        randomizedElectionTimeout = electionTimeout + rand.nextInt(electionTimeout);
    }

    // ---------------------------------------------------------------- sending

    /**
     * Queues {@code m} (with our id and, except for local-only requests, our term). A leader's
     * messages may leave before its own log write is durable (the paper's parallel append); any other
     * role's messages may carry votes or acknowledgements that promise durable state, so they wait.
     */
    void send(Message.Builder m) {
        if (m.getFrom() == NONE) {
            m.setFrom(id); // a forwarded MsgTransferLeader keeps the transferee as its sender
        }
        MessageType t = m.getType();
        if (t == MessageType.MSG_VOTE || t == MessageType.MSG_VOTE_RESP || t == MessageType.MSG_PRE_VOTE
                || t == MessageType.MSG_PRE_VOTE_RESP) {
            if (m.getTerm() == 0) {
                throw new IllegalStateException("term should be set when sending " + t);
            }
        } else {
            if (m.getTerm() != 0) {
                throw new IllegalStateException("term should not be set when sending " + t + " (was " + m.getTerm() + ")");
            }
            if (t != MessageType.MSG_PROP && t != MessageType.MSG_READ_INDEX) {
                m.setTerm(term);
            }
        }
        msgs.add(m.build());
        msgsImmediate.add(state == StateType.LEADER);
    }

    boolean sendAppend(long to) {
        return maybeSendAppend(to, true);
    }

    /**
     * Sends the entries {@code to} lacks (a snapshot if they were compacted away), or an empty MsgApp
     * carrying the commit index when {@code sendIfEmpty}.
     *
     * @return whether a message was sent
     */
    boolean maybeSendAppend(long to, boolean sendIfEmpty) {
        Progress pr = prs.get(to);
        if (pr == null || pr.isPaused()) {
            return false;
        }
        long prevIndex = pr.next() - 1;
        long prevTerm;
        List<Entry> ents;
        try {
            prevTerm = raftLog.term(prevIndex);
            ents = raftLog.entries(pr.next(), maxMsgSize);
        } catch (Storage.CompactedException e) {
            return sendSnapshot(to, pr);
        }
        if (ents.isEmpty() && !sendIfEmpty) {
            return false;
        }
        Message.Builder m = Message.newBuilder().setTo(to).setType(MessageType.MSG_APP)
                .setIndex(prevIndex).setLogTerm(prevTerm).addAllEntries(ents).setCommit(raftLog.committed);
        if (!ents.isEmpty()) {
            switch (pr.state()) {
                case REPLICATE -> {
                    long last = ents.get(ents.size() - 1).getIndex();
                    long bytes = 0;
                    for (Entry e : ents) bytes += e.getData().size();
                    pr.optimisticUpdate(last);
                    pr.inflights().add(last, bytes);
                }
                case PROBE -> pr.probeSent(true);
                case SNAPSHOT -> throw new IllegalStateException(id + " is sending append in unhandled state " + pr.state());
            }
        }
        send(m);
        return true;
    }

    private boolean sendSnapshot(long to, Progress pr) {
        if (!pr.recentActive()) {
            if (debugOn()) debug("ignore sending snapshot to " + to + " since it is not recently active");
            return false;
        }
        Snapshot snap;
        try {
            snap = raftLog.snapshot();
        } catch (Storage.SnapshotTemporarilyUnavailableException e) {
            if (debugOn()) debug(id + " failed to send snapshot to " + to + " because snapshot is temporarily unavailable");
            return false;
        }
        if (snap.getMetadata().getIndex() == 0) {
            throw new IllegalStateException("need non-empty snapshot");
        }
        long si = snap.getMetadata().getIndex();
        info(id + " [firstindex: " + raftLog.firstIndex() + ", commit: " + raftLog.committed + "] sent snapshot[index: "
                + si + ", term: " + snap.getMetadata().getTerm() + "] to " + to + " [" + pr + "]");
        pr.becomeSnapshot(si);
        send(Message.newBuilder().setTo(to).setType(MessageType.MSG_SNAP).setSnapshot(snap));
        return true;
    }

    private void sendHeartbeat(long to, ByteString ctx) {
        // never tell a follower to commit beyond what it is known to have
        long commit = Math.min(prs.get(to).match(), raftLog.committed);
        send(Message.newBuilder().setTo(to).setType(MessageType.MSG_HEARTBEAT).setCommit(commit).setContext(ctx));
    }

    void bcastAppend() {
        for (long to : prs.progress().keySet()) {
            if (to != id) sendAppend(to);
        }
    }

    void bcastHeartbeat() {
        bcastHeartbeatWithCtx(readOnly.lastPendingRequestCtx());
        readIndexBroadcastPending = false;
    }

    private void bcastHeartbeatWithCtx(ByteString ctx) {
        for (long to : prs.progress().keySet()) {
            if (to != id) sendHeartbeat(to, ctx);
        }
    }

    /** Sends the heartbeat round that confirms every ReadIndex request queued since the last one. */
    void flushReadIndex() {
        if (readIndexBroadcastPending && state == StateType.LEADER) {
            bcastHeartbeat();
        }
        readIndexBroadcastPending = false;
    }

    // ---------------------------------------------------------------- commit

    /** Advances the commit index to what a quorum has acknowledged, if it is of our term. */
    boolean maybeCommit() {
        return raftLog.maybeCommit(prs.committed(), term);
    }

    boolean committedEntryInCurrentTerm() {
        return raftLog.termOrZero(raftLog.committed) == term;
    }

    /**
     * The caller made the log durable up to {@code index} (of term {@code logTerm}). A leader counts
     * its own copy only now, so an entry is never committed on the strength of a copy a crash could
     * lose.
     */
    void onPersisted(long index, long logTerm) {
        if (state != StateType.LEADER) {
            return;
        }
        Progress self = prs.get(id);
        if (self == null || !raftLog.matchTerm(index, logTerm)) {
            return;
        }
        if (self.maybeUpdate(index) && maybeCommit()) {
            releasePendingReadIndexMessages();
            bcastAppend();
        }
    }

    // ---------------------------------------------------------------- role transitions

    private void reset(long newTerm) {
        if (term != newTerm) {
            term = newTerm;
            vote = NONE;
        }
        lead = NONE;
        electionElapsed = 0;
        heartbeatElapsed = 0;
        resetRandomizedElectionTimeout();
        abortLeaderTransfer();
        prs.resetVotes();
        ConfState cs = prs.confState();
        prs.reset(cs, raftLog.lastIndex() + 1);
        Progress self = prs.get(id);
        if (self != null) {
            self.maybeUpdate(raftLog.lastStableIndex());
            self.recentActive(true);
        }
        pendingConfIndex = 0;
        readOnly = new ReadOnly();
        readIndexBroadcastPending = false;
    }

    void becomeFollower(long newTerm, long newLead) {
        reset(newTerm);
        lead = newLead;
        state = StateType.FOLLOWER;
        pendingReadIndexMessages.clear();
        info(id + " became follower at term " + term);
    }

    void becomeCandidate() {
        if (state == StateType.LEADER) {
            throw new IllegalStateException("invalid transition [leader -> candidate]");
        }
        reset(term + 1);
        vote = id;
        state = StateType.CANDIDATE;
        info(id + " became candidate at term " + term);
    }

    void becomePreCandidate() {
        if (state == StateType.LEADER) {
            throw new IllegalStateException("invalid transition [leader -> pre-candidate]");
        }
        // a pre-candidate changes neither term nor vote: it only asks whether it could win
        prs.resetVotes();
        lead = NONE;
        state = StateType.PRE_CANDIDATE;
        info(id + " became pre-candidate at term " + term);
    }

    void becomeLeader() {
        if (state == StateType.FOLLOWER) {
            throw new IllegalStateException("invalid transition [follower -> leader]");
        }
        reset(term);
        lead = id;
        state = StateType.LEADER;
        prs.get(id).becomeReplicate();
        // no conf change may be proposed until everything up to here, including our first entry of
        // this term, is applied: the single-server-change safety rule (Ongaro's fix)
        pendingConfIndex = raftLog.lastIndex();
        appendEntry(List.of(Entry.newBuilder().build()));
        info(id + " became leader at term " + term);
    }

    void appendEntry(List<Entry> es) {
        long li = raftLog.lastIndex();
        List<Entry> stamped = new ArrayList<>(es.size());
        for (int i = 0; i < es.size(); i++) {
            stamped.add(es.get(i).toBuilder().setTerm(term).setIndex(li + 1 + i).build());
        }
        raftLog.append(stamped);
    }

    // ---------------------------------------------------------------- elections

    private void hup(CampaignType t) {
        if (state == StateType.LEADER) {
            if (debugOn()) debug(id + " ignoring MsgHup because already leader");
            return;
        }
        if (!promotable()) {
            info(id + " is unpromotable and can not campaign");
            return;
        }
        if (hasUnappliedConfChanges()) {
            info(id + " cannot campaign at term " + term + " since there are still pending configuration changes to apply");
            return;
        }
        info(id + " is starting a new election at term " + term);
        campaign(t);
    }

    private boolean hasUnappliedConfChanges() {
        if (raftLog.applied >= raftLog.committed) {
            return false;
        }
        long lo = raftLog.applied + 1;
        long hi = raftLog.committed + 1;
        for (Entry e : raftLog.slice(Math.max(lo, raftLog.firstIndex()), hi, Long.MAX_VALUE)) {
            if (e.getType() == EntryType.ENTRY_CONF_CHANGE) {
                return true;
            }
        }
        return false;
    }

    private void campaign(CampaignType t) {
        long voteTerm;
        MessageType voteMsg;
        if (t == CampaignType.PRE_ELECTION) {
            becomePreCandidate();
            voteMsg = MessageType.MSG_PRE_VOTE;
            voteTerm = term + 1; // the term we would campaign in
        } else {
            becomeCandidate();
            voteMsg = MessageType.MSG_VOTE;
            voteTerm = term;
        }
        if (poll(id, voteRespType(voteMsg), true) == ProgressTracker.VoteResult.WON) {
            // single-voter group: we won already
            if (t == CampaignType.PRE_ELECTION) {
                campaign(CampaignType.ELECTION);
            } else {
                becomeLeader();
            }
            return;
        }
        for (long v : prs.voters()) {
            if (v == id) continue;
            info(id + " [logterm: " + raftLog.lastTerm() + ", index: " + raftLog.lastIndex() + "] sent "
                    + Describe.type(voteMsg) + " request to " + v + " at term " + term);
            Message.Builder m = Message.newBuilder().setTerm(voteTerm).setTo(v).setType(voteMsg)
                    .setIndex(raftLog.lastIndex()).setLogTerm(raftLog.lastTerm());
            if (t == CampaignType.TRANSFER) {
                m.setContext(CAMPAIGN_TRANSFER);
            }
            send(m);
        }
    }

    private static MessageType voteRespType(MessageType t) {
        return t == MessageType.MSG_PRE_VOTE ? MessageType.MSG_PRE_VOTE_RESP : MessageType.MSG_VOTE_RESP;
    }

    private ProgressTracker.VoteResult poll(long from, MessageType t, boolean granted) {
        if (granted) {
            info(id + " received " + Describe.type(t) + " from " + from + " at term " + term);
        } else {
            info(id + " received " + Describe.type(t) + " rejection from " + from + " at term " + term);
        }
        prs.recordVote(from, granted);
        return prs.tallyVotes();
    }

    // ---------------------------------------------------------------- ticks

    void tick() {
        if (state == StateType.LEADER) {
            tickHeartbeat();
        } else {
            tickElection();
        }
    }

    private void tickElection() {
        electionElapsed++;
        if (promotable() && pastElectionTimeout()) {
            electionElapsed = 0;
            step(Message.newBuilder().setFrom(id).setType(MessageType.MSG_HUP).build());
        }
    }

    private void tickHeartbeat() {
        heartbeatElapsed++;
        electionElapsed++;
        if (electionElapsed >= electionTimeout) {
            electionElapsed = 0;
            if (checkQuorum) {
                step(Message.newBuilder().setFrom(id).setType(MessageType.MSG_CHECK_QUORUM).build());
            }
            // a transfer that did not finish within an election timeout is abandoned
            if (state == StateType.LEADER && leadTransferee != NONE) {
                abortLeaderTransfer();
            }
        }
        if (state != StateType.LEADER) {
            return;
        }
        if (heartbeatElapsed >= heartbeatTimeout) {
            heartbeatElapsed = 0;
            step(Message.newBuilder().setFrom(id).setType(MessageType.MSG_BEAT).build());
        }
    }

    // ---------------------------------------------------------------- step

    /** Entry point for every message, local or from a peer. */
    void step(Message m) {
        if (m.getTerm() == 0) {
            // local message
        } else if (m.getTerm() > term) {
            MessageType t = m.getType();
            if (t == MessageType.MSG_VOTE || t == MessageType.MSG_PRE_VOTE) {
                boolean force = m.getContext().equals(CAMPAIGN_TRANSFER);
                boolean inLease = checkQuorum && lead != NONE && electionElapsed < electionTimeout;
                if (!force && inLease) {
                    // leader stickiness: a live leader is known, so this candidate is disruptive
                    info(id + " [logterm: " + raftLog.lastTerm() + ", index: " + raftLog.lastIndex() + ", vote: " + vote
                            + "] ignored " + Describe.type(t) + " from " + m.getFrom() + " [logterm: " + m.getLogTerm()
                            + ", index: " + m.getIndex() + "] at term " + term + ": lease is not expired (remaining ticks: "
                            + (electionTimeout - electionElapsed) + ")");
                    return;
                }
            }
            if (t == MessageType.MSG_PRE_VOTE) {
                // a pre-vote never changes our term
            } else if (t == MessageType.MSG_PRE_VOTE_RESP && !m.getReject()) {
                // we raise our term only when the pre-vote wins
            } else {
                info(id + " [term: " + term + "] received a " + Describe.type(t) + " message with higher term from "
                        + m.getFrom() + " [term: " + m.getTerm() + "]");
                if (t == MessageType.MSG_APP || t == MessageType.MSG_HEARTBEAT || t == MessageType.MSG_SNAP) {
                    becomeFollower(m.getTerm(), m.getFrom());
                } else {
                    becomeFollower(m.getTerm(), NONE);
                }
            }
        } else if (m.getTerm() < term) {
            MessageType t = m.getType();
            if ((checkQuorum || preVote) && (t == MessageType.MSG_HEARTBEAT || t == MessageType.MSG_APP)) {
                // a stale leader (e.g. after a partition healed) would never learn our term otherwise:
                // with check-quorum/pre-vote we do not raise terms by campaigning against it
                send(Message.newBuilder().setTo(m.getFrom()).setType(MessageType.MSG_APP_RESP));
            } else if (t == MessageType.MSG_PRE_VOTE) {
                info(id + " [logterm: " + raftLog.lastTerm() + ", index: " + raftLog.lastIndex() + ", vote: " + vote
                        + "] rejected MsgPreVote from " + m.getFrom() + " [logterm: " + m.getLogTerm() + ", index: "
                        + m.getIndex() + "] at term " + term);
                send(Message.newBuilder().setTo(m.getFrom()).setTerm(term).setType(MessageType.MSG_PRE_VOTE_RESP).setReject(true));
            } else if (debugOn()) {
                debug(id + " [term: " + term + "] ignored a " + Describe.type(t) + " message with lower term from "
                        + m.getFrom() + " [term: " + m.getTerm() + "]");
            }
            return;
        }

        switch (m.getType()) {
            case MSG_HUP -> hup(preVote ? CampaignType.PRE_ELECTION : CampaignType.ELECTION);
            case MSG_VOTE, MSG_PRE_VOTE -> handleVoteRequest(m);
            default -> {
                switch (state) {
                    case LEADER -> leader.stepLeader(m);
                    case CANDIDATE, PRE_CANDIDATE -> stepCandidate(m);
                    case FOLLOWER -> stepFollower(m);
                }
            }
        }
    }

    private void handleVoteRequest(Message m) {
        boolean canVote = vote == m.getFrom()
                || (vote == NONE && lead == NONE)
                || (m.getType() == MessageType.MSG_PRE_VOTE && m.getTerm() > term);
        MessageType resp = voteRespType(m.getType());
        if (canVote && raftLog.isUpToDate(m.getIndex(), m.getLogTerm())) {
            info(id + " [logterm: " + raftLog.lastTerm() + ", index: " + raftLog.lastIndex() + ", vote: " + vote
                    + "] cast " + Describe.type(m.getType()) + " for " + m.getFrom() + " [logterm: " + m.getLogTerm()
                    + ", index: " + m.getIndex() + "] at term " + term);
            // answer in the candidate's term: a pre-vote is for the term it would campaign in
            send(Message.newBuilder().setTo(m.getFrom()).setTerm(m.getTerm()).setType(resp));
            if (m.getType() == MessageType.MSG_VOTE) {
                electionElapsed = 0;
                vote = m.getFrom();
            }
        } else {
            info(id + " [logterm: " + raftLog.lastTerm() + ", index: " + raftLog.lastIndex() + ", vote: " + vote
                    + "] rejected " + Describe.type(m.getType()) + " from " + m.getFrom() + " [logterm: " + m.getLogTerm()
                    + ", index: " + m.getIndex() + "] at term " + term);
            send(Message.newBuilder().setTo(m.getFrom()).setTerm(term).setType(resp).setReject(true));
        }
    }

    // ---------------------------------------------------------------- leader

    void sendTimeoutNow(long to) {
        send(Message.newBuilder().setTo(to).setType(MessageType.MSG_TIMEOUT_NOW));
    }

    void abortLeaderTransfer() {
        leadTransferee = NONE;
    }

    // ---------------------------------------------------------------- proposals

    /**
     * Appends {@code entries} if this node is the leader and may accept them; forwards them if
     * a leader is known elsewhere. Conf changes are checked here so the caller gets a typed refusal.
     */
    ProposeResult propose(List<Entry> entries) {
        switch (state) {
            case LEADER -> {
                return leader.proposeAsLeader(entries);
            }
            case CANDIDATE, PRE_CANDIDATE -> {
                info(id + " no leader at term " + term + "; dropping proposal");
                return ProposeResult.NO_LEADER;
            }
            default -> {
                if (lead == NONE) {
                    info(id + " no leader at term " + term + "; dropping proposal");
                    return ProposeResult.NO_LEADER;
                }
                send(Message.newBuilder().setTo(lead).setType(MessageType.MSG_PROP).addAllEntries(entries));
                return ProposeResult.FORWARDED;
            }
        }
    }

    // ---------------------------------------------------------------- ReadIndex

    /** A local ReadIndex request: answered, queued, forwarded to the leader, or refused. */
    ProposeResult readIndex(ByteString ctx) {
        Message m = Message.newBuilder().setType(MessageType.MSG_READ_INDEX).setFrom(id).setContext(ctx).build();
        if (state == StateType.LEADER) {
            readIndexAsLeader(m);
            return ProposeResult.ACCEPTED;
        }
        if (state != StateType.FOLLOWER || lead == NONE) {
            info(id + " no leader at term " + term + "; dropping index reading msg");
            return ProposeResult.NO_LEADER;
        }
        send(Message.newBuilder().setTo(lead).setType(MessageType.MSG_READ_INDEX).setContext(ctx));
        return ProposeResult.FORWARDED;
    }

    void readIndexAsLeader(Message m) {
        if (!committedEntryInCurrentTerm()) {
            // our commit index may lag the previous leader's (or, after a restart, what this node
            // committed before) until our first entry of this term commits
            pendingReadIndexMessages.add(m);
            return;
        }
        serveReadIndex(m);
    }

    private void serveReadIndex(Message m) {
        if (prs.voters().size() <= 1) {
            // a single voter is its own quorum: no heartbeat round needed
            answerReadIndex(m, raftLog.committed);
            return;
        }
        queueReadIndex(m);
    }

    private void queueReadIndex(Message m) {
        readOnly.addRequest(raftLog.committed, m);
        readOnly.recvAck(id, m.getContext());
        readIndexBroadcastPending = true;
    }

    void releasePendingReadIndexMessages() {
        if (pendingReadIndexMessages.isEmpty() || !committedEntryInCurrentTerm()) {
            return;
        }
        for (Message m : pendingReadIndexMessages) {
            serveReadIndex(m);
        }
        pendingReadIndexMessages.clear();
    }

    void answerReadIndex(Message req, long index) {
        if (req.getFrom() == NONE || req.getFrom() == id) {
            readStates.add(new ReadState(index, req.getContext()));
            return;
        }
        send(Message.newBuilder().setTo(req.getFrom()).setType(MessageType.MSG_READ_INDEX_RESP)
                .setIndex(index).setContext(req.getContext()));
    }

    // ---------------------------------------------------------------- candidate / follower

    private void stepCandidate(Message m) {
        MessageType myVoteResp = state == StateType.PRE_CANDIDATE ? MessageType.MSG_PRE_VOTE_RESP : MessageType.MSG_VOTE_RESP;
        switch (m.getType()) {
            case MSG_APP -> {
                becomeFollower(m.getTerm(), m.getFrom());
                handleAppendEntries(m);
            }
            case MSG_HEARTBEAT -> {
                becomeFollower(m.getTerm(), m.getFrom());
                handleHeartbeat(m);
            }
            case MSG_SNAP -> {
                becomeFollower(m.getTerm(), m.getFrom());
                handleSnapshot(m);
            }
            case MSG_TIMEOUT_NOW -> {
                if (debugOn()) debug(id + " [term " + term + " state " + state.etcdName() + "] ignored MsgTimeoutNow from " + m.getFrom());
            }
            default -> {
                if (m.getType() != myVoteResp) {
                    return;
                }
                ProgressTracker.VoteResult res = poll(m.getFrom(), m.getType(), !m.getReject());
                int[] counts = prs.voteCounts();
                info(id + " has received " + counts[0] + " " + Describe.type(m.getType()) + " votes and " + counts[1] + " vote rejections");
                switch (res) {
                    case WON -> {
                        if (state == StateType.PRE_CANDIDATE) {
                            campaign(CampaignType.ELECTION);
                        } else {
                            becomeLeader();
                            bcastAppend();
                        }
                    }
                    case LOST -> becomeFollower(term, NONE);
                    case PENDING -> {
                    }
                }
            }
        }
    }

    private void stepFollower(Message m) {
        switch (m.getType()) {
            case MSG_PROP -> {
                if (lead == NONE) {
                    info(id + " no leader at term " + term + "; dropping proposal");
                    return;
                }
                send(Message.newBuilder().setTo(lead).setType(MessageType.MSG_PROP).addAllEntries(m.getEntriesList()));
            }
            case MSG_APP -> {
                electionElapsed = 0;
                lead = m.getFrom();
                handleAppendEntries(m);
            }
            case MSG_HEARTBEAT -> {
                electionElapsed = 0;
                lead = m.getFrom();
                handleHeartbeat(m);
            }
            case MSG_SNAP -> {
                electionElapsed = 0;
                lead = m.getFrom();
                handleSnapshot(m);
            }
            case MSG_TRANSFER_LEADER -> {
                if (lead == NONE) {
                    info(id + " no leader at term " + term + "; dropping leader transfer msg");
                    return;
                }
                send(Message.newBuilder().setTo(lead).setType(MessageType.MSG_TRANSFER_LEADER).setFrom(m.getFrom()));
            }
            case MSG_TIMEOUT_NOW -> {
                info(id + " [term " + term + "] received MsgTimeoutNow from " + m.getFrom() + " and starts an election to get leadership.");
                // leader transfer skips pre-vote: the old leader asked for it, so it cannot be disruptive
                hup(CampaignType.TRANSFER);
            }
            case MSG_READ_INDEX -> {
                if (lead == NONE) {
                    info(id + " no leader at term " + term + "; dropping index reading msg");
                    return;
                }
                send(Message.newBuilder().setTo(lead).setType(MessageType.MSG_READ_INDEX).setContext(m.getContext()));
            }
            case MSG_READ_INDEX_RESP -> readStates.add(new ReadState(m.getIndex(), m.getContext()));
            default -> {
            }
        }
    }

    private void handleAppendEntries(Message m) {
        if (m.getIndex() < raftLog.committed) {
            send(Message.newBuilder().setTo(m.getFrom()).setType(MessageType.MSG_APP_RESP).setIndex(raftLog.committed));
            return;
        }
        long lastNew = raftLog.maybeAppend(m.getIndex(), m.getLogTerm(), m.getCommit(), m.getEntriesList());
        if (lastNew >= 0) {
            send(Message.newBuilder().setTo(m.getFrom()).setType(MessageType.MSG_APP_RESP).setIndex(lastNew));
            return;
        }
        // reject with a hint: our last entry at or below m.index whose term is <= m.logTerm
        long hintIndex = Math.min(m.getIndex(), raftLog.lastIndex());
        long[] hint = raftLog.findConflictByTerm(hintIndex, m.getLogTerm());
        if (debugOn()) debug(id + " [logterm: " + raftLog.termOrZero(m.getIndex()) + ", index: " + m.getIndex()
                + "] rejected MsgApp [logterm: " + m.getLogTerm() + ", index: " + m.getIndex() + "] from " + m.getFrom());
        send(Message.newBuilder().setTo(m.getFrom()).setType(MessageType.MSG_APP_RESP).setIndex(m.getIndex())
                .setReject(true).setRejectHint(hint[0]).setLogTerm(hint[1]));
    }

    private void handleHeartbeat(Message m) {
        raftLog.commitTo(m.getCommit());
        send(Message.newBuilder().setTo(m.getFrom()).setType(MessageType.MSG_HEARTBEAT_RESP).setContext(m.getContext()));
    }

    private void handleSnapshot(Message m) {
        long si = m.getSnapshot().getMetadata().getIndex();
        long st = m.getSnapshot().getMetadata().getTerm();
        if (restore(m.getSnapshot())) {
            info(id + " [commit: " + raftLog.committed + "] restored snapshot [index: " + si + ", term: " + st + "]");
            send(Message.newBuilder().setTo(m.getFrom()).setType(MessageType.MSG_APP_RESP).setIndex(raftLog.lastIndex()));
        } else {
            info(id + " [commit: " + raftLog.committed + "] ignored snapshot [index: " + si + ", term: " + st + "]");
            send(Message.newBuilder().setTo(m.getFrom()).setType(MessageType.MSG_APP_RESP).setIndex(raftLog.committed));
        }
    }

    /** Installs a leader's snapshot; false if we already have everything it covers. */
    boolean restore(Snapshot s) {
        long si = s.getMetadata().getIndex();
        if (si <= raftLog.committed) {
            return false;
        }
        if (state != StateType.FOLLOWER) {
            // defensive, as in etcd: only a follower installs snapshots
            becomeFollower(term + 1, NONE);
            return false;
        }
        ConfState cs = s.getMetadata().getConfState();
        if (!cs.getVotersList().contains(id) && !cs.getLearnersList().contains(id)) {
            info(id + " attempted to restore snapshot but it is not in the ConfState " + Describe.confState(cs) + "; should never happen");
            return false;
        }
        if (raftLog.matchTerm(si, s.getMetadata().getTerm())) {
            // we have the entry: fast-forward the commit index instead of replacing the log
            info(id + " [commit: " + raftLog.committed + ", lastindex: " + raftLog.lastIndex() + ", lastterm: "
                    + raftLog.lastTerm() + "] fast-forwarded commit to snapshot [index: " + si + ", term: " + s.getMetadata().getTerm() + "]");
            raftLog.commitTo(si);
            return false;
        }
        raftLog.restore(s);
        prs.reset(cs, raftLog.lastIndex() + 1);
        isLearner = prs.isLearner(id);
        info(id + " switched to configuration " + Describe.confState(cs));
        return true;
    }

    // ---------------------------------------------------------------- membership

    /** Applies a committed conf change to the tracker (called when the entry is applied). */
    ConfState applyConfChange(ConfChange cc) {
        long node = cc.getNodeId();
        long next = raftLog.lastIndex() + 1;
        switch (cc.getType()) {
            case CONF_CHANGE_ADD_NODE -> prs.addVoter(node, next);
            case CONF_CHANGE_ADD_LEARNER_NODE -> {
                if (!prs.isVoter(node)) prs.addLearner(node, next);
            }
            case CONF_CHANGE_REMOVE_NODE -> {
                if (!(prs.isVoter(node) && prs.voters().size() == 1)) prs.remove(node);
            }
            default -> throw new IllegalArgumentException("unknown conf change type " + cc.getType());
        }
        ConfState cs = prs.confState();
        info(id + " switched to configuration " + Describe.confState(cs));
        isLearner = prs.isLearner(id);
        if (state != StateType.LEADER || cs.getVotersCount() == 0) {
            return cs;
        }
        if (prs.get(id) == null) {
            // the leader removed itself: step down so the remaining voters elect a successor soon
            // instead of waiting for check-quorum (etcd's server stops such a member anyway)
            becomeFollower(term, NONE);
            return cs;
        }
        if (maybeCommit()) {
            // removing a slow voter can commit entries at once
            releasePendingReadIndexMessages();
            bcastAppend();
        } else {
            for (long to : prs.progress().keySet()) {
                if (to != id) maybeSendAppend(to, false);
            }
        }
        if (leadTransferee != NONE && !prs.isVoter(leadTransferee)) {
            abortLeaderTransfer();
        }
        return cs;
    }

    static boolean isResponse(MessageType t) {
        return t == MessageType.MSG_APP_RESP || t == MessageType.MSG_VOTE_RESP || t == MessageType.MSG_HEARTBEAT_RESP
                || t == MessageType.MSG_UNREACHABLE || t == MessageType.MSG_PRE_VOTE_RESP;
    }

    static boolean isLocal(MessageType t) {
        return t == MessageType.MSG_HUP || t == MessageType.MSG_BEAT || t == MessageType.MSG_UNREACHABLE
                || t == MessageType.MSG_SNAP_STATUS || t == MessageType.MSG_CHECK_QUORUM;
    }
}
