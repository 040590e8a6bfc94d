package dev.etcetera.watch;

import com.google.protobuf.ByteString;
import dev.etcetera.api.mvccpb.Event;
import java.util.Arrays;

/**
 * One watcher of a {@link WatchStream}: a key range, its options, and how far it has been served.
 *
 * <p>Threads: created, changed and read only under the watch lock ({@link WatchableStore}: the
 * dispatch thread, or the apply thread while it dispatches a commit).
 *
 * <p>Progress. A <em>synced</em> watcher has been sent (or queued) every matching event up to the
 * dispatched revision and is in the synced group, which live dispatch consults. An <em>unsynced</em>
 * watcher (created at an old revision, or a victim whose stream had no room) has been served up to
 * {@code nextRev - 1} and catches up from history; it joins the synced group once {@code nextRev}
 * passes the dispatched revision. {@code nextRev} also holds the first revision a synced watcher
 * created for a future revision wants.
 */
final class Watcher {
    final WatchStream stream;
    final long id;
    /** First key watched. */
    final byte[] key;
    /** null: the single key; empty: every key {@code >= key}; else the exclusive end. */
    final byte[] end;
    final boolean noPut;
    final boolean noDelete;
    final boolean prevKv;
    final boolean progressNotify;
    final boolean fragment;
    /** The start revision the client asked for (0 = "now"). */
    final long startRev;
    long nextRev;
    boolean synced;
    /** An event response was queued since the last progress tick (no notification needed then). */
    boolean sentSinceTick;
    boolean canceled;

    Watcher(WatchStream stream, long id, byte[] key, byte[] end, boolean noPut, boolean noDelete, boolean prevKv,
            boolean progressNotify, boolean fragment, long startRev, long nextRev) {
        this.stream = stream;
        this.id = id;
        this.key = key;
        this.end = end;
        this.noPut = noPut;
        this.noDelete = noDelete;
        this.prevKv = prevKv;
        this.progressNotify = progressNotify;
        this.fragment = fragment;
        this.startRev = startRev;
        this.nextRev = nextRev;
    }

    boolean isRange() {
        return end != null;
    }

    /** True if {@code k} falls in this watcher's range. */
    boolean contains(byte[] k) {
        if (end == null) {
            return Arrays.equals(key, k);
        }
        if (Arrays.compareUnsigned(k, key) < 0) {
            return false;
        }
        return end.length == 0 || Arrays.compareUnsigned(k, end) < 0;
    }

    /** True if the watcher's filters let {@code e} through. */
    boolean accepts(Event e) {
        return e.getType() == Event.EventType.PUT ? !noPut : !noDelete;
    }

    static byte[] bytes(ByteString b) {
        return b.toByteArray();
    }
}
