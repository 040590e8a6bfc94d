package dev.etcetera.watch;

import com.google.protobuf.ByteString;
import dev.etcetera.api.mvccpb.KeyValue;
import dev.etcetera.mvcc.MvccStore;
import dev.etcetera.mvcc.RangeResult;
import dev.etcetera.mvcc.StoredRevision;
import dev.etcetera.server.EtcdException;
import java.util.List;

/**
 * What the watch stage needs from the MVCC store (the consumer owns the port): the published
 * revision, the compacted revision, the committed history by revision, and a key's value at a past
 * revision (for {@code prev_kv}). Every method may be called from any thread without blocking on
 * the apply thread.
 */
public interface WatchHistory {

    /** The published (durable) revision. */
    long revision();

    /** The published compacted revision, -1 if never compacted. */
    long compactRevision();

    /**
     * Committed records with main revision in {@code [fromRev, toRev]} in revision order, at most
     * {@code limit}. {@code toRev} must not exceed {@link #revision()}.
     *
     * @throws EtcdException COMPACTED if {@code fromRev} is below the compacted revision
     */
    List<StoredRevision> events(long fromRev, long toRev, int limit);

    /** The key's value at {@code rev}, or null if it did not exist then or that revision is compacted. */
    KeyValue valueAt(ByteString key, long rev);

    /** The history of an MVCC store. */
    static WatchHistory of(MvccStore store) {
        return new WatchHistory() {
            @Override
            public long revision() {
                return store.revision();
            }

            @Override
            public long compactRevision() {
                return store.compactRevision();
            }

            @Override
            public List<StoredRevision> events(long fromRev, long toRev, int limit) {
                return store.history(fromRev, toRev, limit);
            }

            @Override
            public KeyValue valueAt(ByteString key, long rev) {
                if (rev <= 0) {
                    return null;
                }
                try {
                    RangeResult r = store.readView().range(key, null, 1, rev, false);
                    return r.kvs().isEmpty() ? null : r.kvs().get(0);
                } catch (EtcdException e) {
                    return null; // compacted: etcd sends the event without prev_kv
                }
            }
        };
    }
}
