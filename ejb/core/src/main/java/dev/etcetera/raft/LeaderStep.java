package dev.etcetera.raft;

import static dev.etcetera.raft.Raft.NONE;

import dev.etcetera.raft.pb.ConfChange;
import dev.etcetera.raft.pb.Entry;
import dev.etcetera.raft.pb.EntryType;
import dev.etcetera.raft.pb.Message;
import dev.etcetera.raft.tracker.Progress;
import dev.etcetera.raft.tracker.ProgressState;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a leader does with the messages and proposals it receives: replication feedback (MsgAppResp,
 * heartbeat responses, snapshot status), check-quorum, leadership transfer, and the admission of
 * proposals and configuration changes. Split out of {@link Raft} to keep each file about one role;
 * it owns no state of its own and runs on the node-loop thread like Raft.
 */
final class LeaderStep {
    private final Raft r;

    LeaderStep(Raft r) {
        this.r = r;
    }

    void stepLeader(Message m) {
        switch (m.getType()) {
            case MSG_BEAT -> {
                r.bcastHeartbeat();
                return;
            }
            case MSG_CHECK_QUORUM -> {
                if (!r.prs.quorumActive(r.id)) {
                    r.info(r.id + " stepped down to follower since quorum is not active");
                    r.becomeFollower(r.term, NONE);
                }
                // every follower must prove itself again during the next election timeout
                for (var e : r.prs.progress().entrySet()) {
                    if (e.getKey() != r.id) e.getValue().recentActive(false);
                }
                return;
            }
            case MSG_PROP -> {
                proposeAsLeader(m.getEntriesList());
                return;
            }
            case MSG_READ_INDEX -> {
                r.readIndexAsLeader(m);
                return;
            }
            default -> {
            }
        }
        Progress pr = r.prs.get(m.getFrom());
        if (pr == null) {
            if (r.debugOn()) r.debug(r.id + " no progress available for " + m.getFrom());
            return;
        }
        switch (m.getType()) {
            case MSG_APP_RESP -> handleAppendResponse(m, pr);
            case MSG_HEARTBEAT_RESP -> handleHeartbeatResponse(m, pr);
            case MSG_SNAP_STATUS -> {
                if (pr.state() != ProgressState.SNAPSHOT) {
                    return;
                }
                if (m.getReject()) {
                    r.info(r.id + " snapshot to " + m.getFrom() + " failed, resumed sending replication messages to " + m.getFrom() + " [" + pr + "]");
                    pr.becomeProbe();
                } else {
                    pr.becomeProbe();
                    r.info(r.id + " snapshot to " + m.getFrom() + " succeeded, resumed sending replication messages to " + m.getFrom() + " [" + pr + "]");
                }
                // wait for a heartbeat response (or the MsgAppResp to the snapshot) before probing
                pr.probeSent(true);
            }
            case MSG_UNREACHABLE -> {
                if (pr.state() == ProgressState.REPLICATE) {
                    pr.becomeProbe();
                }
                if (r.debugOn()) r.debug(r.id + " failed to send message to " + m.getFrom() + " because it is unreachable [" + pr + "]");
            }
            case MSG_TRANSFER_LEADER -> handleTransferLeader(m, pr);
            default -> {
            }
        }
    }

    private void handleAppendResponse(Message m, Progress pr) {
        pr.recentActive(true);
        if (m.getReject()) {
            if (r.debugOn()) r.debug(r.id + " received MsgAppResp(rejected, hint: (index " + m.getRejectHint() + ", term "
                    + m.getLogTerm() + ")) from " + m.getFrom() + " for index " + m.getIndex());
            long nextProbeIdx = m.getRejectHint();
            if (m.getLogTerm() > 0) {
                // skip every entry of ours whose r.term is above the follower's r.term at the hint
                nextProbeIdx = r.raftLog.findConflictByTerm(m.getRejectHint(), m.getLogTerm())[0];
            }
            if (pr.maybeDecrTo(m.getIndex(), nextProbeIdx)) {
                if (r.debugOn()) r.debug(r.id + " decreased progress of " + m.getFrom() + " to [" + pr + "]");
                if (pr.state() == ProgressState.REPLICATE) {
                    pr.becomeProbe();
                }
                r.sendAppend(m.getFrom());
            }
            return;
        }
        boolean oldPaused = pr.isPaused();
        if (!pr.maybeUpdate(m.getIndex())) {
            return; // stale
        }
        switch (pr.state()) {
            case PROBE -> pr.becomeReplicate();
            case SNAPSHOT -> {
                if (pr.match() + 1 >= r.raftLog.firstIndex()) {
                    // the snapshot (or a later append) put it back within our log
                    if (r.debugOn()) r.debug(r.id + " recovered from needing snapshot, resumed sending replication messages to " + m.getFrom() + " [" + pr + "]");
                    pr.becomeProbe();
                    pr.becomeReplicate();
                }
            }
            case REPLICATE -> pr.inflights().freeLE(m.getIndex());
        }
        if (r.maybeCommit()) {
            r.releasePendingReadIndexMessages();
            r.bcastAppend();
        } else if (oldPaused) {
            r.sendAppend(m.getFrom());
        }
        // stream more while the window allows
        while (r.maybeSendAppend(m.getFrom(), false)) {
            // keep going
        }
        if (m.getFrom() == r.leadTransferee && pr.match() == r.raftLog.lastIndex()) {
            r.info(r.id + " sent MsgTimeoutNow to " + m.getFrom() + " after received MsgAppResp");
            r.sendTimeoutNow(m.getFrom());
        }
    }

    private void handleHeartbeatResponse(Message m, Progress pr) {
        pr.recentActive(true);
        pr.probeSent(false);
        if (pr.state() == ProgressState.REPLICATE && pr.inflights().full()) {
            pr.inflights().freeFirstOne();
        }
        if (pr.match() < r.raftLog.lastIndex()) {
            r.sendAppend(m.getFrom());
        }
        if (m.getContext().isEmpty()) {
            return;
        }
        Set<Long> acks = r.readOnly.recvAck(m.getFrom(), m.getContext());
        if (acks == null) {
            return;
        }
        acks.add(r.id);
        if (!r.prs.isQuorum(acks)) {
            return;
        }
        for (ReadOnly.Status rs : r.readOnly.advance(m.getContext())) {
            r.answerReadIndex(rs.request(), rs.index());
        }
    }

    private void handleTransferLeader(Message m, Progress pr) {
        if (pr.isLearner()) {
            r.info(r.id + " is learner. Ignored transferring leadership");
            return;
        }
        long transferee = m.getFrom();
        long last = r.leadTransferee;
        if (last != NONE) {
            if (last == transferee) {
                r.info(r.id + " [term " + r.term + "] transfer leadership to " + transferee + " is in progress, ignores request to same node " + transferee);
                return;
            }
            r.abortLeaderTransfer();
            r.info(r.id + " [term " + r.term + "] abort previous transferring leadership to " + last);
        }
        if (transferee == r.id) {
            if (r.debugOn()) r.debug(r.id + " is already leader. Ignored transferring leadership to self");
            return;
        }
        r.info(r.id + " [term " + r.term + "] starts to transfer leadership to " + transferee);
        // the transfer must complete within one election timeout or it is abandoned
        r.electionElapsed = 0;
        r.leadTransferee = transferee;
        if (pr.match() == r.raftLog.lastIndex()) {
            r.sendTimeoutNow(transferee);
            r.info(r.id + " sends MsgTimeoutNow to " + transferee + " immediately as " + transferee + " already has up-to-date log");
        } else {
            r.sendAppend(transferee);
        }
    }

    ProposeResult proposeAsLeader(List<Entry> entries) {
        if (entries.isEmpty()) {
            throw new IllegalArgumentException(r.id + " stepped empty MsgProp");
        }
        if (r.prs.get(r.id) == null) {
            // we were removed from the configuration while leading
            return ProposeResult.NOT_MEMBER;
        }
        if (r.leadTransferee != NONE) {
            if (r.debugOn()) r.debug(r.id + " [term " + r.term + "] transfer leadership to " + r.leadTransferee + " is in progress; dropping proposal");
            return ProposeResult.TRANSFERRING;
        }
        List<Entry> toAppend = entries;
        ProposeResult refused = null;
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            if (e.getType() != EntryType.ENTRY_CONF_CHANGE) {
                continue;
            }
            ProposeResult check = checkConfChange(e);
            if (check != ProposeResult.ACCEPTED) {
                // keep the batch's shape (a forwarded batch is not retried), but neutralise the change
                if (toAppend == entries) toAppend = new ArrayList<>(entries);
                toAppend.set(i, Entry.getDefaultInstance());
                refused = check;
            } else {
                r.pendingConfIndex = r.raftLog.lastIndex() + i + 1;
            }
        }
        if (refused != null && entries.size() == 1) {
            return refused;
        }
        r.appendEntry(toAppend);
        r.bcastAppend();
        return refused == null ? ProposeResult.ACCEPTED : refused;
    }

    /** The leader-side admission of one conf change entry (etcd's pending-change and strict checks). */
    private ProposeResult checkConfChange(Entry e) {
        ConfChange cc;
        try {
            cc = ConfChange.parseFrom(e.getData());
        } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
            return ProposeResult.INVALID_CONF_CHANGE;
        }
        if (r.pendingConfIndex > r.raftLog.applied) {
            r.info(r.id + " ignoring conf change " + Describe.confChange(cc) + " at config " + Describe.confState(r.prs.confState())
                    + ": possible unapplied conf change at index " + r.pendingConfIndex + " (applied to " + r.raftLog.applied + ")");
            return ProposeResult.CONF_CHANGE_PENDING;
        }
        long node = cc.getNodeId();
        if (node == NONE) {
            return ProposeResult.INVALID_CONF_CHANGE;
        }
        int voters = r.prs.voters().size();
        int activeVoters = 0;
        for (long v : r.prs.voters()) {
            Progress pr = r.prs.get(v);
            if (v == r.id || (pr != null && pr.recentActive())) activeVoters++;
        }
        switch (cc.getType()) {
            case CONF_CHANGE_ADD_LEARNER_NODE -> {
                if (r.prs.isVoter(node)) {
                    r.info(r.id + " refusing conf change " + Describe.confChange(cc) + ": cannot demote a voter to learner");
                    return ProposeResult.INVALID_CONF_CHANGE;
                }
                return ProposeResult.ACCEPTED;
            }
            case CONF_CHANGE_ADD_NODE -> {
                if (r.prs.isVoter(node)) {
                    return ProposeResult.ACCEPTED; // no-op, harmless
                }
                // the new voter counts as active only if it is a caught-up learner; a brand-new member
                // must not be able to make the group lose quorum (etcd's strict reconfig check)
                int activeAfter = activeVoters;
                Progress pr = r.prs.get(node);
                if (pr != null && pr.recentActive()) activeAfter++;
                if (activeAfter < (voters + 1) / 2 + 1) {
                    r.info(r.id + " refusing conf change " + Describe.confChange(cc) + ": " + activeAfter + " active voters of "
                            + (voters + 1) + " would not be a quorum");
                    return ProposeResult.UNSAFE_CONF_CHANGE;
                }
                return ProposeResult.ACCEPTED;
            }
            case CONF_CHANGE_REMOVE_NODE -> {
                if (r.prs.isVoter(node)) {
                    if (voters == 1) {
                        r.info(r.id + " refusing conf change " + Describe.confChange(cc) + ": removed all voters");
                        return ProposeResult.INVALID_CONF_CHANGE;
                    }
                    Progress pr = r.prs.get(node);
                    int activeAfter = activeVoters - ((node == r.id || (pr != null && pr.recentActive())) ? 1 : 0);
                    if (activeAfter < (voters - 1) / 2 + 1) {
                        r.info(r.id + " refusing conf change " + Describe.confChange(cc) + ": " + activeAfter + " active voters of "
                                + (voters - 1) + " would not be a quorum");
                        return ProposeResult.UNSAFE_CONF_CHANGE;
                    }
                }
                return ProposeResult.ACCEPTED;
            }
            default -> {
                return ProposeResult.INVALID_CONF_CHANGE;
            }
        }
    }
}
