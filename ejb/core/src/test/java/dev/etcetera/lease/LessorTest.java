package dev.etcetera.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.etcetera.api.etcdserverpb.LeaseCheckpoint;
import dev.etcetera.server.EtcdError;
import dev.etcetera.server.EtcdException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The lessor alone, on a fake clock: expiry, keepalive, checkpoints, leader changes, bounds. */
class LessorTest {
    private final FakeClock clock = new FakeClock();

    private Lessor primary(LeaseOptions options) {
        Lessor l = new Lessor(clock, options);
        l.promote(0);
        return l;
    }

    private static EtcdError error(Runnable r) {
        return assertThrows(EtcdException.class, r::run).error();
    }

    @Test
    void ttlBoundsFollowEtcd() {
        Lessor l = primary(LeaseOptions.defaults());
        assertEquals(2, LeaseOptions.defaults().minTtlSeconds(), "etcd: ceil(1.5 x 1000 ms) with 100 ms ticks");
        assertEquals(2, l.grant(1, 1).ttl(), "below the minimum is raised");
        assertEquals(LeaseOptions.MAX_TTL_SECONDS, l.grant(2, LeaseOptions.MAX_TTL_SECONDS).ttl());
        assertEquals(EtcdError.LEASE_TTL_TOO_LARGE, error(() -> l.grant(3, LeaseOptions.MAX_TTL_SECONDS + 1)));
        assertEquals(EtcdError.LEASE_EXISTS, error(() -> l.grant(1, 10)));
        assertEquals(EtcdError.LEASE_NOT_FOUND, error(() -> l.grant(0, 10)));
        assertEquals(3, LeaseOptions.forRaft(100, 1500).minTtlSeconds());
    }

    @Test
    void expiresAfterTtlOnlyOnThePrimary() {
        Lessor l = primary(LeaseOptions.defaults());
        l.grant(7, 10);
        clock.advanceMillis(500);
        assertEquals(9, l.timeToLive(7, false).ttl(), "remaining 9.5 s is truncated to whole seconds as etcd");
        clock.advanceMillis(9_499);
        assertEquals(List.of(), l.expired(100), "not yet");
        clock.advanceMillis(1);
        assertEquals(List.of(7L), l.expired(100));
        assertEquals(List.of(), l.expired(100), "offered once; again only after the retry interval");
        assertTrue(l.exists(7), "expiry proposes a revoke; the lease lives until it is applied");
        Lessor.Renewal late = l.renew(7);
        assertFalse(late.pendingRevoke() == null || late.pendingRevoke().isDone(),
                "an expired lease cannot be kept alive: the keepalive waits for its revoke");
        clock.advance(3, TimeUnit.SECONDS);
        assertEquals(List.of(7L), l.expired(100), "the revoke was lost: offered again");
        l.remove(7);
        assertTrue(late.pendingRevoke().isDone() && !late.pendingRevoke().isCompletedExceptionally(),
                "the revoke is applied: the waiting keepalive is answered (as for an unknown lease)");
        clock.advance(10, TimeUnit.SECONDS);
        assertEquals(List.of(), l.expired(100));
        assertNull(l.timeToLive(7, false));
    }

    @Test
    void keepaliveOfAnExpiredLeaseFailsWithNotLeaderWhenDemoted() {
        Lessor l = primary(LeaseOptions.defaults());
        l.grant(7, 10);
        clock.advance(10, TimeUnit.SECONDS);
        java.util.concurrent.CompletableFuture<Void> waiting = l.renew(7).pendingRevoke();
        assertSame(waiting, l.renew(7).pendingRevoke(), "keepalives of one expired lease wait for the same revoke");
        assertFalse(waiting.isDone());
        l.demote();
        Throwable cause = assertThrows(java.util.concurrent.CompletionException.class, waiting::join).getCause();
        assertEquals(EtcdError.NOT_LEADER, assertInstanceOf(EtcdException.class, cause).error(),
                "the new leader decides; the client retries there");
        l.promote(0);
        assertEquals(10, l.renew(7).ttl(), "after a leader change the lease gets its full TTL again (etcd's rule)");
    }

    @Test
    void grantTakesAnyNonZeroIdAndRaisesSmallTtls() {
        Lessor l = primary(LeaseOptions.defaults());
        assertEquals(new LeaseRecord(-5, 30, 0), l.grant(-5, 30), "etcd accepts a negative client-chosen ID");
        assertEquals(2, l.grant(6, 0).ttl(), "TTL 0 is raised to the minimum");
        assertEquals(2, l.grant(7, -10).ttl(), "a negative TTL too");
        assertEquals(List.of(6L, 7L, -5L), l.leases(), "soonest expiry first");
        assertEquals(30, l.renew(-5).ttl());
    }

    @Test
    void keepaliveExtendsByTheFullTtl() {
        Lessor l = primary(LeaseOptions.defaults());
        l.grant(7, 10);
        clock.advance(8, TimeUnit.SECONDS);
        assertEquals(10, l.renew(7).ttl());
        clock.advance(9, TimeUnit.SECONDS);
        assertEquals(List.of(), l.expired(10), "renewed 9 s ago with TTL 10");
        clock.advance(1, TimeUnit.SECONDS);
        assertEquals(List.of(7L), l.expired(10));
        assertEquals(EtcdError.LEASE_NOT_FOUND, error(() -> l.renew(8)));
    }

    @Test
    void revokeOrderAndAttachments() {
        Lessor l = primary(LeaseOptions.defaults());
        l.grant(1, 10);
        l.grant(2, 10);
        ByteString a = ByteString.copyFromUtf8("a");
        ByteString b = ByteString.copyFrom(new byte[] {(byte) 0xff});
        ByteString c = ByteString.copyFromUtf8("c");
        l.attach(b, 1);
        l.attach(a, 1);
        l.attach(c, 1);
        assertEquals(List.of(a, c, b), l.keys(1), "unsigned byte order");
        l.attach(c, 2);
        assertEquals(List.of(a, b), l.keys(1), "moved to lease 2: detached from lease 1");
        assertEquals(List.of(c), l.keys(2));
        l.attach(a, 0);
        assertEquals(List.of(b), l.keys(1), "put without a lease detaches");
        l.detach(b);
        assertEquals(List.of(), l.keys(1));
        assertEquals(EtcdError.LEASE_NOT_FOUND, error(() -> l.keys(3)));
        assertEquals(List.of(c), l.timeToLive(2, true).keys());
    }

    @Test
    void followerNeverExpiresAndPromotionGrantsTheFullTtl() {
        Lessor l = primary(LeaseOptions.defaults());
        l.grant(7, 10);
        clock.advance(8, TimeUnit.SECONDS);
        l.demote();
        assertEquals(EtcdError.NOT_LEADER, error(() -> l.renew(7)), "keepalives go to the leader");
        clock.advance(60, TimeUnit.SECONDS);
        assertEquals(List.of(), l.expired(10), "a follower never expires a lease");
        l.promote(TimeUnit.SECONDS.toNanos(1));
        clock.advance(10, TimeUnit.SECONDS);
        assertEquals(List.of(), l.expired(10), "promotion: full TTL plus the extension");
        clock.advance(1, TimeUnit.SECONDS);
        assertEquals(List.of(7L), l.expired(10));
    }

    @Test
    void checkpointsBoundTheLifetimeAcrossLeaderChanges() {
        LeaseOptions o = LeaseOptions.defaults().withCheckpointIntervalNanos(TimeUnit.SECONDS.toNanos(300));
        Lessor l = primary(o);
        l.grant(7, 1000);
        l.grant(8, 100); // shorter than the interval: never checkpointed
        clock.advance(299, TimeUnit.SECONDS);
        assertEquals(List.of(), l.dueCheckpoints(10));
        clock.advance(1, TimeUnit.SECONDS);
        List<LeaseCheckpoint> due = l.dueCheckpoints(10);
        assertEquals(1, due.size());
        assertEquals(7, due.get(0).getID());
        assertEquals(700, due.get(0).getRemainingTTL());
        // the entry is applied (on every member); the next one is scheduled an interval later
        assertEquals(new LeaseRecord(7, 1000, 700), l.checkpoint(7, 700));
        assertNull(l.checkpoint(99, 5), "a checkpoint of a gone lease changes nothing");
        // a leader change now: the new leader starts from the checkpoint, not from 1000 s
        l.demote();
        l.promote(0);
        clock.advance(699, TimeUnit.SECONDS);
        assertEquals(List.of(8L), l.expired(10), "only the short lease by now");
        clock.advance(1, TimeUnit.SECONDS);
        assertEquals(List.of(7L), l.expired(10), "lifetime bounded by the checkpoint, not 1000 s again");
    }

    @Test
    void keepaliveClearsACheckpoint() {
        LeaseOptions o = LeaseOptions.defaults().withCheckpointIntervalNanos(TimeUnit.SECONDS.toNanos(300));
        Lessor l = primary(o);
        l.grant(7, 1000);
        l.checkpoint(7, 400);
        Lessor.Renewal r = l.renew(7);
        assertEquals(1000, r.ttl());
        assertTrue(r.clearCheckpoint(), "a remaining TTL was recorded: it must be cleared through the log");
        l.checkpoint(7, 0);
        assertFalse(l.renew(7).clearCheckpoint());
        clock.advance(999, TimeUnit.SECONDS);
        assertTrue(l.expired(10).isEmpty(), "renewal gives the full TTL");
    }

    @Test
    void recoveredLeasesUseTheirCheckpoint() {
        Lessor l = new Lessor(clock, LeaseOptions.defaults());
        l.recover(new LeaseRecord(5, 100, 30));
        l.recover(new LeaseRecord(6, 100, 0));
        assertEquals(100, l.timeToLive(6, false).ttl(), "not primary: nothing counts down");
        l.promote(0);
        assertEquals(30, l.timeToLive(5, false).ttl());
        assertEquals(100, l.timeToLive(6, false).ttl());
        assertEquals(List.of(5L, 6L), l.leases(), "soonest expiry first");
        assertThrows(IllegalStateException.class, () -> l.recover(new LeaseRecord(5, 1, 0)));
    }

    @Test
    void recordRoundTripsAndRejectsCorruption() {
        LeaseRecord r = new LeaseRecord(0x1234abcdL, 9_000_000_000L, 17);
        assertEquals(r, LeaseRecord.decode(r.id(), r.encode()));
        byte[] bad = r.encode();
        bad[0] = 9;
        assertThrows(IllegalStateException.class, () -> LeaseRecord.decode(r.id(), bad));
        assertThrows(IllegalStateException.class, () -> LeaseRecord.decode(r.id(), new byte[3]));
    }

    /** Expired leases offered at the clock's current time, each then revoked (removed) as its applied revoke would. */
    private static int expireAndRevoke(Lessor l) {
        List<Long> expired = l.expired(100_000);
        expired.forEach(l::remove);
        return expired.size();
    }

    /**
     * A member that becomes leader with thousands of same-TTL leases would see them all expire in the same
     * instant. As etcd's Promote, at most 3/4 of the revoke rate (1000/s by default: 750) expire within a
     * second; the rest are pushed back in proportion to their place in the crowd. Below the revoke rate in
     * number, leases are left as they are.
     */
    @Test
    void promotionSpreadsAPileUpOfExpiries() {
        Lessor l = new Lessor(clock, LeaseOptions.defaults());
        for (long id = 1; id <= 2000; id++) {
            l.grant(id, 10);
        }
        l.promote(0);
        clock.advance(9999, TimeUnit.MILLISECONDS);
        assertEquals(0, expireAndRevoke(l), "no lease gets less than its TTL");
        clock.advanceMillis(1);
        assertEquals(750, expireAndRevoke(l), "the first 750 at their TTL");
        clock.advance(1, TimeUnit.SECONDS);
        assertEquals(0, expireAndRevoke(l), "lease n of the crowd expires n/750 s after the crowd's start");
        clock.advance(1, TimeUnit.SECONDS);
        assertEquals(750, expireAndRevoke(l));
        clock.advance(1, TimeUnit.SECONDS);
        assertEquals(500, expireAndRevoke(l));
        assertEquals(0, l.size());

        Lessor few = new Lessor(clock, LeaseOptions.defaults());
        for (long id = 1; id <= 999; id++) {
            few.grant(id, 10);
        }
        few.promote(0);
        clock.advance(10, TimeUnit.SECONDS);
        assertEquals(999, expireAndRevoke(few), "fewer leases than the revoke rate: no spreading");
    }

    @Test
    void massExpiryIsRateLimited() {
        LeaseOptions o = LeaseOptions.defaults(); // 1000/s over 500 ms checks: 500 per check
        Lessor l = primary(o);
        for (long id = 1; id <= 1200; id++) {
            l.grant(id, 5);
        }
        clock.advance(5, TimeUnit.SECONDS);
        List<Long> proposed = new java.util.ArrayList<>();
        LeaseExpiry expiry = new LeaseExpiry(l, new LeaseExpiry.Proposals() {
            @Override
            public java.util.concurrent.CompletableFuture<?> revoke(long leaseId) {
                proposed.add(leaseId);
                return java.util.concurrent.CompletableFuture.completedFuture(null);
            }

            @Override
            public java.util.concurrent.CompletableFuture<?> checkpoint(dev.etcetera.api.etcdserverpb.LeaseCheckpointRequest r) {
                return java.util.concurrent.CompletableFuture.completedFuture(null);
            }
        });
        assertEquals(500, expiry.check());
        assertEquals(500, expiry.check());
        assertEquals(200, expiry.check());
        assertEquals(0, expiry.check());
        assertEquals(1200, new java.util.HashSet<>(proposed).size(), "each expired lease proposed once");
    }
}
