package dev.etcetera.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.etcetera.api.etcdserverpb.LeaseGrantRequest;
import dev.etcetera.api.etcdserverpb.LeaseGrantResponse;
import dev.etcetera.api.etcdserverpb.LeaseKeepAliveRequest;
import dev.etcetera.api.etcdserverpb.LeaseKeepAliveResponse;
import dev.etcetera.api.etcdserverpb.LeaseLeasesRequest;
import dev.etcetera.api.etcdserverpb.LeaseRevokeRequest;
import dev.etcetera.api.etcdserverpb.LeaseTimeToLiveRequest;
import dev.etcetera.api.etcdserverpb.LeaseTimeToLiveResponse;
import dev.etcetera.api.etcdserverpb.PutRequest;
import dev.etcetera.api.etcdserverpb.RangeRequest;
import dev.etcetera.api.etcdserverpb.RangeResponse;
import dev.etcetera.api.etcdserverpb.RequestOp;
import dev.etcetera.api.etcdserverpb.TxnRequest;
import dev.etcetera.mvcc.MemoryBackend;
import dev.etcetera.server.EtcdError;
import dev.etcetera.server.EtcdException;
import dev.etcetera.server.MemberInfo;
import dev.etcetera.server.ServerLimits;
import dev.etcetera.server.SingleMemberServer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Leases through the member facade on a fake clock: grant/revoke/keepalive/time-to-live semantics,
 * attachment by puts, expiry revoking through the log (all keys in one revision), restart.
 * Expiry checks run every 5 ms of real time; the fake clock decides what has expired.
 */
class LeaseServerTest {
    static final MemberInfo INFO = new MemberInfo(0x1234, 0x5678, "default", List.of("http://127.0.0.1:2380"),
            List.of("http://127.0.0.1:2379"), "3.6.0", "3.6.0");
    static final LeaseOptions OPTIONS = LeaseOptions.defaults().withCheckIntervalNanos(TimeUnit.MILLISECONDS.toNanos(5));

    final FakeClock clock = new FakeClock();
    final MemoryBackend backend = new MemoryBackend();
    SingleMemberServer server = open();

    SingleMemberServer open() {
        return open(OPTIONS);
    }

    SingleMemberServer open(LeaseOptions options) {
        return SingleMemberServer.open(INFO, ServerLimits.defaults(), backend, options, clock);
    }

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

    long grant(long id, long ttl) {
        return await(server.leaseGrant(LeaseGrantRequest.newBuilder().setID(id).setTTL(ttl).build()), "grant").getID();
    }

    long put(String key, long lease) {
        return await(server.put(PutRequest.newBuilder().setKey(b(key)).setValue(b("v")).setLease(lease).build()), "put")
                .getHeader().getRevision();
    }

    RangeResponse get(String key, long rev) {
        return await(server.range(RangeRequest.newBuilder().setKey(b(key)).setRevision(rev).build()), "range");
    }

    LeaseTimeToLiveResponse ttl(long id) {
        return await(server.leaseTimeToLive(LeaseTimeToLiveRequest.newBuilder().setID(id).setKeys(true).build()), "ttl");
    }

    EtcdError error(CompletableFuture<?> f) {
        return assertThrows(EtcdException.class, () -> await(f, "a failing call")).error();
    }

    /** Waits, one published revision at a time, until lease {@code id} is gone. */
    void awaitRevoked(long id) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (ttl(id).getTTL() != -1) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("lease " + id + " not revoked within 20 s");
            }
            await(server.revisionAbove(server.revision()).applyToEither(
                    CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS))
                            .thenApply(v -> 0L), r -> r), "the next revision or 50 ms");
        }
    }

    @Test
    void grantRevokeAndErrorsAsEtcd() {
        LeaseGrantResponse g = await(server.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(1).build()), "grant");
        assertTrue(g.getID() > 0, "server-chosen ID is positive");
        assertEquals(2, g.getTTL(), "raised to the minimum TTL");
        assertEquals(INFO.memberId(), g.getHeader().getMemberId());
        assertEquals(100, grant(100, 30));
        assertEquals(EtcdError.LEASE_EXISTS, error(server.leaseGrant(LeaseGrantRequest.newBuilder().setID(100).setTTL(5).build())));
        assertEquals(EtcdError.LEASE_TTL_TOO_LARGE,
                error(server.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(9_000_000_001L).build())));
        assertEquals(EtcdError.LEASE_NOT_FOUND, error(server.leaseRevoke(LeaseRevokeRequest.newBuilder().setID(12345).build())));
        assertEquals(-1, ttl(12345).getTTL(), "unknown lease: TTL -1, not an error");
        assertEquals(0, await(server.leaseRenew(LeaseKeepAliveRequest.newBuilder().setID(12345).build()), "renew").getTTL(),
                "keepalive of an unknown lease: TTL 0");
        assertEquals(30, await(server.leaseRenew(LeaseKeepAliveRequest.newBuilder().setID(100).build()), "renew").getTTL());
        assertEquals(2, await(server.leaseLeases(LeaseLeasesRequest.getDefaultInstance()), "leases").getLeasesCount());
        await(server.leaseRevoke(LeaseRevokeRequest.newBuilder().setID(100).build()), "revoke");
        assertEquals(-1, ttl(100).getTTL());
        assertEquals(EtcdError.LEASE_NOT_FOUND, error(server.put(PutRequest.newBuilder().setKey(b("k")).setLease(100).build())));
    }

    @Test
    void putsAttachDetachAndMoveKeys() {
        grant(1, 30);
        grant(2, 30);
        put("a", 1);
        put("b", 1);
        assertEquals(List.of(b("a"), b("b")), ttl(1).getKeysList());
        put("b", 2);
        assertEquals(List.of(b("a")), ttl(1).getKeysList(), "moved to lease 2");
        assertEquals(List.of(b("b")), ttl(2).getKeysList());
        await(server.put(PutRequest.newBuilder().setKey(b("b")).setValue(b("w")).setIgnoreLease(true).build()), "ignore_lease");
        assertEquals(2, get("b", 0).getKvs(0).getLease(), "ignore_lease keeps the key's lease");
        assertEquals(List.of(b("b")), ttl(2).getKeysList());
        put("a", 0);
        assertEquals(List.of(), ttl(1).getKeysList(), "put without lease detaches");
        // a txn that deletes a key detaches it
        await(server.txn(TxnRequest.newBuilder().addSuccess(RequestOp.newBuilder().setRequestDeleteRange(
                dev.etcetera.api.etcdserverpb.DeleteRangeRequest.newBuilder().setKey(b("b")))).build()), "txn delete");
        assertEquals(List.of(), ttl(2).getKeysList());
        // revoking lease 2 now deletes nothing and creates no revision
        long rev = server.revision();
        long revokeRev = await(server.leaseRevoke(LeaseRevokeRequest.newBuilder().setID(2).build()), "revoke")
                .getHeader().getRevision();
        assertEquals(rev, revokeRev);
    }

    @Test
    void expiredLeaseIsRevokedThroughTheLogWithAllKeysInOneRevision() {
        grant(7, 10);
        grant(8, 60);
        put("x", 7);
        put("y", 7);
        put("z", 7);
        long lastPut = put("other", 8);
        clock.advance(9, TimeUnit.SECONDS);
        assertEquals(lastPut, server.revision(), "nothing expired before the TTL");
        clock.advance(1, TimeUnit.SECONDS);
        awaitRevoked(7);
        // the lessor forgets the lease when the revoke is applied, a moment before the batch is published:
        // a linearizable read waits for the publication
        long revoked = get("other", 0).getHeader().getRevision();
        assertEquals(lastPut + 1, revoked, "one revision for all three deletes");
        for (String k : List.of("x", "y", "z")) {
            assertEquals(1, get(k, revoked - 1).getCount(), k + " existed before the revoke");
            assertEquals(0, get(k, revoked).getCount(), k + " deleted by the revoke");
        }
        assertEquals(1, get("other", 0).getCount(), "keys of other leases stay");
        assertEquals(60 - 10, ttl(8).getTTL());
    }

    @Test
    void keepaliveKeepsALeaseAlive() {
        grant(7, 10);
        put("x", 7);
        for (int i = 0; i < 5; i++) {
            clock.advance(8, TimeUnit.SECONDS);
            assertEquals(10, await(server.leaseRenew(LeaseKeepAliveRequest.newBuilder().setID(7).build()), "renew").getTTL());
        }
        assertEquals(10, ttl(7).getTTL());
        assertEquals(1, get("x", 0).getCount(), "40 s of a 10 s lease, kept alive");
    }

    /**
     * etcd's Renew of a lease that expired waits until the lease's revoke is applied and only then answers
     * "not found" (TTL 0): a client told its lease is gone does not see the lease's keys afterwards. The
     * expiry check is made too slow to run here, so the test applies the revoke itself at a moment it chooses.
     */
    @Test
    void keepaliveOfAnExpiredLeaseIsAnsweredOnceItsRevokeIsApplied() {
        server.close();
        server = open(OPTIONS.withCheckIntervalNanos(TimeUnit.HOURS.toNanos(1)));
        grant(7, 10);
        long lastPut = put("x", 7);
        clock.advance(10, TimeUnit.SECONDS);
        CompletableFuture<LeaseKeepAliveResponse> late = server.leaseRenew(LeaseKeepAliveRequest.newBuilder().setID(7).build());
        assertEquals(1, get("x", 0).getCount(), "a linearizable read: the revoke is not applied yet");
        assertFalse(late.isDone(), "the keepalive of the expired lease waits for its revoke");
        await(server.leaseRevoke(LeaseRevokeRequest.newBuilder().setID(7).build()), "the revoke");
        LeaseKeepAliveResponse answer = await(late, "the keepalive after the revoke");
        assertEquals(0, answer.getTTL(), "answered as for an unknown lease");
        assertEquals(7, answer.getID());
        assertEquals(lastPut, answer.getHeader().getRevision(), "the header is taken before the renewal, as etcd's");
        assertEquals(0, get("x", lastPut + 1).getCount(), "the key is gone by the time the client hears");
        // a keepalive still waiting when the member stops ends with STOPPED
        grant(8, 10);
        clock.advance(10, TimeUnit.SECONDS);
        CompletableFuture<LeaseKeepAliveResponse> stranded = server.leaseRenew(LeaseKeepAliveRequest.newBuilder().setID(8).build());
        assertFalse(stranded.isDone());
        server.close();
        assertEquals(EtcdError.STOPPED, error(stranded));
    }

    @Test
    void leasesSurviveARestartWithTheirTtlRefreshed() {
        grant(7, 10);
        grant(9, 1000);
        put("x", 7);
        put("y", 9);
        clock.advance(8, TimeUnit.SECONDS);
        server.close();
        clock.advance(60, TimeUnit.SECONDS); // down longer than lease 7's TTL
        server = open();
        LeaseTimeToLiveResponse t = ttl(7);
        assertEquals(10, t.getTTL(), "promotion at start grants the full TTL again (etcd's rule)");
        assertEquals(List.of(b("x")), t.getKeysList(), "attachment rebuilt from the key's lease field");
        assertEquals(List.of(b("y")), ttl(9).getKeysList());
        clock.advance(10, TimeUnit.SECONDS);
        awaitRevoked(7);
        assertEquals(0, get("x", 0).getCount(), "key of the lease that expired across the restart is deleted after start");
        assertEquals(1, get("y", 0).getCount());
    }

    @Test
    void leasesCountFromWhenTheMemberStartsServing() {
        grant(7, 10);
        server.close();
        server = open();
        clock.advance(6, TimeUnit.SECONDS); // the container still starting: no keepalive can arrive yet
        assertEquals(4, ttl(7).getTTL());
        server.startServing();
        assertEquals(10, ttl(7).getTTL(), "the full TTL again once clients can reach the member");
        clock.advance(9, TimeUnit.SECONDS);
        assertEquals(1, ttl(7).getTTL(), "and it counts down from there");
    }

    @Test
    void checkpointedRemainingTtlSurvivesARestart() {
        server.close();
        server = open(OPTIONS.withCheckpointIntervalNanos(TimeUnit.SECONDS.toNanos(300)));
        grant(7, 1000);
        long rev = server.revision();
        clock.advance(300, TimeUnit.SECONDS);
        // the checkpoint is proposed by the expiry check and applied: wait for it in the persisted record
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (remainingPersisted(7) != 700) {
            assertTrue(System.nanoTime() < deadline, "checkpoint of lease 7 not persisted within 20 s");
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2)); // poll interval of a bounded wait
        }
        assertEquals(rev, server.revision(), "a checkpoint creates no revision");
        server.close();
        server = open();
        assertEquals(700, ttl(7).getTTL(), "the new leader starts from the checkpointed remainder");
        assertEquals(1000, ttl(7).getGrantedTTL());
    }

    private long remainingPersisted(long id) {
        long[] out = {-1};
        backend.forEachLease((lid, bytes) -> {
            if (lid == id) {
                out[0] = LeaseRecord.decode(lid, bytes).remainingTtl();
            }
        });
        return out[0];
    }

    @Test
    void leaseRecordIsDeletedWithTheLease() {
        grant(5, 30);
        assertEquals(30, remainingPersisted(5) == 0 ? 30 : -1);
        await(server.leaseRevoke(LeaseRevokeRequest.newBuilder().setID(5).build()), "revoke");
        assertEquals(-1, remainingPersisted(5));
        assertFalse(server.lessor().exists(5));
    }
}
