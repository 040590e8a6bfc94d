package dev.etcetera.storage.je;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.etcetera.mvcc.Backend;
import dev.etcetera.mvcc.MvccStore;
import dev.etcetera.mvcc.RangeResult;
import dev.etcetera.mvcc.Revision;
import dev.etcetera.mvcc.WriteTxn;
import dev.etcetera.server.EtcdError;
import dev.etcetera.server.EtcdException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The MVCC store on real JE: restart, and compaction interrupted between batches (clean stop and crash). */
class JeStoreRecoveryTest {
    private static final int KEYS = 200;
    @TempDir
    Path dir;
    private long index;

    private static ByteString b(String s) {
        return ByteString.copyFromUtf8(s);
    }

    /** KEYS keys, three puts each (one revision per put), and every 10th key deleted at the end. */
    private long load(MvccStore s) {
        for (int v = 1; v <= 3; v++) {
            for (int k = 0; k < KEYS; k++) {
                WriteTxn t = s.write();
                t.put(b(String.format("key/%04d", k)), b("v" + v), 0);
                t.end();
                if (k % 50 == 49) {
                    s.commit(++index, 1, true);
                }
            }
        }
        for (int k = 0; k < KEYS; k += 10) {
            WriteTxn t = s.write();
            t.deleteRange(b(String.format("key/%04d", k)), null);
            t.end();
        }
        s.commit(++index, 1, true);
        return s.currentRevision();
    }

    private static void checkCompacted(MvccStore s, long rev) {
        RangeResult all = s.readView().range(b("key/"), b("key0"), 0, 0, false);
        assertEquals(KEYS - KEYS / 10, all.count());
        all.kvs().forEach(kv -> {
            assertEquals("v3", kv.getValue().toStringUtf8());
            assertEquals(3, kv.getVersion());
        });
        EtcdException e = assertThrows(EtcdException.class, () -> s.readView().range(b("key/"), b("key0"), 0, rev - 1, false));
        assertEquals(EtcdError.COMPACTED, e.error());
    }

    private static long records(JeBackend be) {
        long[] n = {0};
        be.forEach(r -> n[0]++);
        return n[0];
    }

    @Test
    void restartRestoresRevisionsAndIndex() {
        long rev;
        try (JeBackend be = JeBackend.open(dir)) {
            MvccStore s = MvccStore.open(be);
            rev = load(s);
        }
        try (JeBackend be = JeBackend.open(dir)) {
            MvccStore s = MvccStore.open(be);
            assertEquals(rev, s.revision());
            assertEquals(index, s.consistentIndex());
            assertEquals(KEYS - KEYS / 10, s.readView().range(b("key/"), b("key0"), 0, 0, false).count());
            assertEquals(KEYS, s.readView().range(b("key/"), b("key0"), 0, rev - KEYS / 10, false).count());
            // key/0001 was created at 3 and put again at 3 + KEYS
            RangeResult first = s.readView().range(b("key/0001"), null, 0, KEYS + 2, false);
            assertEquals("v1", first.kvs().get(0).getValue().toStringUtf8());
            RangeResult second = s.readView().range(b("key/0001"), null, 0, KEYS + 3, false);
            assertEquals("v2", second.kvs().get(0).getValue().toStringUtf8());
            assertEquals(3, second.kvs().get(0).getCreateRevision());
            assertEquals(2, second.kvs().get(0).getVersion());
            WriteTxn t = s.write();
            assertEquals(rev + 1, t.put(b("key/0000"), b("again"), 0).getModRevision());
            t.end();
            s.commit(++index, 1, true);
        }
    }

    @Test
    void compactionStoppedBetweenBatchesResumesAtOpen() {
        long rev;
        try (JeBackend be = JeBackend.open(dir)) {
            MvccStore s = MvccStore.open(be);
            rev = load(s);
            WriteTxn t = s.write();
            s.compact(rev);
            t.end();
            s.commit(++index, 1, true);
            // index pass: 200 keys in steps of 50 (+1 to notice the end), then 3 record batches of 50
            for (int i = 0; i < 8; i++) {
                assertEquals(0, s.compactStep(50));
            }
            assertTrue(s.compactionPending());
            assertEquals(rev, be.meta(Backend.Meta.SCHEDULED_COMPACT_REVISION));
            assertEquals(0, be.meta(Backend.Meta.FINISHED_COMPACT_REVISION));
        }
        try (JeBackend be = JeBackend.open(dir)) {
            long before = records(be);
            assertTrue(before > KEYS - KEYS / 10 && before < 3L * KEYS + KEYS / 10, "partially compacted: " + before);
            MvccStore s = MvccStore.open(be);
            assertEquals(rev, s.compactRevision());
            assertTrue(s.compactionPending());
            checkCompacted(s, rev);
            while (s.compactionPending()) {
                s.compactStep(50);
            }
            assertEquals(rev, be.meta(Backend.Meta.FINISHED_COMPACT_REVISION));
            assertEquals(KEYS - KEYS / 10 + 1, records(be),
                    "one record per live key is left, and the tombstone at the compaction revision (kept for a watch from it)");
            checkCompacted(s, rev);
        }
        try (JeBackend be = JeBackend.open(dir)) {
            MvccStore s = MvccStore.open(be);
            assertTrue(!s.compactionPending(), "finished compaction is not redone");
            assertEquals(rev, s.revision());
            checkCompacted(s, rev);
        }
    }

    /**
     * A crash: the environment's files are copied while it is open, between compaction batches
     * (which JE commits without writing its log buffer), and the copy is opened.
     */
    @Test
    void compactionCrashedBetweenBatchesResumesFromTheFiles() throws IOException {
        Path crashed = dir.resolve("crashed");
        Path live = dir.resolve("live");
        long rev;
        try (JeBackend be = JeBackend.open(live)) {
            MvccStore s = MvccStore.open(be);
            rev = load(s);
            WriteTxn t = s.write();
            s.compact(rev);
            t.end();
            s.commit(++index, 1, true); // the scheduled mark is synced
            for (int i = 0; i < 7; i++) {
                s.compactStep(50);
            }
            copyLogFiles(live, crashed);
        }
        try (JeBackend be = JeBackend.open(crashed)) {
            MvccStore s = MvccStore.open(be);
            assertEquals(rev, s.revision(), "synced writes survived the crash");
            assertEquals(index, s.consistentIndex());
            assertTrue(s.compactionPending(), "scheduled > finished after the crash");
            while (s.compactionPending()) {
                s.compactStep(50);
            }
            assertEquals(KEYS - KEYS / 10 + 1, records(be), "live keys and the tombstone at the compaction revision");
            checkCompacted(s, rev);
        }
    }

    private static void copyLogFiles(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".jdb")).toList()) {
                Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @Test
    void revisionNeverGoesBackAfterCompactingADeletedTail() {
        try (JeBackend be = JeBackend.open(dir)) {
            MvccStore s = MvccStore.open(be);
            WriteTxn t = s.write();
            t.put(b("a"), b("1"), 0);
            t.end();
            t = s.write();
            t.deleteRange(b("a"), null);
            t.end();
            s.compact(3);
            s.commit(++index, 1, true);
            while (s.compactionPending()) {
                s.compactStep(10);
            }
            assertEquals(1, records(be), "only the tombstone at the compaction revision is left");
        }
        try (JeBackend be = JeBackend.open(dir)) {
            MvccStore s = MvccStore.open(be);
            assertEquals(3, s.revision());
            assertEquals(3, s.compactRevision());
            assertTrue(s.readView().range(b("a"), null, 0, 0, false).kvs().isEmpty());
            assertEquals(new Revision(3, 0), new Revision(s.revision(), 0));
        }
    }
}
