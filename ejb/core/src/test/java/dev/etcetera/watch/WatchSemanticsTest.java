package dev.etcetera.watch;

import static dev.etcetera.watch.WatchFixture.b;
import static dev.etcetera.watch.WatchFixture.create;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.etcetera.api.etcdserverpb.PutRequest;
import dev.etcetera.api.etcdserverpb.RequestOp;
import dev.etcetera.api.etcdserverpb.TxnRequest;
import dev.etcetera.api.etcdserverpb.WatchCreateRequest;
import dev.etcetera.api.etcdserverpb.WatchResponse;
import dev.etcetera.api.mvccpb.Event;
import dev.etcetera.server.EtcdError;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every create option, filter, cancel and compaction edge of etcd's Watch, on the real watch stage. */
class WatchSemanticsTest {
    WatchFixture f;

    @BeforeEach
    void open() {
        f = new WatchFixture();
    }

    @AfterEach
    void close() {
        f.close();
    }

    static List<String> events(WatchResponse r) {
        List<String> out = new ArrayList<>();
        for (Event e : r.getEventsList()) {
            out.add(e.getType() + " " + e.getKv().getKey().toStringUtf8() + "@" + e.getKv().getModRevision()
                    + (e.getType() == Event.EventType.PUT ? "=" + e.getKv().getValue().toStringUtf8() : "")
                    + (e.hasPrevKv() ? " prev=" + e.getPrevKv().getValue().toStringUtf8() : ""));
        }
        return out;
    }

    @Test
    void createFromNowGetsIdsInOrderAndHeaderAtCurrentRevision() {
        long rev = f.put("a", "1");
        WatchFixture.Client c = f.client();
        WatchResponse created = c.watch(create("a"));
        assertEquals(0, created.getWatchId());
        assertEquals(rev, created.getHeader().getRevision());
        assertEquals(0x1234, created.getHeader().getClusterId());
        assertEquals(0x5678, created.getHeader().getMemberId());
        assertEquals(1, c.watch(create("b")).getWatchId());
        long r2 = f.put("a", "2");
        WatchResponse ev = c.next("event on a");
        assertEquals(0, ev.getWatchId());
        assertEquals(r2, ev.getHeader().getRevision());
        assertEquals(List.of("PUT a@" + r2 + "=2"), events(ev));
        c.expectQuiet("b saw nothing");
    }

    /**
     * A create sent before a write (without waiting for its created response) sees that write: the
     * apply thread dispatches a commit itself only when nothing submitted before it is still queued
     * (without that rule the dispatch thread often handled the create after the commit).
     */
    @Test
    void createSentBeforeAWriteSeesIt() {
        WatchFixture.Client c = f.client();
        for (int i = 0; i < 200; i++) {
            String key = "race" + i;
            c.send(create(key));
            long rev = f.put(key, "v");
            WatchResponse created = c.next("created response for " + key);
            assertEquals(true, created.getCreated(), "created for " + key + ": " + created);
            assertTrue(created.getHeader().getRevision() < rev, "created before the put of " + key + ": " + created);
            WatchResponse ev = c.next("event of the put of " + key);
            assertEquals(List.of("PUT " + key + "@" + rev + "=v"), events(ev));
        }
    }

    @Test
    void singleKeyPrefixFromKeyAndEmptyKey() {
        WatchFixture.Client c = f.client();
        long single = c.watch(create("k")).getWatchId();
        long prefix = c.watch(create("k").setRangeEnd(b("l"))).getWatchId();
        long fromKey = c.watch(create("k").setRangeEnd(b("\0"))).getWatchId();
        long all = c.watch(WatchCreateRequest.newBuilder().setRangeEnd(b("\0"))).getWatchId();
        long r1 = f.put("k", "1");
        long r2 = f.put("k1", "2");
        long r3 = f.put("z", "3");
        long r4 = f.put("a", "4");
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            WatchResponse r = c.next("event " + i);
            got.add(r.getWatchId() + ":" + events(r));
        }
        assertEquals(List.of(
                single + ":[PUT k@" + r1 + "=1]", prefix + ":[PUT k@" + r1 + "=1]", fromKey + ":[PUT k@" + r1 + "=1]",
                all + ":[PUT k@" + r1 + "=1]",
                prefix + ":[PUT k1@" + r2 + "=2]", fromKey + ":[PUT k1@" + r2 + "=2]", all + ":[PUT k1@" + r2 + "=2]",
                fromKey + ":[PUT z@" + r3 + "=3]", all + ":[PUT z@" + r3 + "=3]").stream().sorted().toList(),
                got.subList(0, 9).stream().sorted().toList());
        WatchResponse last = c.next("event on a for the all-keys watcher");
        assertEquals(all + ":[PUT a@" + r4 + "=4]", last.getWatchId() + ":" + events(last));
        c.expectQuiet("nothing else");
    }

    /**
     * One revision fanned out to watchers with different options on two streams: every watcher that takes
     * the whole event list gets a copy of one shared response, so each must still carry its own watch ID
     * and header revision, and the prev_kv or filtered watchers must get their own.
     */
    @Test
    void oneRevisionFannedOutKeepsEveryWatchersIdAndOptions() {
        f.put("k", "0");
        WatchFixture.Client c1 = f.client();
        WatchFixture.Client c2 = f.client();
        long plain = c1.watch(create("k")).getWatchId();
        long prev = c1.watch(create("k").setPrevKv(true)).getWatchId();
        long noPut = c1.watch(create("k").addFilters(WatchCreateRequest.FilterType.NOPUT)).getWatchId();
        long noDel = c1.watch(create("k").addFilters(WatchCreateRequest.FilterType.NODELETE)).getWatchId();
        long other = c2.watch(create("k")).getWatchId();
        long prefix = c2.watch(create("k").setRangeEnd(b("l"))).getWatchId();
        long rp = f.put("k", "1");
        assertEquals(sorted(plain + ":[PUT k@" + rp + "=1]", prev + ":[PUT k@" + rp + "=1 prev=0]",
                noDel + ":[PUT k@" + rp + "=1]"), received(c1, 3, rp, "the put on stream 1"));
        assertEquals(sorted(other + ":[PUT k@" + rp + "=1]", prefix + ":[PUT k@" + rp + "=1]"),
                received(c2, 2, rp, "the put on stream 2"));
        long rd = f.delete("k", null);
        assertEquals(sorted(plain + ":[DELETE k@" + rd + "]", prev + ":[DELETE k@" + rd + " prev=1]",
                noPut + ":[DELETE k@" + rd + "]"), received(c1, 3, rd, "the delete on stream 1"));
        c1.expectQuiet("the NODELETE watcher got no delete");
        assertEquals(sorted(other + ":[DELETE k@" + rd + "]", prefix + ":[DELETE k@" + rd + "]"),
                received(c2, 2, rd, "the delete on stream 2"));
    }

    /** The next {@code n} responses of {@code c}, each at header revision {@code rev}, as sorted "id:events". */
    private static List<String> received(WatchFixture.Client c, int n, long rev, String what) {
        List<String> got = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            WatchResponse r = c.next(what + ", response " + (i + 1) + " of " + n);
            assertEquals(rev, r.getHeader().getRevision(), what + ": " + r);
            got.add(r.getWatchId() + ":" + events(r));
        }
        return got.stream().sorted().toList();
    }

    private static List<String> sorted(String... items) {
        return java.util.Arrays.stream(items).sorted().toList();
    }

    @Test
    void filtersDropPutsOrDeletesAndSendNothingWhenAllFiltered() {
        WatchFixture.Client c = f.client();
        long noPut = c.watch(create("k").addFilters(WatchCreateRequest.FilterType.NOPUT)).getWatchId();
        long noDel = c.watch(create("k").addFilters(WatchCreateRequest.FilterType.NODELETE)).getWatchId();
        long rp = f.put("k", "v");
        WatchResponse r = c.next("put for the NODELETE watcher");
        assertEquals(noDel, r.getWatchId());
        assertEquals(List.of("PUT k@" + rp + "=v"), events(r));
        long rd = f.delete("k", null);
        r = c.next("delete for the NOPUT watcher");
        assertEquals(noPut, r.getWatchId());
        assertEquals(List.of("DELETE k@" + rd), events(r));
        c.expectQuiet("filtered responses are not sent");
    }

    @Test
    void prevKvOnUpdateAndDeleteNotOnCreate() {
        WatchFixture.Client c = f.client();
        c.watch(create("k").setPrevKv(true));
        long r1 = f.put("k", "1");
        long r2 = f.put("k", "2");
        long r3 = f.delete("k", null);
        assertEquals(List.of("PUT k@" + r1 + "=1"), events(c.next("create")));
        assertEquals(List.of("PUT k@" + r2 + "=2 prev=1"), events(c.next("update")));
        WatchResponse del = c.next("delete");
        assertEquals(List.of("DELETE k@" + r3 + " prev=2"), events(del));
        assertEquals(r2, del.getEvents(0).getPrevKv().getModRevision());
    }

    @Test
    void clientChosenIdsAndDuplicateRejected() {
        WatchFixture.Client c = f.client();
        assertEquals(7, c.watch(create("a").setWatchId(7)).getWatchId());
        WatchResponse dup = c.watch(create("b").setWatchId(7));
        assertTrue(dup.getCanceled());
        assertEquals(-1, dup.getWatchId());
        assertEquals("mvcc: duplicate watch ID provided on the WatchStream", dup.getCancelReason());
        // auto IDs skip the ones in use
        for (int i = 0; i < 7; i++) {
            assertEquals(i, c.watch(create("x")).getWatchId());
        }
        assertEquals(8, c.watch(create("x")).getWatchId());
    }

    @Test
    void invalidCreatesAreCreatedAndCanceled() {
        WatchFixture.Client c = f.client();
        WatchResponse empty = c.watch(create("b").setRangeEnd(b("a")));
        assertTrue(empty.getCanceled());
        assertEquals(-1, empty.getWatchId());
        assertEquals("mvcc: watcher range is empty", empty.getCancelReason());
        WatchResponse negative = c.watch(create("a").setStartRevision(-1));
        assertTrue(negative.getCanceled());
        assertEquals(EtcdError.COMPACTED.message(), negative.getCancelReason());
    }

    @Test
    void cancelAnswersOnceAndStopsEvents() {
        WatchFixture.Client c = f.client();
        long id = c.watch(create("k")).getWatchId();
        c.cancel(id);
        WatchResponse canceled = c.next("cancel response");
        assertTrue(canceled.getCanceled());
        assertEquals(id, canceled.getWatchId());
        assertEquals("", canceled.getCancelReason());
        c.cancel(id); // unknown now: etcd answers nothing
        c.cancel(99);
        f.put("k", "v");
        c.expectQuiet("a canceled watcher gets nothing");
    }

    @Test
    void historyReplayThenLiveWithoutGapOrDuplicate() {
        long r1 = f.put("k", "1");
        long r2 = f.put("k", "2");
        f.put("other", "x");
        long r3 = f.delete("k", null);
        WatchFixture.Client c = f.client();
        WatchResponse created = c.watch(create("k").setStartRevision(r1));
        assertEquals(r3 + 1, created.getHeader().getRevision() + 1);
        List<String> got = new ArrayList<>(events(c.next("history")));
        long r4 = f.put("k", "4");
        while (got.size() < 4) {
            got.addAll(events(c.next("live after history")));
        }
        assertEquals(List.of("PUT k@" + r1 + "=1", "PUT k@" + r2 + "=2", "DELETE k@" + r3, "PUT k@" + r4 + "=4"), got);
        c.expectQuiet("no duplicate");
    }

    @Test
    void futureStartRevisionWaitsForIt() {
        long r1 = f.put("k", "1");
        WatchFixture.Client c = f.client();
        c.watch(create("k").setStartRevision(r1 + 2));
        f.put("k", "2");
        long r3 = f.put("k", "3");
        assertEquals(List.of("PUT k@" + r3 + "=3"), events(c.next("event at the start revision")));
    }

    @Test
    void compactedStartIsCreatedThenCanceledWithCompactRevision() {
        for (int i = 0; i < 5; i++) {
            f.put("k", "v" + i);
        }
        long compactAt = f.put("k", "last");
        f.compact(compactAt - 1);
        WatchFixture.Client c = f.client();
        WatchResponse created = c.watch(create("k").setStartRevision(compactAt - 2));
        assertFalse(created.getCanceled());
        WatchResponse canceled = c.next("compaction cancel");
        assertTrue(canceled.getCanceled());
        assertFalse(canceled.getCreated());
        assertEquals(created.getWatchId(), canceled.getWatchId());
        assertEquals(compactAt - 1, canceled.getCompactRevision());
        assertEquals(0, canceled.getHeader().getRevision(), "etcd leaves the header revision at 0");
        // at the compaction revision itself history is still served (etcd 3.4.23 does the same)
        c.watch(create("k").setStartRevision(compactAt - 1));
        assertEquals(List.of("PUT k@" + (compactAt - 1) + "=v4", "PUT k@" + compactAt + "=last"),
                events(c.next("history from the compaction revision")));
    }

    /**
     * etcd#18089 (fixed on etcd's 3.4 and 3.5 branches in 2024; Debian's 3.4.23 still has it): a watch from exactly the
     * compaction revision is served, so a delete at that revision must still be in history, and a txn at
     * that revision must arrive whole, although the key index forgets a tombstone at the compaction revision.
     */
    @Test
    void deleteAndTxnAtTheCompactionRevisionReachAWatchFromIt() {
        f.put("d", "1");
        f.put("t/a", "1");
        f.put("t/b", "1");
        long del = f.delete("d", null);
        f.compact(del);
        WatchFixture.Client c = f.client();
        c.watch(create("d").setStartRevision(del));
        long after = f.put("d", "2");
        assertEquals(List.of("DELETE d@" + del), events(c.next("the delete at the compaction revision")));
        assertEquals(List.of("PUT d@" + after + "=2"), events(c.next("the put after it")));

        TxnRequest.Builder t = TxnRequest.newBuilder()
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(b("t/a")).setValue(b("2"))))
                .addSuccess(RequestOp.newBuilder().setRequestDeleteRange(
                        dev.etcetera.api.etcdserverpb.DeleteRangeRequest.newBuilder().setKey(b("t/b"))));
        long txn = WatchFixture.await(f.server.txn(t.build()), "txn").getHeader().getRevision();
        f.compact(txn);
        WatchFixture.Client c2 = f.client();
        c2.watch(create("t/").setRangeEnd(b("t0")).setStartRevision(txn));
        assertEquals(List.of("PUT t/a@" + txn + "=2", "DELETE t/b@" + txn), events(c2.next("the txn at the compaction revision")));
        c2.expectQuiet("nothing else");
        // the next compaction removes what the previous one kept for watchers: a watch from below it is canceled
        long last = f.put("d", "3");
        f.compact(last);
        WatchFixture.Client c3 = f.client();
        c3.watch(create("d").setStartRevision(del));
        assertTrue(c3.next("compaction cancel").getCanceled());
    }

    @Test
    void allEventsOfOneTxnInOneResponse() {
        WatchFixture.Client c = f.client();
        c.watch(create("t").setRangeEnd(b("u")));
        TxnRequest.Builder t = TxnRequest.newBuilder();
        for (int i = 0; i < 10; i++) {
            t.addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(b("t" + i)).setValue(b("v"))));
        }
        long rev = WatchFixture.await(f.server.txn(t.build()), "txn").getHeader().getRevision();
        WatchResponse r = c.next("txn events");
        assertEquals(10, r.getEventsCount());
        for (int i = 0; i < 10; i++) {
            assertEquals(rev, r.getEvents(i).getKv().getModRevision());
            assertEquals("t" + i, r.getEvents(i).getKv().getKey().toStringUtf8());
        }
    }

    @Test
    void largeResponsesFragmentOnlyWhenAsked() {
        f.close();
        f = new WatchFixture(WatchableStore.Config.defaults().withMaxRequestBytes(1000));
        WatchFixture.Client c = f.client();
        long frag = c.watch(create("t").setRangeEnd(b("u")).setFragment(true)).getWatchId();
        long whole = c.watch(create("t").setRangeEnd(b("u"))).getWatchId();
        TxnRequest.Builder t = TxnRequest.newBuilder();
        String value = "x".repeat(300);
        for (int i = 0; i < 10; i++) {
            t.addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(b("t" + i)).setValue(b(value))));
        }
        WatchFixture.await(f.server.txn(t.build()), "txn");
        int fragEvents = 0;
        int parts = 0;
        int wholeEvents = 0;
        while (fragEvents < 10 || wholeEvents < 10) {
            WatchResponse r = c.next("fragments");
            if (r.getWatchId() == whole) {
                assertFalse(r.getFragment());
                wholeEvents += r.getEventsCount();
                continue;
            }
            assertEquals(frag, r.getWatchId());
            parts++;
            fragEvents += r.getEventsCount();
            assertTrue(r.getSerializedSize() < 1000 || r.getEventsCount() == 1, "fragment too large: " + r.getSerializedSize());
            assertEquals(fragEvents < 10, r.getFragment(), "every part but the last is a fragment");
        }
        assertTrue(parts > 1, "expected several fragments, got " + parts);
        assertEquals(10, wholeEvents);
    }

    @Test
    void progressRequestAnswersWithRevisionForTheStream() {
        WatchFixture.Client c = f.client();
        long rev = f.put("a", "1");
        assertEquals(rev, c.expectQuiet("no watchers").getHeader().getRevision());
        c.watch(create("a"));
        long r2 = f.put("a", "2");
        c.next("event");
        assertEquals(r2, c.expectQuiet("after the event").getHeader().getRevision());
    }

    @Test
    void progressNotifyWhenIdle() {
        f.close();
        f = new WatchFixture(WatchableStore.Config.defaults().withProgressInterval(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(200)));
        WatchFixture.Client c = f.client();
        long rev = f.put("x", "1");
        long id = c.watch(create("a").setProgressNotify(true)).getWatchId();
        c.watch(create("b")); // no progress_notify: never notified
        for (int i = 1; i <= 3; i++) { // every interval, and only to the watcher that asked
            WatchResponse p = c.next("progress notification " + i);
            assertEquals(id, p.getWatchId(), "notification " + i + ": " + p);
            assertEquals(0, p.getEventsCount());
            assertEquals(rev, p.getHeader().getRevision());
        }
    }

    @Test
    void requireLeaderStreamEndsWithoutLeader() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean leader = new java.util.concurrent.atomic.AtomicBoolean(true);
        dev.etcetera.mvcc.MvccStore store = dev.etcetera.mvcc.MvccStore.open(new dev.etcetera.mvcc.MemoryBackend());
        try (WatchableStore ws = new WatchableStore(WatchHistory.of(store),
                dev.etcetera.api.etcdserverpb.ResponseHeader::getDefaultInstance, leader::get, System::nanoTime,
                WatchableStore.Config.defaults())) {
            ws.start();
            WatchFixture.Client plain = new WatchFixture.Client(ws.openStream(false));
            WatchFixture.Client strict = new WatchFixture.Client(ws.openStream(true));
            strict.watch(create("a"));
            leader.set(false);
            assertEquals(null, strict.stream.poll(WatchFixture.TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS),
                    "stream requiring a leader ends when the leader is lost");
            assertEquals(EtcdError.NO_LEADER, strict.stream.failure().error());
            plain.watch(create("a")); // a stream without hasleader keeps working
            WatchStream refused = ws.openStream(true);
            assertTrue(refused.ended() || refused.poll(1, java.util.concurrent.TimeUnit.SECONDS) == null);
            assertEquals(EtcdError.NO_LEADER, refused.failure().error());
        }
    }
}
