package dev.etcetera.it.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.etcetera.it.harness.EtcdProcess;
import dev.etcetera.it.harness.Etcdctl;
import dev.etcetera.it.harness.MemberProcess;
import dev.etcetera.it.harness.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code etcdctl lock} and {@code etcdctl elect} as users run them, against a real etcd 3.4 and a member in the
 * same run: the same scenario on each server in turn, each side's transcript masked ({@link LeaseIdMask}) and
 * compared; transcripts go to {@code target/differential/lock-elect-*.txt}. etcdctl 3.4 implements both
 * commands in the client (clientv3/concurrency: a session lease kept alive, a key {@code <name>/<lease hex>}
 * created in a transaction, waiting by watching the deletion of the key created just before one's own), so
 * these runs exercise the member's leases, transactions, create-revision ordering and watches together.
 *
 * <p><b>etcd's caveat, which holds for the member too: a lock is only as safe as its lease.</b> The lock is
 * the owner key, and the key lives exactly as long as the session lease. A holder that stalls (GC pause,
 * SIGSTOP, network partition) for longer than the lease TTL loses the key while it still believes it holds the
 * lock; the next waiter then gets the lock and both act at once ({@link #lockWaitsForTheHolderToExitOrItsLeaseToExpire}
 * shows the lock passing on when the holder's lease expires; LeaseMemberTest#holderWhoseLeaseExpiresLosesTheLock
 * shows it with jetcd). Mutual exclusion between live holders does not make the protected writes safe. The
 * remedy is fencing: the owner key's revision (etcdctl passes the lock's revision to the command as
 * {@code ETCD_LOCK_REV}, next to {@code ETCD_LOCK_KEY}) increases with every holder, so a write guarded by it,
 * e.g. a transaction comparing the owner key's create revision, or a resource that rejects tokens lower than the
 * highest it has seen, cannot be made by a holder that already lost the lock.
 * {@link #lockedIncrementsLoseNoUpdate} checks that these tokens do increase with every holder on both servers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LockElectEtcdctlDifferentialTest {
    /** Concurrent lock clients and the increments each makes: 30 critical sections, 90 etcdctl runs a side. */
    private static final int CLIENTS = 6;
    private static final int INCREMENTS = 5;
    /**
     * The critical section: read the counter, add one in the shell, write it back (a non-atomic read-modify-write
     * that loses updates without the lock), logging entry and exit with the holder's key and lock revision.
     */
    private static final String INCREMENT = """
            echo "enter $ETCD_LOCK_KEY $ETCD_LOCK_REV" >> "$HOLDERS"
            v=$("$CTL" --endpoints="$EP" get --print-value-only counter) || exit 10
            "$CTL" --endpoints="$EP" put counter $((v + 1)) > /dev/null || exit 11
            echo "exit $ETCD_LOCK_KEY" >> "$HOLDERS"
            """;

    private ServerProcess etcd;
    private ServerProcess member;

    @BeforeAll
    void start() {
        Assumptions.assumeTrue(MemberProcess.available(), "bin/etcetera not available");
        etcd = new EtcdProcess("lock-ref-etcd");
        member = new MemberProcess("lock-elect-ctl");
        CompletableFuture<Void> e = CompletableFuture.runAsync(etcd::start);
        try {
            member.start();
            e.join();
        } catch (RuntimeException failure) {
            stop();
            throw failure;
        }
        System.out.printf("[lock-it] %s ready in %d ms, %s in %d ms%n", member, member.startToReady().toMillis(),
                etcd, etcd.startToReady().toMillis());
    }

    @AfterAll
    void stop() {
        if (member != null) {
            member.close();
        }
        if (etcd != null) {
            etcd.close();
        }
    }

    /** One scenario run on one server; returns its transcript, masked. */
    private interface Scenario {
        String run(ServerProcess server) throws Exception;
    }

    /** Runs {@code scenario} on etcd, then on the member; returns etcd's transcript after asserting equality. */
    private String differential(String name, Scenario scenario) throws Exception {
        long begin = System.nanoTime();
        String ref = scenario.run(etcd);
        long mid = System.nanoTime();
        String sub = scenario.run(member);
        long end = System.nanoTime();
        Path dir = Paths.get("target", "differential");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("lock-elect-" + name + ".etcd.txt"), ref);
        Files.writeString(dir.resolve("lock-elect-" + name + ".member.txt"), sub);
        System.out.printf("[lock-it] %s: etcd %d ms, member %d ms; etcd's transcript:%n%s%n", name,
                TimeUnit.NANOSECONDS.toMillis(mid - begin), TimeUnit.NANOSECONDS.toMillis(end - mid), ref);
        assertEquals(ref, sub, name + ": the member's etcdctl transcript differs from etcd's (target/differential/lock-elect-"
                + name + ".*.txt)");
        return ref;
    }

    /**
     * {@value #CLIENTS} concurrent clients each run {@code etcdctl lock counter-lock -- sh -c <increment>}
     * {@value #INCREMENTS} times. Every run exits 0, the counter ends at clients x increments (no lost update),
     * the holders' log shows no two critical sections overlapping, and the lock revision handed to each holder
     * is higher than its predecessor's (the fencing token). etcd must produce exactly the expected summary; the
     * member must produce etcd's.
     */
    @Test
    void lockedIncrementsLoseNoUpdate() throws Exception {
        int sections = CLIENTS * INCREMENTS;
        String expected = String.join("\n",
                "etcdctl lock runs: " + sections + ", exit codes: {0=" + sections + "}",
                "critical sections entered: " + sections + ", left: " + sections + ", overlapping: 0",
                "holder keys under counter-lock/: " + sections + ", lock revisions increasing: true",
                "counter: " + sections);
        String ref = differential("counter", this::lockedIncrements);
        assertEquals(expected, ref, "etcd itself did not give the expected outcome: the test is wrong");
    }

    private String lockedIncrements(ServerProcess server) throws Exception {
        Etcdctl ctl = new Etcdctl(server.endpoint());
        Etcdctl.Result init = ctl.run("put", "counter", "0");
        assertEquals(0, init.exitCode(), "put counter 0: " + init);
        Path holders = Files.createTempFile("lease-it-holders-", ".log");
        Map<String, String> env = Map.of("CTL", Etcdctl.binary(), "EP", server.endpoint(), "HOLDERS", holders.toString());
        List<String> lock = List.of("lock", "counter-lock", "--", "sh", "-c", INCREMENT);
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<List<String>>> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                clients.add(pool.submit(() -> {
                    List<String> outcomes = new ArrayList<>();
                    for (int i = 0; i < INCREMENTS; i++) {
                        try (RunningEtcdctl run = new RunningEtcdctl(server.endpoint(), env, lock)) {
                            int exit = run.awaitExit(Duration.ofSeconds(90));
                            outcomes.add(exit == 0 ? "0" : exit + " stdout: " + run.stdout() + " stderr: " + run.stderr());
                        }
                    }
                    return outcomes;
                }));
            }
            Map<String, Integer> exits = new TreeMap<>();
            for (Future<List<String>> client : clients) {
                for (String outcome : client.get(300, TimeUnit.SECONDS)) {
                    exits.merge(outcome, 1, Integer::sum);
                }
            }
            Etcdctl.Result counter = ctl.run("get", "--print-value-only", "counter");
            assertEquals(0, counter.exitCode(), "get counter: " + counter);
            List<String> log = Files.readAllLines(holders);
            int entered = 0;
            int left = 0;
            int overlapping = 0;
            int keys = 0;
            boolean increasing = true;
            long lastRevision = 0;
            String holder = null;
            for (String line : log) {
                String[] f = line.split(" ");
                if (f[0].equals("enter")) {
                    entered++;
                    if (holder != null) {
                        overlapping++;
                    }
                    holder = f[1];
                    keys += f[1].startsWith("counter-lock/") ? 1 : 0;
                    long revision = Long.parseLong(f[2]);
                    increasing &= revision > lastRevision;
                    lastRevision = revision;
                } else {
                    left++;
                    if (!f[1].equals(holder)) {
                        overlapping++;
                    }
                    holder = null;
                }
            }
            return String.join("\n",
                    "etcdctl lock runs: " + exits.values().stream().mapToInt(Integer::intValue).sum() + ", exit codes: " + exits,
                    "critical sections entered: " + entered + ", left: " + left + ", overlapping: " + overlapping,
                    "holder keys under counter-lock/: " + keys + ", lock revisions increasing: " + increasing,
                    "counter: " + counter.stdout().strip());
        } finally {
            pool.shutdownNow();
            if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
                System.err.println("[lock-it] lock clients still running after 30 s");
            }
            Files.deleteIfExists(holders);
        }
    }

    /**
     * Lock hand-over, step by step: a second {@code etcdctl lock} waits (its key exists, it printed nothing) while
     * the first holds; SIGINT makes the first unlock and exit, and the second prints its key. A third waits behind
     * the second, which is then SIGKILLed: it cannot unlock, so its key, and the lock, go only when its session
     * lease (3 s) expires, and then the third gets the lock.
     */
    @Test
    void lockWaitsForTheHolderToExitOrItsLeaseToExpire() throws Exception {
        differential("lock-wait", server -> {
            Transcript t = new Transcript(server);
            try (RunningEtcdctl first = new RunningEtcdctl(server.endpoint(), List.of("lock", "handover"))) {
                first.awaitLines(2);
                t.output("first holds", first);
                try (RunningEtcdctl second = new RunningEtcdctl(server.endpoint(), List.of("lock", "--ttl=3", "handover"))) {
                    t.awaitKeys("handover", 2, "the second's key while it waits");
                    t.output("second while the first holds", second);
                    first.interrupt();
                    t.exit("first after SIGINT", first);
                    second.awaitLines(2);
                    t.output("second after the first exited", second);
                    t.ctl("get", "handover", "--prefix", "--keys-only");
                    String secondLease = second.stdout().strip().substring("handover/".length());
                    try (RunningEtcdctl third = new RunningEtcdctl(server.endpoint(), List.of("lock", "handover"))) {
                        t.awaitKeys("handover", 2, "the third's key while it waits");
                        t.output("third while the second holds", third);
                        second.kill9();
                        t.exit("second after SIGKILL", second);
                        third.awaitLines(2);
                        t.output("third after the second's lease expired", third);
                        t.ctl("lease", "timetolive", secondLease);
                        t.ctl("get", "handover", "--prefix", "--keys-only");
                        third.interrupt();
                        t.exit("third after SIGINT", third);
                    }
                }
                t.ctl("get", "handover", "--prefix", "--keys-only");
            }
            return t.text();
        });
    }

    /**
     * An observer ({@code etcdctl elect -l}) and three campaigners: the first leads, the second and third wait;
     * the third is interrupted while waiting (it withdraws its key and exits with "context canceled"); the first
     * is interrupted (resigns) and the second leads; then the second resigns. The observer prints every leader in
     * order and nothing for a withdrawn candidate.
     */
    @Test
    void electObserverSeesEveryLeader() throws Exception {
        differential("elect", server -> {
            Transcript t = new Transcript(server);
            try (RunningEtcdctl observer = new RunningEtcdctl(server.endpoint(), List.of("elect", "-l", "chair"));
                 RunningEtcdctl first = new RunningEtcdctl(server.endpoint(), List.of("elect", "chair", "first"))) {
                first.awaitLines(2);
                t.output("first leads", first);
                observer.awaitLines(2);
                t.output("observer", observer);
                try (RunningEtcdctl second = new RunningEtcdctl(server.endpoint(), List.of("elect", "chair", "second"))) {
                    t.awaitKeys("chair", 2, "the second candidate's key");
                    try (RunningEtcdctl third = new RunningEtcdctl(server.endpoint(), List.of("elect", "chair", "third"))) {
                        t.awaitKeys("chair", 3, "the third candidate's key");
                        t.output("second while the first leads", second);
                        t.output("third while the first leads", third);
                        third.interrupt();
                        t.exit("third after SIGINT while waiting", third);
                    }
                    t.ctl("get", "chair", "--prefix");
                    first.interrupt();
                    t.exit("first after SIGINT", first);
                    second.awaitLines(2);
                    t.output("second leads", second);
                    observer.awaitLines(4);
                    t.output("observer", observer);
                    t.ctl("get", "chair", "--prefix");
                    second.interrupt();
                    t.exit("second after SIGINT", second);
                }
                t.ctl("get", "chair", "--prefix");
                observer.interrupt();
                t.exit("observer after SIGINT", observer);
            }
            return t.text();
        });
    }

    /** One side's transcript of a step-by-step scenario, masked as it is written. */
    private static final class Transcript {
        private final Etcdctl ctl;
        private final LeaseIdMask mask = new LeaseIdMask();
        private final StringBuilder text = new StringBuilder();

        Transcript(ServerProcess server) {
            this.ctl = new Etcdctl(server.endpoint());
        }

        /** Runs a short etcdctl command and records it. */
        void ctl(String... args) {
            Etcdctl.Result r = ctl.run(args);
            text.append("$ etcdctl ").append(mask.apply(String.join(" ", args))).append("\nexit ").append(r.exitCode())
                    .append("\nstdout: ").append(mask.apply(r.stdout()))
                    .append("\nstderr: ").append(mask.apply(r.stderr())).append('\n');
        }

        /** Records what a running etcdctl has printed so far (and that it is still running). */
        void output(String label, RunningEtcdctl p) throws Exception {
            text.append("# ").append(label).append(" (etcdctl ").append(mask.apply(p.command())).append("), running: ")
                    .append(p.alive())
                    .append("\nstdout: ").append(mask.apply(p.stdout()))
                    .append("\nstderr: ").append(mask.apply(p.stderr())).append('\n');
        }

        /** Waits (bounded) for the process to exit and records its exit code and full output. */
        void exit(String label, RunningEtcdctl p) throws Exception {
            int code = p.awaitExit();
            text.append("# ").append(label).append(" (etcdctl ").append(mask.apply(p.command())).append("): exit ")
                    .append(code)
                    .append("\nstdout: ").append(mask.apply(p.stdout()))
                    .append("\nstderr: ").append(mask.apply(p.stderr())).append('\n');
        }

        /**
         * Waits until exactly {@code n} keys exist under {@code prefix}: how the test knows a waiting lock or
         * campaign has registered (etcdctl prints nothing until it holds or leads). Not recorded: the poll count
         * is timing.
         */
        void awaitKeys(String prefix, int n, String what) {
            String[] last = {""};
            try {
                Waits.until(() -> {
                    Etcdctl.Result r = ctl.run("get", prefix + "/", "--prefix", "--keys-only");
                    last[0] = r.exitCode() + " " + r.stdout() + r.stderr();
                    return r.exitCode() == 0 && Arrays.stream(r.stdout().split("\n")).filter(l -> !l.isBlank()).count() == n;
                }, Duration.ofSeconds(60), what + " (" + n + " keys under " + prefix + "/)");
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; last seen: " + last[0], e);
            }
            text.append("# ").append(n).append(" keys under ").append(prefix).append("/\n");
        }

        String text() {
            return text.toString();
        }
    }
}
