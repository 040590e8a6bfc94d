package dev.etcetera.mvcc;

import com.google.protobuf.ByteString;
import dev.etcetera.api.mvccpb.KeyValue;
import java.util.Iterator;
import java.util.List;

/**
 * One compaction at revision {@code rev}, done in bounded steps on the apply thread: first the key
 * index (each key keeps its last event at or before {@code rev} unless that is a tombstone, and all
 * later events), then the revision database (a record before {@code rev} stays only if the index still
 * holds it). Because the index step completes before any record is removed, a reader at or after
 * {@code rev} always finds the records the index points to.
 *
 * <p>Records at exactly {@code rev} all stay in the database, although the index forgets a tombstone
 * there: a watch from the compaction revision itself is served from history, and must get a delete at
 * that revision and all of a txn at it (etcd#18089; etcd keeps the tombstone at the compaction revision
 * since its PR #18274, on the 3.4 and 3.5 branches too). The next compaction, at a higher revision,
 * removes them. {@link MvccStore#open} indexes such a lone tombstone like any record, so a restart does
 * not lose it either (etcd#19179).
 */
final class CompactionJob {
    final long rev;
    private boolean indexDone;
    private ByteString indexCursor;
    private Revision dbCursor = new Revision(0, 0);

    CompactionJob(long rev) {
        this.rev = rev;
    }

    /** @return true when the compaction is finished and recorded durably */
    boolean step(MvccStore store, int limit) {
        if (!indexDone) {
            Iterator<KeyIndex> it = store.index().after(indexCursor).iterator();
            int n = 0;
            while (n < limit && it.hasNext()) {
                KeyIndex ki = it.next();
                if (ki.compact(rev)) {
                    store.index().remove(ki);
                }
                indexCursor = ki.key();
                n++;
            }
            if (!it.hasNext()) {
                indexDone = true;
            }
            return false;
        }
        List<StoredRevision> records = store.backend().scan(dbCursor, rev - 1, limit);
        Backend.Batch b = store.batch();
        try {
            for (StoredRevision r : records) {
                KeyValue kv = r.kv();
                KeyIndex ki = store.index().get(kv.getKey());
                if (ki == null || !ki.contains(r.revision(), r.tombstone())) {
                    b.delete(r.revision(), r.tombstone());
                }
            }
            boolean last = records.size() < limit;
            if (last) {
                b.putMeta(Backend.Meta.FINISHED_COMPACT_REVISION, rev);
            } else {
                Revision at = records.get(records.size() - 1).revision();
                dbCursor = new Revision(at.main(), at.sub() + 1);
            }
            store.commitCompactionBatch(last);
            return last;
        } catch (RuntimeException e) {
            store.abandon();
            throw e;
        }
    }
}
