package dev.etcetera.server;

/**
 * The gRPC status codes etcd's errors use, named and numbered as in gRPC, so that the core can say
 * which code an error carries without importing a transport. The gRPC adapter maps by
 * {@link #value()}; the JSON gateway maps to HTTP with {@link #httpStatus()}.
 */
public enum StatusCode {
    OK(0, 200),
    CANCELLED(1, 408),
    UNKNOWN(2, 500),
    INVALID_ARGUMENT(3, 400),
    DEADLINE_EXCEEDED(4, 504),
    NOT_FOUND(5, 404),
    ALREADY_EXISTS(6, 409),
    PERMISSION_DENIED(7, 403),
    RESOURCE_EXHAUSTED(8, 429),
    FAILED_PRECONDITION(9, 412),
    ABORTED(10, 409),
    OUT_OF_RANGE(11, 400),
    UNIMPLEMENTED(12, 501),
    INTERNAL(13, 500),
    UNAVAILABLE(14, 503),
    DATA_LOSS(15, 500),
    UNAUTHENTICATED(16, 401);

    private final int value;
    private final int httpStatus;

    StatusCode(int value, int httpStatus) {
        this.value = value;
        this.httpStatus = httpStatus;
    }

    /** The gRPC numeric code. */
    public int value() {
        return value;
    }

    /** The HTTP status etcd's grpc-gateway (v1, as in etcd 3.4/3.5) answers with for this code. */
    public int httpStatus() {
        return httpStatus;
    }
}
