package dev.etcetera.mvcc;

import dev.etcetera.api.mvccpb.KeyValue;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The storage port the MVCC store needs: a revision database (revision -> key-value, ordered by
 * revision) and a few named meta values, changed only through atomic batches.
 *
 * <p>Threads: {@link #read}, {@link #scan}, {@link #size} and {@link #sizes} may be called from
 * any thread at any time without blocking on the apply thread. They see every committed batch and
 * may or may not see the changes of the batch currently open (JE reads without locks); the store
 * relies on neither, because it reads only revisions it has published (committed, immutable) and
 * treats a record missing under a concurrent compaction as compacted. {@link #begin} and everything
 * done on the returned batch belong to the single apply thread; at most one batch is open at a time.
 *
 * <p>Ownership: returned {@link KeyValue} messages are immutable and may be shared.
 *
 * <p>Errors: a failed write or sync surfaces as an unchecked exception; the caller must then stop
 * (crash on storage failure, never continue with a state it cannot vouch for).
 */
public interface Backend extends AutoCloseable {

    /** Named 64-bit meta values kept beside the revisions. Absent values read as 0. */
    enum Meta {
        /** Index of the last replicated entry whose effects are in this backend (exactly-once apply). */
        CONSISTENT_INDEX,
        /** Raft term of that entry. */
        CONSISTENT_TERM,
        /** The revision of the latest accepted compaction (written before any record is removed). */
        SCHEDULED_COMPACT_REVISION,
        /** The revision of the latest compaction whose removals are all committed. */
        FINISHED_COMPACT_REVISION
    }

    /**
     * The committed record at a put revision (tombstones are never read this way), or null if there
     * is none (never written, or removed by compaction).
     */
    KeyValue read(Revision revision);

    /**
     * Visits committed records with revision in {@code [from, +inf)} and main revision
     * {@code <= maxMain}, in revision order, stopping after {@code limit} records.
     */
    List<StoredRevision> scan(Revision from, long maxMain, int limit);

    /** Visits every committed record in revision order (used once, at start, to rebuild the key index). */
    void forEach(Consumer<StoredRevision> visitor);

    /**
     * Visits every committed record of the lease bucket (etcd's "lease" bucket): lease ID -> the
     * bytes the lease package wrote (its format is documented there). Used once, at start.
     * A backend that keeps no leases has none to visit.
     */
    default void forEachLease(BiConsumer<Long, byte[]> visitor) {
    }

    /** A committed meta value, 0 if never written. */
    long meta(Meta key);

    /** Opens the batch through which all changes go. Apply thread only; one open batch at a time. */
    Batch begin();

    /** Bytes the backend occupies on its medium (etcd's dbSize); the quota check reads it per write. */
    default long size() {
        return sizes().total();
    }

    /**
     * Both size figures taken at one moment, so that {@code inUse <= total} holds within the
     * answer. Two separate reads could straddle a refresh while the medium grows and report more
     * bytes in use than in total, as etcd never does (a Status reply must take both from here).
     */
    Sizes sizes();

    /**
     * @param total bytes the backend occupies on its medium (etcd's dbSize)
     * @param inUse bytes holding live data (etcd's dbSizeInUse), at most {@code total}
     */
    record Sizes(long total, long inUse) {
        public Sizes {
            if (inUse < 0 || inUse > total) {
                throw new IllegalArgumentException("in use " + inUse + " of " + total);
            }
        }
    }

    /** Releases the medium. Must not be called with a batch open. */
    @Override
    void close();

    /** An atomic group of changes: all of them become visible and durable together, or none. */
    interface Batch {
        void put(Revision revision, boolean tombstone, KeyValue kv);

        void delete(Revision revision, boolean tombstone);

        void putMeta(Meta key, long value);

        /** Writes the record of lease {@code id} (replacing any); the batch takes ownership of {@code record}. */
        default void putLease(long id, byte[] record) {
            throw new UnsupportedOperationException("this backend keeps no leases");
        }

        /** Removes the record of lease {@code id}, if any. */
        default void deleteLease(long id) {
            throw new UnsupportedOperationException("this backend keeps no leases");
        }

        /**
         * Makes the batch visible to readers. With {@code sync} the batch (and every batch committed
         * before it) is on stable storage when this returns; without, it may be lost in a crash, but
         * a later synced commit makes it durable too (batches become durable in commit order).
         */
        void commit(boolean sync);

        /** Discards the batch. */
        void abort();
    }
}
