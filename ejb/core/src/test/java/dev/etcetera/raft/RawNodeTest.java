package dev.etcetera.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.etcetera.raft.pb.ConfChange;
import dev.etcetera.raft.pb.ConfChangeType;
import dev.etcetera.raft.pb.Message;
import dev.etcetera.raft.pb.MessageType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Ready contract as the node loop sees it. */
class RawNodeTest {

    private static RawNode node(long id, long... voters) {
        return new RawNode(RaftConfig.defaults(id, MemoryStorage.withConfState(RaftTestSupport.voters(voters))));
    }

    private static void persistAndAdvance(RawNode n, Ready rd) {
        MemoryStorage s = (MemoryStorage) n.raftForTest().raftLog.storage;
        s.append(rd.entries());
        if (rd.hardState() != null) s.setHardState(rd.hardState());
        n.advance(rd);
    }

    @Test
    void votesLeaveOnlyAfterPersistence() {
        RawNode n = node(1, 1, 2, 3);
        n.campaign();
        Ready pre = n.ready();
        assertFalse(pre.mustSync(), "a pre-vote changes neither term nor vote");
        assertEquals(MessageType.MSG_PRE_VOTE, pre.persistedMessages().get(0).getType());
        persistAndAdvance(n, pre);
        n.step(Message.newBuilder().setType(MessageType.MSG_PRE_VOTE_RESP).setFrom(2).setTo(1).setTerm(1).build());
        Ready rd = n.ready();
        assertTrue(rd.mustSync(), "term and vote changed");
        assertNotNull(rd.hardState());
        assertEquals(1, rd.hardState().getVote());
        assertTrue(rd.messages().isEmpty(), "a candidate has nothing that may leave before the fsync");
        assertEquals(2, rd.persistedMessages().size());
        assertEquals(MessageType.MSG_VOTE, rd.persistedMessages().get(0).getType());
    }

    @Test
    void leaderAppendsLeaveImmediatelyAndCommitWaitsForItsOwnPersistence() {
        RawNode n = node(1, 1, 2);
        n.campaign();
        persistAndAdvance(n, n.ready());
        n.step(Message.newBuilder().setType(MessageType.MSG_PRE_VOTE_RESP).setFrom(2).setTo(1).setTerm(1).build());
        persistAndAdvance(n, n.ready());
        n.step(Message.newBuilder().setType(MessageType.MSG_VOTE_RESP).setFrom(2).setTo(1).setTerm(1).build());
        assertEquals(StateType.LEADER, n.softState().state());
        Ready rd = n.ready();
        assertEquals(1, rd.entries().size(), "the empty entry of the new term");
        assertEquals(1, rd.messages().size(), "MsgApp may go out in parallel with the leader's own write");
        assertEquals(MessageType.MSG_APP, rd.messages().get(0).getType());
        // the follower acknowledges before the leader's own write is done: no commit yet (1 of 2 durable)
        n.step(Message.newBuilder().setType(MessageType.MSG_APP_RESP).setFrom(2).setTo(1).setTerm(1).setIndex(1).build());
        assertEquals(0, n.hardState().getCommit());
        persistAndAdvance(n, rd);
        assertEquals(1, n.hardState().getCommit(), "now both copies are durable");
        Ready next = n.ready();
        assertEquals(1, next.committedEntries().size());
        assertFalse(next.mustSync(), "a commit-index change alone needs no fsync");
        persistAndAdvance(n, next);
        assertFalse(n.hasReady());
    }

    @Test
    void typedProposalResults() {
        RawNode n = node(1, 1, 2, 3);
        assertEquals(ProposeResult.NO_LEADER, n.propose(ByteString.copyFromUtf8("x")));
        assertEquals(ProposeResult.NO_LEADER, n.readIndex(ByteString.copyFromUtf8("r")));
        n.step(Message.newBuilder().setType(MessageType.MSG_HEARTBEAT).setFrom(2).setTo(1).setTerm(1).build());
        assertEquals(ProposeResult.FORWARDED, n.propose(ByteString.copyFromUtf8("x")));
        Ready rd = n.ready();
        Message fwd = rd.persistedMessages().stream().filter(m -> m.getType() == MessageType.MSG_PROP).findFirst().orElseThrow();
        assertEquals(2, fwd.getTo());
    }

    @Test
    void singleNodeCommitsAndAnswersReadIndex() {
        RawNode n = node(1, 1);
        n.campaign();
        for (int i = 0; i < 3 && n.hasReady(); i++) persistAndAdvance(n, n.ready());
        assertEquals(StateType.LEADER, n.softState().state());
        assertEquals(ProposeResult.ACCEPTED, n.propose(ByteString.copyFromUtf8("x")));
        persistAndAdvance(n, n.ready());
        Ready rd = n.ready();
        assertEquals("x", rd.committedEntries().get(0).getData().toStringUtf8());
        persistAndAdvance(n, rd);
        assertEquals(ProposeResult.ACCEPTED, n.readIndex(ByteString.copyFromUtf8("ctx")));
        rd = n.ready();
        assertEquals(List.of(new ReadState(2, ByteString.copyFromUtf8("ctx"))), rd.readStates());
        persistAndAdvance(n, rd);
    }

    @Test
    void singleNodeReadWaitsForItsTermToCommit() {
        RawNode n = node(1, 1);
        n.campaign(); // pre-vote and vote are self-granted: leader at once, empty entry not yet durable
        assertEquals(StateType.LEADER, n.softState().state());
        assertEquals(ProposeResult.ACCEPTED, n.readIndex(ByteString.copyFromUtf8("early")));
        Ready rd = n.ready();
        assertTrue(rd.readStates().isEmpty(), "answered before an entry of this term committed");
        persistAndAdvance(n, rd);
        rd = n.ready();
        assertEquals(List.of(new ReadState(1, ByteString.copyFromUtf8("early"))), rd.readStates());
    }

    @Test
    void confChangeRefusalsAreTyped() {
        RawNode n = node(1, 1);
        n.campaign();
        for (int i = 0; i < 3 && n.hasReady(); i++) persistAndAdvance(n, n.ready());
        ConfChange removeSelf = ConfChange.newBuilder().setType(ConfChangeType.CONF_CHANGE_REMOVE_NODE).setNodeId(1).build();
        assertEquals(ProposeResult.INVALID_CONF_CHANGE, n.proposeConfChange(removeSelf));
        ConfChange addLearner = ConfChange.newBuilder().setType(ConfChangeType.CONF_CHANGE_ADD_LEARNER_NODE).setNodeId(2).build();
        assertEquals(ProposeResult.ACCEPTED, n.proposeConfChange(addLearner));
        assertEquals(ProposeResult.CONF_CHANGE_PENDING, n.proposeConfChange(addLearner));
    }
}
