package dev.etcetera.it.watch;

import dev.etcetera.it.harness.Etcdctl;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A long-running {@code etcdctl watch ...} started in the background, its output captured to a
 * temp file; the test waits (bounded) until the output contains a marker, then stops it by PID.
 * stdin stays open for the interactive mode until {@link #closeStdin()}.
 */
final class BackgroundWatch implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(30);

    private final Process process;
    private final Path out;
    private final Path err;
    private final OutputStream stdin;
    private final List<String> args;

    BackgroundWatch(String endpoint, List<String> args) throws IOException {
        this.args = args;
        out = Files.createTempFile("watch-it-", ".out");
        err = Files.createTempFile("watch-it-", ".err");
        List<String> cmd = new ArrayList<>();
        cmd.add(Etcdctl.binary());
        cmd.add("--endpoints=" + endpoint);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("ETCDCTL_API", "3");
        process = pb.start();
        stdin = process.getOutputStream();
    }

    /** Sends one line to the interactive mode. */
    void line(String l) throws IOException {
        stdin.write((l + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    void closeStdin() throws IOException {
        stdin.close();
    }

    String stdout() throws IOException {
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    String stderr() throws IOException {
        return Files.readString(err, StandardCharsets.UTF_8);
    }

    /** Waits until stdout contains {@code marker} {@code times} times; fails naming what it waited for. */
    void await(String marker, int times) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            String s = stdout();
            if (count(s, marker) >= times) {
                return;
            }
            if (!process.isAlive()) {
                throw new AssertionError("etcdctl " + args + " exited (" + process.exitValue() + ") before printing '"
                        + marker + "' x" + times + "\nstdout:\n" + s + "\nstderr:\n" + stderr());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("etcdctl " + args + " did not print '" + marker + "' x" + times + " within "
                        + WAIT + "\nstdout:\n" + s + "\nstderr:\n" + stderr());
            }
            // bounded wait on the child's output; the file is the only channel etcdctl offers
            process.waitFor(20, TimeUnit.MILLISECONDS);
        }
    }

    /** Waits (bounded) for the process to exit by itself, e.g. after stdin was closed. */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("etcdctl " + args + " did not exit within " + WAIT);
        }
        return process.exitValue();
    }

    private static int count(String s, String marker) {
        int n = 0;
        for (int i = s.indexOf(marker); i >= 0; i = s.indexOf(marker, i + marker.length())) {
            n++;
        }
        return n;
    }

    /** Stops etcdctl (its own PID only) and deletes the capture files. */
    @Override
    public void close() throws IOException, InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
    }
}
