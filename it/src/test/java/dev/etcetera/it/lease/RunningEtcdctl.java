package dev.etcetera.it.lease;

import dev.etcetera.it.harness.Etcdctl;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One real {@code etcdctl} process that runs until it finishes or is signalled ({@code lock}, {@code elect},
 * {@code elect -l}), its stdout and stderr captured to temp files that the test polls (bounded) for progress.
 *
 * <p>{@link #interrupt()} sends SIGINT, which is how a user ends {@code etcdctl lock/elect} cleanly: etcdctl
 * then unlocks or resigns before it exits. {@link #kill9()} sends SIGKILL: the session's lease is neither
 * revoked nor kept alive any more, so whatever it held goes only when the lease expires. Signals go to this
 * object's own PID only. Not thread-safe: one test thread drives it.
 */
final class RunningEtcdctl implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(60);

    private final Process process;
    private final Path out;
    private final Path err;
    private final List<String> args;

    /** Starts {@code etcdctl --endpoints=<endpoint> args...} with {@code env} added to its environment. */
    RunningEtcdctl(String endpoint, Map<String, String> env, List<String> args) throws IOException {
        this.args = List.copyOf(args);
        out = Files.createTempFile("lease-it-", ".out");
        err = Files.createTempFile("lease-it-", ".err");
        List<String> cmd = new ArrayList<>();
        cmd.add(Etcdctl.binary());
        cmd.add("--endpoints=" + endpoint);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("ETCDCTL_API", "3");
        pb.environment().putAll(env);
        try {
            process = pb.start();
        } catch (IOException e) {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            throw e;
        }
    }

    RunningEtcdctl(String endpoint, List<String> args) throws IOException {
        this(endpoint, Map.of(), args);
    }

    String command() {
        return String.join(" ", args);
    }

    String stdout() throws IOException {
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    String stderr() throws IOException {
        return Files.readString(err, StandardCharsets.UTF_8);
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Waits until stdout has at least {@code lines} complete lines; fails naming what it waited for. */
    void awaitLines(int lines) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            String s = stdout();
            if (s.chars().filter(c -> c == '\n').count() >= lines) {
                return;
            }
            if (!process.isAlive()) {
                throw new AssertionError("etcdctl " + command() + " exited (" + process.exitValue() + ") before printing "
                        + lines + " lines\nstdout:\n" + s + "\nstderr:\n" + stderr());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("etcdctl " + command() + " did not print " + lines + " lines within " + WAIT
                        + "\nstdout:\n" + s + "\nstderr:\n" + stderr());
            }
            // a bounded wait on the child; its output file is the only progress signal etcdctl offers
            process.waitFor(20, TimeUnit.MILLISECONDS);
        }
    }

    /** Sends SIGINT (etcdctl's clean shutdown: unlock or resign, then exit). */
    void interrupt() throws IOException, InterruptedException {
        signal("-INT");
    }

    /** Sends SIGKILL: etcdctl cannot clean up; its session lease is left to expire. */
    void kill9() throws IOException, InterruptedException {
        signal("-KILL");
    }

    private void signal(String signal) throws IOException, InterruptedException {
        if (!process.isAlive()) {
            throw new AssertionError("etcdctl " + command() + " already exited (" + process.exitValue() + ") before " + signal
                    + "\nstdout:\n" + stdout() + "\nstderr:\n" + stderr());
        }
        Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).redirectErrorStream(true).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            kill.destroyForcibly();
            throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
        }
    }

    /** Waits (bounded by {@code limit}) for the process to exit and returns its exit code (137 after SIGKILL). */
    int awaitExit(Duration limit) throws IOException, InterruptedException {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("etcdctl " + command() + " did not exit within " + limit
                    + "\nstdout:\n" + stdout() + "\nstderr:\n" + stderr());
        }
        return process.exitValue();
    }

    int awaitExit() throws IOException, InterruptedException {
        return awaitExit(WAIT);
    }

    /** Kills the process if still running (own PID only) and deletes the capture files. */
    @Override
    public void close() throws IOException, InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
    }
}
