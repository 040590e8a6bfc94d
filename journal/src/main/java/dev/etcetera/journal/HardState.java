package dev.etcetera.journal;

/**
 * Raft's hard state: what a member must remember across a restart besides the log.
 *
 * <p>Raft never lets {@code term} or {@code commit} go backwards; the journal asserts both on
 * append (a decrease is a programming error in the caller).
 *
 * @param term   current term, {@code >= 0}
 * @param vote   member id voted for in {@code term}, 0 when none
 * @param commit highest log index known to be committed, {@code >= 0}
 */
public record HardState(long term, long vote, long commit) {

    public HardState {
        if (term < 0 || commit < 0) {
            throw new IllegalArgumentException("hard state term and commit must be >= 0: term=" + term
                    + " commit=" + commit);
        }
    }
}
