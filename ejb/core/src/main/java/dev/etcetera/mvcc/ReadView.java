package dev.etcetera.mvcc;

import com.google.protobuf.ByteString;

/**
 * A consistent view of the store at one store revision: what etcd's {@code TxnRead} offers.
 * Views obtained from {@link MvccStore#readView()} may be used by any thread; the view of an open
 * {@link WriteTxn} belongs to the apply thread and also sees that transaction's own writes.
 */
public interface ReadView {

    /** The store revision this view reads by default (header revision of reads through it). */
    long rev();

    /** The compacted revision when the view was taken; -1 if the store was never compacted. */
    long firstRev();

    /**
     * Keys in a range as of revision {@code atRev} (0 or negative: {@link #rev()}).
     *
     * @param end       null: only {@code key}; empty: every key {@code >= key}; else exclusive bound
     * @param limit     at most this many key-values (0 or negative: no limit); count ignores it
     * @param countOnly return no key-values, only the count
     * @throws dev.etcetera.server.EtcdException FUTURE_REV if {@code atRev > rev()}; COMPACTED if
     *         {@code atRev} is below the compacted revision (also if compaction passed it meanwhile)
     */
    RangeResult range(ByteString key, ByteString end, long limit, long atRev, boolean countOnly);
}
