package dev.etcetera.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.kv.DeleteResponse;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.PutResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.CompactOption;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * jetcd (the Java etcd client, unchanged) against the subject: put/get/delete/txn/compact, min/max revision
 * filters and the gRPC status codes and exact messages of server errors as jetcd surfaces them. Expectations are
 * etcd's behaviour (they pass against a real etcd). Each test uses its own key prefix on the shared subject and
 * asserts on revisions relative to its own responses.
 */
@ExtendWith(SharedServers.class)
class JetcdTest {
    private static Client client;
    private static KV kv;

    @BeforeAll
    static void connect(ServerPair pair) {
        client = Client.builder().endpoints(pair.subject.server.clientUrl()).build();
        kv = client.getKVClient();
    }

    @AfterAll
    static void disconnect() {
        if (client != null) {
            client.close();
        }
    }

    private static ByteSequence bs(String s) {
        return ByteSequence.from(s, UTF_8);
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    /**
     * The gRPC status a request fails with, as a jetcd user sees it: jetcd 0.8.5's KV client surfaces the
     * {@code StatusRuntimeException} itself (other clients wrap it in its {@code EtcdException}).
     */
    private static Status failure(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
        Throwable cause = e.getCause();
        if (cause instanceof EtcdException etcd && etcd.getCause() != null) {
            cause = etcd.getCause();
        }
        Status status = Status.fromThrowable(cause);
        assertTrue(status.getCode() != Status.Code.UNKNOWN || cause instanceof StatusRuntimeException,
                "expected a gRPC status, got " + e.getCause());
        return status;
    }

    /** etcd's gRPC code and its exact message (clientv3 maps errors by message). */
    private static void assertError(Status status, Status.Code code, String message) {
        assertEquals(code, status.getCode(), "code of " + status);
        assertEquals(message, status.getDescription(), "message of " + status);
    }

    @Test
    void putGetDeleteKeepRevisionsAndVersions() throws Exception {
        PutResponse first = get(kv.put(bs("j1/k"), bs("v1"), PutOption.builder().withPrevKV().build()));
        assertFalse(first.hasPrevKv());
        long r1 = first.getHeader().getRevision();

        GetResponse read = get(kv.get(bs("j1/k")));
        assertEquals(1, read.getCount());
        KeyValue kv1 = read.getKvs().get(0);
        assertEquals("v1", kv1.getValue().toString(UTF_8));
        assertEquals(r1, kv1.getCreateRevision());
        assertEquals(r1, kv1.getModRevision());
        assertEquals(1, kv1.getVersion());
        assertEquals(r1, read.getHeader().getRevision());

        PutResponse second = get(kv.put(bs("j1/k"), bs("v2"), PutOption.builder().withPrevKV().build()));
        assertEquals(r1 + 1, second.getHeader().getRevision());
        assertTrue(second.hasPrevKv());
        assertEquals("v1", second.getPrevKv().getValue().toString(UTF_8));
        KeyValue kv2 = get(kv.get(bs("j1/k"))).getKvs().get(0);
        assertEquals(r1, kv2.getCreateRevision());
        assertEquals(r1 + 1, kv2.getModRevision());
        assertEquals(2, kv2.getVersion());

        DeleteResponse deleted = get(kv.delete(bs("j1/k"), DeleteOption.builder().withPrevKV(true).build()));
        assertEquals(1, deleted.getDeleted());
        assertEquals(r1 + 2, deleted.getHeader().getRevision());
        assertEquals("v2", deleted.getPrevKvs().get(0).getValue().toString(UTF_8));
        GetResponse gone = get(kv.get(bs("j1/k")));
        assertEquals(0, gone.getCount());
        assertTrue(gone.getKvs().isEmpty());

        DeleteResponse none = get(kv.delete(bs("j1/k")));
        assertEquals(0, none.getDeleted());
        assertEquals(r1 + 2, none.getHeader().getRevision(), "deleting nothing must not bump the revision");

        GetResponse history = get(kv.get(bs("j1/k"), GetOption.builder().withRevision(r1).build()));
        assertEquals("v1", history.getKvs().get(0).getValue().toString(UTF_8));
    }

    @Test
    void rangeOptions() throws Exception {
        for (String k : List.of("j2/a", "j2/b", "j2/c", "j2/d")) {
            get(kv.put(bs(k), bs("value-of-" + k)));
        }
        GetOption prefix = GetOption.builder().isPrefix(true).build();
        assertEquals(4, get(kv.get(bs("j2/"), prefix)).getCount());

        GetResponse limited = get(kv.get(bs("j2/"), GetOption.builder().isPrefix(true).withLimit(2).build()));
        assertEquals(2, limited.getKvs().size());
        assertTrue(limited.isMore());
        assertEquals(4, limited.getCount(), "count ignores the limit");

        GetResponse range = get(kv.get(bs("j2/b"), GetOption.builder().withRange(bs("j2/d")).build()));
        assertEquals(List.of("j2/b", "j2/c"), keys(range));

        GetResponse desc = get(kv.get(bs("j2/"), GetOption.builder().isPrefix(true)
                .withSortField(GetOption.SortTarget.KEY).withSortOrder(GetOption.SortOrder.DESCEND).build()));
        assertEquals(List.of("j2/d", "j2/c", "j2/b", "j2/a"), keys(desc));

        GetResponse keysOnly = get(kv.get(bs("j2/"), GetOption.builder().isPrefix(true).withKeysOnly(true).build()));
        assertEquals(4, keysOnly.getKvs().size());
        assertTrue(keysOnly.getKvs().stream().allMatch(x -> x.getValue().isEmpty()));

        GetResponse countOnly = get(kv.get(bs("j2/"), GetOption.builder().isPrefix(true).withCountOnly(true).build()));
        assertTrue(countOnly.getKvs().isEmpty());
        assertEquals(4, countOnly.getCount());

        GetResponse serializable = get(kv.get(bs("j2/"), GetOption.builder().isPrefix(true).withSerializable(true).build()));
        assertEquals(4, serializable.getCount());
    }

    @Test
    void minMaxRevisionFiltersNarrowKvsButNotCount() throws Exception {
        long ra = get(kv.put(bs("j3/a"), bs("1"))).getHeader().getRevision();
        long rb = get(kv.put(bs("j3/b"), bs("2"))).getHeader().getRevision();
        long rc = get(kv.put(bs("j3/c"), bs("3"))).getHeader().getRevision();
        long ra2 = get(kv.put(bs("j3/a"), bs("4"))).getHeader().getRevision();
        assertEquals(List.of(rb, rc, ra2), List.of(ra + 1, ra + 2, ra + 3));

        GetResponse minMod = get(kv.get(bs("j3/"), GetOption.builder().isPrefix(true).withMinModRevision(rc).build()));
        assertEquals(List.of("j3/a", "j3/c"), keys(minMod));
        assertEquals(3, minMod.getCount(), "count ignores the min/max filters");

        GetResponse maxMod = get(kv.get(bs("j3/"), GetOption.builder().isPrefix(true).withMaxModRevision(rc).build()));
        assertEquals(List.of("j3/b", "j3/c"), keys(maxMod));

        GetResponse minCreate = get(kv.get(bs("j3/"), GetOption.builder().isPrefix(true).withMinCreateRevision(rb).build()));
        assertEquals(List.of("j3/b", "j3/c"), keys(minCreate));

        GetResponse maxCreate = get(kv.get(bs("j3/"), GetOption.builder().isPrefix(true).withMaxCreateRevision(ra).build()));
        assertEquals(List.of("j3/a"), keys(maxCreate));

        GetResponse window = get(kv.get(bs("j3/"), GetOption.builder().isPrefix(true)
                .withMinModRevision(rb).withMaxModRevision(rc).withMinCreateRevision(rb).build()));
        assertEquals(List.of("j3/b", "j3/c"), keys(window));
        assertEquals(3, window.getCount());
    }

    @Test
    void txnBranchesAndCompares() throws Exception {
        long r1 = get(kv.put(bs("j4/a"), bs("1"))).getHeader().getRevision();
        TxnResponse ok = get(kv.txn()
                .If(new Cmp(bs("j4/a"), Cmp.Op.EQUAL, CmpTarget.value(bs("1"))),
                        new Cmp(bs("j4/a"), Cmp.Op.EQUAL, CmpTarget.version(1)),
                        new Cmp(bs("j4/a"), Cmp.Op.EQUAL, CmpTarget.createRevision(r1)),
                        new Cmp(bs("j4/a"), Cmp.Op.LESS, CmpTarget.modRevision(r1 + 1)),
                        new Cmp(bs("j4/missing"), Cmp.Op.EQUAL, CmpTarget.version(0)))
                .Then(Op.put(bs("j4/b"), bs("yes"), PutOption.DEFAULT),
                        Op.get(bs("j4/"), GetOption.builder().isPrefix(true).build()))
                .Else(Op.put(bs("j4/c"), bs("no"), PutOption.DEFAULT))
                .commit());
        assertTrue(ok.isSucceeded());
        assertEquals(r1 + 1, ok.getHeader().getRevision(), "one revision for the whole txn");
        assertEquals(1, ok.getPutResponses().size());
        assertEquals(List.of("j4/a", "j4/b"), keys(ok.getGetResponses().get(0)));

        TxnResponse failed = get(kv.txn()
                .If(new Cmp(bs("j4/a"), Cmp.Op.GREATER, CmpTarget.value(bs("1"))))
                .Then(Op.put(bs("j4/b"), bs("never"), PutOption.DEFAULT))
                .Else(Op.delete(bs("j4/b"), DeleteOption.builder().withPrevKV(true).build()))
                .commit());
        assertFalse(failed.isSucceeded());
        assertEquals(r1 + 2, failed.getHeader().getRevision());
        assertEquals(1, failed.getDeleteResponses().get(0).getDeleted());

        TxnResponse readOnly = get(kv.txn().Then(Op.get(bs("j4/a"), GetOption.DEFAULT)).commit());
        assertEquals(r1 + 2, readOnly.getHeader().getRevision(), "a read-only txn does not bump the revision");

        TxnResponse valueOfMissing = get(kv.txn()
                .If(new Cmp(bs("j4/missing"), Cmp.Op.EQUAL, CmpTarget.value(bs(""))))
                .Then(Op.put(bs("j4/x"), bs("1"), PutOption.DEFAULT)).commit());
        assertFalse(valueOfMissing.isSucceeded(), "a VALUE compare on a missing key fails");
    }

    @Test
    void compactionAndRevisionErrors() throws Exception {
        long r1 = get(kv.put(bs("j5/k"), bs("1"))).getHeader().getRevision();
        long r2 = get(kv.put(bs("j5/k"), bs("2"))).getHeader().getRevision();
        long r3 = get(kv.put(bs("j5/k"), bs("3"))).getHeader().getRevision();
        get(kv.compact(r2));

        assertError(failure(kv.get(bs("j5/k"), GetOption.builder().withRevision(r1).build())),
                Status.Code.OUT_OF_RANGE, "etcdserver: mvcc: required revision has been compacted");
        assertEquals("2", get(kv.get(bs("j5/k"), GetOption.builder().withRevision(r2).build()))
                .getKvs().get(0).getValue().toString(UTF_8));
        assertError(failure(kv.get(bs("j5/k"), GetOption.builder().withRevision(r3 + 1000).build())),
                Status.Code.OUT_OF_RANGE, "etcdserver: mvcc: required revision is a future revision");
        assertError(failure(kv.compact(r2)), Status.Code.OUT_OF_RANGE, "etcdserver: mvcc: required revision has been compacted");
        assertError(failure(kv.compact(r3 + 1000)), Status.Code.OUT_OF_RANGE, "etcdserver: mvcc: required revision is a future revision");

        get(kv.compact(r3, CompactOption.builder().withCompactPhysical(true).build()));
        assertError(failure(kv.get(bs("j5/k"), GetOption.builder().withRevision(r2).build())),
                Status.Code.OUT_OF_RANGE, "etcdserver: mvcc: required revision has been compacted");
        assertEquals("3", get(kv.get(bs("j5/k"))).getKvs().get(0).getValue().toString(UTF_8));
    }

    @Test
    void requestErrorsMapToEtcdCodesAndMessages() throws Exception {
        assertError(failure(kv.put(bs(""), bs("v"))), Status.Code.INVALID_ARGUMENT, "etcdserver: key is not provided");
        assertError(failure(kv.get(bs(""))), Status.Code.INVALID_ARGUMENT, "etcdserver: key is not provided");
        assertError(failure(kv.put(bs("j6/k"), bs("v"), PutOption.builder().withLeaseId(0x1234abcdL).build())),
                Status.Code.NOT_FOUND, "etcdserver: requested lease not found");
        assertError(failure(kv.put(bs("j6/big"), ByteSequence.from(new byte[1536 * 1024 + 1]))),
                Status.Code.INVALID_ARGUMENT, "etcdserver: request is too large");

        Op[] tooMany = new Op[129];
        for (int i = 0; i < tooMany.length; i++) {
            tooMany[i] = Op.put(bs("j6/many/" + i), bs("v"), PutOption.DEFAULT);
        }
        assertError(failure(kv.txn().Then(tooMany).commit()), Status.Code.INVALID_ARGUMENT,
                "etcdserver: too many operations in txn request");
        assertTrue(get(kv.txn().Then(java.util.Arrays.copyOf(tooMany, 128)).commit()).isSucceeded(), "128 ops are allowed");

        assertError(failure(kv.txn().Then(Op.put(bs("j6/d"), bs("1"), PutOption.DEFAULT),
                        Op.put(bs("j6/d"), bs("2"), PutOption.DEFAULT)).commit()),
                Status.Code.INVALID_ARGUMENT, "etcdserver: duplicate key given in txn request");
        assertEquals(0, get(kv.get(bs("j6/d"))).getCount(), "a rejected txn writes nothing");
    }

    private static List<String> keys(GetResponse r) {
        return r.getKvs().stream().map(x -> x.getKey().toString(UTF_8)).toList();
    }
}
