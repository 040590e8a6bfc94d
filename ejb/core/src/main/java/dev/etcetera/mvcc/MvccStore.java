package dev.etcetera.mvcc;

import com.google.protobuf.ByteString;
import dev.etcetera.api.mvccpb.KeyValue;
import dev.etcetera.server.EtcdError;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * etcd's multi-version key-value store over a {@link Backend}: every write transaction creates one
 * new main revision, old revisions stay readable until compacted.
 *
 * <p>Threads. One apply thread owns all mutation: {@link #write()}, {@link #compact(long)},
 * {@link #commit}, {@link #compactStep(int)}. Any thread may call {@link #readView()} and read through
 * the view concurrently with the apply thread, without locks.
 *
 * <p>Visibility and durability. The apply thread applies a group of entries into one open backend
 * batch, the key index changing as it goes; {@link #commit} makes the batch durable and only then
 * <em>publishes</em> the new revision. Readers read at the published revision and ignore newer
 * events in the index, so they never see a write that is not durable nor part of a transaction.
 *
 * <p>Compaction. {@link #compact(long)} records the scheduled revision in the open batch; once that
 * batch is published, reads below it fail with COMPACTED. The apply thread then calls
 * {@link #compactStep(int)} between batches: first the key index is compacted in steps of at most
 * {@code limit} keys, then the revision database in steps of at most {@code limit} records, each step
 * its own backend batch; the last one records the finished revision with a sync. A crash in between
 * leaves scheduled > finished, and {@link #open} redoes the compaction.
 */
public final class MvccStore {

    /** Values up to this many bytes stay in memory with the latest revision of their key. */
    public static final int DEFAULT_CACHED_VALUE_BYTES = 4096;

    private record Published(long rev, long compactRev) {
    }

    /**
     * Receives, on the apply thread, the changes each commit made durable and published, right after
     * publishing: {@code rev} is the new published revision, {@code changes} every record written
     * since the previous commit, in revision order (the list is handed over; the store keeps no
     * reference). Must not block: it is the watch stage's feed.
     */
    public interface CommitListener {
        void committed(long rev, List<StoredRevision> changes);
    }

    private final Backend backend;
    private final TreeIndex index = new TreeIndex();
    private final int cachedValueBytes;

    // --- apply-thread state ---
    private long currentRev;
    private long compactRev;
    private Backend.Batch batch;
    /** Records written by the open batch, readable by the apply thread before they are committed. */
    private final Map<Revision, KeyValue> uncommitted = new HashMap<>();
    private final ArrayDeque<CompactionJob> compactions = new ArrayDeque<>();
    private long consistentIndex;
    private long consistentTerm;
    private CommitListener commitListener;
    /** Records of the open batch, for the commit listener (empty while there is none). */
    private List<StoredRevision> changes = new ArrayList<>();
    private KeyLeaseSink leaseSink = KeyLeaseSink.NONE;

    // --- reader-visible state ---
    private volatile Published published;
    private volatile long finishedCompactRev;

    private MvccStore(Backend backend, int cachedValueBytes) {
        this.backend = backend;
        this.cachedValueBytes = cachedValueBytes;
    }

    /** Opens the store with the default value cache limit. See {@link #open(Backend, int)}. */
    public static MvccStore open(Backend backend) {
        return open(backend, DEFAULT_CACHED_VALUE_BYTES);
    }

    /**
     * Rebuilds the key index from the backend's revisions, restores the current and compacted
     * revisions and the consistent index, and schedules the rest of an interrupted compaction. Call
     * on the thread that will apply (or before starting it).
     */
    public static MvccStore open(Backend backend, int cachedValueBytes) {
        MvccStore s = new MvccStore(backend, cachedValueBytes);
        long[] maxMain = {1};
        backend.forEach(rec -> {
            ByteString key = rec.kv().getKey();
            KeyIndex ki = s.index.getOrCreate(key);
            ki.append(rec.revision(), rec.tombstone(), rec.tombstone() ? null : rec.kv(), s.cacheable(rec.kv()));
            maxMain[0] = Math.max(maxMain[0], rec.revision().main());
        });
        long finished = backend.meta(Backend.Meta.FINISHED_COMPACT_REVISION);
        long scheduled = backend.meta(Backend.Meta.SCHEDULED_COMPACT_REVISION);
        boolean everCompacted = finished > 0 || scheduled > 0;
        s.compactRev = everCompacted ? Math.max(finished, scheduled) : -1;
        s.finishedCompactRev = everCompacted ? finished : -1;
        // All revisions <= a compaction may be gone (a key deleted at the compaction revision leaves
        // nothing), so the current revision is at least the compacted one, as in etcd's restore.
        s.currentRev = Math.max(maxMain[0], Math.max(finished, scheduled));
        s.consistentIndex = backend.meta(Backend.Meta.CONSISTENT_INDEX);
        s.consistentTerm = backend.meta(Backend.Meta.CONSISTENT_TERM);
        if (scheduled > finished) {
            s.compactions.add(new CompactionJob(scheduled));
        }
        s.published = new Published(s.currentRev, s.compactRev);
        return s;
    }

    private boolean cacheable(KeyValue kv) {
        return kv.getValue().size() <= cachedValueBytes;
    }

    // ------------------------------------------------------------------ reads (any thread)

    /** The latest published (durable) revision. */
    public long revision() {
        return published.rev();
    }

    /** The published compacted revision, -1 if never compacted. */
    public long compactRevision() {
        return published.compactRev();
    }

    /** The revision of the last compaction whose removals are committed, -1 if none. */
    public long finishedCompactRevision() {
        return finishedCompactRev;
    }

    /** The backend's size, for quota and status. */
    public long backendSize() {
        return backend.size();
    }

    /** Both size figures from one moment, for Status. */
    public Backend.Sizes backendSizes() {
        return backend.sizes();
    }

    /** Number of keys the index tracks (live keys and keys with uncompacted history). O(n). */
    public int indexedKeys() {
        return index.size();
    }

    /** A view at the latest published revision; cheap, immutable, usable from any thread. */
    public ReadView readView() {
        Published p = published;
        return new PublishedView(p.rev(), p.compactRev());
    }

    private final class PublishedView implements ReadView {
        private final long rev;
        private final long firstRev;

        PublishedView(long rev, long firstRev) {
            this.rev = rev;
            this.firstRev = firstRev;
        }

        @Override
        public long rev() {
            return rev;
        }

        @Override
        public long firstRev() {
            return firstRev;
        }

        @Override
        public RangeResult range(ByteString key, ByteString end, long limit, long atRev, boolean countOnly) {
            return rangeKeys(key, end, limit, atRev, countOnly, rev, firstRev, false);
        }
    }

    /**
     * The range logic shared by published views and the apply thread's write view.
     * {@code applyThread} selects where revisions not cached in the index are read from.
     */
    RangeResult rangeKeys(ByteString key, ByteString end, long limit, long atRev, boolean countOnly,
                          long curRev, long firstRev, boolean applyThread) {
        if (atRev > curRev) {
            throw EtcdError.FUTURE_REV.exception();
        }
        long rev = atRev <= 0 ? curRev : atRev;
        if (rev < firstRev) {
            throw EtcdError.COMPACTED.exception();
        }
        List<KeyValue> kvs = countOnly ? List.of() : new ArrayList<>();
        long count = 0;
        for (KeyIndex ki : index.range(key, end)) {
            KeyIndex.Events e = ki.events();
            int i = e.floor(rev);
            if (i < 0 || e.tombstone(i)) {
                continue;
            }
            count++;
            if (!countOnly && (limit <= 0 || kvs.size() < limit)) {
                kvs.add(load(e, i, rev, applyThread));
            }
        }
        if (!applyThread && rev < published.compactRev()) {
            // A compaction was published while we read: the index or the records we used may be gone.
            throw EtcdError.COMPACTED.exception();
        }
        return new RangeResult(kvs, count, curRev);
    }

    private KeyValue load(KeyIndex.Events e, int i, long readRev, boolean applyThread) {
        if (i == e.end - 1 && e.latest != null) {
            return e.latest;
        }
        Revision r = e.revision(i);
        KeyValue kv = applyThread ? uncommitted.get(r) : null;
        if (kv == null) {
            kv = backend.read(r);
        }
        if (kv == null) {
            if (!applyThread && readRev < published.compactRev()) {
                throw EtcdError.COMPACTED.exception();
            }
            throw new IllegalStateException("revision " + r + " is in the key index but not in the backend");
        }
        return kv;
    }

    // ------------------------------------------------------------------ writes (apply thread)

    /** The current revision including applied but unpublished transactions. Apply thread only. */
    public long currentRevision() {
        return currentRev;
    }

    /** The consistent index: last entry applied into the backend. Apply thread, or after open. */
    public long consistentIndex() {
        return consistentIndex;
    }

    public long consistentTerm() {
        return consistentTerm;
    }

    /**
     * Starts a write transaction at the current revision. Apply thread only; end it with
     * {@link WriteTxn#end()} before starting another. Its writes go into the open backend batch.
     */
    public WriteTxn write() {
        return new WriteTxn(this, currentRev, compactRev);
    }

    /** A read view for the apply thread: sees everything applied, including the open batch. */
    public ReadView applyView() {
        long rev = currentRev;
        long first = compactRev;
        return new ReadView() {
            @Override
            public long rev() {
                return rev;
            }

            @Override
            public long firstRev() {
                return first;
            }

            @Override
            public RangeResult range(ByteString key, ByteString end, long limit, long atRev, boolean countOnly) {
                return rangeKeys(key, end, limit, atRev, countOnly, rev, first, true);
            }
        };
    }

    /**
     * Tells {@code sink} about every put and deletion from now on (the lessor's attach/detach).
     * Call before the apply thread starts.
     */
    public void leaseSink(KeyLeaseSink sink) {
        this.leaseSink = sink;
    }

    /**
     * The open backend batch (opened if none), for state kept beside the revisions that must commit
     * atomically with them (leases). Apply thread only.
     */
    public Backend.Batch batch() {
        if (batch == null) {
            batch = backend.begin();
        }
        return batch;
    }

    /** Records a put made by a write transaction. */
    KeyValue put(long main, int sub, ByteString key, ByteString value, long lease) {
        KeyIndex ki = index.getOrCreate(key);
        KeyIndex.Events e = ki.events();
        long create = main;
        long version = 1;
        if (e.lastIsPut()) {
            create = e.createRevision;
            version = e.version + 1;
        }
        KeyValue kv = KeyValue.newBuilder()
                .setKey(key).setValue(value)
                .setCreateRevision(create).setModRevision(main).setVersion(version).setLease(lease)
                .build();
        Revision r = new Revision(main, sub);
        batch().put(r, false, kv);
        uncommitted.put(r, kv);
        if (commitListener != null) {
            changes.add(new StoredRevision(r, false, kv));
        }
        ki.append(r, false, kv, cacheable(kv));
        leaseSink.put(key, lease);
        return kv;
    }

    /** Keys existing at {@code rev}, for a delete. */
    List<KeyIndex> existing(ByteString key, ByteString end, long rev) {
        List<KeyIndex> out = new ArrayList<>();
        for (KeyIndex ki : index.range(key, end)) {
            if (ki.get(rev) != null) {
                out.add(ki);
            }
        }
        return out;
    }

    /** Records a deletion made by a write transaction. */
    void tombstone(long main, int sub, KeyIndex ki) {
        Revision r = new Revision(main, sub);
        KeyValue kv = KeyValue.newBuilder().setKey(ki.key()).setModRevision(main).build();
        batch().put(r, true, kv);
        ki.append(r, true, null, false);
        if (commitListener != null) {
            changes.add(new StoredRevision(r, true, kv));
        }
        leaseSink.deleted(ki.key());
    }

    /** A write transaction ended having made changes at {@code rev}. */
    void advance(long rev) {
        if (rev != currentRev + 1) {
            throw new IllegalStateException("revision " + rev + " does not follow " + currentRev);
        }
        currentRev = rev;
    }

    /**
     * Accepts a compaction at {@code rev} (etcd's updateCompactRev): the mark is written into the
     * open batch and takes effect for readers when it is published. Apply thread only.
     *
     * @throws dev.etcetera.server.EtcdException COMPACTED if {@code rev} is not above the compacted
     *         revision, FUTURE_REV if above the current revision
     */
    public void compact(long rev) {
        if (rev <= compactRev) {
            throw EtcdError.COMPACTED.exception();
        }
        if (rev > currentRev) {
            throw EtcdError.FUTURE_REV.exception();
        }
        compactRev = rev;
        batch().putMeta(Backend.Meta.SCHEDULED_COMPACT_REVISION, rev);
        compactions.add(new CompactionJob(rev));
    }

    /**
     * Makes the open batch (possibly empty) durable with the consistent index and term of the last
     * applied entry, then publishes the new revision to readers. Apply thread only.
     *
     * @param sync whether to force the batch to stable storage (no journal yet: the backend commit
     *             is the durability point)
     */
    public void commit(long appliedIndex, long term, boolean sync) {
        Backend.Batch b = batch();
        b.putMeta(Backend.Meta.CONSISTENT_INDEX, appliedIndex);
        b.putMeta(Backend.Meta.CONSISTENT_TERM, term);
        batch = null;
        b.commit(sync);
        uncommitted.clear();
        consistentIndex = appliedIndex;
        consistentTerm = term;
        published = new Published(currentRev, compactRev);
        if (commitListener != null) {
            List<StoredRevision> done = changes;
            changes = new ArrayList<>();
            commitListener.committed(currentRev, done);
        }
    }

    /**
     * Sets the listener told about every commit (the watch stage). Call before the apply thread
     * starts; apply thread afterwards.
     */
    public void onCommit(CommitListener listener) {
        this.commitListener = listener;
    }

    /**
     * The committed records with main revision in {@code [fromRev, toRev]}, in revision order, at
     * most {@code limit} of them (a caller that gets {@code limit} records must assume more follow,
     * possibly of the same revision). {@code toRev} must not exceed the published revision. Any
     * thread.
     *
     * @throws dev.etcetera.server.EtcdException COMPACTED if {@code fromRev} is below the published
     *         compacted revision, before or after the scan (records may vanish under a compaction)
     */
    public List<StoredRevision> history(long fromRev, long toRev, int limit) {
        if (fromRev < published.compactRev()) {
            throw EtcdError.COMPACTED.exception();
        }
        List<StoredRevision> out = backend.scan(new Revision(Math.max(fromRev, 0), 0), toRev, limit);
        if (fromRev < published.compactRev()) {
            throw EtcdError.COMPACTED.exception();
        }
        return out;
    }

    /** True while a compaction has work left for {@link #compactStep(int)}. */
    public boolean compactionPending() {
        return !compactions.isEmpty();
    }

    /**
     * Does one bounded step of the oldest pending compaction: up to {@code limit} keys of the index,
     * or up to {@code limit} records of the backend in one batch. Apply thread only, never with
     * applied-but-uncommitted entries (call it between {@link #commit}s).
     *
     * @return the compaction revision if this step finished it, else 0
     */
    public long compactStep(int limit) {
        if (batch != null) {
            throw new IllegalStateException("compaction step with an open apply batch");
        }
        CompactionJob job = compactions.peek();
        if (job == null) {
            return 0;
        }
        if (job.step(this, limit)) {
            compactions.poll();
            finishedCompactRev = Math.max(finishedCompactRev, job.rev);
            return job.rev;
        }
        return 0;
    }

    /** Commits a compaction step's batch; the last one is synced so that "finished" is durable. */
    void commitCompactionBatch(boolean sync) {
        Backend.Batch b = batch;
        batch = null;
        b.commit(sync);
    }

    TreeIndex index() {
        return index;
    }

    Backend backend() {
        return backend;
    }

    /** A failed apply batch cannot be rolled back in memory: the store must not be used any more. */
    public void abandon() {
        changes = new ArrayList<>();
        if (batch != null) {
            try {
                batch.abort();
            } finally {
                batch = null;
            }
        }
    }
}
