package dev.etcetera.mvcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.etcetera.api.mvccpb.KeyValue;
import org.junit.jupiter.api.Test;

/**
 * Generations, tombstones and compaction of one key's history, on the scenario etcd's
 * key_index_test uses: puts at 2, 4, 6, tombstone 8; puts 10, 12, tombstone 14; puts 16...
 */
class KeyIndexTest {
    private static final ByteString KEY = ByteString.copyFromUtf8("foo");

    private static void put(KeyIndex ki, long main) {
        ki.append(new Revision(main, 0), false, KeyValue.newBuilder().setKey(KEY).setModRevision(main).build(), true);
    }

    private static void tomb(KeyIndex ki, long main) {
        ki.append(new Revision(main, 0), true, null, false);
    }

    private static KeyIndex history() {
        KeyIndex ki = new KeyIndex(KEY);
        put(ki, 2);
        put(ki, 4);
        put(ki, 6);
        tomb(ki, 8);
        put(ki, 10);
        put(ki, 12);
        tomb(ki, 14);
        put(ki, 16);
        return ki;
    }

    @Test
    void getFollowsGenerations() {
        KeyIndex ki = history();
        long[][] expect = {{1, -1}, {2, 2}, {3, 2}, {5, 4}, {6, 6}, {7, 6}, {8, -1}, {9, -1}, {10, 10},
                {13, 12}, {14, -1}, {15, -1}, {16, 16}, {100, 16}};
        for (long[] e : expect) {
            Revision r = ki.get(e[0]);
            if (e[1] < 0) {
                assertNull(r, "at " + e[0]);
            } else {
                assertEquals(new Revision(e[1], 0), r, "at " + e[0]);
            }
        }
    }

    @Test
    void compactKeepsLastPutAtOrBeforeRevision() {
        KeyIndex ki = history();
        assertFalse(ki.compact(1));
        assertEquals("foo[2_0 4_0 6_0 8_0t 10_0 12_0 14_0t 16_0]", ki.toString());
        assertFalse(ki.compact(5));
        assertEquals("foo[4_0 6_0 8_0t 10_0 12_0 14_0t 16_0]", ki.toString());
        assertFalse(ki.compact(7));
        assertEquals("foo[6_0 8_0t 10_0 12_0 14_0t 16_0]", ki.toString());
        // a tombstone exactly at the compaction revision goes, with its generation
        assertFalse(ki.compact(8));
        assertEquals("foo[10_0 12_0 14_0t 16_0]", ki.toString());
        assertFalse(ki.compact(9));
        assertEquals("foo[10_0 12_0 14_0t 16_0]", ki.toString());
        assertFalse(ki.compact(15));
        assertEquals("foo[16_0]", ki.toString());
        assertFalse(ki.compact(100));
        assertEquals("foo[16_0]", ki.toString());
        assertEquals(new Revision(16, 0), ki.get(100));
        assertNull(ki.get(15));
    }

    @Test
    void keyDeletedBeforeCompactionDisappears() {
        KeyIndex ki = new KeyIndex(KEY);
        put(ki, 2);
        tomb(ki, 3);
        assertTrue(ki.compact(3));
        assertTrue(ki.isEmpty());
        KeyIndex later = new KeyIndex(KEY);
        put(later, 2);
        tomb(later, 3);
        assertTrue(later.compact(10));
    }

    @Test
    void containsSeesTombstoneMark() {
        KeyIndex ki = history();
        assertTrue(ki.contains(new Revision(8, 0), true));
        assertFalse(ki.contains(new Revision(8, 0), false));
        assertTrue(ki.contains(new Revision(6, 0), false));
        assertFalse(ki.contains(new Revision(7, 0), false));
        ki.compact(8);
        assertFalse(ki.contains(new Revision(6, 0), false));
    }

    @Test
    void appendMustMoveForward() {
        KeyIndex ki = history();
        assertThrows(IllegalStateException.class, () -> put(ki, 16));
        assertThrows(IllegalStateException.class, () -> put(ki, 3));
        ki.append(new Revision(17, 3), false, KeyValue.newBuilder().setKey(KEY).build(), true);
        assertThrows(IllegalStateException.class,
                () -> ki.append(new Revision(17, 2), false, KeyValue.newBuilder().setKey(KEY).build(), true));
    }

    @Test
    void readerViewIsStableWhileWriterGrows() {
        KeyIndex ki = new KeyIndex(KEY);
        put(ki, 1);
        KeyIndex.Events before = ki.events();
        for (int i = 2; i < 100; i++) {
            put(ki, i);
        }
        assertEquals(1, before.end - before.start);
        assertEquals(1, before.mains[before.start]);
        assertEquals(new Revision(50, 0), ki.get(50));
        assertEquals(99, ki.events().end - ki.events().start);
    }
}
