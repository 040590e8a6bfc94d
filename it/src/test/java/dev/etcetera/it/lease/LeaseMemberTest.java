package dev.etcetera.it.lease;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.etcetera.it.harness.MemberProcess;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Election;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.election.CampaignResponse;
import io.etcd.jetcd.election.LeaderKey;
import io.etcd.jetcd.election.LeaderResponse;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.support.CloseableClient;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Leases, locks and elections on a real member with jetcd (the Java etcd client, unchanged). One member for
 * the class; each test uses its own key prefix. TTLs are short (the minimum, 2 s with etcd's default timing)
 * and every wait is bounded.
 */
class LeaseMemberTest {
    private static MemberProcess member;
    private static Client client;

    @BeforeAll
    static void start() {
        Assumptions.assumeTrue(MemberProcess.available(), "bin/etcetera not available");
        member = new MemberProcess("lease-member");
        member.start();
        System.out.printf("[it] %s started in %d ms%n", member, member.startToReady().toMillis());
        client = Client.builder().endpoints(member.clientUrl()).build();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (member != null) {
            member.close();
        }
    }

    static ByteSequence bs(String s) {
        return ByteSequence.from(s, UTF_8);
    }

    static long grant(long ttl) {
        return Waits.get(client.getLeaseClient().grant(ttl), "lease grant").getID();
    }

    static GetResponse get(String key, long rev) {
        return Waits.get(client.getKVClient().get(bs(key), GetOption.builder().withRevision(rev).build()), "get " + key);
    }

    static long ttl(long lease) {
        return Waits.get(client.getLeaseClient().timeToLive(lease, LeaseOption.DEFAULT), "timetolive").getTTL();
    }

    @Test
    void expiredLeaseDeletesAllItsKeysInOneRevision() {
        long lease = grant(2);
        KV kv = client.getKVClient();
        for (String k : List.of("exp/a", "exp/b", "exp/c")) {
            Waits.get(kv.put(bs(k), bs("v"), PutOption.builder().withLeaseId(lease).build()), "put " + k);
        }
        long other = grant(60);
        long lastPut = Waits.get(kv.put(bs("exp/other"), bs("v"), PutOption.builder().withLeaseId(other).build()), "put")
                .getHeader().getRevision();
        assertEquals(3, Waits.get(client.getLeaseClient().timeToLive(lease, LeaseOption.builder().withAttachedKeys().build()),
                "ttl with keys").getKeys().size());
        Waits.until(() -> ttl(lease) == -1, Duration.ofSeconds(30), "lease " + lease + " (TTL 2 s) to expire and be revoked");
        GetResponse after = Waits.get(kv.get(bs("exp/"), GetOption.builder().isPrefix(true).build()), "get exp/");
        assertEquals(List.of("exp/other"), after.getKvs().stream().map(x -> x.getKey().toString(UTF_8)).toList());
        // the three deletes share one revision: they exist at revoke-1 and are gone at revoke (other tests'
        // leases may expire meanwhile on this shared member, so find the revision where exp/a went)
        long now = after.getHeader().getRevision();
        long revoked = lastPut + 1;
        while (revoked <= now && get("exp/a", revoked).getCount() == 1) {
            revoked++;
        }
        assertTrue(revoked <= now, "exp/a is gone by revision " + now);
        for (String k : List.of("exp/a", "exp/b", "exp/c")) {
            assertEquals(1, get(k, revoked - 1).getCount(), k + " before the revoke");
            assertEquals(0, get(k, revoked).getCount(), k + " deleted at the revoke revision " + revoked);
        }
        Waits.get(client.getLeaseClient().revoke(other), "revoke other");
    }

    /**
     * A watcher on the lease's keys sees both puts, then both deletes of the expiry in one revision, delivered
     * together in one watch response (etcd sends each revision's events in one response), after the puts.
     */
    @Test
    void watchersSeeTheDeletesOfAnExpiredLease() throws Exception {
        long lease = grant(2);
        KV kv = client.getKVClient();
        long start = Waits.get(kv.put(bs("wexp/a"), bs("v"), PutOption.builder().withLeaseId(lease).build()), "put").getHeader().getRevision();
        long lastPut = Waits.get(kv.put(bs("wexp/b"), bs("v"), PutOption.builder().withLeaseId(lease).build()), "put")
                .getHeader().getRevision();
        List<WatchResponse> responses = new CopyOnWriteArrayList<>();
        CompletableFuture<Throwable> failed = new CompletableFuture<>();
        try (Watch.Watcher w = client.getWatchClient().watch(bs("wexp/"),
                WatchOption.builder().isPrefix(true).withRevision(start).build(),
                Watch.listener(responses::add, failed::complete))) {
            Waits.until(() -> eventCount(responses) >= 2 || failed.isDone(), Duration.ofSeconds(20), "the two puts to be watched");
            assertFalse(failed.isDone(), "the watch failed: " + failed.getNow(null));
            Waits.until(() -> eventCount(responses) >= 4 || failed.isDone(), Duration.ofSeconds(30),
                    "the deletes of the expired lease's keys");
            assertFalse(failed.isDone(), "the watch failed: " + failed.getNow(null));
        }
        List<WatchEvent> events = responses.stream().flatMap(r -> r.getEvents().stream()).toList();
        assertEquals(List.of("PUT wexp/a", "PUT wexp/b", "DELETE wexp/a", "DELETE wexp/b"),
                events.stream().map(e -> e.getEventType() + " " + e.getKeyValue().getKey().toString(UTF_8)).toList(),
                "the watched events in order");
        List<WatchResponse> withDeletes = responses.stream()
                .filter(r -> r.getEvents().stream().anyMatch(e -> e.getEventType() == WatchEvent.EventType.DELETE)).toList();
        assertEquals(1, withDeletes.size(), "both deletes in one watch response: " + responses.size() + " responses");
        List<WatchEvent> deletes = withDeletes.get(0).getEvents();
        long revoked = deletes.get(0).getKeyValue().getModRevision();
        assertEquals(List.of(revoked, revoked), deletes.stream().map(e -> e.getKeyValue().getModRevision()).toList(),
                "both deletes at one revision");
        assertTrue(revoked > lastPut, "the revoke (revision " + revoked + ") follows the last put (" + lastPut + ")");
    }

    private static long eventCount(List<WatchResponse> responses) {
        return responses.stream().mapToLong(r -> r.getEvents().size()).sum();
    }

    /**
     * N clients increment a counter with a non-atomic read-modify-write, each under the Lock service with its
     * own kept-alive lease. No update may be lost, and holders never overlap. (etcd's caveat: this holds only
     * while each holder's lease outlives its critical section; see {@link #holderWhoseLeaseExpiresLosesTheLock}.)
     */
    @Test
    void concurrentIncrementsUnderLockLoseNoUpdate() throws Exception {
        int clients = 4;
        int increments = 8;
        KV kv = client.getKVClient();
        Waits.get(kv.put(bs("cnt/value"), bs("0")), "init counter");
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Client> clientsList = new ArrayList<>();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                Client own = Client.builder().endpoints(member.clientUrl()).build();
                clientsList.add(own);
                futures.add(pool.submit(() -> {
                    long lease = Waits.get(own.getLeaseClient().grant(10), "grant").getID();
                    try (CloseableClient keepAlive = own.getLeaseClient().keepAlive(lease, ignoring())) {
                        for (int i = 0; i < increments; i++) {
                            ByteSequence key = Waits.get(own.getLockClient().lock(bs("cnt/lock"), lease), "lock").getKey();
                            if (inside.incrementAndGet() != 1) {
                                overlaps.incrementAndGet();
                            }
                            KV okv = own.getKVClient();
                            long n = Long.parseLong(Waits.get(okv.get(bs("cnt/value")), "read").getKvs().get(0).getValue().toString(UTF_8));
                            Waits.get(okv.put(bs("cnt/value"), bs(Long.toString(n + 1))), "write");
                            inside.decrementAndGet();
                            Waits.get(own.getLockClient().unlock(key), "unlock");
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            clientsList.forEach(Client::close);
        }
        assertEquals(0, overlaps.get(), "two holders at once");
        assertEquals(Integer.toString(clients * increments),
                Waits.get(kv.get(bs("cnt/value")), "counter").getKvs().get(0).getValue().toString(UTF_8), "lost updates");
    }

    /** Waits (bounded) until exactly {@code n} keys exist under {@code prefix}: how a test knows a waiter has registered. */
    private static void awaitKeys(String prefix, long n, String what) {
        Waits.until(() -> Waits.get(client.getKVClient().get(bs(prefix), GetOption.builder().isPrefix(true).build()),
                "get " + prefix).getCount() == n, Duration.ofSeconds(20), what);
    }

    private static StreamObserver<LeaseKeepAliveResponse> ignoring() {
        return new StreamObserver<>() {
            @Override
            public void onNext(LeaseKeepAliveResponse value) {
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        };
    }

    /**
     * A holder that stops keeping its lease alive loses the lock when the lease expires, and the next waiter
     * gets it. This is etcd's documented caveat: a paused holder may still believe it holds the lock, so a lock
     * is only as safe as its lease (fence writes with the lock key's revision).
     */
    @Test
    void holderWhoseLeaseExpiresLosesTheLock() {
        long holderLease = grant(2); // never kept alive
        long waiterLease = grant(60);
        ByteSequence held = Waits.get(client.getLockClient().lock(bs("exl"), holderLease), "holder lock").getKey();
        CompletableFuture<io.etcd.jetcd.lock.LockResponse> waiter = client.getLockClient().lock(bs("exl"), waiterLease);
        awaitKeys("exl/", 2, "the waiter's key beside the holder's");
        assertFalse(waiter.isDone(), "the waiter must wait while the holder's lease lives");
        io.etcd.jetcd.lock.LockResponse got = Waits.get(waiter, "the waiter to get the lock after the holder's lease expired");
        assertEquals("exl/" + Long.toHexString(waiterLease), got.getKey().toString(UTF_8));
        assertEquals(0, Waits.get(client.getKVClient().get(held), "holder key").getCount(), "the holder's key went with its lease");
        Waits.get(client.getLockClient().unlock(got.getKey()), "unlock");
        Waits.get(client.getLeaseClient().revoke(waiterLease), "revoke");
    }

    @Test
    void electionHandsOverOnResignAndOnExpiry() {
        Election election = client.getElectionClient();
        ByteSequence name = bs("elect-it");
        List<String> observed = new CopyOnWriteArrayList<>();
        Set<Throwable> observeErrors = ConcurrentHashMap.newKeySet();
        long alice = grant(60);
        long bob = grant(2);
        LeaderKey a = Waits.get(election.campaign(name, alice, bs("alice")), "alice campaigns").getLeader();
        election.observe(name, new Election.Listener() {
            @Override
            public void onNext(LeaderResponse r) {
                observed.add(r.getKv().getValue().toString(UTF_8));
            }

            @Override
            public void onError(Throwable t) {
                observeErrors.add(t);
            }

            @Override
            public void onCompleted() {
            }
        });
        Waits.until(() -> observed.contains("alice"), Duration.ofSeconds(20), "observe to report alice");
        CompletableFuture<CampaignResponse> bobCampaign = election.campaign(name, bob, bs("bob"));
        awaitKeys("elect-it/", 2, "bob's candidate key behind alice's");
        Waits.get(election.proclaim(a, bs("alice-2")), "alice proclaims");
        assertFalse(bobCampaign.isDone(), "bob waits while alice leads");
        // keep bob's lease alive until he leads, then let it expire
        try (CloseableClient keepBob = client.getLeaseClient().keepAlive(bob, ignoring())) {
            Waits.get(election.resign(a), "alice resigns");
            LeaderKey b = Waits.get(bobCampaign, "bob to lead after alice resigned").getLeader();
            assertEquals("elect-it/" + Long.toHexString(bob), b.getKey().toString(UTF_8));
            assertEquals("bob", Waits.get(election.leader(name), "leader").getKv().getValue().toString(UTF_8));
        }
        // alice campaigns again behind bob; bob stops keeping his lease alive and loses it: alice leads
        LeaderKey a2 = Waits.get(election.campaign(name, alice, bs("alice-again")), "alice after bob's lease expired").getLeader();
        assertEquals("alice-again", Waits.get(election.leader(name), "leader").getKv().getValue().toString(UTF_8));
        Waits.until(() -> observed.size() >= 4, Duration.ofSeconds(20), "observe to see every change, saw " + observed);
        assertEquals(List.of("alice", "alice-2", "bob", "alice-again"), observed, "observe sees every change in order");
        assertTrue(observeErrors.isEmpty(), "observe failed: " + observeErrors);
        Waits.get(election.resign(a2), "resign");
        Waits.get(client.getLeaseClient().revoke(alice), "revoke");
    }
}
