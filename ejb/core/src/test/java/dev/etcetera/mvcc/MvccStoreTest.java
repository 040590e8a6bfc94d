package dev.etcetera.mvcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.etcetera.api.mvccpb.KeyValue;
import dev.etcetera.server.EtcdError;
import dev.etcetera.server.EtcdException;
import java.util.List;
import org.junit.jupiter.api.Test;

class MvccStoreTest {
    private final MemoryBackend backend = new MemoryBackend();
    private long index;

    static ByteString b(String s) {
        return ByteString.copyFromUtf8(s);
    }

    private long put(MvccStore s, String k, String v) {
        WriteTxn t = s.write();
        KeyValue kv = t.put(b(k), b(v), 0);
        t.end();
        s.commit(++index, 1, true);
        return kv.getModRevision();
    }

    private long delete(MvccStore s, String k, String end) {
        WriteTxn t = s.write();
        long n = t.deleteRange(b(k), end == null ? null : b(end));
        t.end();
        s.commit(++index, 1, true);
        return n;
    }

    private static List<String> keys(RangeResult rr) {
        return rr.kvs().stream().map(kv -> kv.getKey().toStringUtf8() + "=" + kv.getValue().toStringUtf8()).toList();
    }

    private static EtcdError error(Runnable r) {
        return assertThrows(EtcdException.class, r::run).error();
    }

    @Test
    void revisionsVersionsAndCreateRevisions() {
        MvccStore s = MvccStore.open(backend);
        assertEquals(1, s.revision());
        assertEquals(2, put(s, "a", "1"));
        assertEquals(3, put(s, "a", "2"));
        assertEquals(4, put(s, "b", "1"));
        KeyValue a = s.readView().range(b("a"), null, 0, 0, false).kvs().get(0);
        assertEquals(2, a.getCreateRevision());
        assertEquals(3, a.getModRevision());
        assertEquals(2, a.getVersion());
        assertEquals(1, delete(s, "a", null));
        assertEquals(5, s.revision());
        assertEquals(0, delete(s, "a", null), "deleting nothing");
        assertEquals(5, s.revision(), "deleting nothing does not bump the revision");
        assertEquals(6, put(s, "a", "3"));
        KeyValue again = s.readView().range(b("a"), null, 0, 0, false).kvs().get(0);
        assertEquals(6, again.getCreateRevision(), "a new generation");
        assertEquals(1, again.getVersion());
    }

    @Test
    void historicalReadsAndRevisionErrors() {
        MvccStore s = MvccStore.open(backend);
        put(s, "a", "1");   // 2
        put(s, "a", "2");   // 3
        delete(s, "a", null); // 4
        ReadView v = s.readView();
        assertEquals(List.of("a=1"), keys(v.range(b("a"), null, 0, 2, false)));
        assertEquals(List.of("a=2"), keys(v.range(b("a"), null, 0, 3, false)));
        assertEquals(List.of(), keys(v.range(b("a"), null, 0, 4, false)));
        assertEquals(List.of(), keys(v.range(b("a"), null, 0, 1, false)));
        assertEquals(4, v.range(b("a"), null, 0, 2, false).rev(), "header revision is the current one");
        assertEquals(EtcdError.FUTURE_REV, error(() -> v.range(b("a"), null, 0, 5, false)));
    }

    @Test
    void uncommittedWritesAreInvisibleToReaders() {
        MvccStore s = MvccStore.open(backend);
        put(s, "a", "1");
        WriteTxn t = s.write();
        t.put(b("a"), b("2"), 0);
        t.put(b("b"), b("2"), 0);
        t.end();
        assertEquals(List.of("a=1"), keys(s.readView().range(b("a"), b(""), 0, 0, false)));
        assertEquals(2, s.readView().rev());
        assertEquals(3, s.currentRevision());
        assertEquals(List.of("a=2", "b=2"), keys(s.applyView().range(b("a"), b(""), 0, 0, false)));
        s.commit(++index, 1, true);
        assertEquals(List.of("a=2", "b=2"), keys(s.readView().range(b("a"), b(""), 0, 0, false)));
    }

    @Test
    void compactionKeepsWhatReadsAtOrAfterItNeed() {
        MvccStore s = MvccStore.open(backend, 0); // nothing cached: every read goes to the backend
        put(s, "a", "1");      // 2
        put(s, "a", "2");      // 3
        put(s, "b", "1");      // 4
        delete(s, "b", null);  // 5
        put(s, "c", "1");      // 6
        delete(s, "c", null);  // 7
        put(s, "a", "3");      // 8
        WriteTxn t = s.write();
        s.compact(7);
        t.end();
        assertEquals(-1, s.compactRevision(), "not published before commit");
        s.commit(++index, 1, true);
        assertEquals(7, s.compactRevision());
        assertEquals(EtcdError.COMPACTED, error(() -> s.readView().range(b("a"), null, 0, 6, false)));
        while (s.compactionPending()) {
            s.compactStep(1);
        }
        assertEquals(7, s.finishedCompactRevision());
        ReadView v = s.readView();
        assertEquals(List.of("a=2"), keys(v.range(b("a"), b(""), 0, 7, false)));
        assertEquals(List.of("a=3"), keys(v.range(b("a"), b(""), 0, 8, false)));
        assertNull(s.index().get(b("b")), "deleted before the compaction: gone from the index");
        assertNull(s.index().get(b("c")), "tombstone at the compaction revision: gone");
        // records left: a@3 (kept for reads at 7), c's tombstone @7 (kept for a watch from the compaction
        // revision itself, etcd#18089) and a@8
        List<StoredRevision> left = backend.scan(new Revision(0, 0), Long.MAX_VALUE, 100);
        assertEquals(List.of(new Revision(3, 0), new Revision(7, 0), new Revision(8, 0)),
                left.stream().map(StoredRevision::revision).toList());
        assertTrue(left.get(1).tombstone());
        assertEquals(7, backend.meta(Backend.Meta.FINISHED_COMPACT_REVISION));
        // the next compaction removes it
        s.compact(8);
        s.commit(++index, 1, true);
        while (s.compactionPending()) {
            s.compactStep(1);
        }
        assertEquals(List.of(new Revision(8, 0)),
                backend.scan(new Revision(0, 0), Long.MAX_VALUE, 100).stream().map(StoredRevision::revision).toList());
    }

    @Test
    void compactRevisionChecks() {
        MvccStore s = MvccStore.open(backend);
        put(s, "a", "1"); // 2
        assertEquals(EtcdError.FUTURE_REV, error(() -> s.compact(3)));
        s.compact(2);
        s.commit(++index, 1, true);
        assertEquals(EtcdError.COMPACTED, error(() -> s.compact(2)));
        assertEquals(EtcdError.COMPACTED, error(() -> s.compact(1)));
    }

    @Test
    void reopenRestoresRevisionsIndexAndMarks() {
        MvccStore s = MvccStore.open(backend);
        put(s, "a", "1");
        put(s, "b", "1");
        delete(s, "b", null);
        put(s, "a", "2"); // 5
        MvccStore r = MvccStore.open(backend);
        assertEquals(5, r.revision());
        assertEquals(4, r.consistentIndex());
        assertEquals(List.of("a=2"), keys(r.readView().range(b("a"), b(""), 0, 0, false)));
        assertEquals(List.of("a=1", "b=1"), keys(r.readView().range(b("a"), b(""), 0, 3, false)));
        KeyValue a = r.readView().range(b("a"), null, 0, 0, false).kvs().get(0);
        assertEquals(2, a.getVersion());
        assertEquals(2, a.getCreateRevision());
    }

    @Test
    void reopenAfterCompactingEverythingKeepsTheRevision() {
        MvccStore s = MvccStore.open(backend);
        put(s, "a", "1");     // 2
        delete(s, "a", null); // 3
        s.compact(3);
        s.commit(++index, 1, true);
        while (s.compactionPending()) {
            s.compactStep(10);
        }
        List<StoredRevision> left = backend.scan(new Revision(0, 0), Long.MAX_VALUE, 10);
        assertEquals(1, left.size(), "only the tombstone at the compaction revision is left: " + left);
        assertTrue(left.get(0).tombstone());
        MvccStore r = MvccStore.open(backend);
        assertEquals(3, r.revision(), "revision never goes back");
        assertEquals(3, r.compactRevision());
        assertEquals(List.of(), keys(r.readView().range(b("a"), null, 0, 3, false)), "a lone tombstone: a does not exist");
        // after the restart a watch from the compaction revision still finds the delete (etcd#19179)
        List<StoredRevision> fromCompaction = r.history(3, 3, 10);
        assertEquals(1, fromCompaction.size());
        assertTrue(fromCompaction.get(0).tombstone());
        // compacting at the same revision again (a resumed compaction) keeps it too
        assertEquals(EtcdError.COMPACTED, error(() -> r.compact(3)), "already compacted at 3");
        assertEquals(4, put(r, "a", "x"));
        assertEquals(List.of("a=x"), keys(r.readView().range(b("a"), null, 0, 4, false)));
    }

    @Test
    void interruptedCompactionResumesAtOpen() {
        MvccStore s = MvccStore.open(backend);
        for (int i = 0; i < 10; i++) {
            put(s, "k" + i, "v1");
            put(s, "k" + i, "v2");
        }
        long rev = s.currentRevision();
        s.compact(rev);
        s.commit(++index, 1, true);
        // index pass (10 keys, 3 per step) then two record batches, then stop as if crashed
        int steps = 0;
        while (steps < 6) {
            assertEquals(0, s.compactStep(3));
            steps++;
        }
        assertTrue(s.compactionPending());
        assertEquals(rev, backend.meta(Backend.Meta.SCHEDULED_COMPACT_REVISION));
        assertEquals(0, backend.meta(Backend.Meta.FINISHED_COMPACT_REVISION));
        int before = backend.scan(new Revision(0, 0), Long.MAX_VALUE, 1000).size();
        assertTrue(before < 20 && before > 10, "partially compacted: " + before);

        MvccStore r = MvccStore.open(backend);
        assertEquals(rev, r.compactRevision());
        assertEquals(EtcdError.COMPACTED, error(() -> r.readView().range(b("k0"), null, 0, rev - 1, false)));
        assertTrue(r.compactionPending());
        while (r.compactionPending()) {
            r.compactStep(3);
        }
        assertEquals(rev, backend.meta(Backend.Meta.FINISHED_COMPACT_REVISION));
        assertEquals(10, backend.scan(new Revision(0, 0), Long.MAX_VALUE, 1000).size());
        for (int i = 0; i < 10; i++) {
            RangeResult rr = r.readView().range(b("k" + i), null, 0, 0, false);
            assertEquals(List.of("k" + i + "=v2"), keys(rr));
            assertEquals(2, rr.kvs().get(0).getVersion());
        }
    }

    @Test
    void readerAtOldRevisionFailsWhenCompactionOvertakesIt() {
        MvccStore s = MvccStore.open(backend, 0);
        put(s, "a", "1"); // 2
        put(s, "a", "2"); // 3
        ReadView old = s.readView();
        s.compact(3);
        s.commit(++index, 1, true);
        while (s.compactionPending()) {
            s.compactStep(10);
        }
        // the view was taken before the compaction; its read at 2 must not answer "no key"
        assertEquals(EtcdError.COMPACTED, error(() -> old.range(b("a"), null, 0, 2, false)));
        assertNotNull(old.range(b("a"), null, 0, 3, false).kvs().get(0));
        assertFalse(s.compactionPending());
    }

    @Test
    void rangeForms() {
        MvccStore s = MvccStore.open(backend);
        for (String k : List.of("a", "ab", "b", "c", "\u00ff")) {
            put(s, k, "v");
        }
        ReadView v = s.readView();
        assertEquals(5, v.range(b("\0"), ByteString.EMPTY, 0, 0, false).count(), "all keys");
        assertEquals(List.of("a=v", "ab=v"), keys(v.range(b("a"), b("b"), 0, 0, false)), "prefix a");
        assertEquals(3, v.range(b("b"), ByteString.EMPTY, 0, 0, false).count(), "from key b, unsigned order");
        assertEquals(0, v.range(b("c"), b("a"), 0, 0, false).count(), "end before key");
        RangeResult limited = v.range(b("a"), ByteString.EMPTY, 2, 0, false);
        assertEquals(2, limited.kvs().size());
        assertEquals(5, limited.count(), "count ignores the limit");
        RangeResult counted = v.range(b("a"), ByteString.EMPTY, 0, 0, true);
        assertTrue(counted.kvs().isEmpty());
        assertEquals(5, counted.count());
    }
}
