package dev.etcetera.raft;

import dev.etcetera.raft.pb.Entry;
import dev.etcetera.raft.pb.HardState;
import dev.etcetera.raft.pb.Message;
import dev.etcetera.raft.pb.Snapshot;
import java.util.List;

/**
 * Everything a node produced since the last {@link RawNode#advance}, and the order in which the
 * caller must act on it. The contract, in order:
 *
 * <ol>
 *   <li>{@link #messages()} may be sent at once, even before anything is persisted (they come from
 *       a leader; the paper allows a leader to write its log in parallel with replicating it).</li>
 *   <li>Persist {@link #snapshot()} (if non-null), then append {@link #entries()}, then save
 *       {@link #hardState()} (if non-null). When {@link #mustSync()} is true these writes must be
 *       durable (fsync) before step 3.</li>
 *   <li>Only then send {@link #persistedMessages()}: votes and acknowledgements that promise the
 *       state just persisted.</li>
 *   <li>Apply {@link #committedEntries()} in order (a conf change entry through
 *       {@link RawNode#applyConfChange}); serve reads whose {@link #readStates()} index is applied.</li>
 *   <li>Call {@link RawNode#advance(Ready)} with this Ready, before asking for the next one.</li>
 * </ol>
 *
 * <p>All lists are immutable. {@code softState} and {@code hardState} are null when unchanged.
 */
public record Ready(
        SoftState softState,
        HardState hardState,
        List<ReadState> readStates,
        List<Entry> entries,
        Snapshot snapshot,
        List<Entry> committedEntries,
        List<Message> messages,
        List<Message> persistedMessages,
        boolean mustSync) {

    public boolean containsUpdates() {
        return softState != null || hardState != null || snapshot != null || !entries.isEmpty()
                || !committedEntries.isEmpty() || !messages.isEmpty() || !persistedMessages.isEmpty()
                || !readStates.isEmpty();
    }
}
