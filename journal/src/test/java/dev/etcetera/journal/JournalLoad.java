package dev.etcetera.journal;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * One closed-loop load on the file journal, for profiling (run it under {@code perf stat} or
 * JFR): {@code appenders} threads each append one 256-byte entry and wait for it, for
 * {@code seconds}, and the process CPU time per append is printed. No raw fdatasync baseline
 * and no repeats: use {@link JournalBenchmark} for figures.
 *
 * <pre>
 *   java -cp journal/target/classes:journal/target/test-classes dev.etcetera.journal.JournalLoad \
 *        [dir=journal/target/load] [appenders=128] [seconds=10] [platform|virtual]
 * </pre>
 */
public final class JournalLoad {

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "journal/target/load");
        int appenders = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 10;
        boolean virtual = args.length > 3 && args[3].equals("virtual");
        deleteTree(dir);
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (FileJournal j = FileJournal.open(JournalOptions.defaults(dir), Throwable::printStackTrace)) {
            Object order = new Object();
            long[] next = {1};
            byte[] payload = new byte[256];
            LongAdder count = new LongAdder();
            long[] phase = {System.nanoTime() + 2_000_000_000L, 0}; // warm-up 2 s, then measure
            phase[1] = phase[0] + (long) (seconds * 1e9);
            CountDownLatch done = new CountDownLatch(appenders);
            for (int t = 0; t < appenders; t++) {
                (virtual ? Thread.ofVirtual() : Thread.ofPlatform().daemon()).start(() -> {
                    try {
                        while (true) {
                            long now = System.nanoTime();
                            if (now >= phase[1]) {
                                break;
                            }
                            CompletableFuture<Void> f;
                            synchronized (order) {
                                long i = next[0]++;
                                f = j.append(JournalBatch.of(List.of(new JournalEntry(i, 1, 0, payload))));
                            }
                            f.get(60, TimeUnit.SECONDS);
                            if (now >= phase[0]) {
                                count.increment();
                            }
                        }
                    } catch (Exception e) {
                        e.printStackTrace();
                    } finally {
                        done.countDown();
                    }
                });
            }
            long wait = phase[0] - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000);
            }
            long cpu0 = os.getProcessCpuTime();
            long syncs0 = j.stats().syncs();
            long appends0 = j.stats().appends();
            long t0 = System.nanoTime();
            if (!done.await((long) seconds + 60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("appenders did not stop");
            }
            long cpu = os.getProcessCpuTime() - cpu0;
            double elapsed = (System.nanoTime() - t0) / 1e9;
            long appends = j.stats().appends() - appends0;
            long syncs = j.stats().syncs() - syncs0;
            System.out.printf("%d %s appenders: %,.0f appends/s, %.1f entries/sync, %.1f us CPU per append"
                    + " (%.2f CPUs busy); load average %s%n", appenders, virtual ? "virtual" : "platform",
                    appends / elapsed, (double) appends / Math.max(1, syncs), cpu / 1e3 / appends,
                    cpu / 1e9 / elapsed, Files.readString(Path.of("/proc/loadavg")).trim());
        } finally {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
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
