package dev.etcetera.server;

import dev.etcetera.api.internal.InternalRaftRequest;

/**
 * A log entry the consensus layer has committed, ready for the apply stage.
 *
 * @param index   log index, consecutive across entries handed to the apply stage
 * @param term    term of the entry
 * @param request the replicated request; its header ID matches it to a waiting caller, if any
 */
public record CommittedEntry(long index, long term, InternalRaftRequest request) {
}
