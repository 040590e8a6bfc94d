package dev.etcetera.it.harness;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An Etcetera member launched by {@code bin/etcetera} with etcd's flags on loopback.
 *
 * <p>Contract relied on (the launcher's): it keeps the launcher's PID (exec), prints exactly one stdout line
 * containing {@link #READY_LINE} once it serves clients (never before), stops gracefully on SIGTERM and exits
 * non-zero with a message when it cannot start. Payara also binds client port + 10000 and + 20000, which
 * {@link LoopbackPorts#clientPort()} keeps free.
 *
 * <p>The repository root is {@code -Detcetera.home}, else found by walking up from the working directory to
 * the directory holding {@code bin/etcetera} (or the reactor root pom with an {@code it/} module).
 */
public final class MemberProcess extends ServerProcess {
    public static final String READY_LINE = "ready to serve client requests";
    /** Includes a possible build of the distribution by the launcher. */
    private static final Duration READY_TIMEOUT =
            Duration.ofSeconds(Long.getLong("etcetera.it.member.ready.seconds", 240));

    private final AtomicInteger readyLines = new AtomicInteger();
    private volatile CompletableFuture<Void> ready;
    private Thread pump;

    public MemberProcess(String name) {
        this(name, LoopbackPorts.clientPort(), LoopbackPorts.port(), null);
    }

    public MemberProcess(String name, int clientPort, int peerPort, Path dataDir) {
        super(name, clientPort, peerPort, dataDir);
    }

    /** Adds etcd flags (e.g. {@code --listen-client-http-urls URL}) to the command line of later starts. */
    public MemberProcess withFlags(String... flags) {
        addFlags(flags);
        return this;
    }


    /** Root of the Etcetera checkout. */
    public static Path home() {
        String configured = System.getProperty("etcetera.home");
        if (configured != null) {
            return Paths.get(configured).toAbsolutePath().normalize();
        }
        Path dir = Paths.get("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.exists(d.resolve("bin/etcetera"))
                    || (Files.exists(d.resolve("pom.xml")) && Files.isDirectory(d.resolve("it")))) {
                return d;
            }
        }
        return dir;
    }

    public static Path launcher() {
        return home().resolve("bin/etcetera");
    }

    /** True if {@code bin/etcetera} exists and is executable. */
    public static boolean available() {
        return Files.isExecutable(launcher());
    }

    @Override
    public String kind() {
        return "member";
    }

    /** How many stdout lines so far contained {@link #READY_LINE} (the contract says exactly one). */
    public int readyLineCount() {
        return readyLines.get();
    }

    @Override
    protected Process launch(List<String> flags, Path stdoutLog, Path stderrLog) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(launcher().toString());
        cmd.addAll(flags);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(home().toFile())
                .redirectError(stderrLog.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        if (System.getenv("JAVA_HOME") == null && Files.isDirectory(Paths.get("/usr/lib/jvm/temurin-25-jdk-amd64"))) {
            pb.environment().put("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64");
        }
        Process p = pb.start();
        CompletableFuture<Void> readyNow = new CompletableFuture<>();
        ready = readyNow;
        readyLines.set(0);
        // Owns the process's stdout: copies every line to the log and completes 'ready' on the ready line.
        pump = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                 BufferedWriter out = Files.newBufferedWriter(stdoutLog, StandardCharsets.UTF_8)) {
                String line;
                while ((line = in.readLine()) != null) {
                    out.write(line);
                    out.newLine();
                    out.flush();
                    if (line.contains(READY_LINE)) {
                        readyLines.incrementAndGet();
                        readyNow.complete(null);
                    }
                }
            } catch (IOException e) {
                readyNow.completeExceptionally(e);
            }
        }, "it-member-stdout-" + name);
        pump.setDaemon(true);
        pump.start();
        return p;
    }

    @Override
    protected Duration readyTimeout() {
        return READY_TIMEOUT;
    }

    @Override
    protected void awaitReady(Duration timeout) throws InterruptedException {
        String what = "a stdout line containing '" + READY_LINE + "'";
        try {
            CompletableFuture.anyOf(ready, process.onExit()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(this + " not ready within " + timeout + ": waited for " + what + logTail(40));
        } catch (ExecutionException e) {
            throw new IllegalStateException(this + " failed while waiting for " + what + ": " + e.getCause() + logTail(40));
        }
        if (!ready.isDone()) {
            pumpDrained();
            throw new IllegalStateException(this + " exited with code " + process.exitValue() + " while waiting for "
                    + what + logTail(40));
        }
    }

    private void pumpDrained() throws InterruptedException {
        if (pump != null) {
            pump.join(2000);
        }
    }
}
