package dev.etcetera.mvcc;

import com.google.protobuf.ByteString;
import dev.etcetera.api.mvccpb.KeyValue;
import java.util.List;

/**
 * One write transaction (etcd's {@code TxnWrite}): all its changes share main revision
 * {@code beginRev + 1}, numbered by sub revision in the order made. Reads through it see the
 * transaction's own earlier writes (they read at {@link #rev()}). A transaction that changes nothing
 * leaves the revision alone. Apply thread only; call {@link #end()} when done.
 */
public final class WriteTxn implements ReadView {
    private final MvccStore store;
    private final long beginRev;
    private final long firstRev;
    private int changes;
    private boolean ended;

    WriteTxn(MvccStore store, long beginRev, long firstRev) {
        this.store = store;
        this.beginRev = beginRev;
        this.firstRev = firstRev;
    }

    /** The revision reads see: {@code beginRev}, or {@code beginRev + 1} once something changed. */
    @Override
    public long rev() {
        return changes > 0 ? beginRev + 1 : beginRev;
    }

    @Override
    public long firstRev() {
        return firstRev;
    }

    /** Number of changes (puts and per-key deletions) made so far. */
    public int changes() {
        return changes;
    }

    @Override
    public RangeResult range(ByteString key, ByteString end, long limit, long atRev, boolean countOnly) {
        check();
        return store.rangeKeys(key, end, limit, atRev, countOnly, rev(), firstRev, true);
    }

    /**
     * Puts {@code key}; a key that exists keeps its create revision and gets version + 1.
     *
     * @return the written key-value (its mod revision is the transaction's revision)
     */
    public KeyValue put(ByteString key, ByteString value, long lease) {
        check();
        KeyValue kv = store.put(beginRev + 1, changes, key, value, lease);
        changes++;
        return kv;
    }

    /**
     * Deletes every key existing in the range (same {@code end} convention as {@link #range}).
     *
     * @return the number of keys deleted
     */
    public long deleteRange(ByteString key, ByteString end) {
        check();
        List<KeyIndex> keys = store.existing(key, end, rev());
        for (KeyIndex ki : keys) {
            store.tombstone(beginRev + 1, changes, ki);
            changes++;
        }
        return keys.size();
    }

    /** Ends the transaction; if it changed anything the store's revision advances to {@code beginRev + 1}. */
    public void end() {
        check();
        ended = true;
        if (changes > 0) {
            store.advance(beginRev + 1);
        }
    }

    private void check() {
        if (ended) {
            throw new IllegalStateException("transaction ended");
        }
    }
}
