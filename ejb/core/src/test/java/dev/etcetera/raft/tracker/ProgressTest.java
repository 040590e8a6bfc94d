package dev.etcetera.raft.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.etcetera.raft.pb.ConfState;
import org.junit.jupiter.api.Test;

class ProgressTest {

    @Test
    void probeSendsOneMessageUntilAcknowledged() {
        Progress pr = new Progress(0, 5, new Inflights(10, 0), false);
        assertFalse(pr.isPaused());
        pr.probeSent(true);
        assertTrue(pr.isPaused());
        assertTrue(pr.maybeUpdate(4));
        assertFalse(pr.isPaused(), "an acknowledgement resumes probing");
    }

    @Test
    void rejectionInProbeMovesNextToHint() {
        Progress pr = new Progress(0, 10, new Inflights(10, 0), false);
        assertFalse(pr.maybeDecrTo(5, 3), "a rejection of another probe is stale");
        assertTrue(pr.maybeDecrTo(9, 3));
        assertEquals(4, pr.next());
        assertTrue(pr.maybeDecrTo(3, 7));
        assertEquals(3, pr.next(), "never moves beyond the rejected index");
    }

    @Test
    void rejectionInReplicateFallsBackToMatch() {
        Progress pr = new Progress(5, 6, new Inflights(10, 0), false);
        pr.becomeReplicate();
        pr.optimisticUpdate(20);
        assertFalse(pr.maybeDecrTo(4, 0), "stale: below match");
        assertTrue(pr.maybeDecrTo(12, 0));
        assertEquals(6, pr.next());
    }

    @Test
    void snapshotStateIsPausedAndResumesAfterPendingSnapshot() {
        Progress pr = new Progress(2, 3, new Inflights(10, 0), false);
        pr.becomeSnapshot(50);
        assertTrue(pr.isPaused());
        pr.becomeProbe();
        assertEquals(51, pr.next());
    }

    @Test
    void trackerCommitsTheQuorumthLargestMatch() {
        ProgressTracker t = new ProgressTracker(10, 0);
        t.reset(ConfState.newBuilder().addVoters(1).addVoters(2).addVoters(3).addVoters(4).addVoters(5).addLearners(6).build(), 1);
        long[] matches = {9, 7, 5, 3, 1};
        for (int i = 0; i < 5; i++) t.get(i + 1).maybeUpdate(matches[i]);
        t.get(6).maybeUpdate(100);
        assertEquals(5, t.committed(), "learners never count");
        assertEquals(3, t.quorum());
    }

    @Test
    void voteTally() {
        ProgressTracker t = new ProgressTracker(10, 0);
        t.reset(ConfState.newBuilder().addVoters(1).addVoters(2).addVoters(3).build(), 1);
        t.recordVote(1, true);
        assertEquals(ProgressTracker.VoteResult.PENDING, t.tallyVotes());
        t.recordVote(2, false);
        t.recordVote(2, true);
        assertEquals(ProgressTracker.VoteResult.PENDING, t.tallyVotes(), "only the first vote of a member counts");
        t.recordVote(3, false);
        assertEquals(ProgressTracker.VoteResult.LOST, t.tallyVotes());
    }
}
