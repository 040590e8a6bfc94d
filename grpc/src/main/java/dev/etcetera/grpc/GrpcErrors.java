package dev.etcetera.grpc;

import dev.etcetera.server.EtcdError;
import dev.etcetera.server.EtcdException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one table from core outcomes to gRPC statuses. An {@link EtcdException} keeps etcd's code and
 * exact message (clientv3 matches on it); anything else is a bug on our side and is reported as
 * {@code Unknown} with its message, as etcd's {@code togRPCError} does for unmapped errors.
 */
public final class GrpcErrors {
    private static final Logger LOG = Logger.getLogger(GrpcErrors.class.getName());

    private GrpcErrors() {
    }

    public static StatusRuntimeException toStatus(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof StatusRuntimeException sre) {
            return sre;
        }
        if (cause instanceof EtcdException ee) {
            return Status.fromCodeValue(ee.code().value()).withDescription(ee.getMessage()).asRuntimeException();
        }
        if (cause instanceof CancellationException) {
            return Status.CANCELLED.withDescription(EtcdError.REQUEST_CANCELED.message()).asRuntimeException();
        }
        LOG.log(Level.WARNING, "unexpected failure answered as Unknown", cause);
        String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        return Status.UNKNOWN.withDescription(message).asRuntimeException();
    }

    static Throwable unwrap(Throwable t) {
        Throwable cur = t;
        while ((cur instanceof CompletionException || cur instanceof ExecutionException) && cur.getCause() != null) {
            cur = cur.getCause();
        }
        return cur;
    }
}
