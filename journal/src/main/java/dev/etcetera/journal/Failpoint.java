package dev.etcetera.journal;

import java.io.IOException;

/**
 * Named points in the file journal's write path where a test can inject a failure (etcd's gofail
 * markers). Inert in production: {@link #NONE} does nothing.
 *
 * <p>Names: {@code before-write} (writer thread, before a group is written), {@code before-sync}
 * (sync thread, before fdatasync), {@code before-seal} (writer thread, after the next segment was
 * created and before the current one is sealed).
 */
@FunctionalInterface
interface Failpoint {

    Failpoint NONE = name -> {
    };

    /** Called at the named point on the thread that reaches it; may throw to simulate a failure. */
    void hit(String name) throws IOException;
}
