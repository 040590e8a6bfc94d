package dev.etcetera.apply;

import com.google.protobuf.ByteString;
import dev.etcetera.api.etcdserverpb.Compare;
import dev.etcetera.api.etcdserverpb.RequestOp;
import dev.etcetera.api.etcdserverpb.TxnRequest;
import dev.etcetera.api.mvccpb.KeyValue;
import dev.etcetera.mvcc.RangeResult;
import dev.etcetera.mvcc.ReadView;
import dev.etcetera.mvcc.TreeIndex;
import dev.etcetera.server.EtcdException;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluation of a Txn's guards, as etcd's {@code applyCompare}: every compare of a txn and of the
 * txns nested in the branch it takes is evaluated against the state before the txn, giving a
 * {@link Path}. A compare over a range holds if it holds for every key in it; with no key, VALUE
 * compares fail and the others compare against zero.
 */
final class Compares {

    /** Which branch a txn takes, and the paths of the txns nested in that branch, in order. */
    record Path(boolean succeeded, List<Path> nested) {
    }

    private Compares() {
    }

    static Path path(ReadView view, TxnRequest txn) {
        boolean ok = true;
        for (Compare c : txn.getCompareList()) {
            if (!holds(view, c)) {
                ok = false;
                break;
            }
        }
        List<Path> nested = new ArrayList<>();
        for (RequestOp op : ok ? txn.getSuccessList() : txn.getFailureList()) {
            if (op.hasRequestTxn()) {
                nested.add(path(view, op.getRequestTxn()));
            }
        }
        return new Path(ok, nested);
    }

    static boolean holds(ReadView view, Compare c) {
        RangeResult rr;
        try {
            rr = view.range(c.getKey(), RangeOp.rangeEnd(c.getRangeEnd()), 0, 0, false);
        } catch (EtcdException e) {
            return false;
        }
        if (rr.kvs().isEmpty()) {
            if (c.getTargetValue() == Compare.CompareTarget.VALUE_VALUE) {
                return false; // no way to compare a value of a key that does not exist
            }
            return compare(c, KeyValue.getDefaultInstance());
        }
        for (KeyValue kv : rr.kvs()) {
            if (!compare(c, kv)) {
                return false;
            }
        }
        return true;
    }

    static boolean compare(Compare c, KeyValue kv) {
        int result;
        switch (c.getTargetValue()) {
            case Compare.CompareTarget.VALUE_VALUE -> {
                ByteString v = c.getTargetUnionCase() == Compare.TargetUnionCase.VALUE ? c.getValue() : ByteString.EMPTY;
                result = Integer.signum(TreeIndex.KEY_ORDER.compare(kv.getValue(), v));
            }
            case Compare.CompareTarget.CREATE_VALUE -> result = Long.compare(kv.getCreateRevision(),
                    c.getTargetUnionCase() == Compare.TargetUnionCase.CREATE_REVISION ? c.getCreateRevision() : 0);
            case Compare.CompareTarget.MOD_VALUE -> result = Long.compare(kv.getModRevision(),
                    c.getTargetUnionCase() == Compare.TargetUnionCase.MOD_REVISION ? c.getModRevision() : 0);
            case Compare.CompareTarget.VERSION_VALUE -> result = Long.compare(kv.getVersion(),
                    c.getTargetUnionCase() == Compare.TargetUnionCase.VERSION ? c.getVersion() : 0);
            case Compare.CompareTarget.LEASE_VALUE -> result = Long.compare(kv.getLease(),
                    c.getTargetUnionCase() == Compare.TargetUnionCase.LEASE ? c.getLease() : 0);
            default -> result = 0;
        }
        return switch (c.getResultValue()) {
            case Compare.CompareResult.EQUAL_VALUE -> result == 0;
            case Compare.CompareResult.NOT_EQUAL_VALUE -> result != 0;
            case Compare.CompareResult.GREATER_VALUE -> result > 0;
            case Compare.CompareResult.LESS_VALUE -> result < 0;
            default -> true;
        };
    }
}
