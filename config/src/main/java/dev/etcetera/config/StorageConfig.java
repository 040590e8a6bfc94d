package dev.etcetera.config;

import java.time.Duration;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * Backend quota and compaction.
 *
 * @param quotaBackendBytes       {@code --quota-backend-bytes} (default 0): database size that raises
 *                                the NOSPACE alarm; 0 means the default 2 GiB, a negative value means
 *                                no quota, as in etcd
 * @param autoCompactionMode      {@code --auto-compaction-mode} (default {@code periodic})
 * @param autoCompactionRetention {@code --auto-compaction-retention} (default "0"): in periodic mode a
 *                                whole number of hours or a Go duration ("30m"); in revision mode a
 *                                number of revisions; 0 disables auto compaction
 * @param compactionBatchLimit    {@code --compaction-batch-limit} (default 1000; etcd 3.5 spelling
 *                                {@code --experimental-compaction-batch-limit}): revisions deleted per
 *                                compaction batch; 0 means the default
 */
public record StorageConfig(long quotaBackendBytes, AutoCompactionMode autoCompactionMode, String autoCompactionRetention,
                            long compactionBatchLimit) {

    /** etcd's default quota, used when {@code --quota-backend-bytes} is 0. */
    public static final long DEFAULT_QUOTA_BYTES = 2L * 1024 * 1024 * 1024;
    /** The largest quota etcd recommends; larger values draw a warning. */
    public static final long MAX_QUOTA_BYTES = 8L * 1024 * 1024 * 1024;
    /** etcd's default compaction batch. */
    public static final long DEFAULT_COMPACTION_BATCH_LIMIT = 1000;

    /** {@code --auto-compaction-mode}. */
    public enum AutoCompactionMode {
        /** Retention is a time span. */
        PERIODIC,
        /** Retention is a number of revisions. */
        REVISION;

        /** The flag's spelling. */
        public String flagValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What auto compaction does, read from mode and retention. */
    public sealed interface AutoCompaction {
    }

    /** Retention 0: no auto compaction. */
    public record Disabled() implements AutoCompaction {
    }

    /** Keep about {@code retention} of history (periodic mode). */
    public record Periodic(Duration retention) implements AutoCompaction {
    }

    /** Keep the last {@code revisions} revisions (revision mode). */
    public record Revisions(long revisions) implements AutoCompaction {
    }

    static StorageConfig from(FlagValues v) {
        return new StorageConfig(v.number(FlagTable.QUOTA_BACKEND_BYTES),
                AutoCompactionMode.valueOf(v.text(FlagTable.AUTO_COMPACTION_MODE).toUpperCase(Locale.ROOT)),
                v.text(FlagTable.AUTO_COMPACTION_RETENTION), v.number(FlagTable.COMPACTION_BATCH_LIMIT));
    }

    /**
     * Checks the retention against the mode and the batch limit's sign.
     *
     * @throws ConfigException naming --auto-compaction-retention or --compaction-batch-limit
     */
    public void validate() throws ConfigException {
        autoCompactionChecked();
        if (compactionBatchLimit < 0) {
            throw new ConfigException(FlagTable.COMPACTION_BATCH_LIMIT.name(), "invalid value \"" + compactionBatchLimit
                    + "\" for flag --compaction-batch-limit: must not be negative");
        }
    }

    /** The auto compaction policy; call only on a validated config. */
    public AutoCompaction autoCompaction() {
        try {
            return autoCompactionChecked();
        } catch (ConfigException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The quota in effect, or empty when a negative value disabled it. */
    public OptionalLong effectiveQuotaBytes() {
        if (quotaBackendBytes < 0) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(quotaBackendBytes == 0 ? DEFAULT_QUOTA_BYTES : quotaBackendBytes);
    }

    /** The batch limit in effect: the flag, or the default when it is 0. */
    public long effectiveCompactionBatchLimit() {
        return compactionBatchLimit == 0 ? DEFAULT_COMPACTION_BATCH_LIMIT : compactionBatchLimit;
    }

    // etcd (embed.parseCompactionRetention): a non-negative integer is hours (periodic) or revisions
    // (revision); anything else must be a Go duration. etcd would also read a duration in revision
    // mode as a count of nanoseconds; Etcetera refuses that instead.
    private AutoCompaction autoCompactionChecked() throws ConfigException {
        String flag = FlagTable.AUTO_COMPACTION_RETENTION.name();
        String text = autoCompactionRetention.strip();
        boolean integer = !text.isEmpty() && text.chars().allMatch(c -> c >= '0' && c <= '9');
        if (integer) {
            long n;
            try {
                n = Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new ConfigException(flag, "invalid value \"" + text + "\" for flag --" + flag + ": out of range");
            }
            if (n == 0) {
                return new Disabled();
            }
            if (autoCompactionMode == AutoCompactionMode.REVISION) {
                return new Revisions(n);
            }
            if (n > Long.MAX_VALUE / 3_600_000_000_000L) {
                throw new ConfigException(flag, "invalid value \"" + text + "\" for flag --" + flag + ": out of range");
            }
            return new Periodic(Duration.ofHours(n));
        }
        if (autoCompactionMode == AutoCompactionMode.REVISION) {
            throw new ConfigException(flag, "invalid value \"" + text + "\" for flag --" + flag
                    + ": revision mode needs a non-negative number of revisions");
        }
        Duration d;
        try {
            d = GoDuration.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(flag, "invalid value \"" + text + "\" for flag --" + flag
                    + ": error parsing CompactionRetention: " + e.getMessage());
        }
        if (d.isNegative()) {
            throw new ConfigException(flag, "invalid value \"" + text + "\" for flag --" + flag + ": must not be negative");
        }
        return d.isZero() ? new Disabled() : new Periodic(d);
    }
}
