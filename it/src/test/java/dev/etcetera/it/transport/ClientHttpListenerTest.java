package dev.etcetera.it.transport;

import static dev.etcetera.it.transport.TransportTestSupport.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.etcetera.api.etcdserverpb.KVGrpc;
import dev.etcetera.api.etcdserverpb.PutRequest;
import dev.etcetera.it.harness.LoopbackPorts;
import dev.etcetera.it.harness.MemberProcess;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code --listen-client-http-urls} on a real member, checked against etcd 3.5+'s behaviour
 * ({@code server/embed/serve.go}: with the flag, the client URLs serve gRPC only and the HTTP URLs
 * serve HTTP only; a connection that speaks the other protocol matches no listener and is closed
 * without a response):
 * <ul>
 *   <li>the HTTP URL serves {@code /version}, {@code /health} and the JSON gateway;</li>
 *   <li>gRPC to the HTTP URL fails with UNAVAILABLE (connection closed), an HTTP/2 preface gets no byte back;</li>
 *   <li>the client URL still serves gRPC, and an HTTP/1.1 request to it gets no byte back.</li>
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientHttpListenerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private MemberProcess member;
    private int httpPort;

    @BeforeAll
    void start() {
        httpPort = LoopbackPorts.port();
        member = new MemberProcess("http-listener")
                .withFlags("--listen-client-http-urls", "http://127.0.0.1:" + httpPort);
        member.start();
    }

    @AfterAll
    void stop() {
        TransportTestSupport.stop(member);
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void httpListenerServesVersionHealthAndGateway() throws Exception {
        HttpResponse<String> version = TransportTestSupport.get(httpPort, "/version");
        assertEquals(200, version.statusCode(), version.body());
        assertTrue(JSON.readTree(version.body()).hasNonNull("etcdserver"), version.body());

        HttpResponse<String> health = TransportTestSupport.get(httpPort, "/health");
        assertEquals(200, health.statusCode(), health.body());
        assertEquals("true", JSON.readTree(health.body()).path("health").asText(), health.body());

        HttpResponse<String> put = TransportTestSupport.post(httpPort, "/v3/kv/put",
                "{\"key\":\"" + base64("http/k") + "\",\"value\":\"" + base64("v1") + "\"}");
        assertEquals(200, put.statusCode(), put.body());
        long revision = JSON.readTree(put.body()).path("header").path("revision").asLong();
        assertTrue(revision > 0, put.body());

        HttpResponse<String> range = TransportTestSupport.post(httpPort, "/v3/kv/range",
                "{\"key\":\"" + base64("http/k") + "\"}");
        assertEquals(200, range.statusCode(), range.body());
        JsonNode kv = JSON.readTree(range.body()).path("kvs").path(0);
        assertEquals(base64("v1"), kv.path("value").asText(), range.body());
        assertEquals(revision, kv.path("mod_revision").asLong(), range.body());
    }

    @Test
    void httpListenerRefusesGrpc() throws Exception {
        ManagedChannel channel = TransportTestSupport.channel(httpPort);
        try {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> KVGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(30, TimeUnit.SECONDS).put(PutRequest.newBuilder().setKey(b("grpc/on-http")).build()));
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
        } finally {
            TransportTestSupport.shutdown(channel);
        }
        byte[] answer = TransportTestSupport.exchangeUntilClosed(httpPort, TransportTestSupport.http2Preface());
        assertEquals(0, answer.length, "an HTTP/2 connection to the HTTP listener is closed unanswered, got: "
                + new String(answer, StandardCharsets.ISO_8859_1));
    }

    @Test
    void clientListenerServesGrpcOnly() throws Exception {
        ManagedChannel channel = TransportTestSupport.channel(member.clientPort());
        try {
            long revision = KVGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .put(PutRequest.newBuilder().setKey(b("grpc/k")).build()).getHeader().getRevision();
            assertTrue(revision > 0);
        } finally {
            TransportTestSupport.shutdown(channel);
        }
        byte[] request = "GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] answer = TransportTestSupport.exchangeUntilClosed(member.clientPort(), request);
        assertEquals(0, answer.length, "HTTP/1.1 to the gRPC-only client URL is closed unanswered, got: "
                + new String(answer, StandardCharsets.ISO_8859_1));
    }
}
