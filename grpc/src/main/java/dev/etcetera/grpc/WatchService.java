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
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * etcd's {@code etcdserverpb.Watch} service: one bidi stream per call, mapped onto a
 * {@link WatchStream} of the member. Requests go straight to the stream (never blocking the
 * transport thread). Responses are written by one virtual thread per stream: Helidon's
 * {@code sendMessage} blocks while the HTTP/2 flow-control window is exhausted (its
 * {@code isReady} is always true), so a client that stops reading blocks only that thread, as
 * grpc-go blocks etcd's send loop; the stream's bounded queue then fills and its watchers become
 * victims that catch up from history once the client reads again. Nothing is buffered without bound.
 *
 * <p>Once the client has gone (cancel), nothing more is written: a frame on a stream the client
 * reset makes Helidon close the whole connection (see {@link CallOutbound}). A write that fails (the
 * connection broke, or the client read nothing for {@link ClientPortServer#FLOW_CONTROL_TIMEOUT})
 * ends the call with {@code Unavailable} so that the client sees it and can resume its watches.
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
        ServerCallStreamObserver<WatchResponse> call = (ServerCallStreamObserver<WatchResponse>) responses;
        try {
            WatchResponse r;
            while ((r = stream.take()) != null) {
                if (call.isCancelled()) {
                    stream.close();
                    return;
                }
                responses.onNext(r);
            }
            if (call.isCancelled()) {
                return; // the client went away: it closed the stream, nothing to tell it
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
            // the write failed: the connection broke, or the client read nothing for the flow-control timeout
            LOG.log(Level.FINE, "watch stream closed while sending", e);
            stream.close();
            if (!call.isCancelled()) {
                try {
                    responses.onError(Status.UNAVAILABLE.withDescription("watch response could not be written: "
                            + e.getMessage()).asRuntimeException());
                } catch (RuntimeException ignored) {
                    // the transport is gone
                }
            }
        }
    }
}
