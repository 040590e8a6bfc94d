package dev.etcetera.server;

import static dev.etcetera.server.KvFixture.await;
import static dev.etcetera.server.KvFixture.b;
import static dev.etcetera.server.KvFixture.error;
import static dev.etcetera.server.KvFixture.keys;
import static dev.etcetera.server.KvFixture.pairs;
import static dev.etcetera.server.KvFixture.putOp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.etcetera.api.etcdserverpb.CompactionRequest;
import dev.etcetera.api.etcdserverpb.CompactionResponse;
import dev.etcetera.api.etcdserverpb.DeleteRangeRequest;
import dev.etcetera.api.etcdserverpb.DeleteRangeResponse;
import dev.etcetera.api.etcdserverpb.PutRequest;
import dev.etcetera.api.etcdserverpb.PutResponse;
import dev.etcetera.api.etcdserverpb.RangeRequest;
import dev.etcetera.api.etcdserverpb.TxnRequest;
import dev.etcetera.mvcc.MemoryBackend;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WriteSemanticsTest {
    private KvFixture kv = new KvFixture();

    @AfterEach
    void close() {
        kv.close();
    }

    private PutResponse put(PutRequest.Builder p) {
        return await(kv.server.put(p.build()), "put");
    }

    @Test
    void putHeaderPrevKvAndVersions() {
        PutResponse first = put(PutRequest.newBuilder().setKey(b("a")).setValue(b("1")).setPrevKv(true));
        assertEquals(2, first.getHeader().getRevision());
        assertFalse(first.hasPrevKv());
        assertEquals(KvFixture.INFO.clusterId(), first.getHeader().getClusterId());
        assertEquals(KvFixture.INFO.memberId(), first.getHeader().getMemberId());
        assertEquals(2, first.getHeader().getRaftTerm(), "a fresh member is at term 2, as etcd");
        PutResponse second = put(PutRequest.newBuilder().setKey(b("a")).setValue(b("2")).setPrevKv(true));
        assertEquals(3, second.getHeader().getRevision());
        assertEquals("1", second.getPrevKv().getValue().toStringUtf8());
        assertEquals(2, second.getPrevKv().getModRevision());
        var a = kv.kv("a");
        assertEquals(2, a.getCreateRevision());
        assertEquals(3, a.getModRevision());
        assertEquals(2, a.getVersion());
    }

    @Test
    void ignoreValueAndIgnoreLease() {
        kv.put("a", "keep");
        PutResponse r = put(PutRequest.newBuilder().setKey(b("a")).setIgnoreValue(true));
        assertEquals(3, r.getHeader().getRevision());
        assertEquals("keep", kv.kv("a").getValue().toStringUtf8());
        assertEquals(2, kv.kv("a").getVersion());
        put(PutRequest.newBuilder().setKey(b("a")).setValue(b("new")).setIgnoreLease(true));
        assertEquals("new", kv.kv("a").getValue().toStringUtf8());
        assertEquals(0, kv.kv("a").getLease());
        assertEquals(EtcdError.KEY_NOT_FOUND, error(kv.server.put(PutRequest.newBuilder().setKey(b("m")).setIgnoreValue(true).build())));
        assertEquals(EtcdError.KEY_NOT_FOUND, error(kv.server.put(PutRequest.newBuilder().setKey(b("m")).setIgnoreLease(true).build())));
        assertEquals(EtcdError.VALUE_PROVIDED, error(kv.server.put(PutRequest.newBuilder().setKey(b("a")).setValue(b("v")).setIgnoreValue(true).build())));
        assertEquals(EtcdError.LEASE_PROVIDED, error(kv.server.put(PutRequest.newBuilder().setKey(b("a")).setLease(5).setIgnoreLease(true).build())));
        assertEquals(EtcdError.LEASE_NOT_FOUND, error(kv.server.put(PutRequest.newBuilder().setKey(b("a")).setLease(5).build())));
        assertEquals(EtcdError.EMPTY_KEY, error(kv.server.put(PutRequest.newBuilder().setValue(b("v")).build())));
        assertEquals(4, kv.revision(), "failed puts change nothing");
    }

    @Test
    void deleteRangeForms() {
        for (String k : List.of("a", "ab", "b", "c", "d")) {
            kv.put(k, "v" + k);
        }
        DeleteRangeResponse one = await(kv.server.deleteRange(DeleteRangeRequest.newBuilder().setKey(b("c")).setPrevKv(true).build()), "del c");
        assertEquals(1, one.getDeleted());
        assertEquals(List.of("c=vc"), pairs(one.getPrevKvsList()));
        assertEquals(7, one.getHeader().getRevision());
        DeleteRangeResponse none = await(kv.server.deleteRange(DeleteRangeRequest.newBuilder().setKey(b("c")).build()), "del c again");
        assertEquals(0, none.getDeleted());
        assertEquals(7, none.getHeader().getRevision(), "deleting nothing keeps the revision");
        DeleteRangeResponse prefix = await(kv.server.deleteRange(DeleteRangeRequest.newBuilder().setKey(b("a")).setRangeEnd(b("b")).setPrevKv(true).build()), "del prefix a");
        assertEquals(2, prefix.getDeleted());
        assertEquals(List.of("a", "ab"), keys(prefix.getPrevKvsList()));
        assertEquals(8, prefix.getHeader().getRevision(), "one revision for the whole range");
        assertEquals(1, kv.delete("d", "\0"), "from key");
        assertEquals(1, kv.delete("\0", "\0"), "all keys");
        assertEquals(0, kv.get("\0").getCount());
        assertEquals(10, kv.revision());
        assertEquals(EtcdError.EMPTY_KEY, error(kv.server.deleteRange(DeleteRangeRequest.newBuilder().build())));
        // deleted keys are still visible in history
        assertEquals(List.of("a=va", "ab=vab", "b=vb", "d=vd"), pairs(kv.range(RangeRequest.newBuilder()
                .setKey(b("\0")).setRangeEnd(b("\0")).setRevision(7).build()).getKvsList()));
    }

    @Test
    void compaction() {
        kv.put("a", "1"); // 2
        kv.put("a", "2"); // 3
        kv.put("b", "1"); // 4
        assertEquals(EtcdError.FUTURE_REV, error(kv.server.compact(CompactionRequest.newBuilder().setRevision(5).build())));
        CompactionResponse c = await(kv.server.compact(CompactionRequest.newBuilder().setRevision(3).build()), "compact 3");
        assertEquals(4, c.getHeader().getRevision());
        assertEquals(4, kv.revision(), "compaction does not bump the revision");
        assertEquals(EtcdError.COMPACTED, error(kv.server.compact(CompactionRequest.newBuilder().setRevision(3).build())));
        assertEquals(EtcdError.COMPACTED, error(kv.server.compact(CompactionRequest.newBuilder().setRevision(2).build())));
        CompactionResponse physical = await(kv.server.compact(CompactionRequest.newBuilder().setRevision(4).setPhysical(true).build()), "physical compact 4");
        assertEquals(4, physical.getHeader().getRevision());
        assertTrue(kv.server.finishedCompactRevision() >= 4, "physical answers only after the removal finished");
        assertEquals(EtcdError.COMPACTED, error(kv.server.range(RangeRequest.newBuilder().setKey(b("a")).setRevision(3).build())));
        assertEquals("2", kv.kv("a").getValue().toStringUtf8());
    }

    @Test
    void compactionAtZeroIsAcceptedOnceAsInEtcd() {
        kv.put("a", "1");
        assertEquals(2, await(kv.server.compact(CompactionRequest.newBuilder().setRevision(0).build()), "compact 0").getHeader().getRevision());
        assertEquals(EtcdError.COMPACTED, error(kv.server.compact(CompactionRequest.newBuilder().setRevision(0).build())));
        assertEquals("1", kv.kv("a").getValue().toStringUtf8());
    }

    @Test
    void physicalCompactionWaitsForManyBatches() {
        kv.close();
        kv = new KvFixture(new MemoryBackend(), ServerLimits.defaults().withCompactionBatchLimit(3));
        for (int i = 0; i < 40; i++) {
            kv.put("k" + (i % 10), "v" + i);
        }
        long rev = kv.revision();
        await(kv.server.compact(CompactionRequest.newBuilder().setRevision(rev).setPhysical(true).build()), "physical compact");
        assertEquals(rev, kv.server.finishedCompactRevision());
        assertEquals(10, ((MemoryBackend) kv.backend).scan(new dev.etcetera.mvcc.Revision(0, 0), Long.MAX_VALUE, 1000).size());
        assertEquals(10, kv.range(RangeRequest.newBuilder().setKey(b("\0")).setRangeEnd(b("\0")).build()).getCount());
    }

    @Test
    void requestTooLargeIsRejectedBeforeProposing() {
        byte[] big = new byte[ServerLimits.DEFAULT_MAX_REQUEST_BYTES];
        assertEquals(EtcdError.REQUEST_TOO_LARGE, error(kv.server.put(PutRequest.newBuilder().setKey(b("a")).setValue(com.google.protobuf.ByteString.copyFrom(big)).build())));
        byte[] fits = new byte[ServerLimits.DEFAULT_MAX_REQUEST_BYTES - 100];
        assertEquals(2, await(kv.server.put(PutRequest.newBuilder().setKey(b("a")).setValue(com.google.protobuf.ByteString.copyFrom(fits)).build()), "big put").getHeader().getRevision());
        kv.close();
        kv = new KvFixture(new MemoryBackend(), ServerLimits.defaults().withMaxRequestBytes(100));
        assertEquals(EtcdError.REQUEST_TOO_LARGE, error(kv.server.txn(TxnRequest.newBuilder().addSuccess(putOp("a", "x".repeat(100))).build())));
        assertEquals(1, kv.revision());
    }

    @Test
    void quotaStopsPutsButNotRangesAndDeletes() {
        kv.close();
        kv = new KvFixture(new MemoryBackend(), ServerLimits.defaults().withQuotaBackendBytes(2800));
        // MemoryBackend counts serialized record sizes: a ~1529 bytes, b ~1029; a put costs 256 + key + value
        kv.put("a", "x".repeat(1500));
        kv.put("b", "y".repeat(1000)); // 1529 + 1257 < 2800
        assertTrue(kv.backend.size() + 258 >= 2800, "the next put must not fit: " + kv.backend.size());
        assertEquals(EtcdError.NO_SPACE, error(kv.server.put(PutRequest.newBuilder().setKey(b("c")).setValue(b("z")).build())));
        assertEquals(EtcdError.NO_SPACE, error(kv.server.txn(TxnRequest.newBuilder().addSuccess(putOp("c", "z")).build())));
        assertEquals(2, kv.range(RangeRequest.newBuilder().setKey(b("a")).setRangeEnd(b("\0")).build()).getCount());
        assertTrue(await(kv.server.txn(TxnRequest.newBuilder().addSuccess(KvFixture.getOp("a")).build()), "read txn").getSucceeded());
        assertEquals(1, kv.delete("b", null));
        assertNull(kv.kv("b"));
    }
}
