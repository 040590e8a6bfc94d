package dev.etcetera.mvcc;

import dev.etcetera.api.mvccpb.KeyValue;
import java.util.List;

/**
 * What a range over the index found.
 *
 * @param kvs   the key-values, in key order, at most the requested limit (empty for count-only)
 * @param count the number of keys in the range at the read revision, ignoring the limit
 * @param rev   the store revision of the view that was read (etcd puts it in the response header,
 *              whatever revision was asked for)
 */
public record RangeResult(List<KeyValue> kvs, long count, long rev) {
}
