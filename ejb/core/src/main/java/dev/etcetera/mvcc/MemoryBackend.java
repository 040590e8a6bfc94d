package dev.etcetera.mvcc;

import dev.etcetera.api.mvccpb.KeyValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A {@link Backend} in memory, for tests and for tools that need no persistence. Batches are buffered
 * and applied to the maps at commit, so readers see only committed batches. "Sync" is a no-op:
 * nothing here survives the process, but the same instance may be reopened by a new store to
 * exercise restart logic.
 */
public final class MemoryBackend implements Backend {

    /** Key of the revision map: a revision plus its tombstone mark, ordered like the on-disk keys. */
    private record Slot(Revision revision, boolean tombstone) implements Comparable<Slot> {
        @Override
        public int compareTo(Slot o) {
            int c = revision.compareTo(o.revision);
            return c != 0 ? c : Boolean.compare(tombstone, o.tombstone);
        }
    }

    private final ConcurrentSkipListMap<Slot, KeyValue> revisions = new ConcurrentSkipListMap<>();
    private final Map<Meta, Long> meta = new ConcurrentHashMap<>();
    private final ConcurrentSkipListMap<Long, byte[]> leases = new ConcurrentSkipListMap<>();
    private volatile boolean batchOpen;
    private volatile long bytes;
    private volatile int commits;
    private volatile int syncs;

    @Override
    public KeyValue read(Revision revision) {
        return revisions.get(new Slot(revision, false));
    }

    @Override
    public List<StoredRevision> scan(Revision from, long maxMain, int limit) {
        List<StoredRevision> out = new ArrayList<>();
        for (Map.Entry<Slot, KeyValue> e : revisions.tailMap(new Slot(from, false), true).entrySet()) {
            if (out.size() >= limit || e.getKey().revision().main() > maxMain) {
                break;
            }
            out.add(new StoredRevision(e.getKey().revision(), e.getKey().tombstone(), e.getValue()));
        }
        return out;
    }

    @Override
    public void forEach(Consumer<StoredRevision> visitor) {
        revisions.forEach((k, v) -> visitor.accept(new StoredRevision(k.revision(), k.tombstone(), v)));
    }

    @Override
    public void forEachLease(BiConsumer<Long, byte[]> visitor) {
        leases.forEach((id, record) -> visitor.accept(id, record.clone()));
    }

    @Override
    public long meta(Meta key) {
        return meta.getOrDefault(key, 0L);
    }

    @Override
    public Batch begin() {
        if (batchOpen) {
            throw new IllegalStateException("a batch is already open");
        }
        batchOpen = true;
        return new MemoryBatch();
    }

    @Override
    public Sizes sizes() {
        long b = bytes; // read once: a commit may change it between two reads
        return new Sizes(b, b);
    }

    /** Number of committed batches so far (tests use it to check group commit). */
    public int commits() {
        return commits;
    }

    /** Number of commits that asked for a sync. */
    public int syncs() {
        return syncs;
    }

    @Override
    public void close() {
        if (batchOpen) {
            throw new IllegalStateException("close with a batch open");
        }
    }

    private final class MemoryBatch implements Batch {
        private final List<Runnable> changes = new ArrayList<>();
        private boolean done;

        @Override
        public void put(Revision revision, boolean tombstone, KeyValue kv) {
            changes.add(() -> {
                KeyValue old = revisions.put(new Slot(revision, tombstone), kv);
                bytes += kv.getSerializedSize() + 17 - (old == null ? 0 : old.getSerializedSize() + 17);
            });
        }

        @Override
        public void delete(Revision revision, boolean tombstone) {
            changes.add(() -> {
                KeyValue old = revisions.remove(new Slot(revision, tombstone));
                if (old != null) {
                    bytes -= old.getSerializedSize() + 17;
                }
            });
        }

        @Override
        public void putMeta(Meta key, long value) {
            changes.add(() -> meta.put(key, value));
        }

        @Override
        public void putLease(long id, byte[] record) {
            changes.add(() -> leases.put(id, record));
        }

        @Override
        public void deleteLease(long id) {
            changes.add(() -> leases.remove(id));
        }

        @Override
        public void commit(boolean sync) {
            finish();
            changes.forEach(Runnable::run);
            commits++;
            if (sync) {
                syncs++;
            }
        }

        @Override
        public void abort() {
            finish();
        }

        private void finish() {
            if (done) {
                throw new IllegalStateException("batch already finished");
            }
            done = true;
            batchOpen = false;
        }
    }
}
