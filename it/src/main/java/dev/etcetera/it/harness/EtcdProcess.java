package dev.etcetera.it.harness;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real etcd (the reference implementation, {@code /usr/bin/etcd} unless {@code -Detcetera.it.etcd=...}) on
 * loopback with a temp data dir. Ready when {@code GET /health} answers {@code {"health":"true"}}.
 */
public final class EtcdProcess extends ServerProcess {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(100);
    /** etcd 3.4 logs this (stderr) once its client listener is bound and serving. */
    private static final String OWN_READY_LINE = "ready to serve client requests";

    public EtcdProcess(String name) {
        this(name, LoopbackPorts.port(), LoopbackPorts.port(), null);
    }

    public EtcdProcess(String name, int clientPort, int peerPort, Path dataDir) {
        super(name, clientPort, peerPort, dataDir);
    }

    /** Adds etcd flags to the command line of later starts (as {@link MemberProcess#withFlags}). */
    public EtcdProcess withFlags(String... flags) {
        addFlags(flags);
        return this;
    }


    public static String binary() {
        return System.getProperty("etcetera.it.etcd", "/usr/bin/etcd");
    }

    @Override
    public String kind() {
        return "etcd";
    }

    @Override
    protected Process launch(List<String> flags, Path stdoutLog, Path stderrLog) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary());
        cmd.addAll(flags);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectOutput(stdoutLog.toFile())
                .redirectError(stderrLog.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return pb.start();
    }

    @Override
    protected Duration readyTimeout() {
        return READY_TIMEOUT;
    }

    @Override
    protected void awaitReady(Duration timeout) throws InterruptedException {
        // Both: the health answer alone could come from another process on the same port (a failed bind).
        String what = "its log line '" + OWN_READY_LINE + "' and GET " + clientUrl() + "/health to answer {\"health\":\"true\"}";
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create(clientUrl() + "/health"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer yet";
        while (true) {
            try {
                HttpResponse<String> response = http.send(health, HttpResponse.BodyHandlers.ofString());
                boolean logged = java.nio.file.Files.readString(stderrLog).contains(OWN_READY_LINE);
                if (logged && response.statusCode() == 200 && response.body().contains("\"health\":\"true\"")) {
                    return;
                }
                last = response.statusCode() + " " + response.body() + (logged ? "" : " (ready line not logged yet)");
            } catch (IOException e) {
                last = e.toString();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(this + " not ready within " + timeout + ": waited for " + what
                        + "; last answer: " + last + logTail(30));
            }
            // The poll interval doubles as the wait for an early exit of the process.
            try {
                int code = process.onExit().get(POLL.toMillis(), TimeUnit.MILLISECONDS).exitValue();
                throw new IllegalStateException(this + " exited with code " + code + " while waiting for " + what
                        + logTail(30));
            } catch (TimeoutException stillRunning) {
                // poll again
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
