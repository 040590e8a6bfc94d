package dev.etcetera.config;

import java.time.Duration;

/**
 * Watch behaviour.
 *
 * @param progressNotifyInterval {@code --watch-progress-notify-interval} (default 10m; etcd 3.5 spelling
 *                               {@code --experimental-watch-progress-notify-interval}): how often a
 *                               watcher created with progress_notify gets an empty response carrying
 *                               the current revision; 0 means the default
 */
public record WatchConfig(Duration progressNotifyInterval) {

    /** etcd's default progress notification interval. */
    public static final Duration DEFAULT_PROGRESS_NOTIFY_INTERVAL = Duration.ofMinutes(10);

    static WatchConfig from(FlagValues v) {
        return new WatchConfig(v.duration(FlagTable.WATCH_PROGRESS_NOTIFY_INTERVAL));
    }

    /** The flag parser already refused negative durations; nothing else to check. */
    public void validate() {
    }

    /** The interval in effect: the flag, or the default when it is 0. */
    public Duration effectiveProgressNotifyInterval() {
        return progressNotifyInterval.isZero() ? DEFAULT_PROGRESS_NOTIFY_INTERVAL : progressNotifyInterval;
    }
}
