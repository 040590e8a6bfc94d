package dev.etcetera.journal;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of the file journal. Each key names the etcd-style flag it will be bound to, so that
 * {@link #validate()} errors point the operator at the flag to fix.
 *
 * @param dir           directory of the segment files ({@code --wal-dir}; etcd's default is
 *                      {@code <data-dir>/member/wal})
 * @param segmentBytes  size each segment is preallocated to ({@code --journal-segment-bytes},
 *                      default 64 MiB); one record must fit in one segment
 * @param maxGroupWait  longest the sync thread holds a group open for more writes that are
 *                      already on their way ({@code --journal-max-group-wait}, default 2 ms, like
 *                      BookKeeper's {@code journalMaxGroupWaitMSec}); it never waits when nothing
 *                      more is queued, so a lone appender pays no delay
 * @param maxBatchBytes most bytes one sync group may cover ({@code --journal-max-batch-bytes},
 *                      default 4 MiB); bounds the latency a huge burst adds to its first append
 * @param retainEntries entries kept below a snapshot for slow followers before their segments may
 *                      be released ({@code --snapshot-catchup-entries}, default 5000 as in etcd)
 * @param maxPendingBytes most bytes of records accepted but not yet durable
 *                      ({@code --journal-max-pending-bytes}, default 64 MiB): an append that would
 *                      go beyond it blocks until syncs catch up (backpressure); one append is
 *                      always admitted when nothing is pending, and calls made on the journal's
 *                      own threads (completion callbacks) never block
 */
public record JournalOptions(Path dir, long segmentBytes, Duration maxGroupWait, long maxBatchBytes,
                             long retainEntries, long maxPendingBytes) {

    public static final long DEFAULT_SEGMENT_BYTES = 64L * 1024 * 1024;
    public static final Duration DEFAULT_MAX_GROUP_WAIT = Duration.ofMillis(2);
    public static final long DEFAULT_MAX_BATCH_BYTES = 4L * 1024 * 1024;
    public static final long DEFAULT_RETAIN_ENTRIES = 5000;
    public static final long DEFAULT_MAX_PENDING_BYTES = 64L * 1024 * 1024;

    /** Smallest segment accepted: room for the segment prelude and a few records. */
    public static final long MIN_SEGMENT_BYTES = 64L * 1024;
    /** Largest segment accepted: offsets inside a segment are Java ints. */
    public static final long MAX_SEGMENT_BYTES = 1L << 30;

    /** Defaults for everything but the directory. */
    public static JournalOptions defaults(Path dir) {
        return new JournalOptions(dir, DEFAULT_SEGMENT_BYTES, DEFAULT_MAX_GROUP_WAIT,
                DEFAULT_MAX_BATCH_BYTES, DEFAULT_RETAIN_ENTRIES, DEFAULT_MAX_PENDING_BYTES);
    }

    public JournalOptions withSegmentBytes(long v) {
        return new JournalOptions(dir, v, maxGroupWait, maxBatchBytes, retainEntries, maxPendingBytes);
    }

    public JournalOptions withMaxGroupWait(Duration v) {
        return new JournalOptions(dir, segmentBytes, v, maxBatchBytes, retainEntries, maxPendingBytes);
    }

    public JournalOptions withMaxBatchBytes(long v) {
        return new JournalOptions(dir, segmentBytes, maxGroupWait, v, retainEntries, maxPendingBytes);
    }

    public JournalOptions withRetainEntries(long v) {
        return new JournalOptions(dir, segmentBytes, maxGroupWait, maxBatchBytes, v, maxPendingBytes);
    }

    public JournalOptions withMaxPendingBytes(long v) {
        return new JournalOptions(dir, segmentBytes, maxGroupWait, maxBatchBytes, retainEntries, v);
    }

    /**
     * Checks every key.
     *
     * @return this, for chaining
     * @throws IllegalArgumentException naming the flag of the first invalid key
     */
    public JournalOptions validate() {
        if (dir == null) {
            throw new IllegalArgumentException("--wal-dir must be set");
        }
        if (segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > MAX_SEGMENT_BYTES) {
            throw new IllegalArgumentException("--journal-segment-bytes must be in [" + MIN_SEGMENT_BYTES
                    + ", " + MAX_SEGMENT_BYTES + "], got " + segmentBytes);
        }
        if (segmentBytes % 4096 != 0) {
            throw new IllegalArgumentException("--journal-segment-bytes must be a multiple of 4096, got "
                    + segmentBytes);
        }
        if (maxGroupWait == null || maxGroupWait.isNegative() || maxGroupWait.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException("--journal-max-group-wait must be in [0, 1s], got " + maxGroupWait);
        }
        if (maxBatchBytes < 4096 || maxBatchBytes > segmentBytes) {
            throw new IllegalArgumentException("--journal-max-batch-bytes must be in [4096, --journal-segment-bytes="
                    + segmentBytes + "], got " + maxBatchBytes);
        }
        if (retainEntries < 0) {
            throw new IllegalArgumentException("--snapshot-catchup-entries must be >= 0, got " + retainEntries);
        }
        if (maxPendingBytes < 4096) {
            throw new IllegalArgumentException("--journal-max-pending-bytes must be >= 4096, got " + maxPendingBytes);
        }
        return this;
    }
}
