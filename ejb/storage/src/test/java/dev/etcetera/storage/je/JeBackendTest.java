package dev.etcetera.storage.je;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.etcetera.api.mvccpb.KeyValue;
import dev.etcetera.mvcc.Backend;
import dev.etcetera.mvcc.Revision;
import dev.etcetera.mvcc.StoredRevision;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JeBackendTest {
    @TempDir
    Path dir;

    private static KeyValue kv(String k, long mod) {
        return KeyValue.newBuilder().setKey(ByteString.copyFromUtf8(k)).setValue(ByteString.copyFromUtf8("v" + mod))
                .setCreateRevision(mod).setModRevision(mod).setVersion(1).build();
    }

    @Test
    void revisionKeyLayout() {
        byte[] put = RevisionKeys.encode(new Revision(0x0102030405060708L, 3), false);
        assertArrayEquals(new byte[]{1, 2, 3, 4, 5, 6, 7, 8, '_', 0, 0, 0, 0, 0, 0, 0, 3}, put);
        byte[] tomb = RevisionKeys.encode(new Revision(2, 0), true);
        assertEquals(18, tomb.length);
        assertEquals('t', tomb[17]);
        assertEquals(new Revision(0x0102030405060708L, 3), RevisionKeys.decode(put, 0, put.length));
        assertThrows(IllegalStateException.class, () -> RevisionKeys.decode(new byte[17], 0, 17));
        // unsigned order of the bytes is revision order, also past 2^7 and 2^31
        assertTrue(java.util.Arrays.compareUnsigned(RevisionKeys.encode(new Revision(255, 0), false),
                RevisionKeys.encode(new Revision(256, 0), false)) < 0);
        assertTrue(java.util.Arrays.compareUnsigned(RevisionKeys.encode(new Revision(1L << 31, 0), false),
                RevisionKeys.encode(new Revision((1L << 31) + 1, 0), false)) < 0);
    }

    @Test
    void roundTripSurvivesReopen() {
        try (JeBackend be = JeBackend.open(dir)) {
            Backend.Batch b = be.begin();
            b.put(new Revision(2, 0), false, kv("a", 2));
            b.put(new Revision(2, 1), false, kv("b", 2));
            b.put(new Revision(3, 0), true, KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("a")).setModRevision(3).build());
            b.put(new Revision(300, 0), false, kv("c", 300));
            b.putMeta(Backend.Meta.CONSISTENT_INDEX, 42);
            b.commit(true);
            assertThrows(IllegalStateException.class, () -> {
                Backend.Batch again = be.begin();
                try {
                    be.begin();
                } finally {
                    again.abort();
                }
            });
            Backend.Batch aborted = be.begin();
            aborted.put(new Revision(301, 0), false, kv("d", 301));
            aborted.abort();
        }
        try (JeBackend be = JeBackend.open(dir)) {
            assertEquals(kv("a", 2), be.read(new Revision(2, 0)));
            assertEquals(kv("c", 300), be.read(new Revision(300, 0)));
            assertNull(be.read(new Revision(3, 0)), "tombstones are not read as puts");
            assertNull(be.read(new Revision(301, 0)), "aborted batch left nothing");
            assertEquals(42, be.meta(Backend.Meta.CONSISTENT_INDEX));
            assertEquals(0, be.meta(Backend.Meta.FINISHED_COMPACT_REVISION));
            List<StoredRevision> all = new ArrayList<>();
            be.forEach(all::add);
            assertEquals(List.of(new Revision(2, 0), new Revision(2, 1), new Revision(3, 0), new Revision(300, 0)),
                    all.stream().map(StoredRevision::revision).toList());
            assertTrue(all.get(2).tombstone());
            assertEquals(List.of(new Revision(2, 1), new Revision(3, 0)),
                    be.scan(new Revision(2, 1), 299, 10).stream().map(StoredRevision::revision).toList());
            assertEquals(1, be.scan(new Revision(0, 0), Long.MAX_VALUE, 1).size());
            Backend.Sizes sizes = be.sizes();
            assertTrue(sizes.total() > 0);
            assertTrue(sizes.inUse() <= sizes.total());

            Backend.Batch d = be.begin();
            d.delete(new Revision(3, 0), true);
            d.commit(false);
            assertEquals(3, be.scan(new Revision(0, 0), Long.MAX_VALUE, 10).size());
        }
    }
}
