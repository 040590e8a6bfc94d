package dev.etcetera.config;

import java.util.Locale;

/**
 * Logging.
 *
 * @param logLevel {@code --log-level} (default {@code info}): the least severe level logged
 */
public record LoggingConfig(LogLevel logLevel) {

    /** etcd's (zap's) levels; {@code panic} and {@code fatal} log only what ends the process. */
    public enum LogLevel {
        DEBUG, INFO, WARN, ERROR, PANIC, FATAL;

        /** The flag's spelling. */
        public String flagValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static LoggingConfig from(FlagValues v) {
        return new LoggingConfig(LogLevel.valueOf(v.text(FlagTable.LOG_LEVEL).toUpperCase(Locale.ROOT)));
    }

    /** Nothing beyond the enum: the flag parser already refused unknown levels. */
    public void validate() {
    }
}
