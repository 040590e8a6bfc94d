package dev.etcetera.watch;

import dev.etcetera.api.etcdserverpb.WatchResponse;
import dev.etcetera.api.mvccpb.Event;
import dev.etcetera.mvcc.StoredRevision;
import dev.etcetera.server.EtcdError;
import dev.etcetera.server.EtcdException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * etcd's unsynced watcher group: watchers that are behind the dispatched revision (created at an
 * older revision, or victims whose stream had no room for a live event), and their catch-up from the
 * MVCC history in bounded slices.
 *
 * <p>Contract: a watcher here has been served every matching event below {@code nextRev}; a step
 * serves it from history up to at most the dispatched revision it is given, never splitting a
 * revision, and hands it back ({@code caughtUp}) once {@code nextRev} has passed that revision, so
 * the switch to live events has no gap and no duplicate. A watcher whose next revision was compacted
 * is canceled with {@code compact_revision} (header revision 0, as etcd) and handed to {@code drop}.
 *
 * <p>Threads: under the watch lock only ({@link WatchableStore}).
 */
final class UnsyncedWatchers {
    private final WatchHistory history;
    private final int historyBatch;
    private final EventDelivery delivery;
    private final Set<Watcher> watchers = new LinkedHashSet<>();
    /** Per-step scratch: the events each ready watcher gets from the slice read. */
    private final Map<Watcher, List<Event>> matched = new IdentityHashMap<>();

    UnsyncedWatchers(WatchHistory history, int historyBatch, EventDelivery delivery) {
        this.history = history;
        this.historyBatch = historyBatch;
        this.delivery = delivery;
    }

    void add(Watcher w) {
        watchers.add(w);
    }

    void remove(Watcher w) {
        watchers.remove(w);
    }

    int size() {
        return watchers.size();
    }

    /** True if some watcher here could be served now (its stream has room). */
    boolean hasRunnable() {
        for (Watcher w : watchers) {
            if (w.stream.hasRoom()) {
                return true;
            }
        }
        return false;
    }

    /**
     * One catch-up step for the watchers whose streams have room: cancels those whose next revision
     * was compacted, reads one bounded slice of history from the smallest next revision up to
     * {@code dispatched}, serves it, and hands watchers that reached {@code dispatched} to
     * {@code caughtUp} (which must remove them from here). Returns true if another step may do more
     * right away.
     *
     * @param drop removes a compacted watcher everywhere (here included) before its cancel is queued
     */
    boolean step(long dispatched, Consumer<Watcher> drop, Consumer<Watcher> caughtUp) {
        if (watchers.isEmpty()) {
            return false;
        }
        List<Watcher> ready = new ArrayList<>();
        for (Watcher w : watchers) {
            if (w.stream.hasRoom()) {
                ready.add(w);
            }
        }
        if (ready.isEmpty()) {
            return false;
        }
        long compactRev = history.compactRevision();
        long minRev = Long.MAX_VALUE;
        for (Watcher w : ready) {
            if (w.nextRev <= dispatched && w.nextRev < compactRev) {
                // etcd: created earlier, now canceled with the compaction revision (header revision 0)
                drop.accept(w);
                w.stream.control(WatchResponse.newBuilder().setHeader(delivery.baseHeader()).setWatchId(w.id)
                        .setCanceled(true).setCompactRevision(compactRev).build());
                continue;
            }
            minRev = Math.min(minRev, w.nextRev);
        }
        ready.removeIf(w -> w.canceled);
        if (ready.isEmpty()) {
            return true;
        }
        long to = dispatched;
        if (minRev > to) {
            for (Watcher w : ready) {
                caughtUp.accept(w);
            }
            return true;
        }
        List<StoredRevision> records;
        try {
            records = history.events(minRev, to, historyBatch);
            if (records.size() >= historyBatch) {
                long lastMain = records.get(records.size() - 1).revision().main();
                long firstMain = records.get(0).revision().main();
                if (firstMain == lastMain) {
                    // one revision larger than a batch: read all of it (a revision is never split)
                    records = history.events(firstMain, firstMain, Integer.MAX_VALUE);
                    to = firstMain;
                } else {
                    int cut = records.size();
                    while (records.get(cut - 1).revision().main() == lastMain) {
                        cut--;
                    }
                    records = records.subList(0, cut);
                    to = lastMain - 1;
                }
            }
        } catch (EtcdException e) {
            if (e.error() == EtcdError.COMPACTED) {
                return true; // compacted meanwhile: the next step cancels who must be
            }
            throw e;
        }
        WatcherGroup group = new WatcherGroup();
        for (Watcher w : ready) {
            group.add(w);
        }
        matched.clear();
        for (StoredRevision rec : records) {
            long main = rec.revision().main();
            Event e = EventDelivery.event(rec);
            group.match(rec.kv().getKey().toByteArray(), w -> {
                if (main >= w.nextRev) {
                    matched.computeIfAbsent(w, k -> new ArrayList<>()).add(e);
                }
            });
        }
        long upTo = to;
        for (Watcher w : ready) {
            List<Event> evs = matched.get(w);
            if (evs != null && !delivery.deliver(w, evs, upTo, false)) {
                continue; // still no room: stays unsynced at the same revision
            }
            w.nextRev = Math.max(w.nextRev, upTo + 1);
            if (w.nextRev > dispatched) {
                caughtUp.accept(w);
            }
        }
        matched.clear();
        return true;
    }
}
