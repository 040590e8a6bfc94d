package dev.etcetera.grpc;

import io.grpc.BindableService;
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
import java.util.List;

/**
 * The member's client listeners, served by Helidon. Like etcd's client URL, one listener carries
 * both gRPC (HTTP/2, prior knowledge) and HTTP/1.1; every HTTP/1.1 request (JSON gateway,
 * /version, /health, /metrics...) goes to {@code http}, which hands it to the JAX-RS application.
 * Listeners from {@code --listen-client-http-urls} carry HTTP only, as in etcd 3.5+.
 *
 * <p>Connections are built with {@code tcpNoDelay}: without it a unary call costs ~45 ms
 * (Nagle plus delayed ACK).
 */
public final class ClientPortServer implements AutoCloseable {

    /** One socket to listen on. {@code grpc=false} means HTTP only. */
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
        WebServerConfig.Builder builder = WebServer.builder();
        for (int i = 0; i < listeners.size(); i++) {
            Listener l = listeners.get(i);
            String name = i == 0 ? WebServer.DEFAULT_SOCKET_NAME : "client-" + i;
            if (i == 0) {
                configure(builder, l, services, maxReceiveBytes, http);
            } else {
                builder.putSocket(name, socket -> configure(socket, l, services, maxReceiveBytes, http));
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

    private static void configure(io.helidon.webserver.ListenerConfig.BuilderBase<?, ?> socket, Listener l,
                                  List<BindableService> services, int maxReceiveBytes, Handler http) {
        socket.host(l.host())
                .port(l.port())
                .connectionOptions(o -> o.tcpNoDelay(true))
                .maxPayloadSize(Math.max(maxReceiveBytes, 4 * 1024 * 1024))
                .addProtocol(Http1Config.builder().build())
                .routing(HttpRouting.builder().any(http));
        if (l.grpc()) {
            GrpcRouting.Builder grpc = GrpcRouting.builder();
            services.forEach(grpc::service);
            socket.addProtocol(Http2Config.builder().build())
                    .addProtocol(GrpcConfig.builder().maxReadBufferSize(maxReceiveBytes).build())
                    .addRouting(grpc);
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
