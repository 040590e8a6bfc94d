package dev.etcetera.storage.wal;

import com.google.protobuf.ByteString;
import dev.etcetera.api.etcdserverpb.PutRequest;
import dev.etcetera.apply.LeaseLookup;
import dev.etcetera.journal.FileJournal;
import dev.etcetera.journal.JournalOptions;
import dev.etcetera.server.MemberInfo;
import dev.etcetera.server.ServerLimits;
import dev.etcetera.server.SingleMemberServer;
import dev.etcetera.storage.je.JeBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * A throughput harness (not a test): put throughput of a single member on JE through the facade (no
 * gRPC), with every backend commit synced ("je-sync", the path before the journal) and with
 * journal-first durability ("journal"), alternating the two for {@code reps} rounds so that load from
 * other processes hits both alike. Each round opens a fresh member in a temp dir; N client threads
 * each wait for their answer before the next put. Prints each run, then median and [min-max].
 *
 * <p>Run: {@code java -cp <test classpath> dev.etcetera.storage.wal.WalPathBench [clients] [seconds] [reps]}
 */
public final class WalPathBench {

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        List<Double> sync = new ArrayList<>();
        List<Double> journal = new ArrayList<>();
        for (int r = 0; r < reps; r++) {
            sync.add(round("je-sync", clients, seconds, false));
            journal.add(round("journal", clients, seconds, true));
        }
        System.out.printf(Locale.ROOT, "SUMMARY clients=%d seconds=%d reps=%d je-sync put/s median %.0f [%.0f-%.0f]; "
                        + "journal put/s median %.0f [%.0f-%.0f]; ratio of medians %.2f%n", clients, seconds, reps,
                median(sync), min(sync), max(sync), median(journal), min(journal), max(journal),
                median(journal) / median(sync));
    }

    private static double round(String name, int clients, int seconds, boolean withJournal) throws Exception {
        Path dir = Files.createTempDirectory("etcetera-walbench");
        MemberInfo info = new MemberInfo(1, 2, "bench", List.of(), List.of(), "3.6.0", "3.6.0");
        Path db = Files.createDirectories(dir.resolve("db"));
        FileJournal fj = null;
        SingleMemberServer server;
        if (withJournal) {
            fj = FileJournal.open(JournalOptions.defaults(dir.resolve("wal")), t -> {
            });
            server = SingleMemberServer.open(info, ServerLimits.defaults(), JeBackend.open(db), LeaseLookup.NONE,
                    new JournalWal(fj, 10_000));
        } else {
            server = SingleMemberServer.open(info, ServerLimits.defaults(), JeBackend.open(db));
        }
        try {
            ByteString value = ByteString.copyFrom(new byte[256]);
            long syncsBefore = fj == null ? 0 : fj.stats().syncs();
            double[] result = measure(clients, seconds, rnd -> server.put(PutRequest.newBuilder()
                    .setKey(ByteString.copyFromUtf8(String.format("%08d", rnd.nextInt(1000)))).setValue(value).build())
                    .get(30, TimeUnit.SECONDS));
            String syncs = fj == null ? "" : String.format(Locale.ROOT, " journal fdatasyncs=%d (%.1f puts each)",
                    fj.stats().syncs() - syncsBefore, result[1] / Math.max(1, fj.stats().syncs() - syncsBefore));
            System.out.printf(Locale.ROOT, "RUN %-8s clients=%d put/s=%.0f%s%n", name, clients, result[0], syncs);
            return result[0];
        } finally {
            server.close();
            delete(dir);
        }
    }

    interface Op {
        void run(Random rnd) throws Exception;
    }

    /** @return {puts per second over the measured part, puts in the whole run} */
    private static double[] measure(int clients, int seconds, Op op) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder done = new LongAdder();
        CountDownLatch exited = new CountDownLatch(clients);
        for (int c = 0; c < clients; c++) {
            Random rnd = new Random(c);
            Thread t = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        op.run(rnd);
                        done.increment();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                } finally {
                    exited.countDown();
                }
            });
            t.setDaemon(true);
            t.start();
        }
        long warm = TimeUnit.SECONDS.toMillis(seconds) / 5;
        Thread.sleep(warm); // a benchmark's warm-up period, not synchronisation
        long start = System.nanoTime();
        long before = done.sum();
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds) - warm);
        long n = done.sum() - before;
        double elapsed = (System.nanoTime() - start) / 1e9;
        stop.set(true);
        exited.await(60, TimeUnit.SECONDS);
        return new double[] {n / elapsed, done.sum()};
    }

    private static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private static double min(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    }

    private static double max(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
