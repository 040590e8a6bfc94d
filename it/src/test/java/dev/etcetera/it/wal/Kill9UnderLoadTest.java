package dev.etcetera.it.wal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.etcetera.it.harness.MemberProcess;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Journal-first durability end to end: a real member under concurrent write load (jetcd, many
 * writers with several puts in flight each) is killed with SIGKILL mid-stream, restarted on the same
 * data dir, and every acknowledged write must be there with its value and mod revision; then again,
 * so the second restart replays a journal that already spans a restart.
 *
 * <p>Every put writes a key of its own, so an acknowledgement is the final state of its key. Values
 * come from a seeded random source; the seed is printed ({@code -Detcetera.it.seed=N}).
 */
class Kill9UnderLoadTest {
    private static final int WRITERS = 24;
    private static final int IN_FLIGHT_PER_WRITER = 4;
    private static final int ROUNDS = 2;
    /** Acknowledgements to collect in a round before the kill. */
    private static final int ACKS_BEFORE_KILL = Integer.getInteger("etcetera.it.wal.acks", 3000);

    private record Ack(String key, String value, long revision) {
    }

    @Test
    void everyAcknowledgedWriteSurvivesKill9UnderConcurrentLoad() throws Exception {
        assumeTrue(MemberProcess.available(), "needs bin/etcetera (the member)");
        long seed = Long.getLong("etcetera.it.seed", System.nanoTime());
        System.out.println("[it] Kill9UnderLoadTest seed " + seed);
        Random random = new Random(seed);
        List<Ack> acked = new ArrayList<>();
        try (MemberProcess member = new MemberProcess("wal-kill9")) {
            member.start();
            for (int round = 1; round <= ROUNDS; round++) {
                List<Ack> roundAcks = loadAndKill(member, round, random.nextLong());
                acked.addAll(roundAcks);
                member.start();
                verify(member, acked, seed);
            }
            Path wal = member.dataDir().resolve("member").resolve("wal");
            try (Stream<Path> files = Files.list(wal)) {
                assertTrue(files.anyMatch(p -> p.getFileName().toString().endsWith(".wal")),
                        "the member writes its journal in " + wal);
            }
        }
    }

    /** Runs the writers until enough acknowledgements, SIGKILLs the member under load, returns the acks. */
    private static List<Ack> loadAndKill(MemberProcess member, int round, long roundSeed) throws Exception {
        ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger failures = new AtomicInteger();
        CountDownLatch enough = new CountDownLatch(ACKS_BEFORE_KILL);
        CountDownLatch writersDone = new CountDownLatch(WRITERS);
        try (Client client = Client.builder().endpoints(member.clientUrl()).build()) {
            KV kv = client.getKVClient();
            for (int w = 0; w < WRITERS; w++) {
                Random r = new Random(roundSeed + w);
                String prefix = "r" + round + "/w" + w + "/";
                Thread t = new Thread(() -> {
                    try {
                        long seq = 0;
                        while (!stop.get()) {
                            // a small window of puts in flight per writer
                            List<java.util.concurrent.CompletableFuture<?>> window = new ArrayList<>();
                            for (int i = 0; i < IN_FLIGHT_PER_WRITER; i++) {
                                String key = prefix + (seq++);
                                String value = Long.toHexString(r.nextLong());
                                window.add(kv.put(bs(key), bs(value)).thenAccept(resp -> {
                                    acks.add(new Ack(key, value, resp.getHeader().getRevision()));
                                    enough.countDown();
                                }).exceptionally(e -> {
                                    failures.incrementAndGet();
                                    return null;
                                }));
                            }
                            for (var f : window) {
                                try {
                                    f.get(30, TimeUnit.SECONDS);
                                } catch (java.util.concurrent.TimeoutException e) {
                                    failures.incrementAndGet();
                                }
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (Exception e) {
                        failures.incrementAndGet();
                    } finally {
                        writersDone.countDown();
                    }
                }, "it-wal-writer-" + w);
                t.setDaemon(true);
                t.start();
            }
            assertTrue(enough.await(180, TimeUnit.SECONDS),
                    "waited 180 s for " + ACKS_BEFORE_KILL + " acknowledged puts in round " + round);
            member.kill9(); // writers are still running: puts are in flight at the kill
            stop.set(true);
        }
        // The client is closed: its calls fail at once instead of retrying against a dead member.
        assertTrue(writersDone.await(150, TimeUnit.SECONDS), "writers did not notice the kill within 150 s");
        List<Ack> out = new ArrayList<>(acks);
        System.out.printf("[it] round %d: killed %s under load with %d acknowledged puts (%d failed or cut off), "
                + "highest acknowledged revision %d%n", round, member, out.size(), failures.get(),
                out.stream().mapToLong(Ack::revision).max().orElse(0));
        return out;
    }

    private static void verify(MemberProcess member, List<Ack> acked, long seed) throws Exception {
        Map<Long, Ack> byRevision = new HashMap<>();
        for (Ack a : acked) {
            Ack other = byRevision.put(a.revision(), a);
            assertTrue(other == null, "two acknowledged puts got revision " + a.revision() + ": " + a + ", " + other);
        }
        long highest = acked.stream().mapToLong(Ack::revision).max().orElseThrow();
        try (Client client = Client.builder().endpoints(member.clientUrl()).build()) {
            KV kv = client.getKVClient();
            // Read every round's keys with prefix ranges (paged), then compare.
            Map<String, KeyValue> present = new HashMap<>();
            for (String prefix : List.of("r1/", "r2/", "r3/")) {
                ByteSequence from = bs(prefix);
                ByteSequence end = bs(prefix.substring(0, prefix.length() - 1) + "0");
                while (true) {
                    GetResponse r = kv.get(from, GetOption.builder().withRange(end).withLimit(2000)
                            .withSortField(GetOption.SortTarget.KEY).build()).get(60, TimeUnit.SECONDS);
                    for (KeyValue k : r.getKvs()) {
                        present.put(k.getKey().toString(UTF_8), k);
                    }
                    if (!r.isMore() || r.getKvs().isEmpty()) {
                        break;
                    }
                    from = bs(r.getKvs().get(r.getKvs().size() - 1).getKey().toString(UTF_8) + "\0");
                }
            }
            List<String> lost = new ArrayList<>();
            for (Ack ack : acked) {
                KeyValue k = present.get(ack.key());
                if (k == null) {
                    lost.add(ack + " -> missing");
                } else if (!k.getValue().toString(UTF_8).equals(ack.value()) || k.getModRevision() != ack.revision()) {
                    lost.add(ack + " -> value " + k.getValue().toString(UTF_8) + " mod_revision " + k.getModRevision());
                }
            }
            assertEquals(List.of(), lost.size() > 20 ? lost.subList(0, 20) : lost,
                    lost.size() + " acknowledged writes lost or changed by kill -9 (seed " + seed + ")");
            long revision = kv.get(bs("r1/")).get(60, TimeUnit.SECONDS).getHeader().getRevision();
            assertTrue(revision >= highest, "store revision " + revision + " after restart is below the highest "
                    + "acknowledged revision " + highest + " (seed " + seed + ")");
            System.out.printf("[it] after restart: %d acknowledged puts present with their revisions, %d keys in "
                    + "the store, revision %d >= %d%n", acked.size(), present.size(), revision, highest);
        }
    }

    private static ByteSequence bs(String s) {
        return ByteSequence.from(s, UTF_8);
    }
}
