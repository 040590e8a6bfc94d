package dev.etcetera.server;

/**
 * An etcd error as an exception. Futures returned by {@link EtcdServer} complete exceptionally with
 * it; the adapters turn it into a gRPC status or an HTTP error body through one table each.
 * It carries no stack trace: these are expected outcomes of bad input, not bugs.
 */
public final class EtcdException extends RuntimeException {
    private final EtcdError error;

    public EtcdException(EtcdError error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    public EtcdError error() {
        return error;
    }

    public StatusCode code() {
        return error.code();
    }
}
