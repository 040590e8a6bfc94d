package dev.etcetera.apply;

import com.google.protobuf.ByteString;
import dev.etcetera.api.etcdserverpb.RangeRequest;
import dev.etcetera.api.etcdserverpb.RangeResponse;
import dev.etcetera.api.etcdserverpb.ResponseHeader;
import dev.etcetera.api.mvccpb.KeyValue;
import dev.etcetera.mvcc.RangeResult;
import dev.etcetera.mvcc.ReadView;
import dev.etcetera.mvcc.TreeIndex;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * etcd's Range over a read view, with its exact order of steps: fetch in key order (limit + 1 to
 * learn {@code more}, or everything when sorting or filtering), drop by min/max mod and create
 * revision, sort (a non-KEY target with order NONE sorts ascending; KEY ascending is the fetch
 * order), then cut to the limit and set {@code more}. {@code count} is what the index counted in the
 * range at the read revision, before limit and filters.
 */
public final class RangeOp {

    private RangeOp() {
    }

    /**
     * etcd's {@code mkGteRange}: turns a request's range_end into the index convention
     * (null: single key; empty: to the end of the keyspace; else exclusive bound).
     */
    public static ByteString rangeEnd(ByteString requestRangeEnd) {
        if (requestRangeEnd.isEmpty()) {
            return null;
        }
        if (requestRangeEnd.size() == 1 && requestRangeEnd.byteAt(0) == 0) {
            return ByteString.EMPTY;
        }
        return requestRangeEnd;
    }

    /**
     * Executes a validated range request.
     *
     * @param header the header to return; its revision is replaced by the view's revision
     * @throws dev.etcetera.server.EtcdException COMPACTED or FUTURE_REV for the requested revision
     */
    public static RangeResponse execute(ReadView view, RangeRequest r, ResponseHeader header) {
        boolean filters = r.getMinModRevision() != 0 || r.getMaxModRevision() != 0
                || r.getMinCreateRevision() != 0 || r.getMaxCreateRevision() != 0;
        long limit = r.getLimit();
        if (r.getSortOrderValue() != RangeRequest.SortOrder.NONE_VALUE || filters) {
            limit = 0; // fetch everything; sort and cut afterwards
        }
        if (limit > 0 && limit < Long.MAX_VALUE) {
            limit++; // one extra tells whether there is more
        }
        RangeResult rr = view.range(r.getKey(), rangeEnd(r.getRangeEnd()), limit, r.getRevision(), r.getCountOnly());
        List<KeyValue> kvs = rr.kvs();
        if (filters) {
            kvs = filter(kvs, r);
        }
        int order = r.getSortOrderValue();
        int target = r.getSortTargetValue();
        if (target != RangeRequest.SortTarget.KEY_VALUE && order == RangeRequest.SortOrder.NONE_VALUE) {
            order = RangeRequest.SortOrder.ASCEND_VALUE;
        } else if (target == RangeRequest.SortTarget.KEY_VALUE && order == RangeRequest.SortOrder.ASCEND_VALUE) {
            order = RangeRequest.SortOrder.NONE_VALUE;
        }
        if (order != RangeRequest.SortOrder.NONE_VALUE && kvs.size() > 1) {
            Comparator<KeyValue> cmp = comparator(target);
            if (order == RangeRequest.SortOrder.DESCEND_VALUE) {
                cmp = cmp.reversed();
            }
            kvs = new ArrayList<>(kvs);
            kvs.sort(cmp); // stable, like Go's insertion sort for the small inputs etcd tests with
        }
        RangeResponse.Builder resp = RangeResponse.newBuilder();
        if (r.getLimit() > 0 && kvs.size() > r.getLimit()) {
            kvs = kvs.subList(0, (int) r.getLimit());
            resp.setMore(true);
        }
        if (r.getKeysOnly()) {
            for (KeyValue kv : kvs) {
                resp.addKvs(kv.getValue().isEmpty() ? kv : kv.toBuilder().clearValue().build());
            }
        } else {
            resp.addAllKvs(kvs);
        }
        return resp.setCount(rr.count()).setHeader(header.toBuilder().setRevision(rr.rev())).build();
    }

    private static List<KeyValue> filter(List<KeyValue> in, RangeRequest r) {
        List<KeyValue> out = new ArrayList<>(in.size());
        for (KeyValue kv : in) {
            if (r.getMaxModRevision() != 0 && kv.getModRevision() > r.getMaxModRevision()) {
                continue;
            }
            if (r.getMinModRevision() != 0 && kv.getModRevision() < r.getMinModRevision()) {
                continue;
            }
            if (r.getMaxCreateRevision() != 0 && kv.getCreateRevision() > r.getMaxCreateRevision()) {
                continue;
            }
            if (r.getMinCreateRevision() != 0 && kv.getCreateRevision() < r.getMinCreateRevision()) {
                continue;
            }
            out.add(kv);
        }
        return out;
    }

    private static Comparator<KeyValue> comparator(int target) {
        return switch (target) {
            case RangeRequest.SortTarget.VERSION_VALUE -> Comparator.comparingLong(KeyValue::getVersion);
            case RangeRequest.SortTarget.CREATE_VALUE -> Comparator.comparingLong(KeyValue::getCreateRevision);
            case RangeRequest.SortTarget.MOD_VALUE -> Comparator.comparingLong(KeyValue::getModRevision);
            case RangeRequest.SortTarget.VALUE_VALUE -> (a, b) -> TreeIndex.KEY_ORDER.compare(a.getValue(), b.getValue());
            default -> (a, b) -> TreeIndex.KEY_ORDER.compare(a.getKey(), b.getKey());
        };
    }
}
