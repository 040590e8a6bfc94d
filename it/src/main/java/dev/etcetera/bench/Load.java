package dev.etcetera.bench;

import com.google.protobuf.ByteString;
import dev.etcetera.api.etcdserverpb.KVGrpc;
import dev.etcetera.api.etcdserverpb.PutRequest;
import dev.etcetera.api.etcdserverpb.RangeRequest;
import dev.etcetera.api.etcdserverpb.RequestOp;
import dev.etcetera.api.etcdserverpb.TxnRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * A load generator speaking etcd's gRPC KV API to any endpoint (etcd or Etcetera).
 *
 * <pre>
 * Load --endpoint 127.0.0.1:2379 --mode put|range|txn-put [--clients 16] [--conns 4] [--key-size 16]
 *      [--val-size 256] [--key-space 10000] (--total N | --duration 10s) [--serializable] [--seed S]
 * </pre>
 *
 * Each of N client threads issues blocking unary calls, one at a time, over one of M shared connections (client
 * i uses connection i mod M). {@code range} first writes every key of the key space once (not measured).
 */
public final class Load {
    /** What to run. */
    public record Config(String endpoint, String mode, int clients, int conns, int keySize, int valSize,
                         int keySpace, long total, Duration duration, boolean serializable, long seed) {
        public Config {
            if (!List.of("put", "range", "txn-put").contains(mode)) {
                throw new IllegalArgumentException("--mode must be put, range or txn-put, not " + mode);
            }
            if (clients < 1 || conns < 1 || keySize < 1 || valSize < 0 || keySpace < 1) {
                throw new IllegalArgumentException("--clients, --conns, --key-size, --key-space must be >= 1, --val-size >= 0");
            }
            if ((total > 0) == (duration != null)) {
                throw new IllegalArgumentException("give exactly one of --total and --duration");
            }
        }

        public Config withTotal(long n) {
            return new Config(endpoint, mode, clients, conns, keySize, valSize, keySpace, n, null, serializable, seed);
        }

        public Config withDuration(Duration d) {
            return new Config(endpoint, mode, clients, conns, keySize, valSize, keySpace, 0, d, serializable, seed);
        }

        public Config withEndpoint(String e) {
            return new Config(e, mode, clients, conns, keySize, valSize, keySpace, total, duration, serializable, seed);
        }

        public Config withMode(String m) {
            return new Config(endpoint, m, clients, conns, keySize, valSize, keySpace, total, duration, serializable, seed);
        }
    }

    /** Outcome of one run; latencies in milliseconds. */
    public record Result(String mode, long requests, long errors, double seconds, double qps,
                         double p50, double p90, double p99, double max, String firstError) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT,
                    "%-8s requests=%d errors=%d time=%.2fs qps=%.0f p50=%.3fms p90=%.3fms p99=%.3fms max=%.3fms%s",
                    mode, requests, errors, seconds, qps, p50, p90, p99, max,
                    firstError == null ? "" : " firstError=" + firstError);
        }
    }

    private Load() {
    }

    public static void main(String[] args) throws Exception {
        Config config = parse(args);
        System.out.println(run(config));
    }

    static Config parse(String[] args) {
        String endpoint = "127.0.0.1:2379";
        String mode = "put";
        int clients = 16;
        int conns = 4;
        int keySize = 16;
        int valSize = 256;
        int keySpace = 10_000;
        long total = 0;
        Duration duration = null;
        boolean serializable = false;
        long seed = System.nanoTime();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--endpoint" -> endpoint = args[++i].replaceFirst("^https?://", "");
                case "--mode" -> mode = args[++i];
                case "--clients" -> clients = Integer.parseInt(args[++i]);
                case "--conns" -> conns = Integer.parseInt(args[++i]);
                case "--key-size" -> keySize = Integer.parseInt(args[++i]);
                case "--val-size" -> valSize = Integer.parseInt(args[++i]);
                case "--key-space" -> keySpace = Integer.parseInt(args[++i]);
                case "--total" -> total = Long.parseLong(args[++i]);
                case "--duration" -> duration = parseDuration(args[++i]);
                case "--serializable" -> serializable = true;
                case "--seed" -> seed = Long.parseLong(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + a + "\nusage: Load --endpoint H:P --mode put|range|txn-put "
                        + "[--clients N] [--conns M] [--key-size B] [--val-size B] [--key-space K] (--total N | --duration 10s) [--serializable] [--seed S]");
            }
        }
        if (total == 0 && duration == null) {
            total = 10_000;
        }
        return new Config(endpoint, mode, clients, conns, keySize, valSize, keySpace, total, duration, serializable, seed);
    }

    static Duration parseDuration(String s) {
        if (s.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        }
        if (s.endsWith("m")) {
            return Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
        }
        return Duration.ofSeconds(Long.parseLong(s.endsWith("s") ? s.substring(0, s.length() - 1) : s));
    }

    /** Runs one load and returns its figures. Channels are created and shut down here. */
    public static Result run(Config c) throws InterruptedException {
        List<ManagedChannel> channels = new ArrayList<>();
        for (int i = 0; i < c.conns(); i++) {
            channels.add(NettyChannelBuilder.forTarget(c.endpoint()).usePlaintext()
                    .maxInboundMessageSize(64 * 1024 * 1024).build());
        }
        try {
            if (c.mode().equals("range")) {
                populate(c, KVGrpc.newBlockingStub(channels.get(0)));
            }
            AtomicLong remaining = new AtomicLong(c.total() > 0 ? c.total() : Long.MAX_VALUE);
            AtomicLong errors = new AtomicLong();
            String[] firstError = new String[1];
            long deadline = c.duration() == null ? Long.MAX_VALUE : System.nanoTime() + c.duration().toNanos();
            List<Histogram> histograms = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            long start = System.nanoTime();
            for (int t = 0; t < c.clients(); t++) {
                Histogram h = new Histogram(TimeUnit.SECONDS.toMicros(120), 3);
                histograms.add(h);
                KVGrpc.KVBlockingStub stub = KVGrpc.newBlockingStub(channels.get(t % c.conns()));
                SplittableRandom random = new SplittableRandom(c.seed() * 31 + t);
                Thread thread = new Thread(() -> {
                    byte[] value = new byte[c.valSize()];
                    while (remaining.getAndDecrement() > 0 && System.nanoTime() < deadline) {
                        random.nextBytes(value);
                        ByteString key = key(c, random.nextInt(c.keySpace()));
                        long t0 = System.nanoTime();
                        try {
                            call(c, stub, key, ByteString.copyFrom(value));
                            h.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
                        } catch (RuntimeException e) {
                            if (errors.getAndIncrement() == 0) {
                                firstError[0] = e.toString();
                            }
                        }
                    }
                }, "load-client-" + t);
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Histogram all = new Histogram(TimeUnit.SECONDS.toMicros(120), 3);
            histograms.forEach(all::add);
            long n = all.getTotalCount();
            return new Result(c.mode(), n, errors.get(), seconds, n / seconds,
                    all.getValueAtPercentile(50) / 1000.0, all.getValueAtPercentile(90) / 1000.0,
                    all.getValueAtPercentile(99) / 1000.0, all.getMaxValue() / 1000.0, firstError[0]);
        } finally {
            for (ManagedChannel ch : channels) {
                ch.shutdownNow();
            }
            for (ManagedChannel ch : channels) {
                ch.awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }

    private static void call(Config c, KVGrpc.KVBlockingStub stub, ByteString key, ByteString value) {
        switch (c.mode()) {
            case "put" -> stub.put(PutRequest.newBuilder().setKey(key).setValue(value).build());
            case "range" -> stub.range(RangeRequest.newBuilder().setKey(key).setSerializable(c.serializable()).build());
            case "txn-put" -> stub.txn(TxnRequest.newBuilder().addSuccess(RequestOp.newBuilder()
                    .setRequestPut(PutRequest.newBuilder().setKey(key).setValue(value))).build());
            default -> throw new IllegalStateException(c.mode());
        }
    }

    /** Key {@code i} of the key space: "bench/" plus the zero-padded index, padded or cut to key-size bytes. */
    static ByteString key(Config c, int i) {
        String k = String.format(Locale.ROOT, "bench/%010d", i);
        if (k.length() < c.keySize()) {
            k = k + "x".repeat(c.keySize() - k.length());
        }
        return ByteString.copyFromUtf8(k.length() > c.keySize() ? k.substring(k.length() - c.keySize()) : k);
    }

    private static void populate(Config c, KVGrpc.KVBlockingStub stub) {
        ByteString value = ByteString.copyFrom(new byte[c.valSize()]);
        for (int i = 0; i < c.keySpace(); i++) {
            stub.put(PutRequest.newBuilder().setKey(key(c, i)).setValue(value).build());
        }
    }
}
