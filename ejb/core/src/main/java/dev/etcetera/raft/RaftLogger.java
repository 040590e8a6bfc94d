package dev.etcetera.raft;

/**
 * Where the core reports what it does (elections, role changes, rejected messages). A port, so the
 * core picks no logging framework; the member adapts it to its logger, tests capture it as text.
 * Implementations are called from the node-loop thread only.
 */
public interface RaftLogger {
    enum Level { DEBUG, INFO, WARN }

    boolean enabled(Level level);

    void log(Level level, String message);

    RaftLogger DISCARD = new RaftLogger() {
        @Override
        public boolean enabled(Level level) {
            return false;
        }

        @Override
        public void log(Level level, String message) {
        }
    };

    /** Adapts to {@link System.Logger} (the JDK's logging facade). */
    static RaftLogger system(String name) {
        System.Logger l = System.getLogger(name);
        return new RaftLogger() {
            private System.Logger.Level map(Level level) {
                return switch (level) {
                    case DEBUG -> System.Logger.Level.DEBUG;
                    case INFO -> System.Logger.Level.INFO;
                    case WARN -> System.Logger.Level.WARNING;
                };
            }

            @Override
            public boolean enabled(Level level) {
                return l.isLoggable(map(level));
            }

            @Override
            public void log(Level level, String message) {
                l.log(map(level), message);
            }
        };
    }
}
