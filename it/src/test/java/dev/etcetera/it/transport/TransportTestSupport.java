package dev.etcetera.it.transport;

import com.google.protobuf.ByteString;
import dev.etcetera.it.harness.MemberProcess;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Small shared pieces of the transport tests: channels, HTTP/1.1 requests, raw sockets. */
final class TransportTestSupport {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private TransportTestSupport() {
    }

    static ByteString b(String s) {
        return ByteString.copyFromUtf8(s);
    }

    static ManagedChannel channel(int port) {
        return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    static void shutdown(ManagedChannel channel) throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    static void stop(MemberProcess member) {
        if (member != null) {
            member.close();
        }
    }

    static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(int port, String path, String json) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Writes {@code bytes} on a fresh connection and returns everything the server sends until it
     * closes the connection; fails if the server neither closes nor stops within 15 s.
     */
    static byte[] exchangeUntilClosed(int port, byte[] bytes) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try {
                int c;
                while ((c = in.read()) >= 0) {
                    got.write(c);
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the server neither answered nor closed the connection within 15 s; got "
                        + got.size() + " bytes: " + got.toString(StandardCharsets.ISO_8859_1));
            } catch (IOException e) {
                // connection reset: closed as well
            }
            return got.toByteArray();
        }
    }

    /** The client preface and an empty SETTINGS frame: how a gRPC (HTTP/2 prior knowledge) connection opens. */
    static byte[] http2Preface() {
        byte[] preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[preface.length + 9];
        System.arraycopy(preface, 0, out, 0, preface.length);
        out[preface.length + 3] = 4; // frame type SETTINGS, length 0, flags 0, stream 0
        return out;
    }
}
