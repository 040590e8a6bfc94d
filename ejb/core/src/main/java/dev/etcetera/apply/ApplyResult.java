package dev.etcetera.apply;

import com.google.protobuf.Message;
import dev.etcetera.server.EtcdException;

/**
 * The outcome of applying one entry: a response (header filled) or an etcd error. An error means
 * the entry changed nothing; the entry is applied all the same (its index is consumed).
 */
public record ApplyResult(Message response, EtcdException error) {

    public static ApplyResult ok(Message response) {
        return new ApplyResult(response, null);
    }

    public static ApplyResult failed(EtcdException error) {
        return new ApplyResult(null, error);
    }
}
