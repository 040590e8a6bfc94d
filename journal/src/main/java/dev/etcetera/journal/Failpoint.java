package dev.etcetera.journal;

import java.io.IOException;

/**
 * Named points in the file journal's write path where a test can inject a failure (etcd's gofail
 * markers). Inert in production: {@link #NONE} does nothing.
 *
 * <p>Names: {@code before-write} (token holder, before a group is written), {@code before-sync}
 * (the thread about to fdatasync a group: sync thread or token holder), {@code before-seal}
 * (token holder, after the next segment was
 * created and before the current one is sealed).
 */
@FunctionalInterface
interface Failpoint {

    Failpoint NONE = name -> {
    };

    /** Called at the named point on the thread that reaches it; may throw to simulate a failure. */
    void hit(String name) throws IOException;
}
