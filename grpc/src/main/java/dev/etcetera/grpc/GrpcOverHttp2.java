package dev.etcetera.grpc;

import io.helidon.http.HttpPrologue;
import io.helidon.http.http2.FlowControl;
import io.helidon.http.http2.Http2Flag;
import io.helidon.http.http2.Http2FrameData;
import io.helidon.http.http2.Http2FrameHeader;
import io.helidon.http.http2.Http2Headers;
import io.helidon.http.http2.Http2Settings;
import io.helidon.http.http2.Http2StreamState;
import io.helidon.http.http2.Http2StreamWriter;
import io.helidon.http.http2.StreamFlowControl;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ProtocolConfigs;
import io.helidon.webserver.Router;
import io.helidon.webserver.grpc.GrpcConfig;
import io.helidon.webserver.grpc.GrpcProtocolSelector;
import io.helidon.webserver.http2.spi.Http2SubProtocolProvider;
import io.helidon.webserver.http2.spi.Http2SubProtocolSelector;
import io.helidon.webserver.http2.spi.SubProtocolResult;
import io.helidon.webserver.spi.ProtocolConfig;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;

/**
 * Helidon's gRPC sub-protocol of HTTP/2, with DATA frames that never overrun the connection's
 * flow-control window. Registered with {@link java.util.ServiceLoader} (Helidon finds HTTP/2
 * sub-protocols only that way) and selected by adding a {@link Config} to a listener instead of
 * a {@link GrpcConfig}; {@link ClientPortServer} does so.
 *
 * <p>Why: in Helidon 4.5.0 a DATA write takes the connection window in three steps that are not
 * atomic together ({@code Http2ConnectionWriter.splitAndWrite}: cut the frame to the window, write
 * it under the writer lock, then decrement the stream and connection windows). Two streams writing
 * at the same moment both see the same remaining connection window and together send more than
 * it. A client such as grpc-java then fails the connection with FLOW_CONTROL_ERROR, and every call
 * on it ends {@code INTERNAL: http2 exception}. It needs a nearly exhausted connection window, so
 * it shows when a client stops reading one stream (a stalled watch) while other calls go on over
 * the same connection: the transport IT did fail that way now and then. Helidon fixed it after
 * 4.5.0 on its main branch ("Avoid stale HTTP/2 flow control waits", #12166), in no release that
 * Maven Central has; until one, {@link WindowSafeWriter} cuts and charges each frame in one step per
 * connection and has the frames written in that order ({@link DataWrites}).
 *
 * <p>Scope: only gRPC streams go through here. A plain HTTP request over HTTP/2 on the client port
 * (not what etcd clients send; the JSON gateway is reached over HTTP/1.1) still writes through
 * Helidon's writer directly.
 */
public final class GrpcOverHttp2 implements Http2SubProtocolProvider<GrpcOverHttp2.Config> {
    static final String TYPE = "etcetera-grpc";

    /** For {@link java.util.ServiceLoader}. */
    public GrpcOverHttp2() {
    }

    @Override
    public String protocolType() {
        return TYPE;
    }

    @Override
    public Class<Config> protocolConfigType() {
        return Config.class;
    }

    @Override
    public Http2SubProtocolSelector create(Config config, ProtocolConfigs configs) {
        GrpcProtocolSelector grpc = GrpcProtocolSelector.create(config.grpc());
        return new Http2SubProtocolSelector() {
            @Override
            @SuppressWarnings("checkstyle:ParameterNumber")
            public SubProtocolResult subProtocol(ConnectionContext ctx, HttpPrologue prologue, Http2Headers headers,
                                                 Http2StreamWriter streamWriter, int streamId, Http2Settings serverSettings,
                                                 Http2Settings clientSettings, StreamFlowControl flowControl,
                                                 Http2StreamState currentStreamState, Router router) {
                return grpc.subProtocol(ctx, prologue, headers, new WindowSafeWriter(streamWriter), streamId,
                        serverSettings, clientSettings, flowControl, currentStreamState, router);
            }
        };
    }

    /** Selects this sub-protocol on a listener; carries Helidon's own gRPC settings. */
    public record Config(GrpcConfig grpc) implements ProtocolConfig {
        public Config {
            Objects.requireNonNull(grpc, "grpc");
        }

        @Override
        public String name() {
            return TYPE;
        }

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** The DATA-frame writes of each connection, keyed by Helidon's connection writer (weakly: it is never referenced from the value). */
    private static final Map<Http2StreamWriter, DataWrites> CONNECTIONS = Collections.synchronizedMap(new WeakHashMap<>());

    static DataWrites dataWrites(Http2StreamWriter connection) {
        return CONNECTIONS.computeIfAbsent(connection, c -> new DataWrites());
    }

    /**
     * One stream's view of its connection's writer. DATA frames are cut to the window and charged,
     * in one step per frame and connection, and written by whichever thread holds the connection's
     * writer role ({@link DataWrites}), so that no two streams spend the same window and frames queued
     * by several streams leave in one socket write. A frame that does not fit waits for a window
     * update on the stream's own thread, so a stream that has no window never holds up the others.
     * Any other frame of the stream (HEADERS with the trailers, RST_STREAM) is written only once the
     * stream's queued DATA frames are on the socket, so the stream's frames keep their order.
     */
    static final class WindowSafeWriter implements Http2StreamWriter {
        private final Http2StreamWriter connection;
        private final DataWrites dataWrites;
        private final DataWrites.Stream stream = new DataWrites.Stream();

        WindowSafeWriter(Http2StreamWriter connection) {
            this.connection = connection;
            this.dataWrites = dataWrites(connection);
        }

        @Override
        public void write(Http2FrameData frame) {
            dataWrites.flush(connection, stream);
            connection.write(frame);
        }

        /**
         * Returns once all of {@code frame} is charged and queued (written, or to be written by the
         * connection's writer); waits (on this thread) only while the windows are exhausted.
         */
        @Override
        public void writeData(Http2FrameData frame, FlowControl.Outbound flowControl) {
            for (Http2FrameData piece : frame.split(flowControl.maxFrameSize())) {
                Http2FrameData rest = piece;
                while (rest != null) {
                    rest = dataWrites.offer(connection, stream, rest, flowControl);
                    if (rest != null) {
                        flowControl.blockTillUpdate(); // on this stream's thread; bounded by Helidon's flow-control timeout
                    }
                }
            }
        }

        @Override
        public int writeHeaders(Http2Headers headers, int streamId, Http2Flag.HeaderFlags flags,
                                FlowControl.Outbound flowControl) {
            dataWrites.flush(connection, stream);
            return connection.writeHeaders(headers, streamId, flags, flowControl);
        }

        @Override
        public int writeHeaders(Http2Headers headers, int streamId, Http2Flag.HeaderFlags flags, Http2FrameData dataFrame,
                                FlowControl.Outbound flowControl) {
            dataWrites.flush(connection, stream);
            int written = connection.writeHeaders(headers, streamId, flags, flowControl);
            int dataBytes = dataFrame.header().length();
            writeData(dataFrame, flowControl);
            return written + Http2FrameHeader.LENGTH + dataBytes;
        }
    }
}
