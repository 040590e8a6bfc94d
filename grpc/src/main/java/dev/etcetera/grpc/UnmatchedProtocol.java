package dev.etcetera.grpc;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;

/**
 * Takes the connections that speak the protocol a listener does not serve and closes them without
 * sending a byte, as etcd 3.5+ does when client HTTP is split off with
 * {@code --listen-client-http-urls}: there a connection that no protocol matcher accepts (cmux on the
 * HTTP-only listener, grpc-go's preface check on the gRPC-only one) is closed unanswered. Helidon would
 * otherwise answer it (a lone protocol gets every connection; HTTP/2 is discovered on every listener).
 *
 * <p>Identification needs only the first bytes: an HTTP/2 prior-knowledge connection starts with the
 * preface {@code "PRI * HTTP/2.0"}, and no HTTP/1.1 request starts with {@code "PRI "}.
 */
final class UnmatchedProtocol implements ServerConnectionSelector {
    private static final byte[] PREFACE_START = "PRI ".getBytes(StandardCharsets.US_ASCII);

    /** What the listener does not serve. */
    enum Refused {
        /** HTTP/2 prior knowledge (gRPC) on an HTTP-only listener. */
        HTTP2,
        /** Anything else (HTTP/1.1) on a gRPC-only listener. */
        HTTP1
    }

    private final Refused refused;

    UnmatchedProtocol(Refused refused) {
        this.refused = refused;
    }

    @Override
    public int bytesToIdentifyConnection() {
        // Helidon asks once strictly more bytes than this are available
        return PREFACE_START.length - 1;
    }

    @Override
    public Support supports(BufferData data) {
        boolean preface = true;
        for (byte b : PREFACE_START) {
            if (data.available() == 0 || data.read() != b) {
                preface = false;
                break;
            }
        }
        boolean take = refused == Refused.HTTP2 ? preface : !preface;
        return take ? Support.SUPPORTED : Support.UNSUPPORTED;
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        return Set.of();
    }

    @Override
    public ServerConnection connection(ConnectionContext ctx) {
        return new ServerConnection() {
            @Override
            public void handle(Limit limit) {
                // returning closes the socket; nothing has been written
            }

            @Override
            public Duration idleTime() {
                return Duration.ZERO;
            }

            @Override
            public void close(boolean interrupt) {
            }
        };
    }
}
