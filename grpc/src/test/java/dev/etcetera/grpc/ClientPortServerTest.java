package dev.etcetera.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.etcetera.api.etcdserverpb.KVGrpc;
import dev.etcetera.api.etcdserverpb.PutRequest;
import dev.etcetera.api.etcdserverpb.WatchCreateRequest;
import dev.etcetera.api.etcdserverpb.WatchGrpc;
import dev.etcetera.api.etcdserverpb.WatchRequest;
import dev.etcetera.api.etcdserverpb.WatchResponse;
import dev.etcetera.mvcc.MemoryBackend;
import dev.etcetera.server.MemberInfo;
import dev.etcetera.server.ServerLimits;
import dev.etcetera.server.SingleMemberServer;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ClientPortServer} in process: Helidon 4.5's HTTP/2 with the real KV and Watch services over
 * a member on a {@link MemoryBackend}, driven by grpc-java. Each test reproduces a way Helidon used to
 * close a whole connection (see {@link CallOutbound} and {@link ClientPortServer}).
 */
class ClientPortServerTest {
    private static final MemberInfo INFO = new MemberInfo(1, 2, "unit", List.of("http://127.0.0.1:2380"),
            List.of("http://127.0.0.1:2379"), "3.6.0", "3.6.0");

    private SingleMemberServer member;
    private ClientPortServer server;
    private ManagedChannel channel;

    @BeforeEach
    void start() {
        member = SingleMemberServer.open(INFO, ServerLimits.defaults(), new MemoryBackend());
    }

    private void serve(List<ClientPortServer.Listener> listeners) {
        server = ClientPortServer.start(listeners, List.of(new KvService(member), WatchService.bindable(member)),
                4 << 20, (req, res) -> res.send("http " + req.path().rawPath()));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port(0)).usePlaintext().build();
    }

    private void serve() {
        serve(List.of(new ClientPortServer.Listener("127.0.0.1", 0, true)));
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
        member.close();
    }

    private static ByteString b(String s) {
        return ByteString.copyFromUtf8(s);
    }

    private long put(String key) {
        return KVGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .put(PutRequest.newBuilder().setKey(b(key)).build()).getHeader().getRevision();
    }

    /** Helidon kept every stream completed from another thread: GOAWAY REFUSED_STREAM after 8,192. */
    @Test
    void moreThanMaxConcurrentStreamsAsyncCallsOnOneConnection() throws Exception {
        serve();
        int threads = 8;
        int perThread = 1_300; // 10,400 calls, over Helidon's default of 8,192 concurrent streams
        Map<Status.Code, LongAdder> errors = new ConcurrentHashMap<>();
        AtomicReference<Throwable> first = new AtomicReference<>();
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            clients.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < perThread; i++) {
                    try {
                        put("k" + id + "/" + (i % 10));
                    } catch (RuntimeException e) {
                        errors.computeIfAbsent(Status.fromThrowable(e).getCode(), x -> new LongAdder()).increment();
                        first.compareAndSet(null, e);
                    }
                }
            }));
        }
        for (Thread t : clients) {
            t.join(TimeUnit.MINUTES.toMillis(5));
            assertTrue(!t.isAlive(), "client still running after 5 min");
        }
        assertEquals(Map.of(), errors, "first failure: " + first.get());
    }

    /**
     * Helidon 4.5.0 let concurrent streams spend the same connection window (cut, write and charge
     * were not atomic together): with the window nearly used up, two watch senders overran it, and
     * grpc-java failed the connection with FLOW_CONTROL_ERROR ({@code INTERNAL: http2 exception} on
     * every call). Eight watch streams on one connection with a fixed 64 KiB window (no auto-tuning)
     * all receive 16 KiB events at once, so the window runs out again and again while several
     * senders write.
     */
    @Test
    void concurrentStreamsNeverOverrunTheConnectionWindow() throws Exception {
        serve();
        ManagedChannel tight = NettyChannelBuilder.forAddress("127.0.0.1", server.port(0)).usePlaintext()
                .initialFlowControlWindow(64 * 1024).build();
        try {
            int streams = 8;
            int puts = Integer.getInteger("grpc.window.puts", 100);
            List<Watch> watches = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                Watch w = new Watch(tight);
                w.create("win/");
                assertTrue(w.next("created " + i).getCreated());
                watches.add(w);
            }
            ByteString value = ByteString.copyFrom(new byte[16 * 1024]);
            KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);
            for (int i = 0; i < puts; i++) {
                kv.withDeadlineAfter(30, TimeUnit.SECONDS)
                        .put(PutRequest.newBuilder().setKey(b("win/" + (i % 10))).setValue(value).build());
            }
            for (int i = 0; i < streams; i++) {
                Watch w = watches.get(i);
                int events = 0;
                while (events < puts) {
                    WatchResponse r = w.next("event " + events + " of " + puts + " on stream " + i);
                    assertTrue(!r.getCanceled(), "stream " + i + " canceled: " + r);
                    events += r.getEventsCount();
                }
                assertEquals(puts, events, "stream " + i);
            }
            KVGrpc.newBlockingStub(tight).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .put(PutRequest.newBuilder().setKey(b("win-after")).build());
            for (Watch w : watches) {
                w.cancel();
                w.assertOnlyCancelled();
            }
        } finally {
            tight.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Writing after the client reset a stream made grpc-java answer RST_STREAM(STREAM_CLOSED), which
     * Helidon took for a connection error (GOAWAY PROTOCOL_ERROR) once a newer stream was open.
     */
    @Test
    void cancellingWatchStreamsKeepsTheConnection() throws Exception {
        serve();
        for (int round = 0; round < 10; round++) {
            Watch older = new Watch(channel);
            older.create("r/");
            assertTrue(older.next("created (older, round " + round + ")").getCreated());
            Watch newer = new Watch(channel);
            newer.create("r/");
            assertTrue(newer.next("created (newer, round " + round + ")").getCreated());
            older.cancel();
            for (int i = 0; i < 5; i++) {
                put("r/" + i);
            }
            int events = 0;
            while (events < 5) {
                events += newer.next("event " + events + " (round " + round + ")").getEventsCount();
            }
            newer.cancel();
            older.assertOnlyCancelled();
            newer.assertOnlyCancelled();
        }
        put("after");
    }

    /**
     * Helidon counts every client reset of a gRPC stream as a "rapid reset" (the gRPC handler writes
     * around the stream's own writer) and closed the connection with ENHANCE_YOUR_CALM after 50 in 10 s.
     */
    @Test
    void hundredsOfCancelledStreamsKeepTheConnection() throws Exception {
        serve();
        Watch longLived = new Watch(channel);
        longLived.create("keep/");
        assertTrue(longLived.next("created (long-lived)").getCreated());
        List<Watch> shortLived = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            Watch w = new Watch(channel);
            w.create("short/");
            shortLived.add(w);
        }
        for (int i = 0; i < shortLived.size(); i++) {
            assertTrue(shortLived.get(i).next("created (short " + i + ")").getCreated());
        }
        long t0 = System.nanoTime();
        shortLived.forEach(Watch::cancel); // 300 client resets in a burst
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms < ClientPortServer.RAPID_RESET_PERIOD.toMillis(), "the resets must fall within one check period, took "
                + ms + " ms");
        long rev = put("keep/x");
        assertEquals(rev, longLived.next("event on the long-lived stream").getEvents(0).getKv().getModRevision());
        longLived.assertOnlyCancelled();
        shortLived.forEach(Watch::assertOnlyCancelled);
    }

    /** As etcd 3.5+ with --listen-client-http-urls: each side closes the other protocol's connections unanswered. */
    @Test
    void splitListenersRefuseTheOtherProtocol() throws Exception {
        serve(List.of(new ClientPortServer.Listener("127.0.0.1", 0, true), new ClientPortServer.Listener("127.0.0.1", 0, false)));
        int grpcPort = server.port(0);
        int httpPort = server.port(1);
        assertTrue(put("split") > 0);
        String get = "GET /version HTTP/1.1\r\nHost: x\r\n\r\n";
        assertEquals("", exchange(grpcPort, get.getBytes(StandardCharsets.US_ASCII)));
        assertEquals("http /version", httpGet(httpPort, "/version"));
        byte[] preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\4\0\0\0\0\0".getBytes(StandardCharsets.US_ASCII);
        assertEquals("", exchange(httpPort, preface));
        ManagedChannel toHttp = NettyChannelBuilder.forAddress("127.0.0.1", httpPort).usePlaintext().build();
        try {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> KVGrpc.newBlockingStub(toHttp)
                    .withDeadlineAfter(30, TimeUnit.SECONDS).put(PutRequest.newBuilder().setKey(b("x")).build()));
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
        } finally {
            toHttp.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** Without an HTTP-only listener the client listener serves both, as etcd's client URL does. */
    @Test
    void oneListenerServesGrpcAndHttp() throws Exception {
        serve();
        assertTrue(put("both") > 0);
        assertEquals("http /version", httpGet(server.port(0), "/version"));
    }

    private static String httpGet(int port, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30))
                        .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    /** Everything the server sends on a fresh connection until it closes it (bounded by 15 s). */
    private static String exchange(int port, byte[] request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(15_000);
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) >= 0) {
                got.write(c);
            }
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static final class Watch {
        final LinkedBlockingQueue<WatchResponse> responses = new LinkedBlockingQueue<>();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        final StreamObserver<WatchRequest> requests;
        volatile ClientCallStreamObserver<WatchRequest> call;

        Watch(ManagedChannel channel) {
            requests = WatchGrpc.newStub(channel).watch(new ClientResponseObserver<WatchRequest, WatchResponse>() {
                @Override
                public void beforeStart(ClientCallStreamObserver<WatchRequest> c) {
                    call = c;
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

        void create(String prefix) {
            requests.onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
                    .setKey(b(prefix)).setRangeEnd(b(prefix.substring(0, prefix.length() - 1) + "0"))).build());
        }

        WatchResponse next(String what) throws InterruptedException {
            WatchResponse r = responses.poll(30, TimeUnit.SECONDS);
            if (r == null) {
                throw new AssertionError("no watch response within 30 s waiting for " + what
                        + (error.get() != null ? "; stream failed: " + error.get() : ""));
            }
            return r;
        }

        void cancel() {
            call.cancel("test done", null);
        }

        void assertOnlyCancelled() {
            Throwable t = error.get();
            assertTrue(t == null || Status.fromThrowable(t).getCode() == Status.Code.CANCELLED,
                    "stream failed otherwise than by our cancel: " + t);
        }
    }
}
