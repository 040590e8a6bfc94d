package dev.etcetera.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Appends/s and latency of the file journal for 1, 16, 128 and 1,024 concurrent appenders of
 * 256-byte entries, beside the raw fdatasync rate of the same directory measured in the same run.
 * Each appender waits for its append to be durable before the next one (closed loop), with
 * {@code get()}. Every measurement is repeated; tables show the median and the [min, max] spread.
 *
 * <p>Single-appender latency against raw fdatasync is measured <em>paired</em>: one thread
 * alternates one raw write+fdatasync and one journal append+wait, so both see the same disk and
 * CPU weather (the machine this runs on is shared); each repeat gives one p50 ratio.
 * The CPU column is the process's CPU time (all threads, user + system) per operation during
 * the measured run: what bounds the rate when the CPUs, not the disk, are the limit.
 *
 * <pre>
 *   mvn -B -q -pl journal -am test-compile
 *   java -cp journal/target/classes:journal/target/test-classes dev.etcetera.journal.JournalBenchmark \
 *        [dir=journal/target/bench] [seconds=3] [repeats=5] [appenders=1,16,128,1024] [maxGroupWaitMicros=2000]
 *        [platform|virtual|both]
 * </pre>
 * Not a test: numbers depend on the disk and on what else the machine runs.
 */
public final class JournalBenchmark {

    private static final int ENTRY_BYTES = 256;

    /** {@code cpuMicrosPerOp}: CPU time of this whole process (all threads, user + system) per operation. */
    record Result(double opsPerSec, double p50Micros, double p99Micros, double entriesPerSync, double cpuMicrosPerOp,
                  double switchesPerOp) {
        Result(double opsPerSec, double p50Micros, double p99Micros, double entriesPerSync, double cpuMicrosPerOp) {
            this(opsPerSec, p50Micros, p99Micros, entriesPerSync, cpuMicrosPerOp, Double.NaN);
        }
    }

    /**
     * Voluntary and involuntary context switches of the live threads of this process, summed per
     * thread name with digits dropped (so "ForkJoinPool-1-worker-2" counts as one kind), from
     * /proc/self/task/&#42;/status; empty where /proc is not available.
     */
    static java.util.Map<String, long[]> contextSwitchesByThread() {
        java.util.Map<String, long[]> sums = new java.util.TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : tasks.toList()) {
                try {
                    String name = Files.readString(t.resolve("comm")).trim().replaceAll("[0-9]+", "#");
                    long[] sum = sums.computeIfAbsent(name, n -> new long[2]);
                    for (String line : Files.readAllLines(t.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:")) {
                            sum[0] += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
                            sum[1] += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        }
                    }
                } catch (IOException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc
        }
        return sums;
    }

    /** Per thread kind: voluntary/involuntary switches between two readings, per operation. */
    static String switchesPerOp(java.util.Map<String, long[]> before, java.util.Map<String, long[]> after, long ops) {
        StringBuilder b = new StringBuilder();
        after.forEach((name, a) -> {
            long[] z = before.getOrDefault(name, new long[2]);
            double v = (double) (a[0] - z[0]) / ops;
            double i = (double) (a[1] - z[1]) / ops;
            if (v + i >= 0.005) {
                b.append(String.format(" %s %.2f+%.2f", name, v, i));
            }
        });
        return b.toString().trim();
    }

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    public static void main(String[] args) throws Exception {
        Path base = Path.of(args.length > 0 ? args[0] : "journal/target/bench");
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 3;
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int[] appenders = args.length > 3 ? Arrays.stream(args[3].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {1, 16, 128, 1024};
        long groupWaitMicros = args.length > 4 ? Long.parseLong(args[4]) : 2000;
        String kindArg = args.length > 5 ? args[5] : "both";
        List<Boolean> kinds = switch (kindArg) {
            case "platform" -> List.of(false);
            case "virtual" -> List.of(true);
            default -> List.of(false, true);
        };
        Files.createDirectories(base);
        System.out.printf("journal benchmark: dir=%s, %.1f s per run, %d repeats, %d-byte entries, maxGroupWait=%d us,"
                + " appender threads %s, %d cpus, load average at start: %s%n", base.toAbsolutePath(), seconds, repeats,
                ENTRY_BYTES, groupWaitMicros, kindArg, Runtime.getRuntime().availableProcessors(), loadAverage());

        // The raw baseline runs right before every journal run (interleaved), in the same directory,
        // so that both see the same disk weather; the file is zero-filled once, up front.
        Path rawFile = base.resolve("raw.dat");
        try (FileChannel ch = FileChannel.open(rawFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            SegmentDirectory.zeroFill(ch, 0, RAW_FILE_BYTES);
        }
        // [kind][appenders] -> one Result per repeat
        List<List<List<Result>>> raw = new ArrayList<>();
        List<List<List<Result>>> journal = new ArrayList<>();
        for (int k = 0; k < kinds.size(); k++) {
            raw.add(new ArrayList<>());
            journal.add(new ArrayList<>());
            for (int a = 0; a < appenders.length; a++) {
                raw.get(k).add(new ArrayList<>());
                journal.get(k).add(new ArrayList<>());
            }
        }
        List<double[]> paired = new ArrayList<>();
        try {
            for (int rep = 0; rep < repeats; rep++) {
                for (int k = 0; k < kinds.size(); k++) {
                    for (int a = 0; a < appenders.length; a++) {
                        Result baseline = rawFdatasync(rawFile, seconds / 2);
                        raw.get(k).get(a).add(baseline);
                        Result r = journalRun(base, appenders[a], seconds, groupWaitMicros, kinds.get(k));
                        journal.get(k).get(a).add(r);
                        System.out.printf("  repeat %d %s %4d appenders: %,.0f/s p50 %,.0f us p99 %,.0f us, %.1f entries/sync,"
                                + " %.1f us CPU/append, %.2f context switches/append (raw fdatasync just before: %,.0f/s p50 %,.0f us; load average %s)%n",
                                rep, kinds.get(k) ? "virtual " : "platform", appenders[a], r.opsPerSec(), r.p50Micros(),
                                r.p99Micros(), r.entriesPerSync(), r.cpuMicrosPerOp(), r.switchesPerOp(), baseline.opsPerSec(),
                                baseline.p50Micros(), loadAverage());
                        System.out.println("    context switches per append, voluntary+involuntary, by thread: " + LAST_SWITCHES[0]);
                    }
                }
                double[] p = pairedLatency(base, rawFile, seconds);
                paired.add(p);
                System.out.printf("  repeat %d paired single-thread latency: raw p50 %.0f us, journal p50 %.0f us -> %.2fx"
                        + " (%d pairs; load average %s)%n", rep, p[0], p[1], p[1] / p[0], (long) p[4], loadAverage());
            }
        } finally {
            Files.deleteIfExists(rawFile);
        }

        System.out.println();
        System.out.println("load average at end: " + loadAverage());
        for (int k = 0; k < kinds.size(); k++) {
            String kind = kinds.get(k) ? "virtual" : "platform";
            System.out.println();
            System.out.println("| " + kind + " threads | ops/s median [min, max] | p50 latency us | p99 latency us"
                    + " | entries per fdatasync | CPU us per op | context switches per op | vs " + appenders[0] + " appender(s): ratio of medians"
                    + " | same, per repeat: median [min, max] |");
            System.out.println("|---|---|---|---|---|---|---|---|---|");
            List<Result> allRaw = raw.get(k).stream().flatMap(List::stream).toList();
            row("raw fdatasync loop (" + (ENTRY_BYTES + 36) + " B write + force(false)), all baseline runs", allRaw, 0, "");
            List<Result> first = journal.get(k).getFirst();
            double one = median(first, Result::opsPerSec);
            for (int a = 0; a < appenders.length; a++) {
                List<Result> rs = journal.get(k).get(a);
                // The first count's run of the same repeat ran seconds earlier: the ratio of the
                // two sees (nearly) the same disk and CPU weather, unlike a ratio of medians.
                double[] perRepeat = new double[rs.size()];
                for (int r = 0; r < rs.size(); r++) {
                    perRepeat[r] = rs.get(r).opsPerSec() / first.get(r).opsPerSec();
                }
                Arrays.sort(perRepeat);
                row(appenders[a] + " appender" + (appenders[a] == 1 ? "" : "s"), rs,
                        median(rs, Result::opsPerSec) / one, String.format("%.1fx [%.1f, %.1f]", medianOf(perRepeat),
                                perRepeat[0], perRepeat[perRepeat.length - 1]));
            }
        }
        double[] ratios = paired.stream().mapToDouble(p -> p[1] / p[0]).sorted().toArray();
        double[] rawP50 = paired.stream().mapToDouble(p -> p[0]).sorted().toArray();
        double[] jourP50 = paired.stream().mapToDouble(p -> p[1]).sorted().toArray();
        System.out.println();
        System.out.printf("single-appender p50 latency / raw fdatasync p50 (paired, %d repeats): median %.2fx [%.2f, %.2f];"
                + " raw p50 median %.0f us, journal p50 median %.0f us; per repeat: %s%n", ratios.length,
                medianOf(ratios), ratios[0], ratios[ratios.length - 1], medianOf(rawP50), medianOf(jourP50),
                paired.stream().map(p -> String.format("%.2f", p[1] / p[0])).toList());
    }

    /** Per-thread-kind switches of the last measured journal run (voluntary+involuntary per append). */
    private static final String[] LAST_SWITCHES = {""};

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "n/a";
        }
    }

    /**
     * Single-appender latency against raw fdatasync on the same thread, strictly alternating one
     * raw write+fdatasync and one journal append+wait, so that both see the same conditions.
     * A short unmeasured warm-up comes first.
     *
     * @return {raw p50 us, journal p50 us, raw mean us, journal mean us, pairs}
     */
    static double[] pairedLatency(Path base, Path rawFile, double seconds) throws Exception {
        Path dir = base.resolve("journal-paired");
        deleteTree(dir);
        List<Long> raw = new ArrayList<>();
        List<Long> jour = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(rawFile, StandardOpenOption.WRITE);
             FileJournal j = FileJournal.open(JournalOptions.defaults(dir), t -> t.printStackTrace())) {
            ByteBuffer block = ByteBuffer.allocateDirect(ENTRY_BYTES + 36);
            byte[] payload = new byte[ENTRY_BYTES];
            long pos = 0;
            long index = 1;
            long start = System.nanoTime();
            long warmUntil = start + (long) (Math.min(1.0, seconds / 3) * 1e9);
            long end = warmUntil + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                boolean measured = System.nanoTime() > warmUntil;
                long t0 = System.nanoTime();
                block.clear();
                while (block.hasRemaining()) {
                    pos += ch.write(block, pos);
                }
                ch.force(false);
                long t1 = System.nanoTime();
                if (pos + block.capacity() > RAW_FILE_BYTES) {
                    pos = 0;
                }
                j.append(JournalBatch.of(List.of(new JournalEntry(index++, 1, 0, payload)))).get(60, TimeUnit.SECONDS);
                long t2 = System.nanoTime();
                if (measured) {
                    raw.add(t1 - t0);
                    jour.add(t2 - t1);
                }
            }
        } finally {
            deleteTree(dir);
        }
        long[] r = raw.stream().mapToLong(Long::longValue).sorted().toArray();
        long[] q = jour.stream().mapToLong(Long::longValue).sorted().toArray();
        return new double[] {r[r.length / 2] / 1e3, q[q.length / 2] / 1e3,
                Arrays.stream(r).average().orElse(0) / 1e3, Arrays.stream(q).average().orElse(0) / 1e3, r.length};
    }

    private static void row(String name, List<Result> rs, double vsOne, String vsOnePerRepeat) {
        System.out.printf("| %s | %,.0f [%,.0f, %,.0f] | %,.0f | %,.0f | %.1f | %.1f | %.2f | %s | %s |%n", name,
                median(rs, Result::opsPerSec), min(rs, Result::opsPerSec), max(rs, Result::opsPerSec),
                median(rs, Result::p50Micros), median(rs, Result::p99Micros), median(rs, Result::entriesPerSync),
                median(rs, Result::cpuMicrosPerOp), median(rs, Result::switchesPerOp), vsOne == 0 ? "" : String.format("%.1fx", vsOne), vsOnePerRepeat);
    }

    private static double medianOf(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double median(List<Result> rs, java.util.function.ToDoubleFunction<Result> f) {
        double[] v = rs.stream().mapToDouble(f).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static double min(List<Result> rs, java.util.function.ToDoubleFunction<Result> f) {
        return rs.stream().mapToDouble(f).min().orElse(0);
    }

    private static double max(List<Result> rs, java.util.function.ToDoubleFunction<Result> f) {
        return rs.stream().mapToDouble(f).max().orElse(0);
    }

    private static final long RAW_FILE_BYTES = 64L << 20;

    /** One thread: write a record-sized block, fdatasync, repeat, in a preallocated file. */
    static Result rawFdatasync(Path file, double seconds) throws IOException {
        long size = RAW_FILE_BYTES;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer block = ByteBuffer.allocateDirect(ENTRY_BYTES + 36);
            long[] lat = new long[1 << 22];
            int n = 0;
            long pos = 0;
            long end = System.nanoTime() + (long) (seconds * 1e9);
            long start = System.nanoTime();
            long cpu0 = OS.getProcessCpuTime();
            while (System.nanoTime() < end && n < lat.length) {
                long t0 = System.nanoTime();
                block.clear();
                while (block.hasRemaining()) {
                    pos += ch.write(block, pos);
                }
                if (pos + block.capacity() > size) {
                    pos = 0;
                }
                ch.force(false);
                lat[n++] = System.nanoTime() - t0;
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            double cpu = (OS.getProcessCpuTime() - cpu0) / 1e3;
            long[] l = Arrays.copyOf(lat, n);
            Arrays.sort(l);
            return new Result(n / elapsed, l[n / 2] / 1e3, l[(int) (n * 0.99)] / 1e3, 1, cpu / n);
        }
    }

    static Result journalRun(Path base, int appenders, double seconds, long groupWaitMicros, boolean virtual)
            throws Exception {
        Path dir = base.resolve("journal-" + appenders);
        deleteTree(dir);
        JournalOptions options = JournalOptions.defaults(dir).withMaxGroupWait(java.time.Duration.ofNanos(groupWaitMicros * 1000));
        try (FileJournal j = FileJournal.open(options, t -> t.printStackTrace())) {
            Object order = new Object();
            long[] next = {1};
            byte[] payload = new byte[ENTRY_BYTES];
            new java.util.Random(42).nextBytes(payload);
            // warm-up, not measured
            runAppenders(j, order, next, payload, appenders, Math.min(1.0, seconds / 3), null, virtual);
            long syncsBefore = j.stats().syncs();
            long appendsBefore = j.stats().appends();
            List<long[]> lat = new ArrayList<>();
            int[] counts = new int[appenders];
            long[] cpuAndSwitches = new long[2];
            double elapsed = runAppenders(j, order, next, payload, appenders, seconds,
                    new Object[] {lat, counts, cpuAndSwitches}, virtual);
            double cpu = cpuAndSwitches[0] / 1e3;
            long total = 0;
            for (int c : counts) {
                total += c;
            }
            long[] all = new long[(int) total];
            int k = 0;
            for (int t = 0; t < appenders; t++) {
                System.arraycopy(lat.get(t), 0, all, k, counts[t]);
                k += counts[t];
            }
            Arrays.sort(all);
            long syncs = j.stats().syncs() - syncsBefore;
            long appends = j.stats().appends() - appendsBefore;
            return new Result(total / elapsed, all[all.length / 2] / 1e3, all[(int) (all.length * 0.99)] / 1e3,
                    syncs == 0 ? 0 : (double) appends / syncs, cpu / total, (double) cpuAndSwitches[1] / total);
        } finally {
            deleteTree(dir);
        }
    }

    /** Runs closed-loop appenders for {@code seconds}; returns the measured duration in seconds. */
    @SuppressWarnings("unchecked")
    private static double runAppenders(FileJournal j, Object order, long[] next, byte[] payload, int appenders,
                                       double seconds, Object[] sink, boolean virtual) throws InterruptedException {
        List<long[]> lat = sink == null ? null : (List<long[]>) sink[0];
        int[] counts = sink == null ? null : (int[]) sink[1];
        long[] cpuAndSwitches = sink == null ? null : (long[]) sink[2];
        // Room for 1 M appends/s, far above any rate seen: an appender that filled its array would
        // stop being counted.
        int cap = (int) Math.max(4096, seconds * 1_000_000 / appenders);
        CountDownLatch ready = new CountDownLatch(appenders);
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(appenders);
        // Appenders stay alive until the counters are read, so that their switches are counted.
        CountDownLatch exit = new CountDownLatch(1);
        long[] endAt = new long[1];
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < appenders; t++) {
            long[] mine = new long[cap];
            if (lat != null) {
                lat.add(mine);
            }
            int id = t;
            Thread.Builder builder = virtual ? Thread.ofVirtual() : Thread.ofPlatform().daemon();
            threads.add(builder.start(() -> {
                int n = 0;
                try {
                    ready.countDown();
                    go.await();
                    while (System.nanoTime() < endAt[0]) {
                        long t0 = System.nanoTime();
                        CompletableFuture<Void> f;
                        synchronized (order) {
                            long i = next[0]++;
                            f = j.append(JournalBatch.of(List.of(new JournalEntry(i, 1, 0, payload))));
                        }
                        f.get(60, TimeUnit.SECONDS);
                        if (n < mine.length) {
                            mine[n++] = System.nanoTime() - t0;
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                } finally {
                    if (counts != null) {
                        counts[id] = n;
                    }
                    done.countDown();
                    try {
                        exit.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }));
        }
        if (!ready.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("appender threads did not start within 60 s");
        }
        java.util.Map<String, long[]> switches0 = cpuAndSwitches == null ? null : contextSwitchesByThread();
        long cpu0 = OS.getProcessCpuTime();
        long start = System.nanoTime();
        endAt[0] = start + (long) (seconds * 1e9);
        go.countDown();
        try {
            if (!done.await((long) seconds + 120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("appenders did not stop");
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            if (cpuAndSwitches != null) {
                cpuAndSwitches[0] = OS.getProcessCpuTime() - cpu0;
                java.util.Map<String, long[]> switches1 = contextSwitchesByThread();
                for (long[] v : switches1.values()) {
                    cpuAndSwitches[1] += v[0] + v[1];
                }
                for (long[] v : switches0.values()) {
                    cpuAndSwitches[1] -= v[0] + v[1];
                }
                long ops = 0;
                for (int c : counts) {
                    ops += c;
                }
                LAST_SWITCHES[0] = switchesPerOp(switches0, switches1, Math.max(1, ops));
            }
            return elapsed;
        } finally {
            exit.countDown();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
