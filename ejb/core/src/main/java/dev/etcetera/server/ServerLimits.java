package dev.etcetera.server;

/**
 * The limits a member enforces on client requests and storage, with etcd's flag names and defaults.
 *
 * @param maxRequestBytes      {@code --max-request-bytes}: largest marshalled replicated request
 *                             (default 1.5 MiB); larger ones fail with REQUEST_TOO_LARGE
 * @param maxTxnOps            {@code --max-txn-ops}: most compares/success/failure ops in a txn (128)
 * @param quotaBackendBytes    {@code --quota-backend-bytes}: backend size above which writes that add
 *                             data fail with NO_SPACE (2 GiB; 0 means the default, as in etcd)
 * @param compactionBatchLimit {@code --compaction-batch-limit}: keys or records per compaction step (1000)
 * @param maxApplyLag          entries committed but not applied above which new proposals fail with
 *                             TOO_MANY_REQUESTS (etcd's fixed 5000)
 * @param maxApplyBatch        most entries applied and made durable together by one group commit
 */
public record ServerLimits(int maxRequestBytes, int maxTxnOps, long quotaBackendBytes,
                           int compactionBatchLimit, int maxApplyLag, int maxApplyBatch) {

    public static final int DEFAULT_MAX_REQUEST_BYTES = 1572864;
    public static final int DEFAULT_MAX_TXN_OPS = 128;
    public static final long DEFAULT_QUOTA_BACKEND_BYTES = 2L * 1024 * 1024 * 1024;
    public static final int DEFAULT_COMPACTION_BATCH_LIMIT = 1000;
    public static final int DEFAULT_MAX_APPLY_LAG = 5000;
    public static final int DEFAULT_MAX_APPLY_BATCH = 1000;

    public ServerLimits {
        if (maxRequestBytes <= 0) {
            throw new IllegalArgumentException("--max-request-bytes must be positive: " + maxRequestBytes);
        }
        if (maxTxnOps <= 0) {
            throw new IllegalArgumentException("--max-txn-ops must be positive: " + maxTxnOps);
        }
        if (quotaBackendBytes < 0) {
            throw new IllegalArgumentException("--quota-backend-bytes must not be negative: " + quotaBackendBytes);
        }
        if (quotaBackendBytes == 0) {
            quotaBackendBytes = DEFAULT_QUOTA_BACKEND_BYTES;
        }
        if (compactionBatchLimit <= 0) {
            throw new IllegalArgumentException("--compaction-batch-limit must be positive: " + compactionBatchLimit);
        }
        if (maxApplyLag <= 0 || maxApplyBatch <= 0) {
            throw new IllegalArgumentException("apply lag and batch limits must be positive");
        }
    }

    /** etcd's defaults. */
    public static ServerLimits defaults() {
        return new ServerLimits(DEFAULT_MAX_REQUEST_BYTES, DEFAULT_MAX_TXN_OPS, DEFAULT_QUOTA_BACKEND_BYTES,
                DEFAULT_COMPACTION_BATCH_LIMIT, DEFAULT_MAX_APPLY_LAG, DEFAULT_MAX_APPLY_BATCH);
    }

    public ServerLimits withMaxRequestBytes(int v) {
        return new ServerLimits(v, maxTxnOps, quotaBackendBytes, compactionBatchLimit, maxApplyLag, maxApplyBatch);
    }

    public ServerLimits withMaxTxnOps(int v) {
        return new ServerLimits(maxRequestBytes, v, quotaBackendBytes, compactionBatchLimit, maxApplyLag, maxApplyBatch);
    }

    public ServerLimits withQuotaBackendBytes(long v) {
        return new ServerLimits(maxRequestBytes, maxTxnOps, v, compactionBatchLimit, maxApplyLag, maxApplyBatch);
    }

    public ServerLimits withCompactionBatchLimit(int v) {
        return new ServerLimits(maxRequestBytes, maxTxnOps, quotaBackendBytes, v, maxApplyLag, maxApplyBatch);
    }
}
