package dev.etcetera.apply;

import com.google.protobuf.ByteString;
import dev.etcetera.api.etcdserverpb.CompactionRequest;
import dev.etcetera.api.etcdserverpb.CompactionResponse;
import dev.etcetera.api.etcdserverpb.DeleteRangeRequest;
import dev.etcetera.api.etcdserverpb.DeleteRangeResponse;
import dev.etcetera.api.etcdserverpb.PutRequest;
import dev.etcetera.api.etcdserverpb.PutResponse;
import dev.etcetera.api.etcdserverpb.RangeRequest;
import dev.etcetera.api.etcdserverpb.RequestOp;
import dev.etcetera.api.etcdserverpb.ResponseHeader;
import dev.etcetera.api.etcdserverpb.ResponseOp;
import dev.etcetera.api.etcdserverpb.TxnRequest;
import dev.etcetera.api.etcdserverpb.TxnResponse;
import dev.etcetera.api.internal.InternalRaftRequest;
import dev.etcetera.api.mvccpb.KeyValue;
import dev.etcetera.mvcc.MvccStore;
import dev.etcetera.mvcc.RangeResult;
import dev.etcetera.mvcc.ReadView;
import dev.etcetera.mvcc.WriteTxn;
import dev.etcetera.server.EtcdError;
import dev.etcetera.server.EtcdException;
import java.util.Iterator;
import java.util.List;

/**
 * The replicated state machine's KV part: applies one committed {@link InternalRaftRequest} to the
 * {@link MvccStore}, as etcd's applier and {@code txn} package do. Requests arrive validated (the
 * server checks them before proposing, see {@code RequestChecks}); what can only be known against the
 * store (revisions of ranges in a txn, ignore_value on a missing key, unknown leases) is checked here
 * before anything is written, so a failing entry changes nothing.
 *
 * <p>Thread: the apply thread only (it drives the store's write side). The static read operations
 * ({@link #range}, {@link #readOnlyTxn}) may run on any thread against a published view.
 */
public final class Applier {

    private final MvccStore store;
    private final LeaseLookup leases;

    public Applier(MvccStore store, LeaseLookup leases) {
        this.store = store;
        this.leases = leases;
    }

    /**
     * Applies the entry at {@code index}, unless the store already holds its effects (index at or
     * below the consistent index, as after replay) or the entry is the empty entry of a new term:
     * then null is returned (no outcome to report).
     *
     * @param header the response header (cluster, member, term); its revision is set here
     * @throws IllegalStateException if the store failed in a way that leaves it half-applied; the
     *         caller must stop using the store
     */
    public ApplyResult apply(long index, InternalRaftRequest request, ResponseHeader header) {
        if (index <= store.consistentIndex()) {
            return null;
        }
        try {
            return switch (request.getRequestCase()) {
                case PUT -> ApplyResult.ok(put(request.getPut(), header));
                case DELETE_RANGE -> ApplyResult.ok(deleteRange(request.getDeleteRange(), header));
                case TXN -> ApplyResult.ok(txn(request.getTxn(), header));
                case COMPACTION -> ApplyResult.ok(compact(request.getCompaction(), header));
                case LEASE_GRANT -> ApplyResult.ok(leaseRequests().grant(request.getLeaseGrant(), header));
                case LEASE_REVOKE -> ApplyResult.ok(leaseRequests().revoke(request.getLeaseRevoke(), header));
                case LEASE_CHECKPOINT -> ApplyResult.ok(leaseRequests().checkpoint(request.getLeaseCheckpoint(), header));
                // the empty entry a member logs when it takes a new term: no effect, nobody waits for it
                case REQUEST_NOT_SET -> null;
                default -> ApplyResult.failed(EtcdError.NOT_CAPABLE.exception());
            };
        } catch (EtcdException e) {
            return ApplyResult.failed(e);
        }
    }

    private LeaseRequests leaseRequests() {
        if (leases instanceof LeaseRequests l) {
            return l;
        }
        throw EtcdError.NOT_CAPABLE.exception();
    }

    // ------------------------------------------------------------------ put / delete

    private PutResponse put(PutRequest p, ResponseHeader header) {
        if (p.getLease() != 0 && !leases.exists(p.getLease())) {
            throw EtcdError.LEASE_NOT_FOUND.exception();
        }
        WriteTxn txn = store.write();
        try {
            PutResponse.Builder resp = put(txn, p);
            return resp.setHeader(header.toBuilder().setRevision(resp.getHeader().getRevision())).build();
        } finally {
            txn.end();
        }
    }

    /** etcd's {@code put}: the previous key-value is read inside the txn (it sees the txn's own writes). */
    private static PutResponse.Builder put(WriteTxn txn, PutRequest p) {
        KeyValue prev = null;
        if (p.getIgnoreValue() || p.getIgnoreLease() || p.getPrevKv()) {
            RangeResult rr = txn.range(p.getKey(), null, 0, 0, false);
            prev = rr.kvs().isEmpty() ? null : rr.kvs().get(0);
        }
        if ((p.getIgnoreValue() || p.getIgnoreLease()) && prev == null) {
            throw EtcdError.KEY_NOT_FOUND.exception();
        }
        ByteString value = p.getIgnoreValue() ? prev.getValue() : p.getValue();
        long lease = p.getIgnoreLease() ? prev.getLease() : p.getLease();
        PutResponse.Builder resp = PutResponse.newBuilder();
        if (p.getPrevKv() && prev != null) {
            resp.setPrevKv(prev);
        }
        KeyValue kv = txn.put(p.getKey(), value, lease);
        return resp.setHeader(ResponseHeader.newBuilder().setRevision(kv.getModRevision()));
    }

    private DeleteRangeResponse deleteRange(DeleteRangeRequest d, ResponseHeader header) {
        WriteTxn txn = store.write();
        try {
            DeleteRangeResponse.Builder resp = deleteRange(txn, d);
            return resp.setHeader(header.toBuilder().setRevision(resp.getHeader().getRevision())).build();
        } finally {
            txn.end();
        }
    }

    private static DeleteRangeResponse.Builder deleteRange(WriteTxn txn, DeleteRangeRequest d) {
        DeleteRangeResponse.Builder resp = DeleteRangeResponse.newBuilder();
        ByteString end = RangeOp.rangeEnd(d.getRangeEnd());
        if (d.getPrevKv()) {
            resp.addAllPrevKvs(txn.range(d.getKey(), end, 0, 0, false).kvs());
        }
        long deleted = txn.deleteRange(d.getKey(), end);
        // etcd: the header shows the txn's revision if this or an earlier op of the txn changed something
        return resp.setDeleted(deleted).setHeader(ResponseHeader.newBuilder().setRevision(txn.rev()));
    }

    // ------------------------------------------------------------------ compaction

    private CompactionResponse compact(CompactionRequest c, ResponseHeader header) {
        store.compact(c.getRevision());
        return CompactionResponse.newBuilder()
                .setHeader(header.toBuilder().setRevision(store.currentRevision())).build();
    }

    // ------------------------------------------------------------------ txn

    /** True if the txn only reads (etcd's {@code IsTxnReadonly}): then it is served without the log. */
    public static boolean isReadOnly(TxnRequest t) {
        for (RequestOp op : t.getSuccessList()) {
            if (!op.hasRequestRange()) {
                return false;
            }
        }
        for (RequestOp op : t.getFailureList()) {
            if (!op.hasRequestRange()) {
                return false;
            }
        }
        return true;
    }

    /** True if every op of the txn is a serializable range (etcd's {@code IsTxnSerializable}). */
    public static boolean isSerializable(TxnRequest t) {
        for (RequestOp op : t.getSuccessList()) {
            if (!op.hasRequestRange() || !op.getRequestRange().getSerializable()) {
                return false;
            }
        }
        for (RequestOp op : t.getFailureList()) {
            if (!op.hasRequestRange() || !op.getRequestRange().getSerializable()) {
                return false;
            }
        }
        return true;
    }

    /** A range on a published view (any thread). */
    public static dev.etcetera.api.etcdserverpb.RangeResponse range(ReadView view, RangeRequest r, ResponseHeader header) {
        return RangeOp.execute(view, r, header);
    }

    /** A txn whose ops are all ranges, on a published view (any thread). */
    public static TxnResponse readOnlyTxn(ReadView view, TxnRequest t, ResponseHeader header) {
        Compares.Path path = Compares.path(view, t);
        check(view, t, path, LeaseLookup.NONE);
        TxnResponse.Builder resp = execute(view, null, t, path);
        return resp.setHeader(header.toBuilder().setRevision(view.rev())).build();
    }

    private TxnResponse txn(TxnRequest t, ResponseHeader header) {
        if (isReadOnly(t)) {
            // A read-only txn that went through the log anyway (allowed): read at the applied state.
            return readOnlyTxn(store.applyView(), t, header);
        }
        ReadView before = store.applyView();
        Compares.Path path = Compares.path(before, t);
        check(before, t, path, leases);
        WriteTxn txn = store.write();
        try {
            TxnResponse.Builder resp = execute(txn, txn, t, path);
            return resp.setHeader(header.toBuilder().setRevision(txn.rev())).build();
        } catch (EtcdException e) {
            if (txn.changes() > 0) {
                throw new IllegalStateException("txn failed after writing: " + e.getMessage(), e);
            }
            throw e;
        } finally {
            txn.end();
        }
    }

    /** etcd's {@code checkTxn}: everything that could fail is checked against the state before the txn. */
    private static void check(ReadView view, TxnRequest t, Compares.Path path, LeaseLookup leases) {
        Iterator<Compares.Path> nested = path.nested().iterator();
        for (RequestOp op : path.succeeded() ? t.getSuccessList() : t.getFailureList()) {
            switch (op.getRequestCase()) {
                case REQUEST_RANGE -> {
                    long rev = op.getRequestRange().getRevision();
                    if (rev != 0 && rev > view.rev()) {
                        throw EtcdError.FUTURE_REV.exception();
                    }
                    if (rev != 0 && rev < view.firstRev()) {
                        throw EtcdError.COMPACTED.exception();
                    }
                }
                case REQUEST_PUT -> {
                    PutRequest p = op.getRequestPut();
                    if ((p.getIgnoreValue() || p.getIgnoreLease())
                            && view.range(p.getKey(), null, 0, 0, false).kvs().isEmpty()) {
                        throw EtcdError.KEY_NOT_FOUND.exception();
                    }
                    if (p.getLease() != 0 && !leases.exists(p.getLease())) {
                        throw EtcdError.LEASE_NOT_FOUND.exception();
                    }
                }
                case REQUEST_TXN -> check(view, op.getRequestTxn(), nested.next(), leases);
                default -> {
                }
            }
        }
    }

    /**
     * Runs the ops of the branch {@code path} chose. Ranges read through {@code reads} (the write txn
     * itself in a write txn, so they see its earlier writes); writes go through {@code writes}.
     */
    private static TxnResponse.Builder execute(ReadView reads, WriteTxn writes, TxnRequest t, Compares.Path path) {
        TxnResponse.Builder resp = TxnResponse.newBuilder().setSucceeded(path.succeeded());
        Iterator<Compares.Path> nested = path.nested().iterator();
        List<RequestOp> ops = path.succeeded() ? t.getSuccessList() : t.getFailureList();
        ResponseHeader empty = ResponseHeader.getDefaultInstance();
        for (RequestOp op : ops) {
            ResponseOp.Builder r = ResponseOp.newBuilder();
            switch (op.getRequestCase()) {
                case REQUEST_RANGE -> r.setResponseRange(RangeOp.execute(reads, op.getRequestRange(), empty));
                case REQUEST_PUT -> r.setResponsePut(put(writes, op.getRequestPut()));
                case REQUEST_DELETE_RANGE -> r.setResponseDeleteRange(deleteRange(writes, op.getRequestDeleteRange()));
                case REQUEST_TXN -> {
                    TxnResponse.Builder inner = execute(reads, writes, op.getRequestTxn(), nested.next());
                    r.setResponseTxn(inner.setHeader(ResponseHeader.getDefaultInstance()));
                }
                default -> {
                }
            }
            resp.addResponses(r);
        }
        return resp;
    }
}
