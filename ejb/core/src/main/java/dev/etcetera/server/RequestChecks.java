package dev.etcetera.server;

import com.google.protobuf.ByteString;
import dev.etcetera.api.etcdserverpb.Compare;
import dev.etcetera.api.etcdserverpb.DeleteRangeRequest;
import dev.etcetera.api.etcdserverpb.PutRequest;
import dev.etcetera.api.etcdserverpb.RangeRequest;
import dev.etcetera.api.etcdserverpb.RequestOp;
import dev.etcetera.api.etcdserverpb.TxnRequest;
import dev.etcetera.mvcc.TreeIndex;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The request checks etcd's gRPC layer makes before a request reaches the server ({@code v3rpc/key.go}:
 * checkRangeRequest, checkPutRequest, checkDeleteRequest, checkTxnRequest, checkIntervals), in the
 * same order, so that the first error reported is etcd's. Both adapters reach them through the
 * facade. Pure functions; any thread.
 */
public final class RequestChecks {

    private RequestChecks() {
    }

    public static void checkRange(RangeRequest r) {
        if (r.getKey().isEmpty()) {
            throw EtcdError.EMPTY_KEY.exception();
        }
        int order = r.getSortOrderValue();
        if (order < 0 || order > RangeRequest.SortOrder.DESCEND_VALUE) {
            throw EtcdError.INVALID_SORT_OPTION.exception();
        }
        int target = r.getSortTargetValue();
        if (target < 0 || target > RangeRequest.SortTarget.VALUE_VALUE) {
            throw EtcdError.INVALID_SORT_OPTION.exception();
        }
    }

    public static void checkPut(PutRequest r) {
        if (r.getKey().isEmpty()) {
            throw EtcdError.EMPTY_KEY.exception();
        }
        if (r.getIgnoreValue() && !r.getValue().isEmpty()) {
            throw EtcdError.VALUE_PROVIDED.exception();
        }
        if (r.getIgnoreLease() && r.getLease() != 0) {
            throw EtcdError.LEASE_PROVIDED.exception();
        }
    }

    public static void checkDeleteRange(DeleteRangeRequest r) {
        if (r.getKey().isEmpty()) {
            throw EtcdError.EMPTY_KEY.exception();
        }
    }

    /** checkTxnRequest then checkIntervals on both branches, as etcd's Txn handler does. */
    public static void checkTxn(TxnRequest r, int maxTxnOps) {
        checkTxnRequest(r, maxTxnOps);
        checkIntervals(r.getSuccessList());
        checkIntervals(r.getFailureList());
    }

    /** Op counts (nested txns get what is left of the budget), empty keys, empty ops. */
    static void checkTxnRequest(TxnRequest r, int maxTxnOps) {
        int opc = Math.max(r.getCompareCount(), Math.max(r.getSuccessCount(), r.getFailureCount()));
        if (opc > maxTxnOps) {
            throw EtcdError.TOO_MANY_OPS.exception();
        }
        for (Compare c : r.getCompareList()) {
            if (c.getKey().isEmpty()) {
                throw EtcdError.EMPTY_KEY.exception();
            }
        }
        for (RequestOp op : r.getSuccessList()) {
            checkRequestOp(op, maxTxnOps - opc);
        }
        for (RequestOp op : r.getFailureList()) {
            checkRequestOp(op, maxTxnOps - opc);
        }
    }

    private static void checkRequestOp(RequestOp op, int maxTxnOps) {
        switch (op.getRequestCase()) {
            case REQUEST_RANGE -> checkRange(op.getRequestRange());
            case REQUEST_PUT -> checkPut(op.getRequestPut());
            case REQUEST_DELETE_RANGE -> checkDeleteRange(op.getRequestDeleteRange());
            case REQUEST_TXN -> checkTxnRequest(op.getRequestTxn(), maxTxnOps);
            default -> throw EtcdError.KEY_NOT_FOUND.exception(); // an empty op, as etcd answers it
        }
    }

    /**
     * A half-open interval of keys {@code [begin, end)} where an empty {@code end} means "no upper
     * bound", as etcd's affine string intervals (note a range_end of "\0" is NOT unbounded here).
     */
    private record Interval(ByteString begin, ByteString end) {
        boolean contains(ByteString k) {
            return TreeIndex.KEY_ORDER.compare(begin, k) <= 0
                    && (end.isEmpty() || TreeIndex.KEY_ORDER.compare(k, end) < 0);
        }
    }

    private record Writes(Set<ByteString> puts, List<Interval> dels) {
        boolean deleted(ByteString k) {
            for (Interval iv : dels) {
                if (iv.contains(k)) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * etcd's checkIntervals: within one branch no key may be put twice, nor put and deleted; a nested
     * txn's two branches are exclusive, so the same key may be put in both.
     */
    static Writes checkIntervals(List<RequestOp> reqs) {
        List<Interval> dels = new ArrayList<>();
        for (RequestOp op : reqs) {
            if (op.hasRequestDeleteRange()) {
                DeleteRangeRequest d = op.getRequestDeleteRange();
                ByteString end = d.getRangeEnd().isEmpty() ? d.getKey().concat(ByteString.copyFrom(new byte[1])) : d.getRangeEnd();
                dels.add(new Interval(d.getKey(), end));
            }
        }
        Writes level = new Writes(new HashSet<>(), dels);
        for (RequestOp op : reqs) {
            if (!op.hasRequestTxn()) {
                continue;
            }
            Writes then = checkIntervals(op.getRequestTxn().getSuccessList());
            Writes otherwise = checkIntervals(op.getRequestTxn().getFailureList());
            for (ByteString k : then.puts()) {
                if (level.puts().contains(k) || level.deleted(k)) {
                    throw EtcdError.DUPLICATE_KEY.exception();
                }
                level.puts().add(k);
            }
            for (ByteString k : otherwise.puts()) {
                if (level.puts().contains(k) && !then.puts().contains(k)) {
                    throw EtcdError.DUPLICATE_KEY.exception();
                }
                if (level.deleted(k)) {
                    throw EtcdError.DUPLICATE_KEY.exception();
                }
                level.puts().add(k);
            }
            dels.addAll(then.dels());
            dels.addAll(otherwise.dels());
        }
        for (RequestOp op : reqs) {
            if (!op.hasRequestPut()) {
                continue;
            }
            ByteString k = op.getRequestPut().getKey();
            if (level.puts().contains(k) || level.deleted(k)) {
                throw EtcdError.DUPLICATE_KEY.exception();
            }
            level.puts().add(k);
        }
        return level;
    }
}
