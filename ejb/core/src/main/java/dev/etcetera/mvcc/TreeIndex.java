package dev.etcetera.mvcc;

import com.google.protobuf.ByteString;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The in-memory key index: key -> {@link KeyIndex}, ordered by unsigned bytes as etcd orders keys.
 * Readers iterate it concurrently with the single writer (the apply thread) without locks; the map
 * is a lock-free skip list and each entry publishes its own immutable view (see {@link KeyIndex}).
 * A key appears here from its first put until compaction forgets its last event.
 *
 * <p>The map is keyed by a private copy of the key bytes compared with
 * {@link Arrays#compareUnsigned(byte[], byte[])} (a vectorised intrinsic): protobuf's own
 * ByteString comparator allocates iterators and boxes every byte, which dominated lookups.
 */
public final class TreeIndex {

    /** etcd's key order: lexicographic over unsigned bytes (for ByteStrings outside the map). */
    public static final Comparator<ByteString> KEY_ORDER = TreeIndex::compareUnsigned;

    private final ConcurrentSkipListMap<byte[], KeyIndex> tree = new ConcurrentSkipListMap<>(Arrays::compareUnsigned);

    private static int compareUnsigned(ByteString a, ByteString b) {
        int n = Math.min(a.size(), b.size());
        for (int i = 0; i < n; i++) {
            int x = a.byteAt(i) & 0xFF;
            int y = b.byteAt(i) & 0xFF;
            if (x != y) {
                return x - y;
            }
        }
        return a.size() - b.size();
    }

    /** The index of one key, or null. Any thread. */
    public KeyIndex get(ByteString key) {
        return tree.get(key.toByteArray());
    }

    /**
     * The indexes of the keys in a range, in key order, as a weakly consistent live view (entries
     * added or removed during iteration may or may not be seen; callers filter by revision). Any thread.
     *
     * @param end null for the single key {@code key}; empty for every key {@code >= key}; otherwise
     *            the exclusive upper bound
     */
    public Collection<KeyIndex> range(ByteString key, ByteString end) {
        byte[] from = key.toByteArray();
        if (end == null) {
            KeyIndex ki = tree.get(from);
            return ki == null ? List.of() : List.of(ki);
        }
        if (end.isEmpty()) {
            return tree.tailMap(from, true).values();
        }
        byte[] to = end.toByteArray();
        if (Arrays.compareUnsigned(from, to) >= 0) {
            return List.of();
        }
        return tree.subMap(from, true, to, false).values();
    }

    /** Keys strictly after {@code after} (or all keys if null), in order. Writer thread (compaction). */
    Collection<KeyIndex> after(ByteString after) {
        return after == null ? tree.values() : tree.tailMap(after.toByteArray(), false).values();
    }

    /** The index of {@code key}, created empty if absent. Writer thread only. */
    KeyIndex getOrCreate(ByteString key) {
        byte[] bytes = key.toByteArray();
        KeyIndex ki = tree.get(bytes);
        if (ki == null) {
            ki = new KeyIndex(key);
            tree.put(bytes, ki);
        }
        return ki;
    }

    /** Drops an index compaction emptied. Writer thread only. */
    void remove(KeyIndex ki) {
        tree.remove(ki.key().toByteArray(), ki);
    }

    /** Number of keys with an index (live or with history). O(n). */
    public int size() {
        return tree.size();
    }
}
