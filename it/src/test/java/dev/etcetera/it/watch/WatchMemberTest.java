package dev.etcetera.it.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.etcetera.api.etcdserverpb.KVGrpc;
import dev.etcetera.api.etcdserverpb.PutRequest;
import dev.etcetera.api.etcdserverpb.WatchCreateRequest;
import dev.etcetera.api.etcdserverpb.WatchResponse;
import dev.etcetera.api.mvccpb.Event;
import dev.etcetera.it.harness.MemberProcess;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Watch guarantees on a real member process, one member shared by the class:
 * <ol>
 *   <li>{@code -Dwatch.it.watchers} (default 10,000) watchers over 10 streams plus one stream that
 *       deliberately stops reading: every other watcher receives every event while the slow stream
 *       is stalled; once it reads again it receives every event, in order, exactly once.</li>
 *   <li>kill -9 under a stream of writes, restart on the same data dir: clients resuming each
 *       watch from its last seen revision + 1 receive every later event exactly once, including
 *       every write acknowledged before the kill.</li>
 * </ol>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WatchMemberTest {
    private MemberProcess member;
    private ManagedChannel channel;

    @BeforeAll
    void start() {
        member = new MemberProcess("watch-member");
        member.start();
        channel = channel();
    }

    private ManagedChannel channel() {
        return ManagedChannelBuilder.forAddress("127.0.0.1", member.clientPort()).usePlaintext().build();
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        if (member != null) {
            member.close();
        }
    }

    static ByteString b(String s) {
        return ByteString.copyFromUtf8(s);
    }

    private long put(KVGrpc.KVBlockingStub kv, String k, String v) {
        return kv.withDeadlineAfter(30, TimeUnit.SECONDS)
                .put(PutRequest.newBuilder().setKey(b(k)).setValue(b(v)).build()).getHeader().getRevision();
    }

    @Test
    @Order(1)
    void tenThousandWatchersAndOneStalledStream() throws Exception {
        int watchers = Integer.getInteger("watch.it.watchers", 10_000);
        int streams = 10;
        int keys = 100;
        int writes = 300;
        String value = "v".repeat(2048); // the stalled stream overflows HTTP/2 windows and its queue
        long t0 = System.nanoTime();
        List<WatchClient> fast = new ArrayList<>();
        // watcher j of stream s watches key t/(j % keys); ids are assigned 0,1,2,... per stream
        for (int s = 0; s < streams; s++) {
            WatchClient c = new WatchClient(channel, false);
            fast.add(c);
            for (int j = 0; j < watchers / streams; j++) {
                c.create(WatchCreateRequest.newBuilder().setKey(b("t/" + (j % keys))));
            }
        }
        WatchClient slow = new WatchClient(channel, true);
        int slowWatchers = 20;
        for (int j = 0; j < slowWatchers; j++) {
            slow.create(WatchCreateRequest.newBuilder().setKey(b("t/")).setRangeEnd(b("t0")));
        }
        for (WatchClient c : fast) {
            for (int j = 0; j < watchers / streams; j++) {
                WatchResponse r = c.next("created response " + j);
                assertTrue(r.getCreated() && !r.getCanceled(), r.toString());
            }
        }
        System.out.printf("[watch-it] %d watchers created in %d ms%n", watchers, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);
        List<Long> revs = new ArrayList<>();
        for (int i = 0; i < writes; i++) {
            revs.add(put(kv, "t/" + (i % keys), value));
        }
        // every fast watcher gets exactly its key's events, while the slow stream reads nothing
        int perStream = watchers / streams;
        for (WatchClient c : fast) {
            Map<Long, List<Long>> got = new HashMap<>();
            int expectedEvents = 0;
            for (int j = 0; j < perStream; j++) {
                for (int i = j % keys; i < writes; i += keys) {
                    expectedEvents++;
                }
            }
            int seen = 0;
            while (seen < expectedEvents) {
                WatchResponse r = c.next("events for fast watchers (" + seen + "/" + expectedEvents + ")");
                for (Event e : r.getEventsList()) {
                    got.computeIfAbsent(r.getWatchId(), x -> new ArrayList<>()).add(e.getKv().getModRevision());
                    seen++;
                }
            }
            for (int j = 0; j < perStream; j++) {
                List<Long> expected = new ArrayList<>();
                for (int i = j % keys; i < writes; i += keys) {
                    expected.add(revs.get(i));
                }
                assertEquals(expected, got.getOrDefault((long) j, List.of()), "watcher " + j);
            }
        }
        System.out.printf("[watch-it] all fast watchers served, slow stream stalled; %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        // now the slow stream reads again: every event, in order, once, per watcher
        slow.read(Integer.MAX_VALUE);
        Map<Long, List<Long>> slowGot = new HashMap<>();
        int created = 0;
        long total = 0;
        while (created < slowWatchers || total < (long) slowWatchers * writes) {
            WatchResponse r = slow.next("slow stream catching up (" + total + " events)");
            if (r.getCreated()) {
                created++;
                continue;
            }
            for (Event e : r.getEventsList()) {
                slowGot.computeIfAbsent(r.getWatchId(), x -> new ArrayList<>()).add(e.getKv().getModRevision());
                total++;
            }
        }
        for (long id = 0; id < slowWatchers; id++) {
            assertEquals(revs, slowGot.get(id), "slow watcher " + id + " after it read again");
        }
        System.out.printf("[watch-it] slow stream caught up; total %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        for (WatchClient c : fast) {
            c.close();
        }
        slow.close();
    }

    @Test
    @Order(2)
    void resumeAfterKillNineGetsEveryLaterEventOnce() throws Exception {
        // A fresh connection, so that nothing of the previous test's stalled stream (its queued frames
        // and window) is shared with this one: this test is about resuming after kill -9.
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        channel = channel();
        KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);
        long base = put(kv, "kill/start", "x");
        // the watchers' view: revision -> "key=value", for a prefix watch and a single-key watch
        ConcurrentSkipListMap<Long, String> prefixSeen = new ConcurrentSkipListMap<>();
        List<Long> keySeen = new ArrayList<>();
        WatchClient prefix = new WatchClient(channel, false);
        prefix.create(WatchCreateRequest.newBuilder().setKey(b("kill/")).setRangeEnd(b("kill0")).setStartRevision(base + 1));
        WatchClient single = new WatchClient(channel, false);
        single.create(WatchCreateRequest.newBuilder().setKey(b("kill/k0")).setStartRevision(base + 1));
        Map<Long, String> acked = new ConcurrentSkipListMap<>();
        // the writer stops once `target` writes are acknowledged (set after the restart)
        java.util.concurrent.atomic.AtomicLong target = new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE);
        Thread writer = Thread.ofPlatform().name("kill-writer").start(() -> {
            KVGrpc.KVBlockingStub w = KVGrpc.newBlockingStub(channel);
            for (int i = 0; acked.size() < target.get(); i++) {
                String k = "kill/k" + (i % 5);
                String v = "v" + i;
                try {
                    long rev = w.withDeadlineAfter(5, TimeUnit.SECONDS)
                            .put(PutRequest.newBuilder().setKey(b(k)).setValue(b(v)).build()).getHeader().getRevision();
                    acked.put(rev, k + "=" + v);
                } catch (RuntimeException e) {
                    // member down: retry (an unacknowledged write may or may not have been applied);
                    // the pause is a retry back-off, not synchronisation
                    java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                }
            }
        });
        // let some events flow, then crash the member mid-stream
        drain(prefix, prefixSeen, keySeen, single, 100);
        member.kill9();
        member.start();
        // the old streams died with the process; resume each from its last seen revision + 1
        long resumePrefix = prefixSeen.isEmpty() ? base + 1 : prefixSeen.lastKey() + 1;
        long resumeKey = keySeen.isEmpty() ? base + 1 : keySeen.get(keySeen.size() - 1) + 1;
        prefix.close();
        single.close();
        WatchClient prefix2 = new WatchClient(channel, false);
        prefix2.create(WatchCreateRequest.newBuilder().setKey(b("kill/")).setRangeEnd(b("kill0")).setStartRevision(resumePrefix));
        WatchClient single2 = new WatchClient(channel, false);
        single2.create(WatchCreateRequest.newBuilder().setKey(b("kill/k0")).setStartRevision(resumeKey));
        target.set(acked.size() + 100);
        writer.join(TimeUnit.SECONDS.toMillis(120));
        assertTrue(!writer.isAlive(), "the writer did not get 100 more writes acknowledged within 120 s after the restart");
        long last = put(kv, "kill/end", "x");
        // read until the final write shows up on both streams
        while (prefixSeen.isEmpty() || prefixSeen.lastKey() < last) {
            record(prefix2.next("prefix events after restart up to " + last), prefixSeen, null);
        }
        List<Long> keyAfter = new ArrayList<>();
        long lastK0 = acked.entrySet().stream().filter(e -> e.getValue().startsWith("kill/k0=")).mapToLong(Map.Entry::getKey).max().orElse(0);
        while (keyAfter.isEmpty() || keyAfter.get(keyAfter.size() - 1) < lastK0) {
            WatchResponse r = single2.next("single-key events after restart up to " + lastK0);
            if (!r.getCreated()) {
                for (Event e : r.getEventsList()) {
                    keyAfter.add(e.getKv().getModRevision());
                }
            }
        }
        keySeen.addAll(keyAfter);
        // exactly once and no loss: the prefix watcher saw every revision from base+1 to last (only this
        // test writes under kill/), each once; every acknowledged write is among them with its value
        List<Long> expectedRevs = new ArrayList<>();
        for (long r = base + 1; r <= last; r++) {
            expectedRevs.add(r);
        }
        assertEquals(expectedRevs, new ArrayList<>(prefixSeen.keySet()), "prefix watcher revisions");
        for (Map.Entry<Long, String> a : acked.entrySet()) {
            assertEquals(a.getValue(), prefixSeen.get(a.getKey()), "acknowledged write at " + a.getKey());
        }
        List<Long> expectedK0 = prefixSeen.entrySet().stream().filter(e -> e.getValue().startsWith("kill/k0="))
                .map(Map.Entry::getKey).toList();
        assertEquals(expectedK0, keySeen, "single-key watcher: every event once, in order");
        System.out.printf("[watch-it] kill -9: %d acknowledged writes, %d revisions watched, resumed at %d%n",
                acked.size(), prefixSeen.size(), resumePrefix);
        prefix2.close();
        single2.close();
    }

    private static void drain(WatchClient prefix, ConcurrentSkipListMap<Long, String> prefixSeen, List<Long> keySeen,
                              WatchClient single, int events) throws InterruptedException {
        while (prefixSeen.size() < events) {
            record(prefix.next("prefix events before the kill"), prefixSeen, null);
        }
        WatchResponse r;
        while ((r = single.responses.poll()) != null) {
            for (Event e : r.getEventsList()) {
                keySeen.add(e.getKv().getModRevision());
            }
        }
        // what arrived on the prefix stream so far also counts (it may have more than `events`)
        while ((r = prefix.responses.poll()) != null) {
            record(r, prefixSeen, null);
        }
    }

    private static void record(WatchResponse r, ConcurrentSkipListMap<Long, String> seen, List<Long> unused) {
        for (Event e : r.getEventsList()) {
            String prev = seen.put(e.getKv().getModRevision(), e.getKv().getKey().toStringUtf8() + "="
                    + e.getKv().getValue().toStringUtf8());
            if (prev != null) {
                throw new AssertionError("duplicate event at revision " + e.getKv().getModRevision());
            }
        }
    }
}
