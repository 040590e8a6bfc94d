package dev.etcetera.it.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code etcdctl} (v3 API; {@code /usr/bin/etcdctl} unless {@code -Detcetera.it.etcdctl=...})
 * against one endpoint and captures exit code, stdout and stderr. Each call is bounded by {@link #TIMEOUT_SECONDS}
 * and kills the etcdctl process (which this class started) when exceeded.
 */
public final class Etcdctl {
    public static final int TIMEOUT_SECONDS = 30;

    /** What one etcdctl invocation produced. */
    public record Result(int exitCode, String stdout, String stderr) {
    }

    private final String endpoint;

    public Etcdctl(String endpoint) {
        this.endpoint = endpoint;
    }

    public static String binary() {
        return System.getProperty("etcetera.it.etcdctl", "/usr/bin/etcdctl");
    }

    public String endpoint() {
        return endpoint;
    }

    public Result run(String... args) {
        return run(null, List.of(args));
    }

    /** Runs {@code etcdctl --endpoints=<endpoint> args...}, feeding {@code stdin} (may be null). */
    public Result run(String stdin, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary());
        cmd.add("--endpoints=" + endpoint);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("ETCDCTL_API", "3");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + cmd, e);
        }
        CompletableFuture<byte[]> out = drain(p.getInputStream());
        CompletableFuture<byte[]> err = drain(p.getErrorStream());
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // etcdctl may exit before reading its input (e.g. on a flag error): the outcome is still captured.
        }
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("etcdctl did not finish within " + TIMEOUT_SECONDS + "s: " + cmd);
            }
            return new Result(p.exitValue(),
                    new String(out.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8),
                    new String(err.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IllegalStateException("interrupted running " + cmd, e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot read output of " + cmd, e);
        }
    }

    private static CompletableFuture<byte[]> drain(InputStream stream) {
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        // One virtual thread per stream: both pipes must drain concurrently or etcdctl may block on a full pipe.
        Thread.ofVirtual().name("etcdctl-drain").start(() -> {
            try (stream) {
                result.complete(stream.readAllBytes());
            } catch (IOException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }
}
