package dev.etcetera.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Deploys the packaged WAR into a real Payara Micro through Arquillian and calls it: the JAX-RS
 * gateway directly on Payara's listener, and the same member through its client port (Helidon
 * forwarding HTTP to the gateway), with a write that must be visible to a following read.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class GatewayArquillianIT {

    @Deployment(testable = false)
    static WebArchive war() {
        return ShrinkWrap.create(ZipImporter.class, "etcetera.war")
                .importFrom(new File(System.getProperty("arq.war")))
                .as(WebArchive.class);
    }

    @ArquillianResource
    URL base;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void versionAnswersOnPayaraListener() throws Exception {
        HttpResponse<String> r = get(base.toURI().resolve("version"));
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().matches("\\{\"etcdserver\":\"\\d+\\.\\d+\\.\\d+\",\"etcdcluster\":\"\\d+\\.\\d+\\.\\d+\"}"), r.body());
    }

    @Test
    void putThenRangeThroughClientPort() throws Exception {
        URI client = URI.create("http://127.0.0.1:" + System.getProperty("arq.client.port") + "/");
        awaitClientPort(client, Duration.ofSeconds(120));
        HttpResponse<String> put = post(client.resolve("v3/kv/put"), "{\"key\":\"YXJx\",\"value\":\"MQ==\"}");
        assertEquals(200, put.statusCode(), put.body());
        HttpResponse<String> range = post(client.resolve("v3/kv/range"), "{\"key\":\"YXJx\"}");
        assertEquals(200, range.statusCode(), range.body());
        assertTrue(range.body().contains("\"key\":\"YXJx\"") && range.body().contains("\"value\":\"MQ==\""), range.body());
        HttpResponse<String> empty = post(client.resolve("v3/kv/put"), "{\"key\":\"\"}");
        assertEquals(400, empty.statusCode(), empty.body());
        assertEquals("{\"error\":\"etcdserver: key is not provided\",\"message\":\"etcdserver: key is not provided\",\"code\":3}",
                empty.body());
    }

    /**
     * The member opens its store and binds the client port beside Payara's deployment, so the
     * port may come up after Arquillian sees the WAR deployed: wait (bounded) until it answers.
     */
    private void awaitClientPort(URI client, Duration bound) throws Exception {
        long deadline = System.nanoTime() + bound.toNanos();
        while (true) {
            String last;
            try {
                HttpResponse<String> r = get(client.resolve("version"));
                if (r.statusCode() == 200) {
                    return;
                }
                last = "status " + r.statusCode() + ": " + r.body();
            } catch (java.net.ConnectException e) {
                last = e.toString();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the client port " + client + " did not answer within " + bound.toSeconds() + " s: " + last);
            }
            Thread.sleep(100); // polling interval of a bounded wait, not synchronisation
        }
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(URI uri, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
