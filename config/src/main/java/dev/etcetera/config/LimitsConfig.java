package dev.etcetera.config;

/**
 * Request limits enforced before a request is proposed.
 *
 * @param maxRequestBytes {@code --max-request-bytes} (default 1572864 = 1.5 MiB): largest client
 *                        request accepted; larger ones fail with etcd's "request is too large"
 * @param maxTxnOps       {@code --max-txn-ops} (default 128): most operations in one transaction
 *                        (each branch counted separately); more fail with "too many operations in txn request"
 */
public record LimitsConfig(long maxRequestBytes, long maxTxnOps) {

    /** Headroom gRPC needs on top of the request for framing, as etcd adds it (512 KiB). */
    public static final long GRPC_OVERHEAD_BYTES = 512 * 1024;

    static LimitsConfig from(FlagValues v) {
        return new LimitsConfig(v.number(FlagTable.MAX_REQUEST_BYTES), v.number(FlagTable.MAX_TXN_OPS));
    }

    /**
     * Both limits must fit a Java array / int (etcd's are unsigned 64-bit, but nothing near that is usable).
     *
     * @throws ConfigException naming --max-request-bytes or --max-txn-ops
     */
    public void validate() throws ConfigException {
        long maxBytes = Integer.MAX_VALUE - GRPC_OVERHEAD_BYTES;
        if (maxRequestBytes > maxBytes) {
            throw new ConfigException(FlagTable.MAX_REQUEST_BYTES.name(), "invalid value \"" + maxRequestBytes
                    + "\" for flag --max-request-bytes: too large (at most " + maxBytes + ")");
        }
        if (maxTxnOps > Integer.MAX_VALUE) {
            throw new ConfigException(FlagTable.MAX_TXN_OPS.name(), "invalid value \"" + maxTxnOps
                    + "\" for flag --max-txn-ops: too large (at most " + Integer.MAX_VALUE + ")");
        }
    }

    /** The gRPC maximum inbound message size: the request limit plus framing headroom. */
    public int maxGrpcReceiveBytes() {
        return (int) (maxRequestBytes + GRPC_OVERHEAD_BYTES);
    }
}
