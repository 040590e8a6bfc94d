package dev.etcetera.concurrency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.etcetera.api.etcdserverpb.LeaseGrantRequest;
import dev.etcetera.api.etcdserverpb.RangeRequest;
import dev.etcetera.api.v3electionpb.CampaignRequest;
import dev.etcetera.api.v3electionpb.CampaignResponse;
import dev.etcetera.api.v3electionpb.LeaderRequest;
import dev.etcetera.api.v3electionpb.LeaderResponse;
import dev.etcetera.api.v3electionpb.ProclaimRequest;
import dev.etcetera.api.v3electionpb.ResignRequest;
import dev.etcetera.api.v3lockpb.LockRequest;
import dev.etcetera.api.v3lockpb.LockResponse;
import dev.etcetera.api.v3lockpb.UnlockRequest;
import dev.etcetera.lease.FakeClock;
import dev.etcetera.lease.LeaseOptions;
import dev.etcetera.mvcc.MemoryBackend;
import dev.etcetera.server.EtcdError;
import dev.etcetera.server.EtcdException;
import dev.etcetera.server.MemberInfo;
import dev.etcetera.server.ServerLimits;
import dev.etcetera.server.SingleMemberServer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Lock and Election over a single member on a fake clock (lease expiry driven by the test). */
class LockElectionTest {
    static final MemberInfo INFO = new MemberInfo(1, 2, "default", List.of("http://127.0.0.1:2380"),
            List.of("http://127.0.0.1:2379"), "3.6.0", "3.6.0");

    final FakeClock clock = new FakeClock();
    final SingleMemberServer server = SingleMemberServer.open(INFO, ServerLimits.defaults(), new MemoryBackend(),
            LeaseOptions.defaults().withCheckIntervalNanos(TimeUnit.MILLISECONDS.toNanos(5)), clock);
    final Locks locks = new Locks(server);
    final Elections elections = new Elections(server);

    @AfterEach
    void close() {
        server.close();
    }

    static <T> T await(CompletableFuture<T> f, String what) {
        try {
            return f.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new AssertionError(what + " failed", e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("timed out after 20 s waiting for " + what);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + what);
        }
    }

    static ByteString b(String s) {
        return ByteString.copyFromUtf8(s);
    }

    long lease(long ttl) {
        return await(server.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(ttl).build()), "grant").getID();
    }

    /** True if {@code f} is still pending after every write so far has been applied. */
    boolean stillWaiting(CompletableFuture<?> f) {
        await(server.range(RangeRequest.newBuilder().setKey(b("sync")).build()), "a linearizable read");
        return !f.isDone();
    }

    @Test
    void lockIsGrantedInCreateRevisionOrder() {
        long l1 = lease(30);
        long l2 = lease(30);
        LockResponse first = await(locks.lock(LockRequest.newBuilder().setName(b("m")).setLease(l1).build(), () -> false), "lock 1");
        assertEquals(b("m/" + Long.toHexString(l1)), first.getKey());
        CompletableFuture<LockResponse> second = locks.lock(LockRequest.newBuilder().setName(b("m")).setLease(l2).build(), () -> false);
        assertTrue(stillWaiting(second), "the second waiter waits for the first");
        // a lock on another name is independent
        await(locks.lock(LockRequest.newBuilder().setName(b("other")).setLease(l2).build(), () -> false), "other lock");
        assertTrue(stillWaiting(second));
        await(locks.unlock(UnlockRequest.newBuilder().setKey(first.getKey()).build()), "unlock");
        LockResponse got = await(second, "lock 2 after unlock");
        assertEquals(b("m/" + Long.toHexString(l2)), got.getKey());
        assertTrue(got.getHeader().getRevision() > first.getHeader().getRevision());
        // re-locking with the lease that holds it returns at once (the key is reused)
        assertEquals(got.getKey(), await(locks.lock(LockRequest.newBuilder().setName(b("m")).setLease(l2).build(), () -> false), "relock").getKey());
    }

    @Test
    void lockWithUnknownLeaseFailsAndLeaseZeroMakesASession() {
        EtcdException e = assertThrows(EtcdException.class,
                () -> await(locks.lock(LockRequest.newBuilder().setName(b("m")).setLease(999).build(), () -> false), "lock"));
        assertEquals(EtcdError.LEASE_NOT_FOUND, e.error());
        LockResponse r = await(locks.lock(LockRequest.newBuilder().setName(b("m")).build(), () -> false), "lock without lease");
        long lease = Long.parseLong(r.getKey().toStringUtf8().substring(2), 16);
        assertEquals(60, server.lessor().timeToLive(lease, false).grantedTtl(), "etcd's 60 s session lease");
    }

    @Test
    void holderWhoseLeaseExpiresLosesTheLock() {
        long holder = lease(5);
        long waiter = lease(60);
        await(locks.lock(LockRequest.newBuilder().setName(b("m")).setLease(holder).build(), () -> false), "holder");
        CompletableFuture<LockResponse> next = locks.lock(LockRequest.newBuilder().setName(b("m")).setLease(waiter).build(), () -> false);
        assertTrue(stillWaiting(next));
        // the holder stalls (no keepalive) past its TTL: its key goes with the lease. etcd's caveat: the
        // holder may still believe it holds the lock; a lock is only as safe as its lease.
        clock.advance(5, TimeUnit.SECONDS);
        assertEquals(b("m/" + Long.toHexString(waiter)), await(next, "the waiter after the holder's lease expired").getKey());
    }

    @Test
    void waiterWhoseLeaseExpiresWhileWaitingGetsSessionExpired() {
        long holder = lease(60);
        long waiter = lease(5);
        LockResponse h = await(locks.lock(LockRequest.newBuilder().setName(b("m")).setLease(holder).build(), () -> false), "holder");
        CompletableFuture<LockResponse> next = locks.lock(LockRequest.newBuilder().setName(b("m")).setLease(waiter).build(), () -> false);
        assertTrue(stillWaiting(next));
        clock.advance(5, TimeUnit.SECONDS); // the waiter's lease expires while it waits
        long revokedAt = server.revision() + 1;
        await(server.revisionAbove(revokedAt - 1), "the revoke");
        await(locks.unlock(UnlockRequest.newBuilder().setKey(h.getKey()).build()), "unlock");
        EtcdException e = assertThrows(EtcdException.class, () -> await(next, "waiter"));
        assertEquals(EtcdError.LOCK_SESSION_EXPIRED, e.error(), "etcd #11408: no lock without a live session");
    }

    /** The keys under {@code prefix}, in key order (a linearizable read). */
    List<String> keys(String prefix) {
        return await(server.range(RangeRequest.newBuilder().setKey(b(prefix)).setRangeEnd(PrefixWait.prefixEnd(b(prefix))).build()),
                "range " + prefix).getKvsList().stream().map(kv -> kv.getKey().toStringUtf8()).toList();
    }

    /**
     * A waiter whose caller gave up (gRPC cancel) must not be handed the lock when the holder leaves: nobody
     * would ever unlock it. etcd's waitDeletes returns the context's error and the waiter's key is deleted;
     * here the key goes when the wait next looks, at the holder's unlock, and the next waiter gets the lock.
     */
    @Test
    void aCancelledWaiterGivesUpItsPlaceEvenWhenTheLockFreesUp() {
        long holder = lease(60);
        long quitter = lease(60);
        long patient = lease(60);
        java.util.concurrent.atomic.AtomicBoolean gaveUp = new java.util.concurrent.atomic.AtomicBoolean();
        LockResponse h = await(locks.lock(LockRequest.newBuilder().setName(b("c")).setLease(holder).build(), () -> false), "holder");
        CompletableFuture<LockResponse> q = locks.lock(LockRequest.newBuilder().setName(b("c")).setLease(quitter).build(), gaveUp::get);
        assertTrue(stillWaiting(q));
        CompletableFuture<LockResponse> p = locks.lock(LockRequest.newBuilder().setName(b("c")).setLease(patient).build(), () -> false);
        assertTrue(stillWaiting(p));
        gaveUp.set(true);
        await(locks.unlock(UnlockRequest.newBuilder().setKey(h.getKey()).build()), "unlock");
        assertThrows(java.util.concurrent.CancellationException.class, () -> await(q, "the cancelled waiter"));
        assertEquals(b("c/" + Long.toHexString(patient)), await(p, "the next waiter, behind the cancelled one").getKey());
        assertEquals(List.of("c/" + Long.toHexString(patient)), keys("c/"), "the cancelled waiter's key is gone");
    }

    /**
     * A caller that signals when it gives up (a gRPC client cancelling its call) leaves the queue at once, with
     * no other write needed to wake the wait (etcd's Mutex and Campaign unlock/resign on the context's end).
     */
    @Test
    void aSignalledCancelLeavesTheQueueAtOnce() {
        long holder = lease(60);
        long quitter = lease(60);
        long candidate = lease(60);
        LockResponse h = await(locks.lock(LockRequest.newBuilder().setName(b("s")).setLease(holder).build(), () -> false), "holder");
        CompletableFuture<Void> lockGone = new CompletableFuture<>();
        CompletableFuture<LockResponse> q = locks.lock(LockRequest.newBuilder().setName(b("s")).setLease(quitter).build(),
                Cancellation.signalled(lockGone));
        assertTrue(stillWaiting(q));
        CompletableFuture<Void> campaignGone = new CompletableFuture<>();
        CompletableFuture<CampaignResponse> c = elections.campaign(CampaignRequest.newBuilder().setName(b("s")).setLease(candidate)
                .setValue(b("c")).build(), Cancellation.signalled(campaignGone));
        assertTrue(stillWaiting(c));
        assertEquals(3, keys("s/").size());
        long rev = server.revision();
        lockGone.complete(null);
        assertThrows(java.util.concurrent.CancellationException.class, () -> await(q, "the cancelled lock"));
        campaignGone.complete(null);
        assertThrows(java.util.concurrent.CancellationException.class, () -> await(c, "the cancelled campaign"));
        assertEquals(List.of(h.getKey().toStringUtf8()), keys("s/"), "both gave up their keys; the holder still holds");
        assertEquals(rev + 2, server.revision(), "two deletes, and no other write was needed to wake the waits");
    }

    /** The same for a campaign: a candidate that gave up resigns instead of becoming a leader nobody serves. */
    @Test
    void aCancelledCandidateResignsEvenWhenLeadershipFreesUp() {
        long a = lease(60);
        long quitter = lease(60);
        java.util.concurrent.atomic.AtomicBoolean gaveUp = new java.util.concurrent.atomic.AtomicBoolean();
        CampaignResponse ca = await(elections.campaign(CampaignRequest.newBuilder().setName(b("ce")).setLease(a).setValue(b("a")).build(),
                () -> false), "campaign a");
        CompletableFuture<CampaignResponse> q = elections.campaign(CampaignRequest.newBuilder().setName(b("ce")).setLease(quitter)
                .setValue(b("q")).build(), gaveUp::get);
        assertTrue(stillWaiting(q));
        gaveUp.set(true);
        await(elections.resign(ResignRequest.newBuilder().setLeader(ca.getLeader()).build()), "resign");
        assertThrows(java.util.concurrent.CancellationException.class, () -> await(q, "the cancelled candidate"));
        assertEquals(List.of(), keys("ce/"), "nobody leads");
        EtcdException none = assertThrows(EtcdException.class,
                () -> await(elections.leader(LeaderRequest.newBuilder().setName(b("ce")).build()), "leader"));
        assertEquals(EtcdError.ELECTION_NO_LEADER, none.error());
    }

    /**
     * etcd's Proclaim puts the leader key with the lease the request's leader key names (its session): another
     * existing lease takes the key over, an unknown one fails the proclamation, lease 0 opens a new 60 s session
     * lease. Resign with a stale key succeeds and changes nothing.
     */
    @Test
    void proclaimUsesTheLeaseOfTheLeaderKey() {
        long a = lease(60);
        long other = lease(90);
        CampaignResponse ca = await(elections.campaign(CampaignRequest.newBuilder().setName(b("pl")).setLease(a).setValue(b("v1")).build(),
                () -> false), "campaign");
        String key = "pl/" + Long.toHexString(a);
        await(elections.proclaim(ProclaimRequest.newBuilder().setLeader(ca.getLeader().toBuilder().setLease(other)).setValue(b("v2")).build()),
                "proclaim with another lease");
        assertEquals(other, await(server.range(RangeRequest.newBuilder().setKey(b(key)).build()), "get").getKvs(0).getLease());
        assertEquals(List.of(b(key)), server.lessor().timeToLive(other, true).keys(), "the key moved to the named lease");
        assertEquals(List.of(), server.lessor().timeToLive(a, true).keys());
        EtcdException unknown = assertThrows(EtcdException.class, () -> await(elections.proclaim(ProclaimRequest.newBuilder()
                .setLeader(ca.getLeader().toBuilder().setLease(0x7777)).setValue(b("v3")).build()), "proclaim with an unknown lease"));
        assertEquals(EtcdError.LEASE_NOT_FOUND, unknown.error());
        int leasesBefore = server.lessor().size();
        await(elections.proclaim(ProclaimRequest.newBuilder().setLeader(ca.getLeader().toBuilder().setLease(0)).setValue(b("v4")).build()),
                "proclaim with lease 0");
        assertEquals(leasesBefore + 1, server.lessor().size(), "a session lease was granted");
        long session = await(server.range(RangeRequest.newBuilder().setKey(b(key)).build()), "get").getKvs(0).getLease();
        assertEquals(60, server.lessor().timeToLive(session, false).grantedTtl(), "etcd's 60 s session lease holds the key now");
        await(elections.resign(ResignRequest.newBuilder().setLeader(ca.getLeader().toBuilder().setRev(ca.getLeader().getRev() + 99)).build()),
                "resign with a stale key");
        assertEquals(List.of(key), keys("pl/"), "a stale resign deletes nothing");
        await(elections.resign(ResignRequest.newBuilder().setLeader(ca.getLeader()).build()), "resign");
        assertEquals(List.of(), keys("pl/"));
    }

    @Test
    void electionCampaignProclaimResignObserve() {
        long a = lease(30);
        long b2 = lease(30);
        LinkedBlockingQueue<LeaderResponse> seen = new LinkedBlockingQueue<>();
        boolean[] stop = {false};
        CompletableFuture<Void> observing = elections.observe(LeaderRequest.newBuilder().setName(b("e")).build(), seen::add, () -> stop[0]);

        EtcdException none = assertThrows(EtcdException.class,
                () -> await(elections.leader(LeaderRequest.newBuilder().setName(b("e")).build()), "leader"));
        assertEquals(EtcdError.ELECTION_NO_LEADER, none.error());
        assertEquals("election: no leader", none.getMessage());

        CampaignResponse ca = await(elections.campaign(CampaignRequest.newBuilder().setName(b("e")).setLease(a).setValue(b("alice")).build(), () -> false), "campaign a");
        assertEquals(b("e/" + Long.toHexString(a)), ca.getLeader().getKey());
        assertEquals(ca.getHeader().getRevision(), ca.getLeader().getRev());
        CompletableFuture<CampaignResponse> cb = elections.campaign(CampaignRequest.newBuilder().setName(b("e")).setLease(b2).setValue(b("bob")).build(), () -> false);
        assertTrue(stillWaiting(cb), "bob waits behind alice");
        assertEquals(b("alice"), await(elections.leader(LeaderRequest.newBuilder().setName(b("e")).build()), "leader").getKv().getValue());

        await(elections.proclaim(ProclaimRequest.newBuilder().setLeader(ca.getLeader()).setValue(b("alice-2")).build()), "proclaim");
        await(elections.proclaim(ProclaimRequest.newBuilder().setLeader(ca.getLeader()).setValue(b("alice-3")).build()), "proclaim");
        EtcdException notLeader = assertThrows(EtcdException.class, () -> await(elections.proclaim(ProclaimRequest.newBuilder()
                .setLeader(ca.getLeader().toBuilder().setRev(ca.getLeader().getRev() + 1000)).setValue(b("x")).build()), "proclaim"));
        assertEquals("election: not leader", notLeader.getMessage());

        await(elections.resign(ResignRequest.newBuilder().setLeader(ca.getLeader()).build()), "resign");
        CampaignResponse bob = await(cb, "bob elected after alice resigned");
        assertEquals(b("e/" + Long.toHexString(b2)), bob.getLeader().getKey());
        // bob's lease expires: no leader any more
        long bRev = server.revision();
        clock.advance(30, TimeUnit.SECONDS);
        await(server.revisionAbove(bRev), "bob's lease revoked");
        await(elections.campaign(CampaignRequest.newBuilder().setName(b("e")).setLease(lease(30)).setValue(b("carol")).build(), () -> false), "campaign c");

        List<String> values = new java.util.ArrayList<>();
        while (values.size() < 5) {
            LeaderResponse r;
            try {
                r = seen.poll(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            if (r == null) {
                throw new AssertionError("observe saw only " + values + " within 20 s");
            }
            values.add(r.getKv().getValue().toStringUtf8());
        }
        assertEquals(List.of("alice", "alice-2", "alice-3", "bob", "carol"), values, "observe sees every change, in order");
        stop[0] = true;
        server.put(dev.etcetera.api.etcdserverpb.PutRequest.newBuilder().setKey(b("wake")).build());
        await(observing, "observe to end after cancel");
        assertFalse(observing.isCompletedExceptionally());
    }
}
