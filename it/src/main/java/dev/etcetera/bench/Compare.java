package dev.etcetera.bench;

import dev.etcetera.it.harness.EtcdProcess;
import dev.etcetera.it.harness.MemberProcess;
import dev.etcetera.it.harness.ServerProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One comparison run: starts a real etcd and an Etcetera member on loopback, runs every {@link Load} mode against
 * both (a warm-up, then {@code --reps} measured repetitions), and prints a table of medians, spread and the
 * member/etcd ratio, plus the member's start-to-ready time and both servers' RSS after {@code --rss-puts} more puts
 * (0 skips that step).
 *
 * <pre>
 * Compare [--reps 3] [--duration 8s] [--warmup 4s] [--clients 16] [--conns 4] [--val-size 256]
 *         [--key-space 1000] [--rss-puts 100000] [--subject member|etcd]
 * </pre>
 *
 * {@code --subject etcd} compares etcd with a second etcd (to check the runner itself when no member exists).
 */
public final class Compare {
    private Compare() {
    }

    public static void main(String[] args) throws Exception {
        int reps = 3;
        Duration duration = Duration.ofSeconds(8);
        Duration warmup = Duration.ofSeconds(4);
        int clients = 16;
        int conns = 4;
        int valSize = 256;
        int keySpace = 1000;
        long rssPuts = 100_000;
        String subjectKind = MemberProcess.available() ? "member" : "etcd";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--duration" -> duration = Load.parseDuration(args[++i]);
                case "--warmup" -> warmup = Load.parseDuration(args[++i]);
                case "--clients" -> clients = Integer.parseInt(args[++i]);
                case "--conns" -> conns = Integer.parseInt(args[++i]);
                case "--val-size" -> valSize = Integer.parseInt(args[++i]);
                case "--key-space" -> keySpace = Integer.parseInt(args[++i]);
                case "--rss-puts" -> rssPuts = Long.parseLong(args[++i]);
                case "--subject" -> subjectKind = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Load.Config base = new Load.Config("unset", "put", clients, conns, 16, valSize, keySpace, 0, duration, false, 42);
        System.out.printf(Locale.ROOT, "# Compare: %d clients over %d connections, %d B values, key space %d, warm-up %ds, %d x %ds per mode; %d cores%n",
                clients, conns, valSize, keySpace, warmup.toSeconds(), reps, duration.toSeconds(),
                Runtime.getRuntime().availableProcessors());

        try (EtcdProcess etcd = new EtcdProcess("bench-etcd");
             ServerProcess subject = subjectKind.equals("member") ? new MemberProcess("bench-member") : new EtcdProcess("bench-etcd2")) {
            etcd.start();
            subject.start();
            System.out.printf(Locale.ROOT, "# etcd %s ready in %d ms; %s %s ready in %d ms%n", etcd.clientUrl(),
                    etcd.startToReady().toMillis(), subject.kind(), subject.clientUrl(), subject.startToReady().toMillis());
            System.out.printf(Locale.ROOT, "# idle VmRSS: etcd %d MiB, %s %d MiB%n", etcd.rssKiB() / 1024, subject.kind(),
                    subject.rssKiB() / 1024);

            Map<String, List<Load.Result>> etcdResults = new LinkedHashMap<>();
            Map<String, List<Load.Result>> subjectResults = new LinkedHashMap<>();
            for (String mode : List.of("put", "range", "txn-put")) {
                for (ServerProcess server : List.of(etcd, subject)) {
                    Load.Config c = base.withMode(mode).withEndpoint(server.endpoint());
                    System.out.printf("# %s on %s: warm-up%n", mode, server.kind());
                    Load.run(c.withDuration(warmup));
                    List<Load.Result> runs = new ArrayList<>();
                    for (int r = 0; r < reps; r++) {
                        Load.Result result = Load.run(c);
                        System.out.printf("#   %s rep %d: %s%n", server.kind(), r + 1, result);
                        runs.add(result);
                    }
                    (server == etcd ? etcdResults : subjectResults).put(mode, runs);
                }
            }

            System.out.println();
            System.out.printf("%-8s | %-34s | %-34s | %s%n", "mode", "etcd qps median [min-max] p50/p99 ms",
                    subject.kind() + " qps median [min-max] p50/p99 ms", subject.kind() + "/etcd qps, p99");
            for (String mode : etcdResults.keySet()) {
                List<Load.Result> e = etcdResults.get(mode);
                List<Load.Result> m = subjectResults.get(mode);
                System.out.printf(Locale.ROOT, "%-8s | %-34s | %-34s | %.2f, %.2f%n", mode, summary(e), summary(m),
                        median(m, Load.Result::qps) / median(e, Load.Result::qps),
                        median(m, Load.Result::p99) / median(e, Load.Result::p99));
            }

            for (ServerProcess server : rssPuts > 0 ? List.of(etcd, subject) : List.<ServerProcess>of()) {
                Load.Result fill = Load.run(base.withMode("put").withEndpoint(server.endpoint()).withTotal(rssPuts));
                System.out.printf(Locale.ROOT, "# %s after the runs above and %d more puts (%s): VmRSS %d MiB%n", server.kind(), rssPuts, fill,
                        server.rssKiB() / 1024);
            }
            System.out.printf(Locale.ROOT, "# %s start-to-ready %d ms%n", subject.kind(), subject.startToReady().toMillis());
        }
    }

    private interface Metric {
        double of(Load.Result r);
    }

    private static double median(List<Load.Result> runs, Metric metric) {
        double[] v = runs.stream().mapToDouble(metric::of).toArray();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String summary(List<Load.Result> runs) {
        double min = runs.stream().mapToDouble(Load.Result::qps).min().orElse(0);
        double max = runs.stream().mapToDouble(Load.Result::qps).max().orElse(0);
        long errors = runs.stream().mapToLong(Load.Result::errors).sum();
        return String.format(Locale.ROOT, "%.0f [%.0f-%.0f] %.2f/%.2f%s", median(runs, Load.Result::qps), min, max,
                median(runs, Load.Result::p50), median(runs, Load.Result::p99), errors > 0 ? " ERR " + errors : "");
    }
}
