package dev.etcetera.bench;

import dev.etcetera.api.etcdserverpb.LeaseGrantRequest;
import dev.etcetera.api.etcdserverpb.LeaseGrpc;
import dev.etcetera.api.etcdserverpb.LeaseKeepAliveRequest;
import dev.etcetera.api.etcdserverpb.LeaseKeepAliveResponse;
import dev.etcetera.it.harness.EtcdProcess;
import dev.etcetera.it.harness.MemberProcess;
import dev.etcetera.it.harness.ServerProcess;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Lease-keepalive throughput (etcd's {@code benchmark lease-keepalive}), etcd and a member side by side in one
 * run: {@code --clients} keepalive streams (default 100) over {@code --conns} connections, each its own lease,
 * each sending the next keepalive as soon as the previous one is answered, for {@code --duration} after a
 * warm-up. Prints keepalives/s and latency percentiles for both. Not a test.
 *
 * <pre>LeaseKeepAliveBench [--clients 100] [--conns 10] [--duration 10s] [--warmup 3s]</pre>
 */
public final class LeaseKeepAliveBench {
    private LeaseKeepAliveBench() {
    }

    record Result(double perSecond, Histogram latency) {
    }

    public static void main(String[] args) throws Exception {
        int clients = 100;
        int conns = 10;
        Duration duration = Duration.ofSeconds(10);
        Duration warmup = Duration.ofSeconds(3);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--clients" -> clients = Integer.parseInt(args[++i]);
                case "--conns" -> conns = Integer.parseInt(args[++i]);
                case "--duration" -> duration = Load.parseDuration(args[++i]);
                case "--warmup" -> warmup = Load.parseDuration(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        System.out.printf(Locale.ROOT, "# lease-keepalive: %d streams over %d connections, warm-up %ds, measured %ds; %d cores%n",
                clients, conns, warmup.toSeconds(), duration.toSeconds(), Runtime.getRuntime().availableProcessors());
        try (EtcdProcess etcd = new EtcdProcess("ka-etcd"); MemberProcess member = new MemberProcess("ka-member")) {
            etcd.start();
            member.start();
            Result e = run(etcd, clients, conns, warmup, duration);
            Result m = run(member, clients, conns, warmup, duration);
            System.out.println("| server | keepalives/s | p50 ms | p99 ms | max ms |");
            System.out.println("|---|---|---|---|---|");
            print("etcd " + "3.4", e);
            print("etcetera", m);
            System.out.printf(Locale.ROOT, "member/etcd throughput ratio: %.2f%n", m.perSecond() / e.perSecond());
        }
    }

    private static void print(String name, Result r) {
        System.out.printf(Locale.ROOT, "| %s | %.0f | %.2f | %.2f | %.2f |%n", name, r.perSecond(),
                r.latency().getValueAtPercentile(50) / 1e6, r.latency().getValueAtPercentile(99) / 1e6,
                r.latency().getMaxValue() / 1e6);
    }

    static Result run(ServerProcess server, int clients, int conns, Duration warmup, Duration duration) throws Exception {
        List<ManagedChannel> channels = new ArrayList<>();
        for (int i = 0; i < conns; i++) {
            channels.add(NettyChannelBuilder.forTarget(server.endpoint()).usePlaintext().build());
        }
        try {
            ConcurrentHistogram latency = new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(10), 3);
            AtomicLong done = new AtomicLong();
            AtomicBoolean measuring = new AtomicBoolean();
            AtomicBoolean running = new AtomicBoolean(true);
            CountDownLatch finished = new CountDownLatch(clients);
            for (int c = 0; c < clients; c++) {
                ManagedChannel ch = channels.get(c % conns);
                long lease = LeaseGrpc.newBlockingStub(ch).leaseGrant(LeaseGrantRequest.newBuilder().setTTL(60).build()).getID();
                LeaseKeepAliveRequest request = LeaseKeepAliveRequest.newBuilder().setID(lease).build();
                long[] sentAt = new long[1];
                StreamObserver<LeaseKeepAliveRequest>[] out = new StreamObserver[1];
                out[0] = LeaseGrpc.newStub(ch).leaseKeepAlive(new StreamObserver<>() {
                    @Override
                    public void onNext(LeaseKeepAliveResponse r) {
                        long now = System.nanoTime();
                        if (measuring.get()) {
                            latency.recordValue(Math.min(now - sentAt[0], TimeUnit.SECONDS.toNanos(10)));
                            done.incrementAndGet();
                        }
                        if (r.getTTL() <= 0) {
                            throw new IllegalStateException("lease " + lease + " lost");
                        }
                        if (running.get()) {
                            sentAt[0] = System.nanoTime();
                            out[0].onNext(request);
                        } else {
                            out[0].onCompleted();
                            finished.countDown();
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        finished.countDown();
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
                sentAt[0] = System.nanoTime();
                out[0].onNext(request);
            }
            Thread.sleep(warmup.toMillis()); // benchmark phases are timed, not synchronised
            measuring.set(true);
            long start = System.nanoTime();
            Thread.sleep(duration.toMillis());
            measuring.set(false);
            long elapsed = System.nanoTime() - start;
            running.set(false);
            finished.await(10, TimeUnit.SECONDS);
            return new Result(done.get() / (elapsed / 1e9), latency);
        } finally {
            for (ManagedChannel ch : channels) {
                ch.shutdownNow();
            }
        }
    }
}
