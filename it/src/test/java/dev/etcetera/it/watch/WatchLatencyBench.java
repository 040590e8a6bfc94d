package dev.etcetera.it.watch;

import com.google.protobuf.ByteString;
import dev.etcetera.api.etcdserverpb.KVGrpc;
import dev.etcetera.api.etcdserverpb.PutRequest;
import dev.etcetera.api.etcdserverpb.RangeRequest;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Benchmark (reported, not a test; runs only with {@code -Dwatch.bench=true}, never in CI): how long a
 * put's event takes to reach its watchers, on a real etcd and a member started side by side in the same
 * run, and the server's RSS growth per idle watcher.
 *
 * <p>Method. Both servers are started once. Each repetition runs one measured round per server, the
 * servers alternating (etcd first in odd repetitions, the member first in even ones, so a drift in the
 * machine's load hits both alike); warm-up rounds before the first repetition are discarded. A round
 * opens 10 watch streams on one channel, spreads the watchers over them (all on one fresh key), and
 * issues puts one at a time on the same channel; unless {@code watch.bench.pipelined}, the next put
 * starts only once every watcher got the previous event, so each figure is one event's latency and not a
 * backlog. All timestamps are {@link System#nanoTime()} in this JVM:
 * <ul>
 *   <li><b>ack&rarr;delivery</b> = delivery &minus; the moment the put's response reached the caller;
 *       negative when the event arrived before the acknowledgement (etcd notifies watchers before it
 *       answers the put, so this is common);</li>
 *   <li><b>start&rarr;delivery</b> = delivery &minus; the moment the put was issued (never negative).</li>
 * </ul>
 * Each round also reports the CPU time the server process and this JVM (the client) used during its puts and
 * deliveries, per delivered event: on a 2-core machine the client's share bounds what any server can show.
 * Percentiles are exact (all samples sorted) per round; the report gives, per server, the median of the
 * rounds' p50 and p99 with [min, max] across rounds, and the member/etcd ratio of the medians. Machines
 * are shared and noisy: nothing here passes or fails on time.
 *
 * <pre>mvn -B -pl it -am verify -DskipITs -Dtest=WatchLatencyBench -Dwatch.bench=true -Dsurefire.failIfNoSpecifiedTests=false</pre>
 * ({@code verify}, not {@code test}, so that the WAR the member runs is rebuilt from the sources; {@code -DskipITs}
 * skips the web module's Arquillian test.) The member's JVM takes extra options from {@code ETCETERA_JAVA_OPTS},
 * e.g. {@code -Xlog:gc:file=/tmp/gc.log} to see whether GC pauses fall into the rounds.
 *
 * Knobs (system properties): {@code watch.bench.reps} (3), {@code watch.bench.puts} (2000, 10 watchers),
 * {@code watch.bench.fanout.puts} (200, 1,000 watchers), {@code watch.bench.warmup.puts} (1000),
 * {@code watch.bench.pipelined} (false), {@code watch.bench.memory} (true), {@code watch.bench.watchers} ("10,1000").
 */
class WatchLatencyBench {
    private static final int REPS = Integer.getInteger("watch.bench.reps", 3);
    private static final int PUTS = Integer.getInteger("watch.bench.puts", 2000);
    private static final int FANOUT_PUTS = Integer.getInteger("watch.bench.fanout.puts", 200);
    private static final int WARMUP_PUTS = Integer.getInteger("watch.bench.warmup.puts", 1000);
    private static final boolean PIPELINED = Boolean.getBoolean("watch.bench.pipelined");
    private static final boolean MEMORY = Boolean.parseBoolean(System.getProperty("watch.bench.memory", "true"));
    private static final int STREAMS = 10;
    private static final int[] WATCHERS = java.util.stream.Stream.of(System.getProperty("watch.bench.watchers", "10,1000").split(","))
            .mapToInt(x -> Integer.parseInt(x.trim())).toArray();

    /** One measured round's percentiles, in nanoseconds. */
    private record Round(long ackP50, long ackP99, long startP50, long startP99, long putP50, long putP99,
                         double beforeAck, long serverCpuNanos, long clientCpuNanos, long deliveries) {
        /** CPU time per delivered event, in microseconds. */
        double serverCpuPerEvent() {
            return serverCpuNanos / 1e3 / deliveries;
        }

        double clientCpuPerEvent() {
            return clientCpuNanos / 1e3 / deliveries;
        }
    }

    @Test
    void latencyAndMemory() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("watch.bench"), "benchmark: run with -Dwatch.bench=true");
        StringBuilder report = new StringBuilder("\n[watch-bench] parameters: reps=" + REPS + " puts(10 watchers)=" + PUTS
                + " puts(1000 watchers)=" + FANOUT_PUTS + " warm-up puts=" + WARMUP_PUTS + " streams=" + STREAMS
                + " pipelined=" + PIPELINED + " watchers=" + Arrays.toString(WATCHERS) + " (no randomness: fixed key per round, value \"v<i>\")\n");
        report.append("[watch-bench] load average at start: ").append(loadavg()).append('\n');
        List<ServerProcess> servers = List.of(new EtcdProcess("bench-watch-etcd"), new MemberProcess("bench-watch-member"));
        List<ManagedChannel> channels = new ArrayList<>();
        // kind -> watchers -> rounds
        Map<String, Map<Integer, List<Round>>> results = new LinkedHashMap<>();
        try {
            for (ServerProcess s : servers) {
                s.start();
                channels.add(ManagedChannelBuilder.forAddress("127.0.0.1", s.clientPort()).usePlaintext().build());
                results.put(s.kind(), new LinkedHashMap<>());
            }
            for (int i = 0; i < servers.size(); i++) { // warm-up, discarded
                for (int w : WATCHERS) {
                    round(channels.get(i), servers.get(i), w, w < 100 ? WARMUP_PUTS : Math.max(1, WARMUP_PUTS / 10));
                }
            }
            for (int rep = 1; rep <= REPS; rep++) {
                for (int k = 0; k < servers.size(); k++) {
                    int i = rep % 2 == 1 ? k : servers.size() - 1 - k;
                    ServerProcess s = servers.get(i);
                    for (int w : WATCHERS) {
                        Round r = round(channels.get(i), s, w, w < 100 ? PUTS : FANOUT_PUTS);
                        results.get(s.kind()).computeIfAbsent(w, x -> new ArrayList<>()).add(r);
                        report.append(String.format("[watch-bench] rep %d %-6s %5d watchers: ack->delivery p50 %s p99 %s | "
                                        + "start->delivery p50 %s p99 %s | put p50 %s p99 %s | %.0f%% of deliveries before the ack"
                                        + " | CPU per event: server %.1f us, bench client %.1f us%n",
                                rep, s.kind(), w, ms(r.ackP50), ms(r.ackP99), ms(r.startP50), ms(r.startP99),
                                ms(r.putP50), ms(r.putP99), 100 * r.beforeAck, r.serverCpuPerEvent(), r.clientCpuPerEvent()));
                    }
                }
            }
            summarize(results, report);
            report.append("[watch-bench] load average after the latency rounds: ").append(loadavg()).append('\n');
            if (MEMORY) {
                for (int i = 0; i < servers.size(); i++) {
                    memory(channels.get(i), servers.get(i), report);
                }
            }
        } finally {
            for (ManagedChannel ch : channels) {
                ch.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
            for (ServerProcess s : servers) {
                s.close();
            }
        }
        System.out.println(report);
    }

    private static void summarize(Map<String, Map<Integer, List<Round>>> results, StringBuilder report) {
        report.append("[watch-bench] summary: median of ").append(REPS).append(" rounds [min, max], ms\n");
        for (int w : WATCHERS) {
            Map<String, long[]> medians = new LinkedHashMap<>();
            for (var e : results.entrySet()) {
                List<Round> rs = e.getValue().get(w);
                long[] ackP50 = rs.stream().mapToLong(Round::ackP50).toArray();
                long[] ackP99 = rs.stream().mapToLong(Round::ackP99).toArray();
                long[] startP50 = rs.stream().mapToLong(Round::startP50).toArray();
                long[] startP99 = rs.stream().mapToLong(Round::startP99).toArray();
                double[] serverCpu = rs.stream().mapToDouble(Round::serverCpuPerEvent).sorted().toArray();
                double[] clientCpu = rs.stream().mapToDouble(Round::clientCpuPerEvent).sorted().toArray();
                report.append(String.format("[watch-bench] %-6s %5d watchers: ack->delivery p50 %s p99 %s | start->delivery p50 %s p99 %s"
                                + " | CPU us per event: server %.1f, bench client %.1f (medians)%n",
                        e.getKey(), w, spread(ackP50), spread(ackP99), spread(startP50), spread(startP99),
                        serverCpu[(serverCpu.length - 1) / 2], clientCpu[(clientCpu.length - 1) / 2]));
                medians.put(e.getKey(), new long[] {median(ackP50), median(ackP99), median(startP50), median(startP99)});
            }
            if (!medians.containsKey("etcd") || !medians.containsKey("member")) {
                continue;
            }
            long[] etcd = medians.get("etcd");
            long[] member = medians.get("member");
            report.append(String.format("[watch-bench] member/etcd %5d watchers: ack->delivery p50 %s p99 %s | start->delivery p50 %s p99 %s%n",
                    w, ratio(member[0], etcd[0]), ratio(member[1], etcd[1]), ratio(member[2], etcd[2]), ratio(member[3], etcd[3])));
        }
    }

    /**
     * One round: {@code watchers} watchers on a fresh key over {@link #STREAMS} streams, {@code puts} puts.
     * Fails (AssertionError) if an event is missing, duplicated, out of order or late beyond a bound.
     */
    private static Round round(ManagedChannel ch, ServerProcess server, int watchers, int puts) throws Exception {
        String kind = server.kind();
        String key = "bench/" + kind + "/" + watchers + "/" + System.nanoTime();
        KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(ch);
        CountDownLatch created = new CountDownLatch(watchers);
        long[] startNanos = new long[puts];
        long[] ackNanos = new long[puts];
        CountDownLatch[] perPut = new CountDownLatch[puts];
        for (int i = 0; i < puts; i++) {
            perPut[i] = new CountDownLatch(watchers);
        }
        // No other client writes during a round, so put i gets revision first + i (checked below).
        long first = kv.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).build())
                .getHeader().getRevision() + 1;
        List<StreamObserver<WatchRequest>> reqs = new ArrayList<>();
        List<Recorder> recorders = new ArrayList<>();
        for (int s = 0; s < STREAMS; s++) {
            int onStream = 0;
            for (int j = s; j < watchers; j += STREAMS) {
                onStream++;
            }
            Recorder rec = new Recorder(onStream * puts, first, perPut, created);
            recorders.add(rec);
            StreamObserver<WatchRequest> req = WatchGrpc.newStub(ch).watch(rec);
            reqs.add(req);
            for (int j = 0; j < onStream; j++) {
                req.onNext(WatchRequest.newBuilder().setCreateRequest(
                        WatchCreateRequest.newBuilder().setKey(ByteString.copyFromUtf8(key))).build());
            }
        }
        if (!created.await(60, TimeUnit.SECONDS)) {
            throw new AssertionError("watchers not created within 60 s: " + created.getCount() + " of " + watchers + " missing");
        }
        long serverCpu0 = processCpuNanos(server.pid());
        long clientCpu0 = CLIENT_OS.getProcessCpuTime();
        for (int i = 0; i < puts; i++) {
            PutRequest put = PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key))
                    .setValue(ByteString.copyFromUtf8("v" + i)).build();
            startNanos[i] = System.nanoTime();
            long rev = kv.put(put).getHeader().getRevision();
            ackNanos[i] = System.nanoTime();
            if (rev != first + i) {
                throw new AssertionError("put " + i + " got revision " + rev + ", expected " + (first + i)
                        + ": another client wrote during the round");
            }
            if (!PIPELINED && !perPut[i].await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("event of put " + i + " not delivered to every watcher within 30 s: "
                        + perPut[i].getCount() + " of " + watchers + " missing");
            }
        }
        for (int i = 0; i < puts; i++) {
            if (!perPut[i].await(120, TimeUnit.SECONDS)) {
                throw new AssertionError("event of put " + i + " not delivered to every watcher within 120 s: "
                        + perPut[i].getCount() + " of " + watchers + " missing");
            }
        }
        long serverCpu = processCpuNanos(server.pid()) - serverCpu0;
        long clientCpu = CLIENT_OS.getProcessCpuTime() - clientCpu0;
        reqs.forEach(StreamObserver::onCompleted);
        long[] ack = new long[watchers * puts];
        long[] start = new long[watchers * puts];
        int n = 0;
        int beforeAck = 0;
        for (Recorder rec : recorders) {
            if (rec.error != null) {
                throw new AssertionError(rec.error);
            }
            for (int k = 0; k < rec.count; k++) {
                int i = (int) (rec.revs[k] - first);
                ack[n] = rec.nanos[k] - ackNanos[i];
                start[n] = rec.nanos[k] - startNanos[i];
                if (ack[n] < 0) {
                    beforeAck++;
                }
                n++;
            }
        }
        if (n != watchers * puts) {
            throw new AssertionError(n + " deliveries, expected " + watchers * puts + " (duplicates?)");
        }
        long[] put = new long[puts];
        for (int i = 0; i < puts; i++) {
            put[i] = ackNanos[i] - startNanos[i];
        }
        Arrays.sort(ack);
        Arrays.sort(start);
        Arrays.sort(put);
        return new Round(pct(ack, 50), pct(ack, 99), pct(start, 50), pct(start, 99), pct(put, 50), pct(put, 99),
                (double) beforeAck / n, serverCpu, clientCpu, n);
    }

    /** This JVM (the bench's client side): its process CPU time. */
    private static final com.sun.management.OperatingSystemMXBean CLIENT_OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    /**
     * User + system CPU time of process {@code pid} from {@code /proc/<pid>/stat} (fields 14 and 15, in clock
     * ticks of 10 ms: a round's figure is coarse to one tick). bin/etcetera execs the JVM, so the member's pid is
     * the JVM's.
     */
    private static long processCpuNanos(long pid) throws java.io.IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // after "pid (comm) ", field 3 (state) is f[0]: utime (14) is f[11], stime (15) f[12]
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
    }

    /** One stream's observer: records (revision, arrival) of every event; grpc-java calls it serially. */
    private static final class Recorder implements StreamObserver<WatchResponse> {
        final long[] revs;
        final long[] nanos;
        final long first;
        final CountDownLatch[] perPut;
        final CountDownLatch created;
        /** Last revision seen per watch ID: events must come in order, once. */
        final Map<Long, Long> last = new java.util.HashMap<>();
        int count;
        volatile String error;

        Recorder(int capacity, long first, CountDownLatch[] perPut, CountDownLatch created) {
            this.revs = new long[capacity];
            this.nanos = new long[capacity];
            this.first = first;
            this.perPut = perPut;
            this.created = created;
        }

        @Override
        public void onNext(WatchResponse r) {
            long now = System.nanoTime();
            if (r.getCreated()) {
                created.countDown();
                return;
            }
            for (var e : r.getEventsList()) {
                long rev = e.getKv().getModRevision();
                Long prev = last.put(r.getWatchId(), rev);
                if ((prev != null && rev <= prev) || rev < first || rev >= first + perPut.length || count == revs.length) {
                    error = "watch " + r.getWatchId() + ": unexpected event at revision " + rev + " after " + prev;
                    continue;
                }
                revs[count] = rev;
                nanos[count] = now;
                count++;
                perPut[(int) (rev - first)].countDown();
            }
        }

        @Override
        public void onError(Throwable t) {
            error = "watch stream failed: " + t;
        }

        @Override
        public void onCompleted() {
        }
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
        report.append(String.format("[watch-bench] %-6s RSS growth for %d idle watchers: %d KiB (%.0f bytes per watcher; "
                        + "one sample, JVM RSS is coarse: see WatcherMemoryTest for the heap figure)%n",
                s.kind(), n, after - before, (after - before) * 1024.0 / n));
        req.onCompleted();
    }

    private static long pct(long[] sorted, double p) {
        int idx = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }

    private static long median(long[] v) {
        long[] c = v.clone();
        Arrays.sort(c);
        return c[(c.length - 1) / 2];
    }

    private static String spread(long[] v) {
        long[] c = v.clone();
        Arrays.sort(c);
        return String.format("%s [%s, %s]", ms(median(c)), ms(c[0]), ms(c[c.length - 1]));
    }

    private static String ms(long nanos) {
        return String.format("%.3f", nanos / 1e6);
    }

    private static String ratio(long member, long etcd) {
        if (etcd <= 0 || member <= 0) {
            return "n/a (<= 0)";
        }
        return String.format("%.2fx", (double) member / etcd);
    }

    private static String loadavg() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
