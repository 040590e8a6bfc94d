package dev.etcetera.raft.tracker;

import dev.etcetera.raft.pb.ConfState;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The active configuration (voters and learners), the leader's {@link Progress} for each member,
 * and the votes of the current election.
 *
 * <p>Invariants: voters and learners are disjoint; every member of either set has a Progress; a
 * quorum is a strict majority of voters. Iteration is in ascending id order, so that the order of
 * messages a node emits is deterministic. Owned by the node-loop thread.
 */
public final class ProgressTracker {
    /** Outcome of the votes received so far. */
    public enum VoteResult { PENDING, LOST, WON }

    private final NavigableSet<Long> voters = new TreeSet<>();
    private final NavigableSet<Long> learners = new TreeSet<>();
    private final NavigableMap<Long, Progress> progress = new TreeMap<>();
    private final Map<Long, Boolean> votes = new TreeMap<>();
    private final int maxInflight;
    private final long maxInflightBytes;

    public ProgressTracker(int maxInflight, long maxInflightBytes) {
        this.maxInflight = maxInflight;
        this.maxInflightBytes = maxInflightBytes;
    }

    public Inflights newInflights() {
        return new Inflights(maxInflight, maxInflightBytes);
    }

    public NavigableSet<Long> voters() { return Collections.unmodifiableNavigableSet(voters); }
    public NavigableSet<Long> learners() { return Collections.unmodifiableNavigableSet(learners); }
    public NavigableMap<Long, Progress> progress() { return Collections.unmodifiableNavigableMap(progress); }

    public Progress get(long id) {
        return progress.get(id);
    }

    public boolean isVoter(long id) { return voters.contains(id); }
    public boolean isLearner(long id) { return learners.contains(id); }

    public int quorum() {
        return voters.size() / 2 + 1;
    }

    /** Adds (or promotes a learner to) a voter; a new member starts probing at {@code next}. */
    public void addVoter(long id, long next) {
        learners.remove(id);
        voters.add(id);
        Progress pr = progress.get(id);
        if (pr == null) {
            pr = new Progress(0, next, newInflights(), false);
            pr.recentActive(true); // a new member gets a grace period before check-quorum counts it
            progress.put(id, pr);
        } else {
            pr.learner(false);
        }
    }

    /** Adds a learner. Demoting a voter is refused earlier (at proposal time). */
    public void addLearner(long id, long next) {
        if (voters.contains(id)) {
            throw new IllegalStateException("cannot demote voter " + id + " to learner");
        }
        learners.add(id);
        if (!progress.containsKey(id)) {
            Progress pr = new Progress(0, next, newInflights(), true);
            pr.recentActive(true);
            progress.put(id, pr);
        }
    }

    public void remove(long id) {
        voters.remove(id);
        learners.remove(id);
        progress.remove(id);
        votes.remove(id);
    }

    /** Replaces the configuration wholesale (restart or snapshot restore); every Progress is new. */
    public void reset(ConfState cs, long next) {
        voters.clear();
        learners.clear();
        progress.clear();
        votes.clear();
        for (long v : cs.getVotersList()) addVoter(v, next);
        for (long l : cs.getLearnersList()) addLearner(l, next);
        // a new term's leader learns afresh who is alive: nobody gets the grace period of a new member
        for (Progress pr : progress.values()) pr.recentActive(false);
    }

    public ConfState confState() {
        return ConfState.newBuilder().addAllVoters(voters).addAllLearners(learners).build();
    }

    /**
     * The largest index acknowledged by a quorum of voters: the quorum-th largest {@code match}.
     * An empty voter set commits nothing.
     */
    public long committed() {
        if (voters.isEmpty()) {
            return 0;
        }
        long[] matches = new long[voters.size()];
        int i = 0;
        for (long v : voters) {
            Progress pr = progress.get(v);
            matches[i++] = pr == null ? 0 : pr.match();
        }
        Arrays.sort(matches);
        // ascending: the quorum-th largest is at position n - quorum
        return matches[matches.length - quorum()];
    }

    /** Whether a quorum of voters was recently active (check-quorum). */
    public boolean quorumActive(long self) {
        int active = 0;
        for (long v : voters) {
            Progress pr = progress.get(v);
            if (v == self || (pr != null && pr.recentActive())) {
                active++;
            }
        }
        return active >= quorum();
    }

    /** Number of voters in {@code ids} (used for ReadIndex heartbeat acknowledgements). */
    public boolean isQuorum(Iterable<Long> ids) {
        int n = 0;
        for (long id : ids) {
            if (voters.contains(id)) n++;
        }
        return n >= quorum();
    }

    public void resetVotes() {
        votes.clear();
    }

    /** Records the vote of {@code id}; only the first vote of a member in an election counts. */
    public void recordVote(long id, boolean granted) {
        votes.putIfAbsent(id, granted);
    }

    public VoteResult tallyVotes() {
        int granted = 0;
        int rejected = 0;
        for (long v : voters) {
            Boolean vote = votes.get(v);
            if (vote == null) continue;
            if (vote) granted++; else rejected++;
        }
        int q = quorum();
        if (granted >= q) return VoteResult.WON;
        if (voters.size() - rejected < q) return VoteResult.LOST;
        return VoteResult.PENDING;
    }

    public int[] voteCounts() {
        int granted = 0;
        int rejected = 0;
        for (long v : voters) {
            Boolean vote = votes.get(v);
            if (vote == null) continue;
            if (vote) granted++; else rejected++;
        }
        return new int[] {granted, rejected};
    }
}
