package dev.etcetera.mvcc;

import com.google.protobuf.ByteString;
import dev.etcetera.api.mvccpb.KeyValue;
import java.util.Arrays;

/**
 * The history of one key: every revision at which it was put or deleted (a tombstone), oldest
 * first, minus what compaction removed. etcd groups these revisions into generations (a tombstone
 * closes one); here they are one ordered list and a generation is the run of puts before a
 * tombstone, which answers the same questions:
 * <ul>
 *   <li>the key exists at revision {@code r} iff the last event with {@code main <= r} is a put;</li>
 *   <li>compacting at {@code c} keeps the last event with {@code main <= c} unless it is a tombstone,
 *       and every event after {@code c}.</li>
 * </ul>
 *
 * <p>Threads: exactly one writer (the apply thread) calls {@link #append} and {@link #compact}; any
 * number of readers call the query methods concurrently, without locks. The writer publishes an
 * immutable {@link Events} view through one volatile field. Appending writes into spare array
 * capacity that no published view covers, then publishes a view one longer, so a reader never sees a
 * half-written slot; growth copies into new arrays. Readers ignore events newer than their read
 * revision, which is how a write the apply thread has made but not yet published stays invisible.
 */
public final class KeyIndex {

    /** An immutable view of the key's events {@code [start, end)} in shared arrays. */
    static final class Events {
        final long[] mains;
        /** {@code sub << 1 | tombstone}. */
        final long[] subs;
        final int start;
        final int end;
        /**
         * Facts about the newest event when it is a put: its create revision, version and lease, and
         * the key-value itself if it is small enough to cache (else null: read it from the backend).
         */
        final long createRevision;
        final long version;
        final KeyValue latest;

        Events(long[] mains, long[] subs, int start, int end, long createRevision, long version, KeyValue latest) {
            this.mains = mains;
            this.subs = subs;
            this.start = start;
            this.end = end;
            this.createRevision = createRevision;
            this.version = version;
            this.latest = latest;
        }

        boolean isEmpty() {
            return start == end;
        }

        /** Position of the last event with main revision {@code <= rev}, or -1. */
        int floor(long rev) {
            int lo = start;
            int hi = end - 1;
            int found = -1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (mains[mid] <= rev) {
                    found = mid;
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            return found;
        }

        boolean tombstone(int i) {
            return (subs[i] & 1) != 0;
        }

        Revision revision(int i) {
            return new Revision(mains[i], subs[i] >>> 1);
        }

        boolean lastIsPut() {
            return end > start && !tombstone(end - 1);
        }
    }

    private static final Events EMPTY = new Events(new long[0], new long[0], 0, 0, 0, 0, null);

    private final ByteString key;
    private volatile Events events = EMPTY;

    public KeyIndex(ByteString key) {
        this.key = key;
    }

    public ByteString key() {
        return key;
    }

    Events events() {
        return events;
    }

    /**
     * The revision at which the key was last put at or before {@code rev}, or null if the key does
     * not exist at {@code rev} (never created, deleted, or not yet created).
     */
    public Revision get(long rev) {
        Events e = events;
        int i = e.floor(rev);
        return i < 0 || e.tombstone(i) ? null : e.revision(i);
    }

    /** True if the key has no event left (only after compaction; such an index leaves the tree). */
    public boolean isEmpty() {
        return events.isEmpty();
    }

    /** True if {@code revision} is still recorded for this key. */
    public boolean contains(Revision revision, boolean tombstone) {
        Events e = events;
        int i = e.floor(revision.main());
        while (i >= e.start && e.mains[i] == revision.main()) {
            if (e.subs[i] == (revision.sub() << 1 | (tombstone ? 1 : 0))) {
                return true;
            }
            i--;
        }
        return false;
    }

    /**
     * Records an event. Writer thread only. {@code revision} must be newer than every recorded event.
     *
     * @param kv the key-value written (null for a tombstone)
     * @param cacheLatest whether readers may take {@code kv} from memory instead of the backend
     */
    void append(Revision revision, boolean tombstone, KeyValue kv, boolean cacheLatest) {
        Events e = events;
        if (e.end > e.start && e.mains[e.end - 1] >= revision.main()
                && (e.mains[e.end - 1] > revision.main() || (e.subs[e.end - 1] >>> 1) >= revision.sub())) {
            throw new IllegalStateException("revision " + revision + " not after " + e.revision(e.end - 1) + " for key");
        }
        long[] mains = e.mains;
        long[] subs = e.subs;
        int start = e.start;
        int end = e.end;
        if (end == mains.length) {
            int live = end - start;
            int cap = Math.max(2, live * 2);
            mains = Arrays.copyOfRange(e.mains, start, start + cap);
            subs = Arrays.copyOfRange(e.subs, start, start + cap);
            start = 0;
            end = live;
        }
        mains[end] = revision.main();
        subs[end] = revision.sub() << 1 | (tombstone ? 1 : 0);
        if (tombstone) {
            events = new Events(mains, subs, start, end + 1, 0, 0, null);
        } else {
            events = new Events(mains, subs, start, end + 1, kv.getCreateRevision(), kv.getVersion(),
                    cacheLatest ? kv : null);
        }
    }

    /**
     * Forgets what compaction at {@code rev} makes unreachable. Writer thread only.
     *
     * @return true if nothing is left (the caller removes the index from the tree)
     */
    boolean compact(long rev) {
        Events e = events;
        int i = e.floor(rev);
        if (i < 0) {
            return e.isEmpty();
        }
        int newStart = e.tombstone(i) ? i + 1 : i;
        if (newStart != e.start) {
            events = new Events(e.mains, e.subs, newStart, e.end, e.createRevision, e.version, e.latest);
        }
        return newStart == e.end;
    }

    @Override
    public String toString() {
        Events e = events;
        StringBuilder sb = new StringBuilder(key.toStringUtf8()).append('[');
        for (int i = e.start; i < e.end; i++) {
            sb.append(i == e.start ? "" : " ").append(e.revision(i)).append(e.tombstone(i) ? "t" : "");
        }
        return sb.append(']').toString();
    }
}
