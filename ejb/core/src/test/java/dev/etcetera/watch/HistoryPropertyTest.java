package dev.etcetera.watch;

import static dev.etcetera.watch.WatchFixture.b;
import static dev.etcetera.watch.WatchFixture.create;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.etcetera.api.etcdserverpb.PutRequest;
import dev.etcetera.api.etcdserverpb.RequestOp;
import dev.etcetera.api.etcdserverpb.TxnRequest;
import dev.etcetera.api.etcdserverpb.WatchCreateRequest;
import dev.etcetera.api.etcdserverpb.WatchResponse;
import dev.etcetera.api.mvccpb.Event;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Property: random puts, multi-key txns and range deletes interleaved with watches created at random start
 * revisions (history, now, future) over random ranges; each watcher's events must equal, exactly,
 * the model's history of its range from its start revision. The model is kept independently of the
 * store (from the write responses), so replay, live dispatch and the switch between them are all
 * checked, and that a revision's events never spread over two responses of a watcher. Small stream buffers
 * force victims and catch-up too. The seed is printed.
 */
class HistoryPropertyTest {
    record Ev(long rev, String type, String key, String value) {
    }

    @Test
    void randomWritesAndWatchesMatchTheHistory() {
        long seed = Long.getLong("watch.seed", System.nanoTime());
        System.out.println("HistoryPropertyTest seed=" + seed + " (rerun with -Dwatch.seed=" + seed + ")");
        Random rnd = new Random(seed);
        for (int round = 0; round < 3; round++) {
            run(rnd, seed, round);
        }
    }

    private void run(Random rnd, long seed, int round) {
        int buffer = 2 + rnd.nextInt(6);
        // who dispatches commits: always the dispatch thread (0), the apply thread while few watchers are
        // synced (so rounds cross the threshold as watchers come and go), or the apply thread whenever it can
        int[] inlineChoices = {0, 1 + rnd.nextInt(4), Integer.MAX_VALUE};
        int inline = inlineChoices[rnd.nextInt(inlineChoices.length)];
        System.out.println("HistoryPropertyTest round " + round + ": buffer " + buffer + ", inline dispatch up to " + inline + " watchers");
        try (WatchFixture f = new WatchFixture(WatchableStore.Config.defaults().withBufferResponses(buffer)
                .withHistoryBatch(1 + rnd.nextInt(20)).withInlineDispatchWatchers(inline))) {
            TreeMap<String, String> state = new TreeMap<>();
            List<Ev> history = new ArrayList<>();
            record W(WatchFixture.Client c, long id, String key, String end, long start) {
            }
            List<W> watchers = new ArrayList<>();
            List<WatchFixture.Client> clients = List.of(f.client(), f.client(), f.client());
            long rev = 1;
            int ops = 150 + rnd.nextInt(100);
            for (int i = 0; i < ops; i++) {
                int op = rnd.nextInt(10);
                String k = "k" + rnd.nextInt(8);
                if (op < 5) {
                    String v = "v" + i;
                    rev = f.put(k, v);
                    state.put(k, v);
                    history.add(new Ev(rev, "PUT", k, v));
                } else if (op < 6) {
                    // one revision with several events: a txn putting 2-3 distinct keys, in key order
                    TreeMap<String, String> puts = new TreeMap<>();
                    int n = 2 + rnd.nextInt(2);
                    while (puts.size() < n) {
                        puts.put("k" + rnd.nextInt(8), "t" + i + "." + puts.size());
                    }
                    TxnRequest.Builder t = TxnRequest.newBuilder();
                    puts.forEach((pk, pv) -> t.addSuccess(RequestOp.newBuilder()
                            .setRequestPut(PutRequest.newBuilder().setKey(b(pk)).setValue(b(pv)))));
                    rev = WatchFixture.await(f.server.txn(t.build()), "txn").getHeader().getRevision();
                    for (Map.Entry<String, String> e : puts.entrySet()) {
                        state.put(e.getKey(), e.getValue());
                        history.add(new Ev(rev, "PUT", e.getKey(), e.getValue()));
                    }
                } else if (op < 8) {
                    String end = rnd.nextBoolean() ? null : "k" + (1 + rnd.nextInt(8));
                    List<String> gone = new ArrayList<>(end == null ? (state.containsKey(k) ? List.of(k) : List.of())
                            : k.compareTo(end) < 0 ? state.subMap(k, end).keySet() : List.of());
                    long r = f.delete(k, end);
                    if (!gone.isEmpty()) {
                        rev = r;
                        for (String g : gone) {
                            state.remove(g);
                            history.add(new Ev(rev, "DELETE", g, ""));
                        }
                    }
                } else {
                    String key = "k" + rnd.nextInt(8);
                    String end = switch (rnd.nextInt(3)) {
                        case 0 -> null;
                        case 1 -> "k" + (char) ('0' + 1 + rnd.nextInt(9));
                        default -> "\0";
                    };
                    if (end != null && !end.equals("\0") && key.compareTo(end) >= 0) {
                        end = null;
                    }
                    long start = switch (rnd.nextInt(3)) {
                        case 0 -> 0;
                        case 1 -> 1 + rnd.nextInt((int) rev);
                        default -> rev + 1 + rnd.nextInt(5);
                    };
                    WatchFixture.Client c = clients.get(rnd.nextInt(clients.size()));
                    WatchCreateRequest.Builder req = create(key).setStartRevision(start);
                    if (end != null) {
                        req.setRangeEnd(b(end));
                    }
                    c.send(req);
                    watchers.add(new W(c, -1, key, end, start == 0 ? rev + 1 : start));
                }
            }
            // pass every future start revision (etcd defers progress while a watcher waits for one);
            // key "a" is outside every watched range
            for (int i = 0; i < 6; i++) {
                rev = f.put("a", "filler");
            }
            // collect: each client reads until a progress response answered after everything
            Map<WatchFixture.Client, Map<Long, List<Ev>>> got = new HashMap<>();
            Map<WatchFixture.Client, List<Long>> createdIds = new HashMap<>();
            for (WatchFixture.Client c : clients) {
                c.requestProgress();
                Map<Long, List<Ev>> byId = new HashMap<>();
                List<Long> ids = new ArrayList<>();
                while (true) {
                    WatchResponse r = c.next("seed " + seed + " round " + round + ": responses until progress");
                    if (r.getCreated()) {
                        ids.add(r.getWatchId());
                        continue;
                    }
                    if (r.getWatchId() == WatchableStore.INVALID_WATCH_ID) {
                        assertEquals(rev, r.getHeader().getRevision(), "seed " + seed + ": progress revision");
                        break;
                    }
                    List<Ev> sofar = byId.get(r.getWatchId());
                    if (sofar != null && !sofar.isEmpty() && r.getEventsCount() > 0) {
                        // atomic per revision: a revision never continues in a watcher's next response
                        long prevLast = sofar.get(sofar.size() - 1).rev();
                        assertTrue(r.getEvents(0).getKv().getModRevision() > prevLast, "seed " + seed + " round " + round
                                + ": watcher " + r.getWatchId() + " got revision " + prevLast + " split over two responses");
                    }
                    for (Event e : r.getEventsList()) {
                        byId.computeIfAbsent(r.getWatchId(), x -> new ArrayList<>()).add(new Ev(e.getKv().getModRevision(),
                                e.getType().name(), e.getKv().getKey().toStringUtf8(),
                                e.getType() == Event.EventType.PUT ? e.getKv().getValue().toStringUtf8() : ""));
                    }
                }
                got.put(c, byId);
                createdIds.put(c, ids);
            }
            Map<WatchFixture.Client, Integer> nth = new HashMap<>();
            for (W w : watchers) {
                int n = nth.merge(w.c(), 1, Integer::sum) - 1;
                long id = createdIds.get(w.c()).get(n);
                List<Ev> expected = new ArrayList<>();
                for (Ev e : history) {
                    if (e.rev() >= w.start() && inRange(e.key(), w.key(), w.end())) {
                        expected.add(e);
                    }
                }
                assertEquals(expected, got.get(w.c()).getOrDefault(id, List.of()),
                        "seed " + seed + " round " + round + ": watcher " + id + " on [" + w.key() + ", " + w.end() + ") from " + w.start());
            }
        }
    }

    static boolean inRange(String k, String key, String end) {
        if (end == null) {
            return k.equals(key);
        }
        if (k.compareTo(key) < 0) {
            return false;
        }
        return end.equals("\0") || k.compareTo(end) < 0;
    }
}
