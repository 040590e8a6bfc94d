package dev.etcetera.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.etcetera.it.harness.Etcdctl;
import dev.etcetera.it.harness.ServerProcess;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One side of a differential run: a running server with its etcdctl, an HTTP/1.1 client for the JSON gateway
 * and a {@link Normalizer} that knows the server's identity. Thread confinement: one test thread at a time.
 */
final class Side {
    /** An HTTP exchange as seen by a curl user: status and body. */
    record HttpResult(int status, String body) {
    }

    final String label;
    final ServerProcess server;
    final Etcdctl etcdctl;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private Normalizer normalizer;

    Side(String label, ServerProcess server) {
        this.label = label;
        this.server = server;
        this.etcdctl = new Etcdctl(server.clientUrl());
    }

    Normalizer normalizer() {
        if (normalizer == null) {
            normalizer = new Normalizer(identify());
        }
        return normalizer;
    }

    /** Learns ids and versions from {@code endpoint status -w json} and {@code GET /version}; tolerates failures. */
    private Normalizer.Identity identify() {
        String memberDec = null;
        String clusterDec = null;
        List<String> versions = new ArrayList<>();
        Etcdctl.Result status = etcdctl.run("endpoint", "status", "-w", "json");
        try {
            JsonNode root = Normalizer.JSON.readTree(status.stdout());
            JsonNode st = root.get(0).get("Status");
            memberDec = st.get("header").get("member_id").asText();
            clusterDec = st.get("header").get("cluster_id").asText();
            versions.add(st.get("version").asText());
        } catch (IOException | RuntimeException e) {
            System.err.println("[it] cannot identify " + label + " from endpoint status: " + status);
        }
        try {
            JsonNode v = Normalizer.JSON.readTree(get("/version").body());
            v.fields().forEachRemaining(f -> {
                if (!versions.contains(f.getValue().asText())) {
                    versions.add(f.getValue().asText());
                }
            });
        } catch (IOException | RuntimeException e) {
            System.err.println("[it] cannot read /version of " + label + ": " + e);
        }
        return new Normalizer.Identity(server.endpoint(), memberDec, hex(memberDec), clusterDec, hex(clusterDec), versions);
    }

    private static String hex(String unsignedDecimal) {
        return unsignedDecimal == null ? null : new BigInteger(unsignedDecimal).toString(16);
    }

    HttpResult post(String path, String body) {
        return send(HttpRequest.newBuilder(URI.create(server.clientUrl() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    HttpResult get(String path) {
        return send(HttpRequest.newBuilder(URI.create(server.clientUrl() + path)).GET());
    }

    private HttpResult send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new HttpResult(r.statusCode(), r.body());
        } catch (IOException e) {
            return new HttpResult(-1, "I/O error: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Current store revision from a Range response header (via the JSON gateway-independent etcdctl). */
    long revision() {
        Etcdctl.Result r = etcdctl.run("get", "revision-probe", "-w", "json");
        try {
            return Normalizer.JSON.readTree(r.stdout()).get("header").get("revision").asLong();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read the revision of " + label + ": " + r, e);
        }
    }

    @Override
    public String toString() {
        return label + " " + server;
    }
}
