package dev.etcetera.mvcc;

import com.google.protobuf.ByteString;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The in-memory key index: key -> {@link KeyIndex}, ordered by unsigned bytes as etcd orders keys.
 * Readers iterate it concurrently with the single writer (the apply thread) without locks; the map
 * is a lock-free skip list and each entry publishes its own immutable view (see {@link KeyIndex}).
 * A key appears here from its first put until compaction forgets its last event.
 */
public final class TreeIndex {

    /** etcd's key order: lexicographic over unsigned bytes. */
    public static final Comparator<ByteString> KEY_ORDER = ByteString.unsignedLexicographicalComparator();

    private final ConcurrentSkipListMap<ByteString, KeyIndex> tree = new ConcurrentSkipListMap<>(KEY_ORDER);

    /** The index of one key, or null. Any thread. */
    public KeyIndex get(ByteString key) {
        return tree.get(key);
    }

    /**
     * The indexes of the keys in a range, in key order, as a weakly consistent live view (entries
     * added or removed during iteration may or may not be seen; callers filter by revision). Any thread.
     *
     * @param end null for the single key {@code key}; empty for every key {@code >= key}; otherwise
     *            the exclusive upper bound
     */
    public Collection<KeyIndex> range(ByteString key, ByteString end) {
        if (end == null) {
            KeyIndex ki = tree.get(key);
            return ki == null ? List.of() : List.of(ki);
        }
        if (end.isEmpty()) {
            return tree.tailMap(key, true).values();
        }
        if (KEY_ORDER.compare(key, end) >= 0) {
            return List.of();
        }
        return tree.subMap(key, true, end, false).values();
    }

    /** Keys strictly after {@code after} (or all keys if null), in order. Writer thread (compaction). */
    Collection<KeyIndex> after(ByteString after) {
        return after == null ? tree.values() : tree.tailMap(after, false).values();
    }

    /** The index of {@code key}, created empty if absent. Writer thread only. */
    KeyIndex getOrCreate(ByteString key) {
        KeyIndex ki = tree.get(key);
        if (ki == null) {
            ki = new KeyIndex(key);
            tree.put(key, ki);
        }
        return ki;
    }

    /** Drops an index compaction emptied. Writer thread only. */
    void remove(KeyIndex ki) {
        tree.remove(ki.key(), ki);
    }

    /** Number of keys with an index (live or with history). O(n). */
    public int size() {
        return tree.size();
    }
}
