package dev.etcetera.it.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * One etcd-compatible server process on loopback (real etcd or an Etcetera member) with etcd's flags.
 *
 * <p>Lifecycle: {@link #start()} launches and waits (bounded) until the server is ready; {@link #stop()} sends
 * SIGTERM and SIGKILLs after {@link #STOP_GRACE}; {@link #kill9()} crashes it; {@link #start()} may be called
 * again afterwards and restarts on the same ports and data dir. {@link #close()} stops the process and deletes
 * the data dir if this object created it. Not thread-safe: one test thread drives one server.
 */
public abstract class ServerProcess implements AutoCloseable {
    public static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private static final Set<ServerProcess> LIVE = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (ServerProcess server : LIVE) {
                server.destroyTree(true);
            }
        }, "it-harness-reaper"));
    }

    protected final String name;
    protected final int clientPort;
    protected final int peerPort;
    protected final Path dataDir;
    private final boolean ownsDataDir;
    protected final Path logDir;
    private final int instance = SEQUENCE.incrementAndGet();
    private int starts;
    /** Flags added after the standard ones ({@link #addFlags}). */
    private final List<String> extraFlags = new ArrayList<>();
    protected Process process;
    private Duration startToReady;
    private boolean lastStopEscalated;
    protected Path stdoutLog;
    protected Path stderrLog;

    protected ServerProcess(String name, int clientPort, int peerPort, Path dataDir) {
        this.name = name;
        this.clientPort = clientPort;
        this.peerPort = peerPort;
        try {
            if (dataDir == null) {
                this.dataDir = Files.createTempDirectory("etcetera-it-" + name + "-");
                this.ownsDataDir = true;
            } else {
                this.dataDir = dataDir;
                this.ownsDataDir = false;
            }
            this.logDir = logRoot();
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot prepare dirs for " + name, e);
        }
    }

    /** Where logs go: {@code -Detcetera.it.logs}, else {@code target/it-logs} under the working directory. */
    public static Path logRoot() {
        String configured = System.getProperty("etcetera.it.logs");
        return configured != null ? Paths.get(configured) : Paths.get("target", "it-logs").toAbsolutePath();
    }

    /** Human name of the kind of server ("etcd", "member"), used in messages. */
    public abstract String kind();

    /** The command line, etcd's flag names. */
    protected List<String> command() {
        String peerUrl = "http://127.0.0.1:" + peerPort;
        String clientUrl = clientUrl();
        List<String> cmd = new ArrayList<>();
        cmd.add("--name");
        cmd.add(name);
        cmd.add("--data-dir");
        cmd.add(dataDir.toString());
        cmd.add("--listen-client-urls");
        cmd.add(clientUrl);
        cmd.add("--advertise-client-urls");
        cmd.add(clientUrl);
        cmd.add("--listen-peer-urls");
        cmd.add(peerUrl);
        cmd.add("--initial-advertise-peer-urls");
        cmd.add(peerUrl);
        cmd.add("--initial-cluster");
        cmd.add(name + "=" + peerUrl);
        cmd.addAll(extraFlags);
        return cmd;
    }

    /** Adds flags after the standard ones, for later starts (the subclasses' {@code withFlags}). */
    protected void addFlags(String... flags) {
        extraFlags.addAll(List.of(flags));
    }

    /** Launches the process with its output going to log files. */
    protected abstract Process launch(List<String> command, Path stdoutLog, Path stderrLog) throws IOException;

    /**
     * Waits until the server is ready, at most {@code timeout}; throws {@link IllegalStateException} naming what
     * it waited for if the process exits first or the time runs out.
     */
    protected abstract void awaitReady(Duration timeout) throws InterruptedException;

    protected abstract Duration readyTimeout();

    /** Starts (or restarts after stop/kill9) and waits until ready. */
    public ServerProcess start() {
        if (alive()) {
            throw new IllegalStateException(this + " is already running");
        }
        starts++;
        String base = String.format("%s-%d-%d", name, instance, starts);
        Path out = logDir.resolve(base + ".stdout.log");
        Path err = logDir.resolve(base + ".stderr.log");
        stdoutLog = out;
        stderrLog = err;
        Instant begin = Instant.now();
        try {
            process = launch(command(), out, err);
        } catch (IOException e) {
            throw new IllegalStateException("cannot launch " + kind() + " " + name + ": " + e.getMessage(), e);
        }
        LIVE.add(this);
        try {
            awaitReady(readyTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            destroyTree(true);
            throw new IllegalStateException("interrupted while starting " + this, e);
        } catch (RuntimeException e) {
            destroyTree(true);
            LIVE.remove(this);
            throw e;
        }
        startToReady = Duration.between(begin, Instant.now());
        return this;
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    public long pid() {
        if (process == null) {
            throw new IllegalStateException(this + " was never started");
        }
        return process.pid();
    }

    public String name() {
        return name;
    }

    public int clientPort() {
        return clientPort;
    }

    public int peerPort() {
        return peerPort;
    }

    public Path stdoutLog() {
        return stdoutLog;
    }

    public Path stderrLog() {
        return stderrLog;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** {@code http://127.0.0.1:P} */
    public String clientUrl() {
        return "http://127.0.0.1:" + clientPort;
    }

    /** {@code 127.0.0.1:P} (gRPC target) */
    public String endpoint() {
        return "127.0.0.1:" + clientPort;
    }

    /** Wall time from launch to ready of the last start. */
    public Duration startToReady() {
        return startToReady;
    }

    /** Resident set size in KiB from {@code /proc/<pid>/status} (VmRSS). */
    public long rssKiB() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc", Long.toString(pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc status of " + this, e);
        }
        throw new IllegalStateException("no VmRSS for " + this);
    }

    /** SIGTERM, wait up to {@link #STOP_GRACE}, then SIGKILL. Returns the exit code. */
    public int stop() {
        if (process == null) {
            return 0;
        }
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        int code;
        try {
            lastStopEscalated = false;
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                lastStopEscalated = true;
                System.err.println("[it-harness] " + this + " ignored SIGTERM for " + STOP_GRACE + ", sending SIGKILL");
                process.destroyForcibly();
                process.waitFor();
            }
            code = process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            code = -1;
        }
        descendants.forEach(ProcessHandle::destroyForcibly);
        LIVE.remove(this);
        return code;
    }

    /** True if the last {@link #stop()} had to SIGKILL because SIGTERM was not honoured within the grace. */
    public boolean lastStopEscalated() {
        return lastStopEscalated;
    }

    /** SIGKILL now (crash test) and wait until the process is gone. */
    public void kill9() {
        destroyTree(true);
        try {
            process.onExit().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(this + " did not die within 30s of SIGKILL", e);
        }
        LIVE.remove(this);
    }

    private void destroyTree(boolean forcibly) {
        Process p = process;
        if (p == null) {
            return;
        }
        List<ProcessHandle> descendants = p.descendants().toList();
        if (forcibly) {
            p.destroyForcibly();
            descendants.forEach(ProcessHandle::destroyForcibly);
        } else {
            p.destroy();
        }
    }

    /** Stops the process if running and deletes the data dir if this object created it. */
    @Override
    public void close() {
        if (alive()) {
            stop();
        }
        LIVE.remove(this);
        if (ownsDataDir) {
            deleteTree(dataDir);
        }
    }

    /** Last {@code lines} lines of both logs of the current start, for failure messages. */
    protected String logTail(int lines) {
        List<String> out = readLines(stdoutLog);
        List<String> err = readLines(stderrLog);
        return failureLines(stderrLog, err) + failureLines(stdoutLog, out)
                + "\n--- tail of " + stdoutLog + " ---\n" + tail(out, lines)
                + "\n--- tail of " + stderrLog + " ---\n" + tail(err, lines);
    }

    /** The file's lines, or one line saying why it could not be read. */
    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of("(unreadable: " + e.getMessage() + ")");
        }
    }

    /** How many lines {@link #failureLines} quotes at most, and how much of each. */
    private static final int FAILURE_LINES = 20;
    private static final int FAILURE_LINE_CHARS = 400;

    /**
     * The lines of {@code file} that say why a start failed (the launcher's and the member's own
     * "etcetera: ..." messages, SEVERE records, exceptions and their first cause lines), wherever they
     * are: a failure early in a start is usually followed by a page of container output that a tail
     * alone would show instead.
     */
    private static String failureLines(Path file, List<String> all) {
        List<String> hits = new ArrayList<>();
        for (String line : all) {
            if (line.startsWith("etcetera:") || line.contains("SEVERE") || line.contains("Exception")
                    || line.contains("Caused by") || line.contains("Address already in use")) {
                hits.add(line.length() > FAILURE_LINE_CHARS ? line.substring(0, FAILURE_LINE_CHARS) + "..." : line);
                if (hits.size() == FAILURE_LINES) {
                    break;
                }
            }
        }
        return hits.isEmpty() ? "" : "\n--- failure lines of " + file + " ---\n" + String.join("\n", hits);
    }

    private static String tail(List<String> all, int lines) {
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("[it-harness] could not delete " + root + ": " + e);
        }
    }

    @Override
    public String toString() {
        return kind() + " " + name + (process != null ? " (pid " + process.pid() + ", " + clientUrl() + ")" : " (" + clientUrl() + ")");
    }
}
