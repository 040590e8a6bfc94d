package dev.etcetera.watch;

import static dev.etcetera.watch.WatchFixture.b;
import static dev.etcetera.watch.WatchFixture.create;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.etcetera.api.etcdserverpb.WatchResponse;
import dev.etcetera.api.mvccpb.Event;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A stream that stops reading must not block apply or other streams, and once it reads again it
 * receives every event in order, caught up from history (it was a victim meanwhile).
 */
class SlowWatcherTest {

    @Test
    void nonReadingStreamBecomesVictimAndCatchesUpInOrder() {
        try (WatchFixture f = new WatchFixture(WatchableStore.Config.defaults().withBufferResponses(8).withHistoryBatch(16))) {
            WatchFixture.Client slow = f.client();
            WatchFixture.Client fast = f.client();
            slow.watch(create("k").setRangeEnd(b("l")));
            slow.watch(create("k5"));
            fast.watch(create("k").setRangeEnd(b("l")));
            int writes = 300;
            List<Long> revs = new ArrayList<>();
            for (int i = 0; i < writes; i++) {
                revs.add(f.put("k" + (i % 10), "v" + i)); // apply never waits for the slow stream
                assertEquals(List.of(revs.get(i)), revisions(fast.next("fast watcher event " + i)));
            }
            assertTrue(slow.stream.queuedEventResponses() <= 8, "slow stream's queue is bounded: " + slow.stream.queuedEventResponses());
            assertTrue(f.server.watchable().slowWatchers() >= 1, "the slow watchers are victims now");
            // a progress request must not be answered before the victims caught up
            slow.requestProgress();
            List<Long> prefix = new ArrayList<>();
            List<Long> single = new ArrayList<>();
            WatchResponse progress = null;
            while (progress == null) {
                WatchResponse r = slow.next("slow stream catching up (prefix " + prefix.size() + ", single " + single.size() + ")");
                if (r.getWatchId() == WatchableStore.INVALID_WATCH_ID) {
                    progress = r;
                } else if (r.getWatchId() == 0) {
                    prefix.addAll(revisions(r));
                } else {
                    single.addAll(revisions(r));
                }
            }
            assertEquals(revs, prefix, "every event once, in order, for the prefix watcher");
            List<Long> expectedSingle = new ArrayList<>();
            for (int i = 5; i < writes; i += 10) {
                expectedSingle.add(revs.get(i));
            }
            assertEquals(expectedSingle, single, "every event once, in order, for the single-key watcher");
            assertEquals((long) revs.get(writes - 1), progress.getHeader().getRevision(), "progress covers everything sent");
            // and it is live again
            long last = f.put("k1", "after");
            assertEquals(List.of(last), revisions(slow.next("live event after catching up")));
            assertEquals(0, f.server.watchable().slowWatchers());
        }
    }

    @Test
    void victimWhoseHistoryIsCompactedIsCanceledWithCompactRevision() {
        try (WatchFixture f = new WatchFixture(WatchableStore.Config.defaults().withBufferResponses(2))) {
            WatchFixture.Client slow = f.client();
            long id = slow.watch(create("k")).getWatchId();
            long first = 0;
            for (int i = 0; i < 20; i++) {
                long r = f.put("k", "v" + i);
                first = first == 0 ? r : first;
            }
            long compactAt = f.put("k", "last") - 1;
            f.compact(compactAt); // the victim still needs revisions below it
            List<Long> got = new ArrayList<>();
            WatchResponse r;
            while (!(r = slow.next("events, then the compaction cancel")).getCanceled()) {
                got.addAll(revisions(r));
            }
            assertEquals(id, r.getWatchId());
            assertEquals(compactAt, r.getCompactRevision());
            assertEquals(List.of(first, first + 1), got, "what fit in the queue before it became a victim");
            f.put("k", "after");
            slow.expectQuiet("a canceled watcher gets nothing more");
        }
    }

    static List<Long> revisions(WatchResponse r) {
        List<Long> out = new ArrayList<>();
        for (Event e : r.getEventsList()) {
            out.add(e.getKv().getModRevision());
        }
        return out;
    }
}
