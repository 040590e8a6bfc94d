package dev.etcetera.config;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LaunchPlanTest {

    private record Result(int code, String out, String err) {
    }

    private static Result run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = LaunchPlan.run(List.of(args), env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Result run(String... args) {
        return run(Map.of(), args);
    }

    @Test
    void successPrintsOnePropertyPerFlagLine() {
        Result r = run("--name", "n1", "--initial-cluster", "n1=http://127.0.0.1:2380");
        assertEquals(0, r.code());
        assertEquals("", r.err());
        String[] lines = r.out().split("\n", -1);
        assertEquals("", lines[lines.length - 1], "output ends with a newline");
        long flags = FlagTable.all().stream().filter(f -> !f.obsolete()).count();
        assertEquals(flags, lines.length - 1);
        Pattern line = Pattern.compile("-Detcetera\\.([a-z0-9-]+)=(.*)");
        for (int i = 0; i < lines.length - 1; i++) {
            Matcher m = line.matcher(lines[i]);
            assertTrue(m.matches(), lines[i]);
            assertTrue(FlagTable.find(m.group(1)).isPresent(), lines[i]);
        }
        assertTrue(r.out().contains("\n-Detcetera.data-dir=n1.etcetera\n"));
        assertTrue(r.out().contains("\n-Detcetera.payara-http-port=12379\n"));
        assertTrue(r.out().contains("\n-Detcetera.payara-hazelcast-port=22379\n"));
        assertTrue(r.out().startsWith("-Detcetera.name=n1\n"));
    }

    @Test
    void warningsGoToStderrAndTheRunStillSucceeds() {
        Result r = run(Map.of("ETCD_PEER_AUTO_TLS", "true"), "--max-wals", "3", "--wal-dir", "/wal");
        assertEquals(0, r.code());
        assertEquals("etcetera: warning: --max-wals is accepted but not implemented yet\n"
                + "etcetera: warning: --peer-auto-tls is accepted but not implemented yet (set by ETCD_PEER_AUTO_TLS)\n", r.err());
        assertTrue(r.out().contains("\n-Detcetera.wal-dir=/wal\n"));
        assertTrue(r.out().contains("\n-Detcetera.peer-auto-tls=true\n"));
    }

    @Test
    void errorsExitTwoWithTheFlagNamedOnStderrAndNothingOnStdout() {
        Result bad = run("--max-txn-ops", "abc");
        assertEquals(2, bad.code());
        assertEquals("", bad.out());
        assertEquals("etcetera: invalid value \"abc\" for flag --max-txn-ops: not an integer\n"
                + "Run 'etcetera --help' to list the flags.\n", bad.err());
        Result unknown = run("--foo");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().startsWith("etcetera: flag provided but not defined: --foo\n"));
        Result cluster = run("--name", "x", "--initial-cluster", "y=http://127.0.0.1:2380");
        assertEquals(2, cluster.code());
        assertEquals("", cluster.out());
        assertTrue(cluster.err().startsWith("etcetera: couldn't find local name \"x\""), cluster.err());
    }

    @Test
    void helpListsEveryFlagWithDefaultAndMarksTheUnimplemented() {
        Result r = run("--help");
        assertEquals(0, r.code());
        assertEquals("", r.err());
        for (FlagDefinition flag : FlagTable.all()) {
            String head = flag.obsolete() ? "  --" + flag.name() + "\n" : "  --" + flag.name() + " '" + flag.defaultValue().shown() + "'\n";
            int at = r.out().indexOf(head);
            assertTrue(at >= 0, "help lists " + head);
            String description = r.out().substring(at + head.length(), r.out().indexOf('\n', at + head.length()));
            assertEquals(!flag.implemented() && !flag.obsolete(), description.endsWith("(not implemented yet)"), description);
        }
        assertTrue(r.out().contains("  --data-dir '${name}.etcetera'\n"));
        assertEquals(run("-h").out(), r.out());
    }

    @Test
    void mainExitsWithTheCodeOfRun() throws Exception {
        String javaBin = ProcessHandle.current().info().command().orElseThrow();
        for (List<String> args : List.of(List.of("--max-txn-ops", "abc"), List.of("--name", "é"))) {
            List<String> command = new ArrayList<>(List.of(javaBin, "-cp", System.getProperty("java.class.path"),
                    LaunchPlan.class.getName()));
            command.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().keySet().removeIf(k -> k.startsWith("ETCD_"));
            Process p = pb.start();
            try {
                // drain stderr concurrently so that neither pipe can fill up and block the child
                CompletableFuture<byte[]> errRead = CompletableFuture.supplyAsync(() -> {
                    try {
                        return p.getErrorStream().readAllBytes();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                byte[] out = p.getInputStream().readAllBytes();
                byte[] err = errRead.get(60, TimeUnit.SECONDS);
                assertTrue(p.waitFor(60, TimeUnit.SECONDS), "LaunchPlan process did not exit within 60 s");
                Result expected = run(args.toArray(String[]::new));
                assertEquals(expected.code(), p.exitValue(), new String(err, StandardCharsets.UTF_8));
                assertEquals(expected.out(), new String(out, StandardCharsets.UTF_8));
                assertEquals(expected.err(), new String(err, StandardCharsets.UTF_8));
            } finally {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void versionUsesEtcdsLayout() {
        Result r = run("--version");
        assertEquals(0, r.code());
        String[] lines = r.out().split("\n");
        assertTrue(lines[0].matches("etcetera Version: \\S+"), lines[0]);
        assertEquals("etcd API Version: 3.6.0", lines[1]);
        assertTrue(lines[2].startsWith("Java Version: "));
        assertTrue(lines[3].startsWith("OS/Arch: "));
    }
}
