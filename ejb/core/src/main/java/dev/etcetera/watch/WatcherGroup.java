package dev.etcetera.watch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A set of watchers indexed for matching keys: single-key watchers by key (one hash lookup per
 * event), range watchers in a list scanned per event. etcd uses an interval tree for ranges; a list
 * is enough while ranges are few, and keeps a watcher's footprint small.
 *
 * <p>Threads: only under the watch lock ({@link WatchableStore}).
 */
final class WatcherGroup {
    /** Key bytes wrapped for hashing. */
    private record Key(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && java.util.Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(bytes);
        }
    }

    /** Value: a Watcher, or a List of Watchers when several watch the same key. */
    private final Map<Key, Object> single = new HashMap<>();
    private final List<Watcher> ranges = new ArrayList<>();
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    @SuppressWarnings("unchecked")
    void add(Watcher w) {
        size++;
        if (w.isRange()) {
            ranges.add(w);
            return;
        }
        Key k = new Key(w.key);
        Object cur = single.get(k);
        if (cur == null) {
            single.put(k, w);
        } else if (cur instanceof Watcher other) {
            List<Watcher> list = new ArrayList<>(2);
            list.add(other);
            list.add(w);
            single.put(k, list);
        } else {
            ((List<Watcher>) cur).add(w);
        }
    }

    @SuppressWarnings("unchecked")
    boolean remove(Watcher w) {
        if (w.isRange()) {
            int i = ranges.indexOf(w);
            if (i < 0) {
                return false;
            }
            // order among range watchers does not matter: swap-remove in O(1)
            int last = ranges.size() - 1;
            ranges.set(i, ranges.get(last));
            ranges.remove(last);
            size--;
            return true;
        }
        Key k = new Key(w.key);
        Object cur = single.get(k);
        if (cur == w) {
            single.remove(k);
            size--;
            return true;
        }
        if (cur instanceof List<?> list && list.remove(w)) {
            if (list.size() == 1) {
                single.put(k, list.get(0));
            }
            size--;
            return true;
        }
        return false;
    }

    /** Calls {@code action} for every watcher whose range contains {@code key}. */
    @SuppressWarnings("unchecked")
    void match(byte[] key, Consumer<Watcher> action) {
        Object cur = single.get(new Key(key));
        if (cur instanceof Watcher w) {
            action.accept(w);
        } else if (cur != null) {
            for (Watcher w : (List<Watcher>) cur) {
                action.accept(w);
            }
        }
        for (int i = 0; i < ranges.size(); i++) {
            Watcher w = ranges.get(i);
            if (w.contains(key)) {
                action.accept(w);
            }
        }
    }
}
