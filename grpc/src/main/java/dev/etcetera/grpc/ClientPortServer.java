package dev.etcetera.grpc;

import io.grpc.BindableService;
import io.grpc.ServerInterceptors;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.grpc.GrpcConfig;
import io.helidon.webserver.grpc.GrpcRouting;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http2.Http2Config;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

/**
 * The member's client listeners, served by Helidon. Like etcd's client URL, one listener carries
 * both gRPC (HTTP/2, prior knowledge) and HTTP/1.1; every HTTP/1.1 request (JSON gateway,
 * /version, /health, /metrics...) goes to {@code http}, which hands it to the JAX-RS application.
 * As in etcd 3.5+, once there are listeners from {@code --listen-client-http-urls} (HTTP only), the
 * gRPC listeners carry gRPC only; a connection speaking the other protocol is closed unanswered
 * ({@link UnmatchedProtocol}).
 *
 * <p>Connections are built with {@code tcpNoDelay}: without it a unary call costs ~45 ms
 * (Nagle plus delayed ACK). Every service is wrapped in {@link CallOutbound}, which keeps Helidon's
 * HTTP/2 streams from leaking and keeps writes off the member's threads.
 *
 * <p>HTTP/2 settings that differ from Helidon 4.5.0's defaults, and why (etcd's grpc-go server is the
 * reference: it blocks a stream's sender on flow control for as long as the client does not read,
 * and never closes a connection because clients cancel calls):
 * <ul>
 *   <li>{@link #FLOW_CONTROL_TIMEOUT}: Helidon fails a write that waited 15 s for the client's
 *       window ({@code WindowSizeImpl.Outbound.blockTillUpdate}), possibly after writing part of a
 *       message, which silently broke a watch stream whose client paused reading. Still bounded,
 *       because Helidon does not wake a writer blocked on the window of a stream the client reset.</li>
 *   <li>{@link #MAX_RAPID_RESETS}: Helidon counts an RST_STREAM from the client as a "rapid reset"
 *       when the server has written nothing through the stream's own writer, which is always the case
 *       for gRPC (its handler writes through the connection writer), so more than 50 cancelled calls
 *       in 10 s (deadlines under load, closed watches) closed the connection with ENHANCE_YOUR_CALM.
 *       The bound still stops a reset flood (CVE-2023-44487 style).</li>
 * </ul>
 */
public final class ClientPortServer implements AutoCloseable {
    /** How long a response write may wait for the client's HTTP/2 window before the call fails. */
    static final Duration FLOW_CONTROL_TIMEOUT = Duration.ofMinutes(5);
    /**
     * Inbound HTTP/2 windows (connection and stream) and the largest DATA frame a client may send.
     * Helidon 4.5.0 gives back inbound window either per consumed frame ("simple") or deferred until
     * half the window is consumed ("bisection"), and picks bisection when the window is at least
     * 4 frames. Bisection keeps its deferred increment in a plain field that the threads of several
     * streams on one connection update together: a race sent a connection WINDOW_UPDATE of 0
     * (grpc-java then fails the whole connection: "Received WINDOW_UPDATE with delta 0 for
     * connection stream", INTERNAL: http2 exception), and can also lose or repeat credit. With the
     * frame limit above a quarter of the window Helidon uses the simple strategy, which keeps no
     * shared state (and never sends a 0 increment). It should cost two small WINDOW_UPDATE frames per
     * request; a client may send frames of up to 1 MiB (within the request-size limits).
     */
    static final int INBOUND_WINDOW_BYTES = 1 << 20;
    static final int INBOUND_MAX_FRAME_BYTES = 1 << 20;
    /** Client stream resets tolerated per {@link #RAPID_RESET_PERIOD} on one connection. */
    static final int MAX_RAPID_RESETS = 10_000;
    static final Duration RAPID_RESET_PERIOD = Duration.ofSeconds(10);

    /**
     * One socket to listen on. {@code grpc=false} means HTTP only ({@code --listen-client-http-urls});
     * {@code grpc=true} means gRPC, plus HTTP unless some listener is HTTP only.
     */
    public record Listener(String host, int port, boolean grpc) {
    }

    private final WebServer server;

    private ClientPortServer(WebServer server) {
        this.server = server;
    }

    /**
     * Binds every listener and starts serving. Throws (Helidon's {@code UncheckedIOException} or
     * {@code IllegalStateException}) when a port cannot be bound; nothing is left running then.
     *
     * @param maxReceiveBytes largest gRPC message accepted (etcd: max-request-bytes + 512 KiB)
     */
    public static ClientPortServer start(List<Listener> listeners, List<BindableService> services,
                                         int maxReceiveBytes, Handler http) {
        if (listeners.isEmpty()) {
            throw new IllegalArgumentException("no client listener configured");
        }
        // as etcd 3.5+: once HTTP has listeners of its own, the gRPC listeners serve gRPC only
        boolean splitHttp = listeners.stream().anyMatch(l -> !l.grpc());
        WebServerConfig.Builder builder = WebServer.builder();
        for (int i = 0; i < listeners.size(); i++) {
            Listener l = listeners.get(i);
            String name = i == 0 ? WebServer.DEFAULT_SOCKET_NAME : "client-" + i;
            if (i == 0) {
                configure(builder, l, splitHttp, services, maxReceiveBytes, http);
            } else {
                builder.putSocket(name, socket -> configure(socket, l, splitHttp, services, maxReceiveBytes, http));
            }
        }
        WebServer server = builder.shutdownHook(false).build();
        RuntimeException failure = null;
        try {
            server.start();
        } catch (RuntimeException e) {
            failure = e;
        }
        // Helidon logs a bind failure and stops instead of throwing, so check the outcome.
        if (failure != null || !server.isRunning()) {
            try {
                server.stop();
            } catch (RuntimeException ignored) {
                // nothing was serving
            }
            throw new IllegalStateException(describeBindFailure(listeners), failure);
        }
        return new ClientPortServer(server);
    }

    /** Names the listener that cannot be bound, as etcd does ("listen tcp host:port: bind: address already in use"). */
    private static String describeBindFailure(List<Listener> listeners) {
        for (Listener l : listeners) {
            try (ServerSocket probe = new ServerSocket()) {
                probe.setReuseAddress(true);
                probe.bind(new InetSocketAddress(l.host(), l.port()));
            } catch (IOException e) {
                return "listen tcp " + l.host() + ":" + l.port() + ": bind: " + e.getMessage();
            }
        }
        return "cannot start the client listeners " + listeners;
    }

    private static void configure(io.helidon.webserver.ListenerConfig.BuilderBase<?, ?> socket, Listener l, boolean splitHttp,
                                  List<BindableService> services, int maxReceiveBytes, Handler http) {
        socket.host(l.host())
                .port(l.port())
                .connectionOptions(o -> o.tcpNoDelay(true))
                .maxPayloadSize(Math.max(maxReceiveBytes, 4 * 1024 * 1024))
                // exactly the protocols added here: Helidon would otherwise add HTTP/2 to every listener
                .protocolsDiscoverServices(false);
        if (!l.grpc() || !splitHttp) {
            socket.addProtocol(Http1Config.builder().build())
                    .routing(HttpRouting.builder().any(http));
        }
        if (l.grpc()) {
            GrpcRouting.Builder grpc = GrpcRouting.builder();
            CallOutbound outbound = new CallOutbound();
            for (BindableService service : services) {
                grpc.service((BindableService) () -> ServerInterceptors.intercept(service, outbound));
            }
            socket.addProtocol(Http2Config.builder()
                            .flowControlTimeout(FLOW_CONTROL_TIMEOUT)
                            .initialWindowSize(INBOUND_WINDOW_BYTES)
                            .maxFrameSize(INBOUND_MAX_FRAME_BYTES)
                            .maxRapidResets(MAX_RAPID_RESETS)
                            .rapidResetCheckPeriod(RAPID_RESET_PERIOD)
                            .build())
                    // No response compression: etcd never compresses (clients offering gzip get plain
                    // messages), and Helidon's per-call gzip set-up was ~9% of a put's CPU; with it
                    // off a range costs 94-103 us of CPU instead of 143-163 us (perf session, 100 clients).
                    // gRPC through GrpcOverHttp2: Helidon's gRPC with writes that respect the connection window
                    .addProtocol(new GrpcOverHttp2.Config(
                            GrpcConfig.builder().maxReadBufferSize(maxReceiveBytes).enableCompression(false).build()))
                    .addRouting(grpc);
            if (splitHttp) {
                socket.addConnectionSelector(new UnmatchedProtocol(UnmatchedProtocol.Refused.HTTP1));
            }
        } else {
            socket.addConnectionSelector(new UnmatchedProtocol(UnmatchedProtocol.Refused.HTTP2));
        }
    }

    /** The port actually bound for the i-th listener (useful when a listener asked for port 0). */
    public int port(int listenerIndex) {
        return server.port(listenerIndex == 0 ? WebServer.DEFAULT_SOCKET_NAME : "client-" + listenerIndex);
    }

    @Override
    public void close() {
        server.stop();
    }
}
