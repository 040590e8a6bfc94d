package dev.etcetera.config;

/**
 * A configuration value that cannot be accepted. The message is complete and user-facing (the
 * launcher prints it after {@code "etcetera: "}); {@link #flag()} names the etcd flag at fault,
 * without dashes, so callers and tests can tell which setting was wrong.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String flag;

    /**
     * @param flag    the flag name without leading dashes ("max-txn-ops"); never null
     * @param message the complete message, naming the flag as {@code --flag}
     */
    public ConfigException(String flag, String message) {
        super(message);
        this.flag = flag;
    }

    /** The flag at fault, without leading dashes. */
    public String flag() {
        return flag;
    }
}
