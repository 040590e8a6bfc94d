package dev.etcetera.storage.je;

import com.google.protobuf.ByteString;
import dev.etcetera.api.etcdserverpb.PutRequest;
import dev.etcetera.api.etcdserverpb.RangeRequest;
import dev.etcetera.server.MemberInfo;
import dev.etcetera.server.ServerLimits;
import dev.etcetera.server.SingleMemberServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * A throughput harness (not a test): N client threads call the facade of a single member on JE
 * directly (no gRPC), each waiting for its answer before the next request, like etcd's
 * {@code benchmark --clients N}. Prints puts/s and linearizable ranges/s.
 *
 * <p>Run: {@code java -cp <test classpath> dev.etcetera.storage.je.SingleMemberBench [clients] [seconds] [keySpace]}
 */
public final class SingleMemberBench {

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int keySpace = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        Path dir = Files.createTempDirectory("etcetera-bench");
        MemberInfo info = new MemberInfo(1, 2, "bench", List.of(), List.of(), "3.6.0", "3.6.0");
        try (SingleMemberServer server = SingleMemberServer.open(info, ServerLimits.defaults(), JeBackend.open(dir))) {
            ByteString value = ByteString.copyFrom(new byte[8]);
            ByteString[] keys = new ByteString[keySpace];
            for (int i = 0; i < keySpace; i++) {
                keys[i] = ByteString.copyFromUtf8(String.format("%08d", i));
            }
            double puts = run("put", clients, seconds, (rnd) -> server.put(PutRequest.newBuilder()
                    .setKey(keys[rnd.nextInt(keySpace)]).setValue(value).build()).get(30, TimeUnit.SECONDS));
            double ranges = run("range", clients, seconds, (rnd) -> server.range(RangeRequest.newBuilder()
                    .setKey(keys[rnd.nextInt(keySpace)]).build()).get(30, TimeUnit.SECONDS));
            System.out.printf("RESULT clients=%d seconds=%d keySpace=%d put/s=%.0f range/s=%.0f revision=%d%n",
                    clients, seconds, keySpace, puts, ranges, server.revision());
        } finally {
            delete(dir);
        }
    }

    interface Op {
        void run(Random rnd) throws Exception;
    }

    private static double run(String name, int clients, int seconds, Op op) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder done = new LongAdder();
        List<Thread> threads = new ArrayList<>();
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
                }
            }, name + "-" + c);
            threads.add(t);
            t.start();
        }
        // 1/5 of the time warms up, the rest is measured
        long warm = TimeUnit.SECONDS.toMillis(seconds) / 5;
        Thread.sleep(warm);
        long start = System.nanoTime();
        long before = done.sum();
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds) - warm);
        long ops = done.sum() - before;
        double rate = ops / ((System.nanoTime() - start) / 1e9);
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        System.out.printf("%s: %.0f ops/s%n", name, rate);
        return rate;
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
