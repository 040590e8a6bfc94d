package dev.etcetera.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.etcetera.it.harness.MemberProcess;
import dev.etcetera.it.harness.ServerProcess;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.PutResponse;
import io.etcd.jetcd.options.GetOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Durability under kill -9: every write the server acknowledged is present after a crash and restart on the same
 * data dir, with the same value and mod revision, and the store revision did not go backwards.
 *
 * <p>Phase 1 makes sequential acknowledged puts; phase 2 keeps puts in flight and kills the server once a given
 * number of them were acknowledged, so the crash lands mid-stream. Keys and values come from a seeded random
 * source; the seed is printed ({@code -Detcetera.it.seed=N} reproduces the request sequence). It ends with the
 * launcher contract (one ready line per start, graceful stop on SIGTERM), which saves a member start elsewhere.
 */
class CrashRecoveryTest {
    private static final int SEQUENTIAL_PUTS = 300;
    private static final int INFLIGHT_PUTS = 200;
    private static final int ACKS_BEFORE_KILL = 80;

    /** An acknowledged write. */
    private record Ack(String key, String value, long revision) {
    }

    @Test
    void acknowledgedWritesSurviveKill9() throws Exception {
        long seed = Long.getLong("etcetera.it.seed", System.nanoTime());
        System.out.println("[it] CrashRecoveryTest seed " + seed);
        Random random = new Random(seed);
        try (ServerProcess server = ServerPair.newSubject("crash")) {
            server.start();
            Map<String, Ack> acked = new ConcurrentHashMap<>();
            long lastSeenRevision;
            try (Client client = Client.builder().endpoints(server.clientUrl()).build()) {
                KV kv = client.getKVClient();
                for (int i = 0; i < SEQUENTIAL_PUTS; i++) {
                    String key = "crash/" + random.nextInt(SEQUENTIAL_PUTS / 2);
                    String value = Long.toHexString(random.nextLong());
                    PutResponse r = kv.put(bs(key), bs(value)).get(30, TimeUnit.SECONDS);
                    acked.put(key, new Ack(key, value, r.getHeader().getRevision()));
                }
                // Distinct keys in flight, so each acknowledgement is the final state of its key.
                CountDownLatch enoughAcks = new CountDownLatch(ACKS_BEFORE_KILL);
                for (int i = 0; i < INFLIGHT_PUTS; i++) {
                    String key = "inflight/" + i;
                    String value = Long.toHexString(random.nextLong());
                    kv.put(bs(key), bs(value)).thenAccept(r -> {
                        acked.put(key, new Ack(key, value, r.getHeader().getRevision()));
                        enoughAcks.countDown();
                    });
                }
                assertTrue(enoughAcks.await(60, TimeUnit.SECONDS),
                        "waited 60s for " + ACKS_BEFORE_KILL + " of " + INFLIGHT_PUTS + " in-flight puts to be acknowledged");
                server.kill9();
            }
            List<Ack> snapshot = new ArrayList<>(acked.values());
            lastSeenRevision = snapshot.stream().mapToLong(Ack::revision).max().orElseThrow();
            System.out.printf("[it] killed %s with %d acknowledged keys, highest acknowledged revision %d%n",
                    server, snapshot.size(), lastSeenRevision);

            server.start();
            try (Client client = Client.builder().endpoints(server.clientUrl()).build()) {
                KV kv = client.getKVClient();
                List<String> lost = new ArrayList<>();
                for (Ack ack : snapshot) {
                    GetResponse r = kv.get(bs(ack.key())).get(30, TimeUnit.SECONDS);
                    if (r.getKvs().isEmpty()) {
                        lost.add(ack + " -> missing");
                        continue;
                    }
                    KeyValue kvAfter = r.getKvs().get(0);
                    if (!kvAfter.getValue().toString(UTF_8).equals(ack.value()) || kvAfter.getModRevision() != ack.revision()) {
                        lost.add(ack + " -> value " + kvAfter.getValue().toString(UTF_8) + " mod_revision " + kvAfter.getModRevision());
                    }
                }
                assertEquals(List.of(), lost, "acknowledged writes lost or changed by kill -9 (seed " + seed + ")");
                long revisionAfter = kv.get(bs("crash/"), GetOption.builder().isPrefix(true).withCountOnly(true).build())
                        .get(30, TimeUnit.SECONDS).getHeader().getRevision();
                assertTrue(revisionAfter >= lastSeenRevision, "store revision went backwards: " + revisionAfter
                        + " after restart < " + lastSeenRevision + " acknowledged before (seed " + seed + ")");
                long next = kv.put(bs("crash/after"), bs("x")).get(30, TimeUnit.SECONDS).getHeader().getRevision();
                assertEquals(revisionAfter + 1, next, "first write after restart takes the next revision");
            }
            // The launcher contract, checked here to spare a member start: one ready line per start, graceful SIGTERM.
            if (server instanceof MemberProcess member) {
                assertEquals(1, member.readyLineCount(), "exactly one '" + MemberProcess.READY_LINE + "' line per start");
            }
            int code = server.stop();
            assertFalse(server.lastStopEscalated(), "SIGTERM honoured within " + ServerProcess.STOP_GRACE);
            // 0, or 128+15 when the runtime re-raises SIGTERM after its shutdown hooks (etcd and the JVM do)
            assertTrue(code == 0 || code == 143, "exit code after SIGTERM: " + code);
        }
    }

    private static ByteSequence bs(String s) {
        return ByteSequence.from(s, UTF_8);
    }
}
