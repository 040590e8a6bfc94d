package dev.etcetera.server;

import static dev.etcetera.server.KvFixture.await;
import static dev.etcetera.server.KvFixture.b;
import static dev.etcetera.server.KvFixture.error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.etcetera.api.etcdserverpb.CompactionRequest;
import dev.etcetera.api.etcdserverpb.CompactionResponse;
import dev.etcetera.api.etcdserverpb.PutRequest;
import dev.etcetera.api.etcdserverpb.PutResponse;
import dev.etcetera.api.etcdserverpb.RangeRequest;
import dev.etcetera.api.etcdserverpb.RangeResponse;
import dev.etcetera.api.etcdserverpb.StatusRequest;
import dev.etcetera.api.etcdserverpb.StatusResponse;
import dev.etcetera.api.etcdserverpb.TxnRequest;
import dev.etcetera.mvcc.MemoryBackend;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ServerLifecycleTest {

    private static void waitUntil(java.util.function.BooleanSupplier cond, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after 20 s waiting until " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    @Test
    void groupCommitMakesQueuedWritesDurableWithOneSync() throws Exception {
        MemoryBackend memory = new MemoryBackend();
        GatedBackend gated = new GatedBackend(memory);
        try (KvFixture kv = new KvFixture(gated, ServerLimits.defaults())) {
            gated.hold();
            CompletableFuture<PutResponse> first = kv.server.put(PutRequest.newBuilder().setKey(b("k0")).setValue(b("v")).build());
            gated.awaitHeld();
            int commitsBefore = memory.commits();
            assertFalse(first.isDone(), "not acknowledged before it is durable");
            RangeResponse serializable = await(kv.server.range(RangeRequest.newBuilder().setKey(b("k0")).setSerializable(true).build()), "serializable read");
            assertEquals(0, serializable.getCount(), "a reader never sees an undurable write");
            assertEquals(1, serializable.getHeader().getRevision());
            CompletableFuture<RangeResponse> linearizable = kv.server.range(RangeRequest.newBuilder().setKey(b("k0")).build());
            assertFalse(linearizable.isDone(), "a linearizable read waits for what was committed before it");

            List<CompletableFuture<PutResponse>> queued = new ArrayList<>();
            for (int i = 1; i <= 50; i++) {
                queued.add(kv.server.put(PutRequest.newBuilder().setKey(b("k" + i)).setValue(b("v")).build()));
            }
            waitUntil(() -> kv.server.applyBacklog() == 50, "50 puts are queued behind the held commit");
            gated.release();

            assertEquals(2, await(first, "first put").getHeader().getRevision());
            assertEquals(1, await(linearizable, "linearizable read").getCount());
            Set<Long> revisions = new HashSet<>();
            for (CompletableFuture<PutResponse> f : queued) {
                revisions.add(await(f, "queued put").getHeader().getRevision());
            }
            assertEquals(50, revisions.size(), "each write its own revision");
            assertEquals(3L, revisions.stream().mapToLong(Long::longValue).min().orElseThrow());
            assertEquals(52L, revisions.stream().mapToLong(Long::longValue).max().orElseThrow());
            assertEquals(commitsBefore + 2, memory.commits(), "the first batch, then one batch for all 50 queued writes");
            assertEquals(memory.commits(), memory.syncs(), "every apply commit is synced");
        }
    }

    @Test
    void tooManyRequestsWhenApplyLagsCommit() throws Exception {
        MemoryBackend memory = new MemoryBackend();
        GatedBackend gated = new GatedBackend(memory);
        ServerLimits d = ServerLimits.defaults();
        ServerLimits lag3 = new ServerLimits(d.maxRequestBytes(), d.maxTxnOps(), d.quotaBackendBytes(),
                d.compactionBatchLimit(), 3, d.maxApplyBatch());
        try (KvFixture kv = new KvFixture(gated, lag3)) {
            gated.hold();
            List<CompletableFuture<PutResponse>> accepted = new ArrayList<>();
            accepted.add(kv.server.put(PutRequest.newBuilder().setKey(b("a")).build()));
            gated.awaitHeld(); // applied 0, committed 1
            for (int i = 0; i < 3; i++) {
                accepted.add(kv.server.put(PutRequest.newBuilder().setKey(b("b" + i)).build()));
            }
            assertEquals(EtcdError.TOO_MANY_REQUESTS, error(kv.server.put(PutRequest.newBuilder().setKey(b("c")).build())));
            gated.release();
            for (CompletableFuture<PutResponse> f : accepted) {
                await(f, "accepted put");
            }
            assertEquals(6, kv.put("c", "v").getHeader().getRevision(), "accepted again once applied");
        }
    }

    @Test
    void closeAnswersAppliedWritesAndFailsTheRest() throws Exception {
        MemoryBackend memory = new MemoryBackend();
        GatedBackend gated = new GatedBackend(memory);
        KvFixture kv = new KvFixture(gated, ServerLimits.defaults().withCompactionBatchLimit(1));
        for (int i = 0; i < 5; i++) {
            kv.put("k" + i, "v");
        }
        gated.hold();
        CompletableFuture<CompactionResponse> physical = kv.server.compact(CompactionRequest.newBuilder().setRevision(6).setPhysical(true).build());
        gated.awaitHeld();
        CompletableFuture<Void> closing = CompletableFuture.runAsync(kv::close);
        waitUntil(() -> !kv.server.healthy() && kv.server.applyBacklog() == 1, "close() queued its stop mark");
        gated.release();
        await(closing, "close");
        assertEquals(EtcdError.STOPPED, error(physical), "a physical compaction cut short by close");
        assertEquals(EtcdError.STOPPED, error(kv.server.put(PutRequest.newBuilder().setKey(b("x")).build())));
        assertEquals(EtcdError.STOPPED, error(kv.server.range(RangeRequest.newBuilder().setKey(b("x")).build())));
        assertEquals(EtcdError.STOPPED, error(kv.server.status(StatusRequest.getDefaultInstance())));
        assertFalse(kv.server.healthy());

        // the compaction was accepted durably, so it resumes at the next open
        try (KvFixture again = new KvFixture(memory, ServerLimits.defaults())) {
            assertEquals(6, again.revision());
            assertEquals(EtcdError.COMPACTED, error(again.server.range(RangeRequest.newBuilder().setKey(b("k0")).setRevision(5).build())));
            waitUntil(() -> again.server.finishedCompactRevision() == 6, "the resumed compaction finished");
        }
    }

    @Test
    void restartRestoresRevisionsAndAppliedIndex() {
        MemoryBackend memory = new MemoryBackend();
        try (KvFixture kv = new KvFixture(memory, ServerLimits.defaults())) {
            kv.put("a", "1");
            kv.put("a", "2");
            kv.delete("a", null);
            kv.put("b", "1");
        }
        try (KvFixture kv = new KvFixture(memory, ServerLimits.defaults())) {
            assertEquals(5, kv.revision());
            StatusResponse s = await(kv.server.status(StatusRequest.getDefaultInstance()), "status");
            // 4 writes, and the empty entry each start logs at its new term
            assertEquals(6, s.getRaftAppliedIndex());
            assertEquals(6, s.getRaftIndex());
            assertEquals(3, s.getRaftTerm(), "each start takes a new term, as etcd's member campaigns at start");
            assertEquals(3, s.getHeader().getRaftTerm());
            assertEquals(6, kv.put("a", "3").getHeader().getRevision());
            assertEquals(1, kv.kv("a").getVersion());
            assertEquals("2", kv.range(RangeRequest.newBuilder().setKey(b("a")).setRevision(3).build()).getKvs(0).getValue().toStringUtf8());
        }
    }

    @Test
    void statusAndHealth() {
        try (KvFixture kv = new KvFixture(new MemoryBackend(), ServerLimits.defaults().withQuotaBackendBytes(1 << 20))) {
            kv.put("a", "1");
            await(kv.server.txn(TxnRequest.newBuilder().addSuccess(KvFixture.getOp("a")).build()), "read-only txn");
            StatusResponse s = await(kv.server.status(StatusRequest.getDefaultInstance()), "status");
            assertEquals("3.6.0", s.getVersion());
            assertEquals("3.6.0", s.getStorageVersion());
            assertEquals(KvFixture.INFO.memberId(), s.getLeader());
            assertEquals(2, s.getRaftIndex(), "the empty entry of the member's term, one put; read-only txns do not go through the log");
            assertEquals(2, s.getRaftAppliedIndex());
            assertEquals(2, s.getRaftTerm(), "a fresh member is at term 2, as etcd");
            assertEquals(1 << 20, s.getDbSizeQuota());
            assertTrue(s.getDbSize() > 0);
            assertTrue(s.getDbSizeInUse() <= s.getDbSize());
            assertEquals(2, s.getHeader().getRevision());
            assertEquals(KvFixture.INFO.clusterId(), s.getHeader().getClusterId());
            assertTrue(kv.server.healthy());
            assertEquals(KvFixture.INFO, kv.server.info());
        }
    }
}
