package dev.etcetera.raft.tracker;

/**
 * The leader's view of one follower (or learner): what it has ({@code match}), what to send next
 * ({@code next}), and how to send it ({@link ProgressState}).
 *
 * <p>Invariant: {@code match < next}. Only the leader holds Progress; it is reset on every term
 * change. Owned by the node-loop thread.
 */
public final class Progress {
    private long match;
    private long next;
    private ProgressState state = ProgressState.PROBE;
    private long pendingSnapshot;
    private boolean recentActive;
    private boolean probeSent;
    private boolean learner;
    private final Inflights inflights;

    public Progress(long match, long next, Inflights inflights, boolean learner) {
        this.match = match;
        this.next = next;
        this.inflights = inflights;
        this.learner = learner;
    }

    private void resetState(ProgressState newState) {
        probeSent = false;
        pendingSnapshot = 0;
        state = newState;
        inflights.reset();
    }

    /** Back to probing from just after the last known match (or after a pending snapshot). */
    public void becomeProbe() {
        if (state == ProgressState.SNAPSHOT) {
            long pending = pendingSnapshot;
            resetState(ProgressState.PROBE);
            next = Math.max(match + 1, pending + 1);
        } else {
            resetState(ProgressState.PROBE);
            next = match + 1;
        }
    }

    public void becomeReplicate() {
        resetState(ProgressState.REPLICATE);
        next = match + 1;
    }

    public void becomeSnapshot(long snapshotIndex) {
        resetState(ProgressState.SNAPSHOT);
        pendingSnapshot = snapshotIndex;
    }

    /**
     * The follower acknowledged entries up to {@code n}.
     *
     * @return whether {@code match} advanced (a stale acknowledgement returns false)
     */
    public boolean maybeUpdate(long n) {
        boolean updated = false;
        if (match < n) {
            match = n;
            updated = true;
            probeSent = false;
        }
        next = Math.max(next, n + 1);
        return updated;
    }

    /** Optimistically assumes entries up to {@code n} will be accepted (REPLICATE streaming). */
    public void optimisticUpdate(long n) {
        next = n + 1;
    }

    /**
     * The follower rejected a MsgApp whose previous index was {@code rejected}; {@code matchHint} is
     * the highest index the follower might still agree on (fast back-off).
     *
     * @return whether {@code next} moved back (false for a stale or duplicate rejection)
     */
    public boolean maybeDecrTo(long rejected, long matchHint) {
        if (state == ProgressState.REPLICATE) {
            if (rejected <= match) {
                return false; // stale: we already know a larger match
            }
            next = match + 1;
            return true;
        }
        if (next - 1 != rejected) {
            return false; // not the probe we are waiting for
        }
        next = Math.max(Math.min(rejected, matchHint + 1), 1);
        probeSent = false;
        return true;
    }

    /**
     * Whether the leader should hold back MsgApp to this follower: a probe is outstanding, the
     * inflight window is full, or a snapshot is being sent.
     */
    public boolean isPaused() {
        return switch (state) {
            case PROBE -> probeSent;
            case REPLICATE -> inflights.full();
            case SNAPSHOT -> true;
        };
    }

    public long match() { return match; }
    public long next() { return next; }
    public ProgressState state() { return state; }
    public long pendingSnapshot() { return pendingSnapshot; }
    public boolean recentActive() { return recentActive; }
    public void recentActive(boolean active) { this.recentActive = active; }
    public boolean probeSent() { return probeSent; }
    public void probeSent(boolean sent) { this.probeSent = sent; }
    public boolean isLearner() { return learner; }
    public void learner(boolean isLearner) { this.learner = isLearner; }
    public Inflights inflights() { return inflights; }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(state).append(" match=").append(match).append(" next=").append(next);
        if (learner) sb.append(" learner");
        if (probeSent) sb.append(" paused");
        if (pendingSnapshot > 0) sb.append(" pendingSnap=").append(pendingSnapshot);
        if (!recentActive) sb.append(" inactive");
        if (inflights.count() > 0) sb.append(" inflight=").append(inflights.count());
        return sb.toString();
    }
}
