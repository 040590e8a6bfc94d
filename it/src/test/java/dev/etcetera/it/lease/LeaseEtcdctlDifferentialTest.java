package dev.etcetera.it.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.etcetera.it.harness.EtcdProcess;
import dev.etcetera.it.harness.Etcdctl;
import dev.etcetera.it.harness.MemberProcess;
import dev.etcetera.it.harness.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code etcdctl lease ...}, {@code lock} and {@code elect} against a real etcd 3.4 and a member, both fresh:
 * the transcripts (exit code, stdout, stderr, simple and JSON output) must be equal after masking what differs
 * between two servers: cluster/member ids and raft term, lease IDs (server-chosen: replaced by L1, L2... in order
 * of appearance, hex or decimal alike) and remaining TTLs (timing). Revisions are compared as they are.
 * Transcripts are written to {@code target/differential/lease-*.txt}.
 */
class LeaseEtcdctlDifferentialTest {
    /** One side: a server, its etcdctl, its transcript and its lease-ID placeholders. */
    private static final class Side {
        final ServerProcess server;
        final Etcdctl ctl;
        final StringBuilder transcript = new StringBuilder();
        final LeaseIdMask mask = new LeaseIdMask();

        Side(ServerProcess server) {
            this.server = server;
            this.ctl = new Etcdctl(server.endpoint());
        }

        String normalize(String text) {
            return mask.apply(text);
        }

        /** Runs etcdctl, records the normalized result, returns raw stdout. */
        String ctl(String... args) {
            Etcdctl.Result r = ctl.run(args);
            record(String.join(" ", args), r.exitCode(), r.stdout(), r.stderr());
            return r.stdout();
        }

        void record(String command, int exit, String stdout, String stderr) {
            transcript.append("$ etcdctl ").append(normalize(command)).append("\nexit ").append(exit)
                    .append("\nstdout: ").append(normalize(stdout))
                    .append("\nstderr: ").append(normalize(stderr)).append("\n");
        }

        /**
         * A command that runs until interrupted (elect): waits (bounded) until it printed {@code lines} lines,
         * then sends SIGINT and records what it printed and its exit code.
         */
        void ctlUntilPrinted(int lines, String... args) throws IOException, InterruptedException {
            try (RunningEtcdctl p = new RunningEtcdctl(server.endpoint(), List.of(args))) {
                p.awaitLines(lines);
                p.interrupt();
                int exit = p.awaitExit();
                record(String.join(" ", args) + " (interrupted after printing " + lines + " lines)", exit, p.stdout(), p.stderr());
            }
        }

        /**
         * {@code lease keep-alive ID} (no --once) while another etcdctl revokes the lease: it must report
         * "expired or revoked" and exit. How many keepalives it printed before is timing, so the record keeps
         * each distinct line once, in order of first appearance.
         */
        void keepAliveUntilRevoked(String id) throws IOException, InterruptedException {
            try (RunningEtcdctl p = new RunningEtcdctl(server.endpoint(), List.of("lease", "keep-alive", id))) {
                p.awaitLines(1);
                ctl("lease", "revoke", id);
                int exit = p.awaitExit();
                String distinct = String.join("\n", new java.util.LinkedHashSet<>(List.of(p.stdout().split("\n"))));
                record("lease keep-alive " + id + " (until revoked; distinct lines)", exit, distinct, p.stderr());
            }
        }
    }

    /** The same script on each side; it may use the side's own lease IDs, never branch on answers otherwise. */
    private static void script(Side s) throws Exception {
        String first = s.ctl("lease", "grant", "1").split(" ")[1]; // below the minimum: raised to 2 s
        s.ctl("lease", "revoke", first);
        s.ctl("lease", "grant", "9000000001");
        s.ctl("lease", "grant", "9000000001", "-w", "json");
        String max = s.ctl("lease", "grant", "9000000000").split(" ")[1];
        s.ctl("lease", "timetolive", max, "-w", "json");
        s.ctl("lease", "revoke", max, "-w", "json");
        for (String unknown : List.of("1234", "7fffffffffffffff")) {
            s.ctl("lease", "revoke", unknown);
            s.ctl("lease", "timetolive", unknown);
            s.ctl("lease", "timetolive", unknown, "-w", "json");
            s.ctl("lease", "keep-alive", "--once", unknown);
            s.ctl("put", "--lease=" + unknown, "k0", "v");
        }
        String id = s.ctl("lease", "grant", "30").split(" ")[1];
        s.ctl("put", "--lease=" + id, "k1", "v1");
        s.ctl("put", "--lease=" + id, "k2", "v2", "-w", "json");
        s.ctl("lease", "timetolive", "--keys", id);
        s.ctl("lease", "timetolive", "--keys", id, "-w", "json");
        s.ctl("lease", "keep-alive", "--once", id);
        s.ctl("lease", "keep-alive", "--once", id, "-w", "json");
        s.ctl("put", "k1", "moved"); // detaches k1
        s.ctl("put", "--ignore-lease", "k2", "kept");
        s.ctl("get", "k", "--prefix", "-w", "json");
        s.ctl("lease", "timetolive", "--keys", id);
        s.ctl("lease", "list");
        s.ctl("lease", "revoke", id, "-w", "json");
        s.ctl("get", "k", "--prefix");
        s.ctl("lease", "timetolive", id);
        s.ctl("lease", "list", "-w", "json");
        s.keepAliveUntilRevoked(s.ctl("lease", "grant", "5").split(" ")[1]);
        s.ctl("lease", "grant", "0");
        s.ctl("lease", "grant", "abc");
        s.ctl("lock", "mylock", "echo", "inside the lock");
        s.ctl("lock", "mylock", "--", "sh", "-c", "exit 3"); // "--": -c belongs to sh, not etcdctl
        s.ctl("get", "mylock", "--prefix", "--keys-only");
        s.ctlUntilPrinted(2, "elect", "myelection", "first");
        s.ctl("get", "myelection", "--prefix");
    }

    @Test
    void leaseLockElectMatchEtcd() throws Exception {
        Assumptions.assumeTrue(MemberProcess.available(), "bin/etcetera not available");
        try (EtcdProcess etcd = new EtcdProcess("lease-ref-etcd"); MemberProcess member = new MemberProcess("lease-diff")) {
            etcd.start();
            member.start();
            Side ref = new Side(etcd);
            Side sub = new Side(member);
            script(ref);
            script(sub);
            Path dir = Paths.get("target", "differential");
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("lease-etcd.txt"), ref.transcript);
            Files.writeString(dir.resolve("lease-member.txt"), sub.transcript);
            assertEquals(ref.transcript.toString(), sub.transcript.toString(),
                    "etcdctl transcripts differ (target/differential/lease-*.txt)");
        }
    }
}
