package dev.etcetera.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs one scenario against both sides of a {@link ServerPair} and compares the normalized transcripts.
 * Transcripts are written to {@code target/differential/<scenario>.<side>.txt}; a mismatch fails with a line
 * diff (reference {@code -}, subject {@code +}), unless the scenario is a {@link KnownDifferences known
 * difference} of the member, which is reported as aborted (skipped) with the same diff.
 */
final class Differential {
    private static final Path OUT = Paths.get("target", "differential");
    private static final String SYNC_KEY = "~~revision-sync";

    private Differential() {
    }

    static void run(ServerPair pair, String scenario, Consumer<Steps> script) {
        for (Side side : new Side[] {pair.reference, pair.subject}) {
            if (!side.server.alive()) {
                throw new IllegalStateException(side + " is not running (crashed in an earlier scenario?); see "
                        + side.server.stderrLog() + " and " + side.server.stdoutLog());
            }
        }
        long start = level(pair);
        Steps expected = new Steps(pair.reference, start);
        script.accept(expected);
        Steps actual = new Steps(pair.subject, start);
        script.accept(actual);
        write(scenario, pair.reference.label, expected.transcript());
        write(scenario, pair.subject.label, actual.transcript());
        boolean same = expected.transcript().equals(actual.transcript());
        String known = pair.subjectIsMember ? KnownDifferences.reason(scenario) : null;
        if (same) {
            if (known != null) {
                System.out.println("[it] known difference '" + scenario + "' now matches etcd: remove it from known-differences.txt");
            }
            return;
        }
        String diff = LineDiff.diff(pair.reference.label + " (reference)", expected.transcript(),
                pair.subject.label + " (subject)", actual.transcript(), 4);
        if (known != null) {
            System.out.println("[it] known difference '" + scenario + "' (" + known + "):\n" + diff);
            Assumptions.abort("known difference of the member: " + known + "\n" + diff);
        }
        Assertions.fail("scenario '" + scenario + "': " + pair.subject.label + " differs from etcd\n" + diff);
    }

    /**
     * Empties both stores and brings their revisions level, outside any transcript: the lagging side gets extra
     * puts of a sync key (which is then deleted on both sides), so a divergence in one scenario does not shift the
     * revisions of the next.
     */
    static long level(ServerPair pair) {
        for (Side side : new Side[] {pair.reference, pair.subject}) {
            side.etcdctl.run("del", "", "--from-key");
        }
        long a = pair.reference.revision();
        long b = pair.subject.revision();
        if (a == b) {
            return a;
        }
        Side lagging = a < b ? pair.reference : pair.subject;
        Side leading = a < b ? pair.subject : pair.reference;
        for (long i = 0; i <= Math.abs(a - b); i++) {
            lagging.etcdctl.run("put", SYNC_KEY, "x");
        }
        leading.etcdctl.run("put", SYNC_KEY, "x");
        lagging.etcdctl.run("del", SYNC_KEY);
        leading.etcdctl.run("del", SYNC_KEY);
        long a2 = pair.reference.revision();
        long b2 = pair.subject.revision();
        if (a2 != b2) {
            throw new IllegalStateException("cannot level revisions: etcd at " + a2 + ", " + pair.subject.label + " at " + b2);
        }
        System.out.println("[it] levelled revisions (were etcd " + a + ", " + pair.subject.label + " " + b + "; now " + a2 + ")");
        return a2;
    }

    private static void write(String scenario, String label, String transcript) {
        try {
            Files.createDirectories(OUT);
            Files.writeString(OUT.resolve(scenario + "." + label.replace('#', '-') + ".txt"), transcript, StandardCharsets.UTF_8);
        } catch (IOException e) {
            System.err.println("[it] cannot write transcript: " + e);
        }
    }
}
