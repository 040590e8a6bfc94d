package dev.etcetera.watch;

import dev.etcetera.api.etcdserverpb.ResponseHeader;
import dev.etcetera.api.etcdserverpb.WatchResponse;
import dev.etcetera.api.mvccpb.Event;
import dev.etcetera.api.mvccpb.KeyValue;
import dev.etcetera.mvcc.StoredRevision;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Turns the events matched for one watcher into its response and queues it on the watcher's stream:
 * filters, prev_kv, the response header, fragmentation, and the stream's bound. Live dispatch and
 * catch-up from history both deliver through here, so a watcher gets the same responses whichever
 * path served it.
 *
 * <p>Threads: under the watch lock only ({@link WatchableStore}); the header cache is not shared.
 */
final class EventDelivery {
    private final WatchHistory history;
    private final Supplier<ResponseHeader> headerBase;
    private final int maxRequestBytes;
    /** The last header built, reused while base and revision stay the same (one per revision, not per watcher). */
    private ResponseHeader header;
    private ResponseHeader headerFrom;
    /**
     * The last response built for a shared event list (watch ID 0), reused while the list and the header (its
     * revision and base) stay the same: every watcher of a fan-out that takes all the events gets a copy with its
     * own watch ID, which shares the header and the event list (protobuf's toBuilder/build share an unmodified
     * repeated field) instead of building both again.
     */
    private WatchResponse template;
    private List<Event> templateEvents;

    /**
     * @param headerBase      cluster_id, member_id and raft_term for response headers (revision is set here)
     * @param maxRequestBytes responses at or above it are fragmented for watchers that asked for fragments
     */
    EventDelivery(WatchHistory history, Supplier<ResponseHeader> headerBase, int maxRequestBytes) {
        this.history = history;
        this.headerBase = headerBase;
        this.maxRequestBytes = maxRequestBytes;
    }

    /** A response to {@code watchId} with a header at revision {@code rev}. */
    WatchResponse.Builder response(long rev, long watchId) {
        return WatchResponse.newBuilder().setHeader(header(rev)).setWatchId(watchId);
    }

    /** The header at revision {@code rev}: the same instance while the base and the revision stay the same. */
    private ResponseHeader header(long rev) {
        ResponseHeader base = headerBase.get();
        if (header == null || headerFrom != base || header.getRevision() != rev) {
            headerFrom = base;
            header = base.toBuilder().setRevision(rev).build();
        }
        return header;
    }

    /** The header without a revision (etcd's compaction cancel carries revision 0). */
    ResponseHeader baseHeader() {
        return headerBase.get();
    }

    static Event event(StoredRevision c) {
        return Event.newBuilder()
                .setType(c.tombstone() ? Event.EventType.DELETE : Event.EventType.PUT)
                .setKv(c.kv())
                .build();
    }

    /**
     * Queues {@code events} (one or more whole revisions, in order) for {@code w} with header revision
     * {@code rev}, after filters, prev_kv and fragmentation. True if queued or nothing to send; false if
     * the stream had no room (it is then marked starved, and the caller makes {@code w} unsynced or
     * leaves it so). {@code shared}: {@code events} is an unmodifiable list that other watchers are given
     * for this revision too (the copy of one response then serves them all).
     */
    boolean deliver(Watcher w, List<Event> events, long rev, boolean shared) {
        if (events.isEmpty()) {
            return true;
        }
        WatchResponse r;
        if (shared && !w.prevKv && acceptsAll(w, events)) {
            ResponseHeader h = header(rev);
            if (template == null || templateEvents != events || template.getHeader() != h) {
                template = WatchResponse.newBuilder().setHeader(h).addAllEvents(events).build();
                templateEvents = events;
            }
            r = template.toBuilder().setWatchId(w.id).build();
        } else {
            List<Event> out = new ArrayList<>(events.size());
            for (Event e : events) {
                if (!w.accepts(e)) {
                    continue;
                }
                if (w.prevKv && !isCreate(e)) {
                    KeyValue prev = history.valueAt(e.getKv().getKey(), e.getKv().getModRevision() - 1);
                    if (prev != null) {
                        e = e.toBuilder().setPrevKv(prev).build();
                    }
                }
                out.add(e);
            }
            if (out.isEmpty()) {
                return true; // all filtered out: etcd sends nothing
            }
            r = response(rev, w.id).addAllEvents(out).build();
        }
        if (!w.stream.hasRoom()) {
            w.stream.markStarved();
            return false;
        }
        if (w.fragment && r.getSerializedSize() >= maxRequestBytes && r.getEventsCount() > 1) {
            for (WatchResponse f : Fragments.split(r, maxRequestBytes)) {
                w.stream.forceEvents(f); // fragments of one response are never separated
            }
        } else if (!w.stream.offerEvents(r)) {
            return false;
        }
        w.sentSinceTick = true;
        return true;
    }

    private static boolean acceptsAll(Watcher w, List<Event> events) {
        if (!w.noPut && !w.noDelete) {
            return true;
        }
        for (int i = 0; i < events.size(); i++) {
            if (!w.accepts(events.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isCreate(Event e) {
        return e.getType() == Event.EventType.PUT && e.getKv().getCreateRevision() == e.getKv().getModRevision();
    }
}
