package dev.etcetera.journal;

/**
 * Monotonic counters since the journal was opened.
 *
 * @param appends        calls to {@code append} and {@code saveSnapshot} acknowledged
 * @param syncs          syncs (fdatasync calls, or simulated syncs) that acknowledged at least one call
 * @param bytesWritten   bytes of records written (framing included)
 * @param segmentsCreated segments created by rotation (not counting the one made at first open)
 */
public record JournalStats(long appends, long syncs, long bytesWritten, long segmentsCreated) {
}
