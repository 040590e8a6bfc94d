package dev.etcetera.it.transport;

import static dev.etcetera.it.transport.TransportTestSupport.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.etcetera.api.etcdserverpb.KVGrpc;
import dev.etcetera.api.etcdserverpb.PutRequest;
import dev.etcetera.api.etcdserverpb.RangeRequest;
import dev.etcetera.api.etcdserverpb.WatchCreateRequest;
import dev.etcetera.api.etcdserverpb.WatchGrpc;
import dev.etcetera.api.etcdserverpb.WatchRequest;
import dev.etcetera.api.etcdserverpb.WatchResponse;
import dev.etcetera.api.mvccpb.Event;
import dev.etcetera.it.harness.MemberProcess;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The client port's HTTP/2 (Helidon) under the two loads that used to break it, and MicroProfile
 * Health on the same port, against one real member shared by the class:
 * <ol>
 *   <li>100 clients over 4 connections make 50,000 unary calls (puts and linearizable ranges): none
 *       may fail. Before: every connection was closed with GOAWAY REFUSED_STREAM after ~8,192 calls
 *       completed asynchronously, because Helidon never released their streams.</li>
 *   <li>A watch stream whose client reads nothing while 30+ s of writes to its range go through the
 *       same connection: every other call on that connection succeeds, and once the client reads again
 *       it receives every event in order. Before: the stalled writer failed after Helidon's 15 s
 *       flow-control wait (the stream broke silently), and cancelling streams made Helidon close the
 *       connection with GOAWAY PROTOCOL_ERROR.</li>
 *   <li>{@code /health/live|ready|started} (MicroProfile Health, forwarded to Payara) answer
 *       {@code "status":"UP"} on the client port next to etcd's {@code /health}, {@code /livez},
 *       {@code /readyz}.</li>
 * </ol>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientPortTransportTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private MemberProcess member;

    @BeforeAll
    void start() {
        member = new MemberProcess("transport");
        member.start();
    }

    @AfterAll
    void stop() {
        TransportTestSupport.stop(member);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void fiftyThousandConcurrentUnaryCallsSeeNoTransportError() throws Exception {
        int clients = 100;
        int connections = 4;
        int total = Integer.getInteger("transport.it.calls", 50_000);
        long seed = Long.getLong("transport.it.seed", System.nanoTime());
        System.out.printf("[transport-it] unary load: %d calls, %d clients, %d connections, seed %d%n",
                total, clients, connections, seed);
        List<ManagedChannel> channels = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            channels.add(TransportTestSupport.channel(member.clientPort()));
        }
        AtomicLong remaining = new AtomicLong(total);
        LongAdder ok = new LongAdder();
        Map<Status.Code, LongAdder> errors = new ConcurrentHashMap<>();
        AtomicReference<Throwable> firstError = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        long t0 = System.nanoTime();
        try {
            for (int c = 0; c < clients; c++) {
                KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channels.get(c % connections));
                SplittableRandom random = new SplittableRandom(seed * 31 + c);
                threads.add(Thread.ofPlatform().name("transport-client-" + c).start(() -> {
                    ByteString value = ByteString.copyFrom(new byte[256]);
                    while (remaining.getAndDecrement() > 0) {
                        ByteString key = b("load/" + random.nextInt(1000));
                        try {
                            KVGrpc.KVBlockingStub call = kv.withDeadlineAfter(60, TimeUnit.SECONDS);
                            if (random.nextInt(5) == 0) {
                                call.range(RangeRequest.newBuilder().setKey(key).build());
                            } else {
                                call.put(PutRequest.newBuilder().setKey(key).setValue(value).build());
                            }
                            ok.increment();
                        } catch (RuntimeException e) {
                            errors.computeIfAbsent(Status.fromThrowable(e).getCode(), x -> new LongAdder()).increment();
                            firstError.compareAndSet(null, e);
                        }
                    }
                }));
            }
            for (Thread t : threads) {
                t.join(TimeUnit.MINUTES.toMillis(9));
                assertTrue(!t.isAlive(), "client thread " + t.getName() + " still running after 9 min (calls have a 60 s deadline)");
            }
        } finally {
            for (ManagedChannel ch : channels) {
                TransportTestSupport.shutdown(ch);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("[transport-it] unary load: %d ok, errors %s, %.1f s, %.0f calls/s%n",
                ok.sum(), errors, seconds, ok.sum() / seconds);
        if (!errors.isEmpty()) { // with the first error's cause chain: the transport's exception says what broke
            throw new AssertionError("calls failed: " + errors + "; first: " + firstError.get(), firstError.get());
        }
        assertEquals(total, ok.sum());
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void stalledWatchStreamLeavesItsConnectionUsableAndResumesLosslessly() throws Exception {
        long writeSeconds = Long.getLong("transport.it.stall.seconds", 35);
        int window = 64 * 1024;
        // a small fixed window: the server runs out of window on the stalled stream within the first writes
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", member.clientPort()).usePlaintext()
                .flowControlWindow(window).build();
        try {
            KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);
            long base = kv.withDeadlineAfter(30, TimeUnit.SECONDS)
                    .put(PutRequest.newBuilder().setKey(b("stall-base")).build()).getHeader().getRevision();
            WatchCreateRequest.Builder range = WatchCreateRequest.newBuilder()
                    .setKey(b("stall/")).setRangeEnd(b("stall0")).setStartRevision(base + 1);
            Stream stalled = new Stream(channel, true);
            stalled.create(range);
            Stream live = new Stream(channel, false);
            live.create(range);
            assertTrue(live.next("created response of the live stream").getCreated());

            // four writers on the stalled stream's connection, puts plus a range every tenth call
            ByteString value = ByteString.copyFrom(new byte[4096]);
            int writers = 4;
            List<Long> revisions = java.util.Collections.synchronizedList(new ArrayList<>());
            LongAdder ranges = new LongAdder();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(writeSeconds);
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                threads.add(Thread.ofPlatform().name("stall-writer-" + w).start(() -> {
                    try {
                        for (int i = 0; System.nanoTime() < deadline; i++) {
                            // every call has a deadline; any failure fails the test
                            revisions.add(kv.withDeadlineAfter(30, TimeUnit.SECONDS)
                                    .put(PutRequest.newBuilder().setKey(b("stall/k" + writer + "-" + (i % 20)))
                                            .setValue(value).build())
                                    .getHeader().getRevision());
                            if (i % 10 == 0) {
                                kv.withDeadlineAfter(30, TimeUnit.SECONDS)
                                        .range(RangeRequest.newBuilder().setKey(b("stall/k0-0")).build());
                                ranges.increment();
                            }
                        }
                    } catch (RuntimeException e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(writeSeconds + 120));
                assertTrue(!t.isAlive(), t.getName() + " still running (calls have a 30 s deadline)");
            }
            if (failure.get() != null) { // with its cause chain: the transport's own exception says what broke
                throw new AssertionError("a call on the stalled stream's connection failed: " + failure.get(), failure.get());
            }
            revisions.sort(null);
            long eventBytes = (long) revisions.size() * value.size();
            System.out.printf("[transport-it] stall: %d puts and %d ranges in %d s on the stalled stream's connection, "
                    + "%d KiB of events for a client window of %d KiB%n",
                    revisions.size(), ranges.sum(), writeSeconds, eventBytes / 1024, window / 1024);
            assertTrue(eventBytes > 16L * window, "the writes must overflow the stalled stream's window many times over");
            assertEquals(0, stalled.responses.size(), "the stalled client has read nothing");

            // the live stream on the same connection saw every event meanwhile
            assertEquals(revisions, live.revisions(revisions.size(), "events on the live stream"));
            long t0 = System.nanoTime();
            stalled.call.request(Integer.MAX_VALUE);
            assertTrue(stalled.next("created response of the stalled stream").getCreated());
            assertEquals(revisions, stalled.revisions(revisions.size(), "events on the resumed stream"));
            System.out.printf("[transport-it] stall: resumed stream caught up with %d events in %d ms%n",
                    revisions.size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));

            // closing streams does not take the connection down either
            stalled.cancel();
            live.cancel();
            kv.withDeadlineAfter(30, TimeUnit.SECONDS).put(PutRequest.newBuilder().setKey(b("stall-after")).build());
            for (Stream s : List.of(stalled, live)) {
                Throwable t = s.error.get();
                assertTrue(t == null || isCancel(t), "a stream failed otherwise than by our cancel: " + t);
            }
        } finally {
            TransportTestSupport.shutdown(channel);
        }
    }

    private static boolean isCancel(Throwable t) {
        return Status.fromThrowable(t).getCode() == Status.Code.CANCELLED;
    }

    @Test
    void microProfileHealthAnswersNextToEtcdProbes() throws Exception {
        int port = member.clientPort();
        for (String path : List.of("/health/live", "/health/ready", "/health/started")) {
            HttpResponse<String> r = TransportTestSupport.get(port, path);
            assertEquals(200, r.statusCode(), path + ": " + r.body());
            JsonNode body = JSON.readTree(r.body());
            assertEquals("UP", body.path("status").asText(), path + ": " + r.body());
        }
        HttpResponse<String> health = TransportTestSupport.get(port, "/health");
        assertEquals(200, health.statusCode(), health.body());
        assertEquals("true", JSON.readTree(health.body()).path("health").asText(), health.body());
        for (String path : List.of("/livez", "/readyz")) {
            HttpResponse<String> r = TransportTestSupport.get(port, path);
            assertEquals(200, r.statusCode(), path + ": " + r.body());
            assertEquals("ok", r.body().trim(), path);
        }
    }

    /** One watch stream; with {@code stalled} it reads nothing until {@code call.request} is called. */
    private static final class Stream {
        final LinkedBlockingQueue<WatchResponse> responses = new LinkedBlockingQueue<>();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        final StreamObserver<WatchRequest> requests;
        volatile ClientCallStreamObserver<WatchRequest> call;

        Stream(ManagedChannel channel, boolean stalled) {
            requests = WatchGrpc.newStub(channel).watch(new ClientResponseObserver<WatchRequest, WatchResponse>() {
                @Override
                public void beforeStart(ClientCallStreamObserver<WatchRequest> c) {
                    call = c;
                    if (stalled) {
                        c.disableAutoRequestWithInitial(0);
                    }
                }

                @Override
                public void onNext(WatchResponse r) {
                    responses.add(r);
                }

                @Override
                public void onError(Throwable t) {
                    error.set(t);
                }

                @Override
                public void onCompleted() {
                }
            });
        }

        void create(WatchCreateRequest.Builder c) {
            requests.onNext(WatchRequest.newBuilder().setCreateRequest(c).build());
        }

        WatchResponse next(String what) throws InterruptedException {
            WatchResponse r = responses.poll(120, TimeUnit.SECONDS);
            if (r == null) {
                throw new AssertionError("no watch response within 120 s waiting for " + what
                        + (error.get() != null ? " (stream failed: " + error.get() + ")" : ""));
            }
            return r;
        }

        /** The mod revisions of the next {@code n} events, failing on a cancel or a 120 s gap. */
        List<Long> revisions(int n, String what) throws InterruptedException {
            List<Long> got = new ArrayList<>(n);
            while (got.size() < n) {
                WatchResponse r = next(what + " (" + got.size() + "/" + n + ")");
                assertTrue(!r.getCanceled(), what + ": watch canceled: " + r);
                for (Event e : r.getEventsList()) {
                    got.add(e.getKv().getModRevision());
                }
            }
            return got;
        }

        void cancel() {
            call.cancel("test done", null);
        }
    }
}
