package dev.etcetera.grpc;

import dev.etcetera.api.etcdserverpb.WatchGrpc;
import dev.etcetera.api.etcdserverpb.WatchRequest;
import dev.etcetera.api.etcdserverpb.WatchResponse;
import dev.etcetera.server.EtcdServer;
import dev.etcetera.watch.WatchStream;
import io.grpc.BindableService;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.stub.StreamObserver;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * etcd's {@code etcdserverpb.Watch} service: one bidi stream per call, mapped onto a
 * {@link WatchStream} of the member. Requests go straight to the stream (never blocking the
 * transport thread). Responses are written by one virtual thread per stream: Helidon's
 * {@code sendMessage} blocks while the HTTP/2 flow-control window is exhausted (its
 * {@code isReady} is always true), so a client that stops reading blocks only that thread; the
 * stream's bounded queue then fills and its watchers become victims that catch up from history once
 * the client reads again. Nothing is buffered without bound.
 *
 * <p>Metadata {@code hasleader: true} (clientv3's WithRequireLeader) makes the stream end with
 * {@code Unavailable: etcdserver: no leader} when the member has no leader, as etcd does.
 */
public final class WatchService extends WatchGrpc.WatchImplBase {
    private static final Logger LOG = Logger.getLogger(WatchService.class.getName());
    private static final Metadata.Key<String> HAS_LEADER = Metadata.Key.of("hasleader", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<Boolean> REQUIRE_LEADER = Context.key("etcetera-require-leader");

    private final EtcdServer server;

    public WatchService(EtcdServer server) {
        this.server = server;
    }

    /** The service with the interceptor that reads {@code hasleader}: register this one. */
    public static BindableService bindable(EtcdServer server) {
        WatchService service = new WatchService(server);
        ServerInterceptor requireLeader = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                               ServerCallHandler<Q, R> next) {
                boolean require = "true".equals(headers.get(HAS_LEADER));
                return Contexts.interceptCall(Context.current().withValue(REQUIRE_LEADER, require), call, headers, next);
            }
        };
        return () -> ServerInterceptors.intercept(service, requireLeader);
    }

    @Override
    public StreamObserver<WatchRequest> watch(StreamObserver<WatchResponse> responses) {
        WatchStream stream;
        try {
            stream = server.openWatchStream(Boolean.TRUE.equals(REQUIRE_LEADER.get()));
        } catch (RuntimeException e) {
            responses.onError(GrpcErrors.toStatus(e));
            return new StreamObserver<>() {
                @Override
                public void onNext(WatchRequest value) {
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                }
            };
        }
        Thread.ofVirtual().name("etcetera-watch-send").start(() -> send(stream, responses));
        return new StreamObserver<>() {
            @Override
            public void onNext(WatchRequest request) {
                stream.request(request);
            }

            @Override
            public void onError(Throwable t) {
                stream.close(); // client went away
            }

            @Override
            public void onCompleted() {
                // The client closed its sending side only: etcd keeps the stream and its watchers
                // until the call is canceled (its recvLoop ends quietly on EOF).
            }
        };
    }

    /** The stream's writer: takes responses in order and writes them; may block on flow control. */
    private static void send(WatchStream stream, StreamObserver<WatchResponse> responses) {
        try {
            WatchResponse r;
            while ((r = stream.take()) != null) {
                responses.onNext(r);
            }
            if (stream.failure() != null) {
                responses.onError(GrpcErrors.toStatus(stream.failure()));
            } else {
                responses.onCompleted();
            }
        } catch (InterruptedException e) {
            stream.close();
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // the call was closed under us (client gone): stop watching
            LOG.log(Level.FINE, "watch stream closed while sending", e);
            stream.close();
        }
    }
}
