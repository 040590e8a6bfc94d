package dev.etcetera.raft;

import static dev.etcetera.raft.RaftTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.etcetera.raft.pb.Entry;
import dev.etcetera.raft.pb.Message;
import dev.etcetera.raft.pb.MessageType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * One test per claim of the Raft paper (Ongaro and Ousterhout, "In Search of an Understandable
 * Consensus Algorithm", §5), each in the shape init / step / check.
 */
class RaftPaperTest {

    // ---------------------------------------------------------------- §5.1 terms

    /** §5.1: a server that sees a larger term updates its term and reverts to follower (any role). */
    @Test
    void updateTermFromMessage() {
        for (StateType role : new StateType[] {StateType.FOLLOWER, StateType.CANDIDATE, StateType.LEADER}) {
            Raft r = raft(1, 3);
            if (role == StateType.CANDIDATE) r.becomeCandidate();
            if (role == StateType.LEADER) {
                r.becomeCandidate();
                r.becomeLeader();
            }
            r.step(msg(MessageType.MSG_APP, 2, 1, 2));
            assertEquals(2, r.term, role + " term");
            assertEquals(StateType.FOLLOWER, r.state, role + " state");
        }
    }

    /** §5.1: a server rejects (ignores) a request with a stale term. */
    @Test
    void rejectStaleTermMessage() {
        Raft r = raft(1, 3);
        r.becomeFollower(2, 0);
        r.step(Message.newBuilder().setType(MessageType.MSG_APP).setFrom(2).setTo(1).setTerm(1)
                .addEntries(entry(1, 1)).build());
        assertEquals(0, r.raftLog.lastIndex(), "stale MsgApp must not be appended");
        assertEquals(2, r.term);
    }

    // ---------------------------------------------------------------- §5.2 leader election

    /** §5.2: servers start as followers. */
    @Test
    void startAsFollower() {
        assertEquals(StateType.FOLLOWER, raft(1, 3).state);
    }

    /** §5.2: a leader sends periodic heartbeats (empty MsgApp / MsgHeartbeat) to all followers. */
    @Test
    void leaderBroadcastsHeartbeat() {
        Raft r = raft(1, voters(1, 2, 3), 10, 1, MemoryStorage.withConfState(voters(1, 2, 3)));
        r.becomeCandidate();
        r.becomeLeader();
        read(r);
        r.tick();
        Set<Long> to = new HashSet<>();
        for (Message m : read(r)) {
            assertEquals(MessageType.MSG_HEARTBEAT, m.getType());
            assertEquals(1, m.getTerm());
            to.add(m.getTo());
        }
        assertEquals(Set.of(2L, 3L), to);
    }

    /** §5.2: on election timeout a follower (or candidate) increments its term, votes for itself and requests votes. */
    @Test
    void electionTimeoutStartsElection() {
        for (boolean fromCandidate : new boolean[] {false, true}) {
            Raft r = raft(1, 3);
            if (fromCandidate) r.becomeCandidate();
            long before = r.term;
            for (int i = 0; i < 2 * r.electionTimeout; i++) r.tick();
            assertEquals(StateType.CANDIDATE, r.state);
            assertTrue(r.term > before);
            assertEquals(1, r.vote, "votes for itself");
            Set<Long> to = new HashSet<>();
            for (Message m : read(r)) {
                assertEquals(MessageType.MSG_VOTE, m.getType());
                to.add(m.getTo());
            }
            assertEquals(Set.of(2L, 3L), to);
        }
    }

    /** §5.2: a candidate wins with votes from a majority, loses on a majority of rejections, else waits. */
    @Test
    void leaderElectionInOneRound() {
        record Case(int size, Set<Long> granted, Set<Long> rejected, StateType want) {
        }
        List<Case> cases = List.of(
                new Case(1, Set.of(), Set.of(), StateType.LEADER),
                new Case(3, Set.of(2L, 3L), Set.of(), StateType.LEADER),
                new Case(3, Set.of(2L), Set.of(), StateType.LEADER),
                new Case(5, Set.of(2L, 3L), Set.of(), StateType.LEADER),
                new Case(3, Set.of(), Set.of(), StateType.CANDIDATE),
                new Case(5, Set.of(2L), Set.of(), StateType.CANDIDATE),
                new Case(5, Set.of(2L), Set.of(3L, 4L), StateType.CANDIDATE),
                new Case(3, Set.of(), Set.of(2L, 3L), StateType.FOLLOWER),
                new Case(5, Set.of(), Set.of(2L, 3L, 4L), StateType.FOLLOWER));
        for (Case c : cases) {
            Raft r = raft(1, c.size());
            r.step(msg(MessageType.MSG_HUP, 1, 1, 0));
            for (long id : c.granted()) r.step(msg(MessageType.MSG_VOTE_RESP, id, 1, r.term));
            for (long id : c.rejected()) r.step(Message.newBuilder().setType(MessageType.MSG_VOTE_RESP)
                    .setFrom(id).setTo(1).setTerm(r.term).setReject(true).build());
            assertEquals(c.want(), r.state, c.toString());
        }
    }

    /** §5.2 and election safety: each server votes for at most one candidate per term, first come first served. */
    @Test
    void followerVotesAtMostOncePerTerm() {
        long[][] cases = {{0, 2, 0}, {0, 3, 0}, {2, 2, 0}, {3, 3, 0}, {2, 3, 1}, {3, 2, 1}};
        for (long[] c : cases) {
            Raft r = raft(1, 3);
            r.term = 1;
            r.vote = c[0];
            r.step(msg(MessageType.MSG_VOTE, c[1], 1, 1));
            List<Message> out = read(r);
            assertEquals(1, out.size());
            assertEquals(c[2] == 1, out.get(0).getReject(), "vote=" + c[0] + " from=" + c[1]);
        }
    }

    /** Election safety: at most one leader can be elected in a term, over the whole network. */
    @Test
    void electionSafetyAtMostOneLeaderPerTerm() {
        Raft a = raft(1, 3), b = raft(2, 3), c = raft(3, 3);
        Network n = new Network(a, b, c);
        // both 1 and 2 campaign at term 1; 3 can vote for only one of them
        a.becomeCandidate();
        a.prs.recordVote(1, true);
        b.becomeCandidate();
        b.prs.recordVote(2, true);
        n.send(msg(MessageType.MSG_VOTE, 1, 3, 1), msg(MessageType.MSG_VOTE, 2, 3, 1));
        assertEquals(StateType.LEADER, a.state, "first request wins 3's vote");
        assertTrue(b.state != StateType.LEADER, "two leaders in term 1");
    }

    /** §5.2: a candidate that hears from a legitimate leader of its term (or later) becomes follower. */
    @Test
    void candidateFallsBackOnAppendEntries() {
        for (long term : new long[] {1, 2}) {
            Raft r = raft(1, 3);
            r.step(msg(MessageType.MSG_HUP, 1, 1, 0));
            assertEquals(StateType.CANDIDATE, r.state);
            r.step(msg(MessageType.MSG_APP, 2, 1, term));
            assertEquals(StateType.FOLLOWER, r.state);
            assertEquals(term, r.term);
            assertEquals(2, r.lead);
        }
    }

    /** §5.2: election timeouts are randomized in [et, 2et), so split votes are resolved. */
    @Test
    void electionTimeoutsAreRandomized() {
        Set<Integer> seen = new HashSet<>();
        Raft r = raft(1, 3);
        for (int i = 0; i < 200; i++) {
            r.becomeFollower(r.term + 1, 0);
            int timeout = 0;
            while (r.state == StateType.FOLLOWER) {
                r.tick();
                timeout++;
            }
            assertTrue(timeout >= r.electionTimeout && timeout < 2 * r.electionTimeout, "timeout " + timeout);
            seen.add(timeout);
        }
        assertTrue(seen.size() > 5, "timeouts not randomized: " + seen);
    }

    // ---------------------------------------------------------------- §5.3 log replication

    /** §5.3: the leader appends a proposal to its log and sends MsgApp with the preceding index/term. */
    @Test
    void leaderStartsReplication() {
        Raft r = electedLeader(3);
        long li = r.raftLog.lastIndex();
        r.step(propose(1, "some data"));
        assertEquals(li + 1, r.raftLog.lastIndex());
        for (Message m : read(r)) {
            assertEquals(MessageType.MSG_APP, m.getType());
            assertEquals(li, m.getIndex());
            assertEquals(1, m.getLogTerm());
            assertEquals(1, m.getEntriesCount());
            assertEquals("some data", m.getEntries(0).getData().toStringUtf8());
        }
    }

    /** §5.3: an entry is committed once the leader replicated it on a majority; the commit index is then sent. */
    @Test
    void leaderCommitsOnMajority() {
        for (int size : new int[] {3, 5}) {
            for (int acks = 0; acks < size; acks++) {
                Raft r = electedLeader(size);
                r.step(propose(1, "x"));
                persist(r);
                long li = r.raftLog.lastIndex();
                for (int i = 0; i < acks; i++) {
                    r.step(Message.newBuilder().setType(MessageType.MSG_APP_RESP).setFrom(i + 2).setTo(1).setTerm(1).setIndex(li).build());
                }
                boolean majority = acks + 1 > size / 2;
                assertEquals(majority, r.raftLog.committed == li, "size=" + size + " acks=" + acks);
            }
        }
    }

    /** §5.3: the leader counts its own copy only once it is durable. */
    @Test
    void leaderCountsItselfOnlyAfterPersisting() {
        Raft r = electedLeader(3);
        r.step(propose(1, "x"));
        long li = r.raftLog.lastIndex();
        r.step(Message.newBuilder().setType(MessageType.MSG_APP_RESP).setFrom(2).setTo(1).setTerm(1).setIndex(li).build());
        assertTrue(r.raftLog.committed < li, "committed with one durable copy of three");
        persist(r);
        assertEquals(li, r.raftLog.committed);
    }

    /** §5.3: committing an entry also commits all preceding entries, including those of earlier leaders. */
    @Test
    void leaderCommitsPrecedingEntries() {
        MemoryStorage s = storage(voters(1, 2, 3), 2, List.of(entry(2, 1), entry(2, 2)));
        Raft r = raft(1, voters(1, 2, 3), 10, 1, s);
        r.becomeCandidate();
        r.becomeLeader();
        persist(r);
        r.step(propose(1, "x"));
        persist(r);
        long li = r.raftLog.lastIndex();
        r.step(Message.newBuilder().setType(MessageType.MSG_APP_RESP).setFrom(2).setTo(1).setTerm(r.term).setIndex(li).build());
        assertEquals(li, r.raftLog.committed);
        List<Entry> next = r.raftLog.nextCommittedEntries();
        assertEquals(li, next.size(), "every preceding entry is committed and handed out for apply");
    }

    /** §5.3: a follower learns the commit index from the leader and commits (applies) those entries. */
    @Test
    void followerCommitsFromLeader() {
        Raft r = raft(1, 3);
        r.becomeFollower(1, 2);
        r.step(Message.newBuilder().setType(MessageType.MSG_APP).setFrom(2).setTo(1).setTerm(1).setIndex(0).setLogTerm(0)
                .addEntries(entry(1, 1, "a")).addEntries(entry(1, 2, "b")).setCommit(1).build());
        assertEquals(1, r.raftLog.committed);
        assertEquals(1, r.raftLog.nextCommittedEntries().size());
    }

    /** §5.3 log matching consistency check: a follower refuses entries if it lacks the preceding entry. */
    @Test
    void followerChecksPrecedingEntry() {
        long[][] cases = { // index, logTerm, reject, wantIndex, rejectHint
                {0, 0, 0, 0, 0}, {2, 2, 0, 2, 0}, {2, 1, 1, 2, 1}, {3, 3, 1, 3, 2}};
        for (long[] c : cases) {
            Raft r = raft(1, voters(1, 2, 3), 10, 1, storage(voters(1, 2, 3), 0, List.of(entry(1, 1), entry(2, 2))));
            r.becomeFollower(2, 2);
            r.step(Message.newBuilder().setType(MessageType.MSG_APP).setFrom(2).setTo(1).setTerm(2)
                    .setIndex(c[0]).setLogTerm(c[1]).build());
            Message m = read(r).get(0);
            assertEquals(c[2] == 1, m.getReject(), "case " + c[0] + "/" + c[1]);
            assertEquals(c[3], m.getIndex());
            if (c[2] == 1) assertEquals(c[4], m.getRejectHint());
        }
    }

    /** §5.3: a conflicting entry and all that follow it are deleted; new entries are appended. */
    @Test
    void followerAppendsAndTruncatesConflicts() {
        Raft r = raft(1, voters(1, 2, 3), 10, 1, storage(voters(1, 2, 3), 0, List.of(entry(1, 1), entry(2, 2))));
        r.becomeFollower(3, 2);
        r.step(Message.newBuilder().setType(MessageType.MSG_APP).setFrom(2).setTo(1).setTerm(3)
                .setIndex(1).setLogTerm(1).addEntries(entry(3, 2)).addEntries(entry(3, 3)).build());
        assertEquals(List.of(entry(1, 1), entry(3, 2), entry(3, 3)), r.raftLog.allEntries());
    }

    /** §5.3 Figure 7: whatever the follower's log (missing, extra, conflicting), the leader makes it identical to its own. */
    @Test
    void leaderSyncsFollowerLogsOfFigure7() {
        long[] leaderLog = {1, 1, 1, 4, 4, 5, 5, 6, 6, 6};
        long[][] followers = {
                {1, 1, 1, 4, 4, 5, 5, 6, 6},               // (a) missing one
                {1, 1, 1, 4},                              // (b) missing many
                {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6},         // (c) extra uncommitted
                {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7},      // (d) extra of a later term
                {1, 1, 1, 4, 4, 4, 4},                     // (e) missing and extra
                {1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3},         // (f) conflicting terms
        };
        for (long[] f : followers) {
            Raft lead = raft(1, voters(1, 2, 3), 10, 1, storage(voters(1, 2, 3), 8, logOfTerms(leaderLog)));
            lead.raftLog.commitTo(leaderLog.length);
            Raft fol = raft(2, voters(1, 2, 3), 10, 1, storage(voters(1, 2, 3), 7, logOfTerms(f)));
            Raft third = raft(3, voters(1, 2, 3), 10, 1, storage(voters(1, 2, 3), 7, List.of()));
            Network n = new Network(lead, fol, third);
            // 3's empty log votes for 1 even when the follower under test refuses (case d has a later term)
            n.campaign(1);
            n.send(msg(MessageType.MSG_BEAT, 1, 1, 0));
            n.send(propose(1, "sync"));
            assertEquals(StateType.LEADER, lead.state, "leader for follower " + java.util.Arrays.toString(f));
            assertEquals(lead.raftLog.allEntries(), fol.raftLog.allEntries(), "follower " + java.util.Arrays.toString(f));
        }
    }

    // ---------------------------------------------------------------- §5.4 safety

    /** §5.4.1: a vote request carries the candidate's last log index and term. */
    @Test
    void voteRequestCarriesLastEntry() {
        Raft r = raft(1, voters(1, 2, 3), 10, 1, storage(voters(1, 2, 3), 2, List.of(entry(1, 1), entry(2, 2))));
        r.step(msg(MessageType.MSG_HUP, 1, 1, 0));
        for (Message m : read(r)) {
            assertEquals(MessageType.MSG_VOTE, m.getType());
            assertEquals(2, m.getIndex());
            assertEquals(2, m.getLogTerm());
            assertEquals(3, m.getTerm());
        }
    }

    /** §5.4.1 election restriction: a voter denies its vote if its own log is more up to date. */
    @Test
    void voterDeniesLessUpToDateCandidate() {
        long[][] cases = { // voter log terms..., candidate logTerm, index, reject
                {1, 1, 1, 0}, {1, 1, 2, 0}, {1, 1, 0, 1}, // voter log [1]: same term, longer/shorter
                {1, 2, 1, 0}, {1, 2, 3, 0}, {1, 0, 1, 1}, // higher term wins regardless of length
        };
        for (long[] c : cases) {
            Raft r = raft(1, voters(1, 2), 10, 1, storage(voters(1, 2), 0, List.of(entry(1, 1))));
            r.step(Message.newBuilder().setType(MessageType.MSG_VOTE).setFrom(2).setTo(1).setTerm(3)
                    .setLogTerm(c[1]).setIndex(c[2]).build());
            Message m = read(r).get(0);
            assertEquals(c[3] == 1, m.getReject(), "candidate log " + c[1] + "/" + c[2]);
        }
    }

    /** §5.4.2 Figure 8: a leader never commits an entry of an earlier term by counting replicas. */
    @Test
    void leaderOnlyCommitsEntriesOfItsTermByCounting() {
        // the leader of term 3 holds entries of term 2 that a majority has, and no entry of its own yet
        MemoryStorage s = storage(voters(1, 2, 3), 2, List.of(entry(1, 1), entry(2, 2)));
        Raft r = raft(1, voters(1, 2, 3), 10, 1, s);
        r.term = 2;
        r.becomeCandidate();
        r.becomeLeader(); // term 3, appends an empty entry at 3
        assertEquals(3, r.term);
        // a follower acknowledges index 2 (term 2): a majority holds it, but it is not of term 3
        r.step(Message.newBuilder().setType(MessageType.MSG_APP_RESP).setFrom(2).setTo(1).setTerm(3).setIndex(2).build());
        persist(r);
        assertEquals(0, r.raftLog.committed, "entry of an earlier term committed by counting");
        r.step(Message.newBuilder().setType(MessageType.MSG_APP_RESP).setFrom(2).setTo(1).setTerm(3).setIndex(3).build());
        assertEquals(3, r.raftLog.committed, "the term-3 entry commits, and index 2 with it");
    }

    /** Leader completeness: a candidate missing a committed entry cannot win an election. */
    @Test
    void leaderCompleteness() {
        // entry 2 (term 1) is committed: on 1 and 2. Node 3 lacks it and campaigns.
        Raft a = raft(1, voters(1, 2, 3), 10, 1, storage(voters(1, 2, 3), 1, logOfTerms(1, 1)));
        Raft b = raft(2, voters(1, 2, 3), 10, 1, storage(voters(1, 2, 3), 1, logOfTerms(1, 1)));
        Raft c = raft(3, voters(1, 2, 3), 10, 1, storage(voters(1, 2, 3), 1, logOfTerms(1)));
        Network n = new Network(a, b, c);
        n.campaign(3);
        assertTrue(c.state != StateType.LEADER, "a candidate lacking a committed entry won");
        n.campaign(1);
        assertEquals(StateType.LEADER, a.state);
        assertEquals(a.raftLog.allEntries(), c.raftLog.allEntries(), "the new leader brings 3 up to date");
    }

    /** Leader append-only: a leader never overwrites or deletes entries in its log, whatever it receives. */
    @Test
    void leaderAppendOnly() {
        Raft r = raft(1, 3);
        r.term = 1;
        r.becomeCandidate();
        r.becomeLeader(); // term 2
        persist(r);
        read(r);
        r.step(propose(1, "a"));
        persist(r);
        List<Entry> before = r.raftLog.allEntries();
        // a deposed leader of term 1 tries to overwrite our entries: ignored
        r.step(Message.newBuilder().setType(MessageType.MSG_APP).setFrom(2).setTo(1).setTerm(1).setIndex(0).setLogTerm(0)
                .addEntries(entry(1, 1, "other")).addEntries(entry(1, 2, "other")).setCommit(2).build());
        // a follower's rejection only moves our view of the follower, never our log
        r.step(Message.newBuilder().setType(MessageType.MSG_APP_RESP).setFrom(2).setTo(1).setTerm(2).setIndex(1)
                .setReject(true).setRejectHint(0).build());
        r.step(propose(1, "b"));
        List<Entry> after = r.raftLog.allEntries();
        assertEquals(before, after.subList(0, before.size()), "leader's log changed other than by appending");
        assertEquals(before.size() + 1, after.size());
    }

    /** State machine safety: every node applies the same entry at each index, after replication in Figure 7's worst case. */
    @Test
    void stateMachineSafety() {
        Raft a = raft(1, 3), b = raft(2, 3), c = raft(3, 3);
        Network n = new Network(a, b, c);
        n.campaign(1);
        n.send(propose(1, "x"));
        n.isolated.add(3L);
        n.send(propose(1, "y"));
        n.isolated.clear();
        n.campaign(2);
        n.send(propose(2, "z"));
        n.send(msg(MessageType.MSG_BEAT, 2, 2, 0));
        List<List<ByteString>> applied = new ArrayList<>();
        for (Raft r : List.of(a, b, c)) {
            List<ByteString> data = new ArrayList<>();
            for (Entry e : r.raftLog.nextCommittedEntries()) data.add(e.getData());
            applied.add(data);
        }
        assertEquals(applied.get(0), applied.get(1));
        assertEquals(applied.get(1), applied.get(2));
        assertFalse(applied.get(0).isEmpty());
    }

    /** A leader of term 1 whose empty entry every follower has acknowledged (so it replicates from index 2). */
    private static Raft electedLeader(int size) {
        Raft r = raft(1, size);
        r.becomeCandidate();
        r.becomeLeader();
        persist(r);
        for (long id = 2; id <= size; id++) {
            r.step(Message.newBuilder().setType(MessageType.MSG_APP_RESP).setFrom(id).setTo(1).setTerm(1).setIndex(1).build());
        }
        read(r);
        return r;
    }
}
