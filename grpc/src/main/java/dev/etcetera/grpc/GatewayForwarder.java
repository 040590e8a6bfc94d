package dev.etcetera.grpc;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Hands the client port's HTTP/1.1 requests to the JAX-RS application on Payara's own loopback
 * listener, so that the JSON gateway, /version, /health and /metrics answer on the client URL as
 * etcd's do. The body is streamed back chunk by chunk (watch and keepalive streams are
 * newline-delimited JSON that must reach the client as it is produced).
 *
 * <p>Path mapping: {@code /health/live|ready|started} go to Payara's MicroProfile Health
 * endpoints; every other path {@code /p} goes to {@code <contextRoot>/p} of our application.
 *
 * <p>Helidon runs each HTTP request on its own virtual thread, so the blocking copy here does not
 * hold a transport thread.
 */
public final class GatewayForwarder implements Handler {
    private static final List<String> REQUEST_HEADERS = List.of("Content-Type", "Accept", "Authorization", "Token");
    private static final List<String> MP_HEALTH = List.of("/health/live", "/health/ready", "/health/started");

    private final HttpClient client;
    private final String base;
    private final String contextRoot;

    /**
     * @param payaraPort  Payara's loopback HTTP port
     * @param contextRoot the application's context root on Payara, e.g. {@code /etcetera}
     */
    public GatewayForwarder(int payaraPort, String contextRoot) {
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        this.base = "http://127.0.0.1:" + payaraPort;
        this.contextRoot = contextRoot;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) throws IOException {
        String path = req.path().rawPath();
        String target = (MP_HEALTH.contains(path) ? "" : contextRoot) + path;
        String query = req.query().rawValue();
        URI uri = URI.create(base + target + (query.isEmpty() ? "" : "?" + query));

        byte[] body = req.content().hasEntity() ? req.content().inputStream().readAllBytes() : new byte[0];
        HttpRequest.Builder out = HttpRequest.newBuilder(uri)
                .method(req.prologue().method().text(),
                        body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        for (String h : REQUEST_HEADERS) {
            req.headers().first(HeaderNames.create(h)).ifPresent(v -> out.header(h, v));
        }
        HttpResponse<InputStream> upstream;
        try {
            upstream = client.send(out.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            res.status(Status.SERVICE_UNAVAILABLE_503).send();
            return;
        } catch (IOException e) {
            res.status(Status.SERVICE_UNAVAILABLE_503).send("gateway not available: " + e.getMessage());
            return;
        }
        res.status(Status.create(upstream.statusCode()));
        Optional<String> type = upstream.headers().firstValue("Content-Type");
        type.ifPresent(t -> res.header(HeaderNames.CONTENT_TYPE, t));
        try (InputStream in = upstream.body(); OutputStream os = res.outputStream()) {
            byte[] buf = new byte[16 * 1024];
            int n;
            while ((n = in.read(buf)) >= 0) {
                os.write(buf, 0, n);
                // stream responses must reach the client as soon as a line is produced
                if (in.available() == 0) {
                    os.flush();
                }
            }
        }
    }
}
