package dev.etcetera.server;

import static dev.etcetera.server.KvFixture.await;
import static dev.etcetera.server.KvFixture.b;
import static dev.etcetera.server.KvFixture.cmp;
import static dev.etcetera.server.KvFixture.delOp;
import static dev.etcetera.server.KvFixture.error;
import static dev.etcetera.server.KvFixture.getOp;
import static dev.etcetera.server.KvFixture.pairs;
import static dev.etcetera.server.KvFixture.putOp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.etcetera.api.etcdserverpb.CompactionRequest;
import dev.etcetera.api.etcdserverpb.Compare;
import dev.etcetera.api.etcdserverpb.Compare.CompareResult;
import dev.etcetera.api.etcdserverpb.Compare.CompareTarget;
import dev.etcetera.api.etcdserverpb.DeleteRangeRequest;
import dev.etcetera.api.etcdserverpb.PutRequest;
import dev.etcetera.api.etcdserverpb.RangeRequest;
import dev.etcetera.api.etcdserverpb.RequestOp;
import dev.etcetera.api.etcdserverpb.TxnRequest;
import dev.etcetera.api.etcdserverpb.TxnResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TxnSemanticsTest {
    private KvFixture kv;

    @BeforeEach
    void open() {
        kv = new KvFixture();
    }

    @AfterEach
    void close() {
        kv.close();
    }

    private TxnResponse txn(TxnRequest.Builder t) {
        return await(kv.server.txn(t.build()), "txn");
    }

    private boolean holds(Compare.Builder c) {
        return txn(TxnRequest.newBuilder().addCompare(c)).getSucceeded();
    }

    /** Sets the compare's operand for its target from a "pivot" rank: -1 below, 0 equal, +1 above the key's value. */
    private static Compare.Builder operand(Compare.Builder c, CompareTarget target, int pivot) {
        return switch (target) {
            case VERSION -> c.setVersion(2 + pivot);
            case CREATE -> c.setCreateRevision(2 + pivot);
            case MOD -> c.setModRevision(3 + pivot);
            case VALUE -> c.setValue(b("v" + (2 + pivot)));
            case LEASE -> c.setLease(pivot);
            default -> throw new IllegalArgumentException();
        };
    }

    @Test
    void everyCompareTargetTimesResult() {
        kv.put("k", "v1"); // 2
        kv.put("k", "v2"); // 3: create 2, mod 3, version 2, lease 0, value v2
        for (CompareTarget target : List.of(CompareTarget.VERSION, CompareTarget.CREATE, CompareTarget.MOD,
                CompareTarget.VALUE, CompareTarget.LEASE)) {
            for (CompareResult result : List.of(CompareResult.EQUAL, CompareResult.GREATER, CompareResult.LESS,
                    CompareResult.NOT_EQUAL)) {
                for (int pivot = -1; pivot <= 1; pivot++) {
                    // the key's value compared with an operand below (pivot -1), equal to (0) or above (+1) it
                    boolean expected = switch (result) {
                        case EQUAL -> pivot == 0;
                        case NOT_EQUAL -> pivot != 0;
                        case GREATER -> pivot < 0;
                        case LESS -> pivot > 0;
                        default -> throw new IllegalArgumentException();
                    };
                    Compare.Builder c = operand(cmp("k", target, result), target, pivot);
                    assertEquals(expected, holds(c), target + " " + result + " pivot " + pivot);
                }
            }
        }
        assertEquals(3, kv.revision(), "read-only txns do not bump the revision");
    }

    @Test
    void missingKeyComparesAsZeroButValueAlwaysFails() {
        assertTrue(holds(cmp("nope", CompareTarget.VERSION, CompareResult.EQUAL).setVersion(0)));
        assertTrue(holds(cmp("nope", CompareTarget.CREATE, CompareResult.EQUAL).setCreateRevision(0)));
        assertTrue(holds(cmp("nope", CompareTarget.MOD, CompareResult.LESS).setModRevision(1)));
        assertTrue(holds(cmp("nope", CompareTarget.LEASE, CompareResult.EQUAL).setLease(0)));
        assertFalse(holds(cmp("nope", CompareTarget.VALUE, CompareResult.EQUAL).setValue(b(""))));
        assertFalse(holds(cmp("nope", CompareTarget.VALUE, CompareResult.NOT_EQUAL).setValue(b("x"))));
    }

    @Test
    void mismatchedTargetUnionComparesAgainstZero() {
        kv.put("k", "v");
        assertTrue(holds(cmp("k", CompareTarget.VERSION, CompareResult.GREATER).setModRevision(100)));
        assertTrue(holds(cmp("k", CompareTarget.VALUE, CompareResult.GREATER).setVersion(1)));
    }

    @Test
    void compareOverARangeMustHoldForEveryKey() {
        kv.put("r1", "x");
        kv.put("r2", "x");
        kv.put("r2", "y");
        assertTrue(holds(cmp("r", CompareTarget.VERSION, CompareResult.GREATER).setVersion(0).setRangeEnd(b("s"))));
        assertFalse(holds(cmp("r", CompareTarget.VERSION, CompareResult.EQUAL).setVersion(1).setRangeEnd(b("s"))));
        assertTrue(holds(cmp("r2", CompareTarget.VERSION, CompareResult.EQUAL).setVersion(2).setRangeEnd(b("\0"))));
        assertTrue(holds(cmp("s", CompareTarget.VERSION, CompareResult.EQUAL).setVersion(0).setRangeEnd(b("t"))),
                "empty range compares as a missing key");
    }

    @Test
    void successAndFailureBranches() {
        kv.put("k", "v"); // 2
        TxnResponse ok = txn(TxnRequest.newBuilder()
                .addCompare(cmp("k", CompareTarget.VALUE, CompareResult.EQUAL).setValue(b("v")))
                .addSuccess(putOp("s", "1")).addFailure(putOp("f", "1")));
        assertTrue(ok.getSucceeded());
        assertEquals(3, ok.getHeader().getRevision());
        TxnResponse no = txn(TxnRequest.newBuilder()
                .addCompare(cmp("k", CompareTarget.VALUE, CompareResult.EQUAL).setValue(b("other")))
                .addSuccess(putOp("s", "2")).addFailure(putOp("f", "2")));
        assertFalse(no.getSucceeded());
        assertEquals(4, no.getHeader().getRevision());
        assertEquals("1", kv.kv("s").getValue().toStringUtf8());
        assertEquals("2", kv.kv("f").getValue().toStringUtf8());
        assertEquals(KvFixture.INFO.memberId(), no.getHeader().getMemberId());
    }

    @Test
    void oneRevisionPerWriteTxnAndOwnWritesVisible() {
        kv.put("a", "0"); // 2
        kv.put("c", "0"); // 3
        TxnResponse r = txn(TxnRequest.newBuilder()
                .addSuccess(getOp("a"))
                .addSuccess(putOp("a", "1"))
                .addSuccess(putOp("b", "1"))
                .addSuccess(getOp("a"))
                .addSuccess(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(b("a")).setRangeEnd(b("\0"))))
                .addSuccess(delOp("c", null))
                .addSuccess(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(b("a")).setRangeEnd(b("\0")))));
        assertEquals(4, r.getHeader().getRevision());
        assertEquals(List.of("a=0"), pairs(r.getResponses(0).getResponseRange().getKvsList()));
        assertEquals(3, r.getResponses(0).getResponseRange().getHeader().getRevision());
        assertEquals(4, r.getResponses(1).getResponsePut().getHeader().getRevision());
        assertEquals(List.of("a=1"), pairs(r.getResponses(3).getResponseRange().getKvsList()));
        assertEquals(4, r.getResponses(3).getResponseRange().getHeader().getRevision());
        assertEquals(List.of("a=1", "b=1", "c=0"), pairs(r.getResponses(4).getResponseRange().getKvsList()));
        assertEquals(1, r.getResponses(5).getResponseDeleteRange().getDeleted());
        assertEquals(4, r.getResponses(5).getResponseDeleteRange().getHeader().getRevision());
        assertEquals(List.of("a=1", "b=1"), pairs(r.getResponses(6).getResponseRange().getKvsList()));
        assertEquals(4, kv.revision());
        assertEquals(4, kv.kv("a").getModRevision());
        assertEquals(4, kv.kv("b").getModRevision());
        assertEquals(2, kv.kv("a").getVersion());
        assertNull(kv.kv("c"));
        // the history at 3 is intact
        assertEquals(List.of("a=0", "c=0"), pairs(kv.range(RangeRequest.newBuilder().setKey(b("a")).setRangeEnd(b("\0")).setRevision(3).build()).getKvsList()));
    }

    @Test
    void readOnlyAndNoOpTxnsKeepTheRevision() {
        kv.put("a", "0"); // 2
        TxnResponse ro = txn(TxnRequest.newBuilder().addSuccess(getOp("a")).addSuccess(getOp("zz")));
        assertEquals(2, ro.getHeader().getRevision());
        TxnResponse noop = txn(TxnRequest.newBuilder().addSuccess(delOp("nothing", null)));
        assertEquals(2, noop.getHeader().getRevision());
        assertEquals(0, noop.getResponses(0).getResponseDeleteRange().getDeleted());
        assertEquals(2, kv.revision());
        TxnResponse empty = txn(TxnRequest.newBuilder());
        assertTrue(empty.getSucceeded());
        assertEquals(2, empty.getHeader().getRevision());
    }

    @Test
    void nestedTxnsShareTheRevisionAndComparesSeeTheStateBefore() {
        kv.put("a", "0"); // 2
        TxnRequest inner = TxnRequest.newBuilder()
                .addCompare(cmp("x", CompareTarget.VERSION, CompareResult.EQUAL).setVersion(0)) // x absent before the txn
                .addSuccess(putOp("y", "inner-then"))
                .addFailure(putOp("y", "inner-else"))
                .build();
        TxnResponse r = txn(TxnRequest.newBuilder()
                .addSuccess(putOp("x", "1"))
                .addSuccess(RequestOp.newBuilder().setRequestTxn(inner))
                .addSuccess(getOp("y")));
        assertEquals(3, r.getHeader().getRevision());
        TxnResponse nested = r.getResponses(1).getResponseTxn();
        assertTrue(nested.getSucceeded());
        assertEquals(3, nested.getResponses(0).getResponsePut().getHeader().getRevision());
        assertEquals(List.of("y=inner-then"), pairs(r.getResponses(2).getResponseRange().getKvsList()));
        assertEquals(3, kv.kv("x").getModRevision());
        assertEquals(3, kv.kv("y").getModRevision());
    }

    @Test
    void putOptionsInsideTxn() {
        kv.put("a", "0"); // 2
        TxnResponse r = txn(TxnRequest.newBuilder()
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(b("a")).setIgnoreValue(true).setPrevKv(true)))
                .addSuccess(RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder().setKey(b("zz")).setPrevKv(true))));
        assertEquals("0", r.getResponses(0).getResponsePut().getPrevKv().getValue().toStringUtf8());
        assertEquals("0", kv.kv("a").getValue().toStringUtf8());
        assertEquals(2, kv.kv("a").getVersion());
    }

    @Test
    void failingChecksApplyNothing() {
        kv.put("a", "0"); // 2
        TxnRequest futureRange = TxnRequest.newBuilder().addSuccess(putOp("b", "1"))
                .addSuccess(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(b("a")).setRevision(3))).build();
        assertEquals(EtcdError.FUTURE_REV, error(kv.server.txn(futureRange)));
        TxnRequest ignoreMissing = TxnRequest.newBuilder().addSuccess(putOp("b", "1"))
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(b("missing")).setIgnoreValue(true))).build();
        assertEquals(EtcdError.KEY_NOT_FOUND, error(kv.server.txn(ignoreMissing)));
        TxnRequest lease = TxnRequest.newBuilder().addSuccess(putOp("b", "1"))
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(b("c")).setLease(7))).build();
        assertEquals(EtcdError.LEASE_NOT_FOUND, error(kv.server.txn(lease)));
        TxnRequest nestedBad = TxnRequest.newBuilder().addSuccess(putOp("b", "1"))
                .addSuccess(RequestOp.newBuilder().setRequestTxn(TxnRequest.newBuilder()
                        .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(b("m")).setIgnoreLease(true))))).build();
        assertEquals(EtcdError.KEY_NOT_FOUND, error(kv.server.txn(nestedBad)));
        assertNull(kv.kv("b"));
        assertEquals(2, kv.revision());
    }

    @Test
    void compactedRangeInsideTxns() {
        kv.put("a", "0"); // 2
        kv.put("a", "1"); // 3
        await(kv.server.compact(CompactionRequest.newBuilder().setRevision(3).build()), "compact");
        TxnRequest ro = TxnRequest.newBuilder()
                .addSuccess(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(b("a")).setRevision(2))).build();
        assertEquals(EtcdError.COMPACTED, error(kv.server.txn(ro)));
        TxnRequest rw = ro.toBuilder().addSuccess(putOp("b", "1")).build();
        assertEquals(EtcdError.COMPACTED, error(kv.server.txn(rw)));
        assertEquals(3, kv.revision());
    }

    @Test
    void negativeRevisionInsideATxnIsCompactedAsInEtcd() {
        // etcd checks txn ranges against the compacted revision, which starts at -1: a plain range at a
        // negative revision reads the latest, the same range inside a txn fails (checked on etcd 3.4.23)
        kv.put("a", "0");
        assertEquals(1, kv.range(RangeRequest.newBuilder().setKey(b("a")).setRevision(-5).build()).getCount());
        TxnRequest t = TxnRequest.newBuilder()
                .addSuccess(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(b("a")).setRevision(-5))).build();
        assertEquals(EtcdError.COMPACTED, error(kv.server.txn(t)));
        TxnRequest minusOne = TxnRequest.newBuilder()
                .addSuccess(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(b("a")).setRevision(-1))).build();
        assertEquals(1, await(kv.server.txn(minusOne), "txn at -1").getResponses(0).getResponseRange().getCount());
    }

    private static TxnRequest.Builder puts(int n, String prefix) {
        TxnRequest.Builder t = TxnRequest.newBuilder();
        for (int i = 0; i < n; i++) {
            t.addSuccess(putOp(prefix + i, "v"));
        }
        return t;
    }

    @Test
    void tooManyOps() {
        assertEquals(EtcdError.TOO_MANY_OPS, error(kv.server.txn(puts(129, "k").build())));
        TxnRequest.Builder compares = TxnRequest.newBuilder();
        for (int i = 0; i < 129; i++) {
            compares.addCompare(cmp("k" + i, CompareTarget.VERSION, CompareResult.EQUAL));
        }
        assertEquals(EtcdError.TOO_MANY_OPS, error(kv.server.txn(compares.build())));
        TxnRequest.Builder failure = TxnRequest.newBuilder();
        for (int i = 0; i < 129; i++) {
            failure.addFailure(getOp("k" + i));
        }
        assertEquals(EtcdError.TOO_MANY_OPS, error(kv.server.txn(failure.build())));
        // nested txns get what the outer txn leaves of the budget: 128 - 100 = 28
        TxnRequest.Builder outer = puts(99, "o").addSuccess(RequestOp.newBuilder().setRequestTxn(puts(29, "n")));
        assertEquals(EtcdError.TOO_MANY_OPS, error(kv.server.txn(outer.build())));
        TxnRequest.Builder fits = puts(99, "o").addSuccess(RequestOp.newBuilder().setRequestTxn(puts(28, "n")));
        assertTrue(await(kv.server.txn(fits.build()), "txn within budget").getSucceeded());
        assertTrue(await(kv.server.txn(puts(128, "x").build()), "128 ops").getSucceeded());
    }

    private EtcdError txnError(TxnRequest.Builder t) {
        return error(kv.server.txn(t.build()));
    }

    private static RequestOp nested(TxnRequest.Builder t) {
        return RequestOp.newBuilder().setRequestTxn(t).build();
    }

    @Test
    void duplicateKeysAsEtcdChecksThem() {
        assertEquals(EtcdError.DUPLICATE_KEY, txnError(TxnRequest.newBuilder().addSuccess(putOp("a", "1")).addSuccess(putOp("a", "2"))));
        assertEquals(EtcdError.DUPLICATE_KEY, txnError(TxnRequest.newBuilder().addFailure(putOp("a", "1")).addFailure(putOp("a", "2"))));
        assertEquals(EtcdError.DUPLICATE_KEY, txnError(TxnRequest.newBuilder().addSuccess(putOp("a", "1")).addSuccess(delOp("a", null))));
        assertEquals(EtcdError.DUPLICATE_KEY, txnError(TxnRequest.newBuilder().addSuccess(delOp("a", "c")).addSuccess(putOp("b", "1"))));
        assertEquals(EtcdError.DUPLICATE_KEY, txnError(TxnRequest.newBuilder()
                .addSuccess(putOp("a", "1")).addSuccess(nested(TxnRequest.newBuilder().addSuccess(putOp("a", "2"))))));
        assertEquals(EtcdError.DUPLICATE_KEY, txnError(TxnRequest.newBuilder()
                .addSuccess(delOp("a", "b")).addSuccess(nested(TxnRequest.newBuilder().addFailure(putOp("a", "2"))))));
        assertEquals(EtcdError.DUPLICATE_KEY, txnError(TxnRequest.newBuilder()
                .addSuccess(nested(TxnRequest.newBuilder().addSuccess(delOp("a", null)))).addSuccess(putOp("a", "1"))));
        assertEquals(EtcdError.DUPLICATE_KEY, txnError(TxnRequest.newBuilder()
                .addSuccess(nested(TxnRequest.newBuilder().addSuccess(putOp("a", "1"))))
                .addSuccess(nested(TxnRequest.newBuilder().addFailure(putOp("a", "2"))))));
        assertEquals(2 - 1, kv.revision(), "nothing applied");

        // allowed: the two branches of one nested txn, deletes overlapping deletes, the same key in
        // success and failure of the top txn, and (etcd quirk) a put after a delete whose range_end is "\0"
        assertTrue(await(kv.server.txn(TxnRequest.newBuilder()
                .addSuccess(nested(TxnRequest.newBuilder().addSuccess(putOp("a", "1")).addFailure(putOp("a", "2")))).build()), "then/else").getSucceeded());
        assertTrue(await(kv.server.txn(TxnRequest.newBuilder()
                .addSuccess(delOp("a", "c")).addSuccess(delOp("b", "d")).build()), "overlapping deletes").getSucceeded());
        assertTrue(await(kv.server.txn(TxnRequest.newBuilder()
                .addSuccess(putOp("a", "1")).addFailure(putOp("a", "2")).build()), "both branches").getSucceeded());
        assertTrue(await(kv.server.txn(TxnRequest.newBuilder()
                .addSuccess(delOp("a", "\0")).addSuccess(putOp("b", "1")).build()), "from-key delete quirk").getSucceeded());
    }

    @Test
    void malformedOpsAndKeys() {
        assertEquals(EtcdError.KEY_NOT_FOUND, txnError(TxnRequest.newBuilder().addSuccess(RequestOp.getDefaultInstance())));
        assertEquals(EtcdError.EMPTY_KEY, txnError(TxnRequest.newBuilder().addCompare(Compare.newBuilder())));
        assertEquals(EtcdError.EMPTY_KEY, txnError(TxnRequest.newBuilder().addSuccess(putOp("", "v"))));
        assertEquals(EtcdError.EMPTY_KEY, txnError(TxnRequest.newBuilder().addFailure(getOp(""))));
        assertEquals(EtcdError.EMPTY_KEY, txnError(TxnRequest.newBuilder().addSuccess(delOp("", null))));
        assertEquals(EtcdError.VALUE_PROVIDED, txnError(TxnRequest.newBuilder().addSuccess(RequestOp.newBuilder()
                .setRequestPut(PutRequest.newBuilder().setKey(b("a")).setValue(b("v")).setIgnoreValue(true)))));
        assertEquals(EtcdError.INVALID_SORT_OPTION, txnError(TxnRequest.newBuilder().addSuccess(RequestOp.newBuilder()
                .setRequestRange(RangeRequest.newBuilder().setKey(b("a")).setSortTargetValue(9)))));
        assertEquals(EtcdError.EMPTY_KEY, txnError(TxnRequest.newBuilder().addSuccess(nested(TxnRequest.newBuilder().addSuccess(putOp("", "v"))))));
        assertEquals(1, kv.revision());
    }
}
