/**
 * The write-ahead log of the member on the {@code journal} module: adapters that put the core's
 * log ports on a {@link dev.etcetera.journal.Journal}.
 *
 * <ul>
 *   <li>{@link dev.etcetera.storage.wal.JournalWal}: the single member's
 *       {@link dev.etcetera.server.WriteAheadLog} (journal-first durability: an entry is fdatasynced
 *       before it is applied; backend commits are unsynced except every {@code --snapshot-count}
 *       entries, after which journal segments covered by the backend are released, keeping
 *       {@code --snapshot-catchup-entries}).</li>
 *   <li>{@link dev.etcetera.storage.wal.JournalRaftStorage}: Raft's
 *       {@link dev.etcetera.raft.Storage} port over the journal, for the Raft node loop.</li>
 * </ul>
 *
 * <h2>Journal entry encoding</h2>
 * A journal entry is {@code (index, term, type, payload)}. Type 0 (Raft's {@code ENTRY_NORMAL}) has
 * the serialised {@code InternalRaftRequest} as payload (empty for Raft's empty leader entries);
 * type 1 (Raft's {@code ENTRY_CONF_CHANGE}) a serialised {@code raftpb.ConfChange}. Index and term
 * are the Raft entry's own. The single member writes no hard state; its entries are committed
 * once durable.
 *
 * <h2>Order of operations (single member)</h2>
 * Propose: append to the journal (proposals that queued up concurrently go in as one batch of
 * consecutive entries, one entry each); on the journal's fdatasync (shared by a group of appends)
 * hand the entries to the apply stage; apply, commit JE without sync recording the applied index in the
 * same transaction, publish the revision, answer the caller. Start: open JE, read the applied
 * index, open the journal, replay the entries after that index through the apply stage (which
 * skips anything at or below the index JE holds), serve, and append at the next index. Release:
 * after a synced JE commit at applied index A, save a snapshot marker at A, and once it is durable
 * release the segments wholly at or below A minus the catch-up entries. See
 * {@link dev.etcetera.server.WalProposer} for the durability argument.
 */
package dev.etcetera.storage.wal;
