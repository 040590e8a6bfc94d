package dev.etcetera.it.watch;

import com.google.protobuf.ByteString;
import dev.etcetera.api.etcdserverpb.KVGrpc;
import dev.etcetera.api.etcdserverpb.PutRequest;
import dev.etcetera.api.etcdserverpb.WatchCreateRequest;
import dev.etcetera.api.etcdserverpb.WatchGrpc;
import dev.etcetera.api.etcdserverpb.WatchRequest;
import dev.etcetera.api.etcdserverpb.WatchResponse;
import dev.etcetera.it.harness.EtcdProcess;
import dev.etcetera.it.harness.MemberProcess;
import dev.etcetera.it.harness.ServerProcess;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Benchmark (reported, not a test; runs only with {@code -Dwatch.bench=true}): latency from a put's
 * acknowledgement to the delivery of its event to every watcher (p50/p99 over watcher deliveries;
 * a delivery before the acknowledgement counts as 0), for 10 and 1,000 watchers on one key spread
 * over 10 streams, on a real etcd and a member in the same run; and the server's RSS growth per
 * idle watcher for 10,000 watchers.
 *
 * <pre>mvn -B -pl it -am test -Dtest=WatchLatencyBench -Dwatch.bench=true -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
class WatchLatencyBench {
    private static final int PUTS = Integer.getInteger("watch.bench.puts", 300);

    @Test
    void latencyAndMemory() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("watch.bench"), "benchmark: run with -Dwatch.bench=true");
        StringBuilder report = new StringBuilder("\n[watch-bench] puts per run: " + PUTS + "\n");
        for (ServerProcess s : List.of(new EtcdProcess("bench-watch-etcd"), new MemberProcess("bench-watch-member"))) {
            try (s) {
                s.start();
                ManagedChannel ch = ManagedChannelBuilder.forAddress("127.0.0.1", s.clientPort()).usePlaintext().build();
                try {
                    for (int watchers : new int[] {10, 1000}) {
                        run(ch, s.kind(), watchers, new StringBuilder()); // warm-up, not reported
                        run(ch, s.kind(), watchers, report);
                    }
                    memory(ch, s, report);
                } finally {
                    ch.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
                }
            }
        }
        System.out.println(report);
    }

    private static void run(ManagedChannel ch, String kind, int watchers, StringBuilder report) throws Exception {
        String key = "bench/" + kind + "/" + watchers + "/" + System.nanoTime();
        int streams = 10;
        AtomicLongArray ackNanos = new AtomicLongArray(PUTS);
        long[] revs = new long[PUTS];
        Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        CountDownLatch created = new CountDownLatch(watchers);
        CountDownLatch delivered = new CountDownLatch(watchers * PUTS);
        long[] baseRev = new long[1];
        List<StreamObserver<WatchRequest>> reqs = new ArrayList<>();
        java.util.concurrent.ConcurrentLinkedQueue<long[]> deliveries = new java.util.concurrent.ConcurrentLinkedQueue<>();
        for (int s = 0; s < streams; s++) {
            StreamObserver<WatchRequest> req = WatchGrpc.newStub(ch).watch(new StreamObserver<>() {
                @Override
                public void onNext(WatchResponse r) {
                    long now = System.nanoTime();
                    if (r.getCreated()) {
                        created.countDown();
                        return;
                    }
                    for (var e : r.getEventsList()) {
                        deliveries.add(new long[] {e.getKv().getModRevision(), now});
                        delivered.countDown();
                    }
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                }
            });
            reqs.add(req);
            for (int j = s; j < watchers; j += streams) {
                req.onNext(WatchRequest.newBuilder().setCreateRequest(
                        WatchCreateRequest.newBuilder().setKey(ByteString.copyFromUtf8(key))).build());
            }
        }
        if (!created.await(60, TimeUnit.SECONDS)) {
            throw new AssertionError("watchers not created within 60 s");
        }
        KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(ch);
        for (int i = 0; i < PUTS; i++) {
            revs[i] = kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key))
                    .setValue(ByteString.copyFromUtf8("v" + i)).build()).getHeader().getRevision();
            ackNanos.set(i, System.nanoTime());
        }
        if (!delivered.await(120, TimeUnit.SECONDS)) {
            throw new AssertionError("not every event delivered within 120 s: " + delivered.getCount() + " missing");
        }
        baseRev[0] = revs[0];
        for (long[] d : deliveries) {
            int i = (int) (d[0] - baseRev[0]);
            h.recordValue(Math.max(0, d[1] - ackNanos.get(i)));
        }
        reqs.forEach(StreamObserver::onCompleted);
        report.append(String.format("[%s] %5d watchers: ack->delivery p50 %.3f ms, p99 %.3f ms, max %.3f ms (%d deliveries)%n",
                kind, watchers, h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6, h.getMaxValue() / 1e6,
                h.getTotalCount()));
    }

    private static void memory(ManagedChannel ch, ServerProcess s, StringBuilder report) throws Exception {
        int n = 10_000;
        long before = s.rssKiB();
        CountDownLatch created = new CountDownLatch(n);
        StreamObserver<WatchRequest> req = WatchGrpc.newStub(ch).watch(new StreamObserver<>() {
            @Override
            public void onNext(WatchResponse r) {
                if (r.getCreated()) {
                    created.countDown();
                }
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        });
        for (int i = 0; i < n; i++) {
            req.onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
                    .setKey(ByteString.copyFromUtf8(String.format("/registry/pods/p%09d", i)))).build());
        }
        if (!created.await(120, TimeUnit.SECONDS)) {
            throw new AssertionError("10k watchers not created within 120 s");
        }
        long after = s.rssKiB();
        report.append(String.format("[%s] RSS growth for %d idle watchers: %d KiB (%.0f bytes per watcher; JVM RSS is coarse)%n",
                s.kind(), n, after - before, (after - before) * 1024.0 / n));
        req.onCompleted();
    }
}
