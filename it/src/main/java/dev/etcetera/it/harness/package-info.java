/**
 * Process harness for black-box tests and benchmarks: real etcd ({@link dev.etcetera.it.harness.EtcdProcess})
 * and Etcetera members ({@link dev.etcetera.it.harness.MemberProcess}) on loopback, plus the etcdctl runner.
 *
 * <p>Invariants:
 * <ul>
 *   <li>Every server listens on 127.0.0.1 only, on ports chosen by {@link dev.etcetera.it.harness.LoopbackPorts}
 *       (a member's client port {@code P} also needs {@code P+10000} for Payara's HTTP listener and
 *       {@code P+20000} for Hazelcast; both are checked free).</li>
 *   <li>A process is started only by this package and stopped only by its own PID (SIGTERM, then SIGKILL after a
 *       bound). Every live process is registered with one JVM shutdown hook, so a failing or aborted test run
 *       leaves nothing behind; {@code close()} also deletes the temp data dir.</li>
 *   <li>Readiness waits are bounded and their failure names what was awaited, plus the tail of the process log.
 *       Logs go to files under {@code target/it-logs/} and are kept for diagnosis.</li>
 * </ul>
 */
package dev.etcetera.it.harness;
