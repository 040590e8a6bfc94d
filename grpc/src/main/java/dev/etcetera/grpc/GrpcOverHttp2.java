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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

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
 * Maven Central has; until one, {@link WindowSafeWriter} has the three steps done by one thread at
 * a time per connection ({@link DataWrites}).
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
     * One stream's view of its connection's writer. DATA frames are cut to the window, written and
     * counted against the window by one thread at a time per connection ({@link DataWrites}), so that
     * no two streams spend the same window; waiting for a window update happens on the stream's own
     * thread outside that, so a stream that has no window never holds up the others. HEADERS frames go
     * to Helidon's writer directly (its own lock orders them with the DATA frames).
     */
    static final class WindowSafeWriter implements Http2StreamWriter {
        private final Http2StreamWriter connection;
        private final DataWrites dataWrites;

        WindowSafeWriter(Http2StreamWriter connection) {
            this.connection = connection;
            this.dataWrites = dataWrites(connection);
        }

        @Override
        public void write(Http2FrameData frame) {
            connection.write(frame);
        }

        @Override
        public void writeData(Http2FrameData frame, FlowControl.Outbound flowControl) {
            Http2FrameData rest = frame;
            while (rest != null) {
                rest = dataWrites.write(connection, rest, flowControl);
                if (rest != null) {
                    flowControl.blockTillUpdate(); // on this stream's thread; bounded by Helidon's flow-control timeout
                }
            }
        }

        @Override
        public int writeHeaders(Http2Headers headers, int streamId, Http2Flag.HeaderFlags flags,
                                FlowControl.Outbound flowControl) {
            return connection.writeHeaders(headers, streamId, flags, flowControl);
        }

        @Override
        public int writeHeaders(Http2Headers headers, int streamId, Http2Flag.HeaderFlags flags, Http2FrameData dataFrame,
                                FlowControl.Outbound flowControl) {
            int written = connection.writeHeaders(headers, streamId, flags, flowControl);
            int dataBytes = dataFrame.header().length();
            writeData(dataFrame, flowControl);
            return written + Http2FrameHeader.LENGTH + dataBytes;
        }
    }

    /**
     * The DATA frames of one connection, written by one thread at a time: whichever writer finds no
     * other one at work becomes the combiner and writes every frame queued meanwhile, its own and those
     * of the other streams, one after the other; the others wait (parked) for theirs to be written.
     *
     * <p>Why not a lock: with one lock, writers of several streams that arrive together (a commit
     * dispatched to ten watch streams on one connection) hand the lock to each other one at a time, and
     * every hand-off wakes a parked virtual thread, often on a carrier that has to be woken first. On a
     * quiet machine each such hand-off took 50-300 us, so a watch event written last could reach the
     * client well after the put's response (WatchLatencyBench, instrumented). Here the frames are written
     * back to back by the thread that is already running; the hand-offs happen after the writes.
     *
     * <p>Contract: per frame, exactly as under the lock before: cut to the stream's and the connection's
     * window, write what fits, charge it. A frame that does not fit whole is given back (the rest) to its
     * own thread, which waits for a window update and queues the rest again, so a stream without window
     * never delays another stream's frames. A write failure (the connection broke) is rethrown on the
     * frame's own thread. One stream's frames are written in the order its (single) writer queued them.
     */
    static final class DataWrites {
        /** At most this many frames are written by one combiner after its own frame, so that no writer is kept forever. */
        private static final int MAX_FOREIGN = 256;

        private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean combining = new AtomicBoolean();

        /** One queued DATA frame. State written by the combiner, read by the owner. */
        private static final class Pending {
            static final int QUEUED = 0;
            static final int DONE = 1;
            static final int FAILED = 2;

            final Http2FrameData frame;
            final FlowControl.Outbound flowControl;
            final Thread owner = Thread.currentThread();
            Http2FrameData rest;
            Throwable failure;
            volatile int state = QUEUED;

            Pending(Http2FrameData frame, FlowControl.Outbound flowControl) {
                this.frame = frame;
                this.flowControl = flowControl;
            }
        }

        /**
         * Writes as much of {@code frame} as the windows allow, possibly by another stream's thread; returns
         * the part still to write (null when all of it was written). The calling thread is the frame's
         * stream writer.
         */
        Http2FrameData write(Http2StreamWriter connection, Http2FrameData frame, FlowControl.Outbound flowControl) {
            Pending mine = new Pending(frame, flowControl);
            queue.add(mine);
            // Not interruptible (as the monitor it replaces): an interrupt is kept for the caller, so that
            // a parked writer does not spin and a combiner does not fail other streams' frames with it.
            boolean interrupted = Thread.interrupted();
            while (mine.state == Pending.QUEUED) {
                if (combining.compareAndSet(false, true)) {
                    combine(connection, mine);
                } else {
                    LockSupport.park(this); // the combiner unparks us once our frame is handled
                }
                interrupted |= Thread.interrupted();
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (mine.state == Pending.FAILED) {
                Throwable t = mine.failure;
                if (t instanceof RuntimeException e) {
                    throw e;
                }
                throw (Error) t;
            }
            return mine.rest;
        }

        /** Holding the combiner role: writes queued frames, then gives the role back. */
        private void combine(Http2StreamWriter connection, Pending mine) {
            int foreign = 0;
            while (true) {
                Pending p;
                while ((p = queue.poll()) != null) {
                    writeOne(connection, p);
                    if (p != mine && mine.state != Pending.QUEUED && ++foreign >= MAX_FOREIGN) {
                        break;
                    }
                }
                combining.set(false);
                // a writer that queued after our last poll and found the role taken is parked: take the
                // role again for it, or, having written enough for others, wake it to take the role itself
                Pending head = queue.peek();
                if (head == null) {
                    return;
                }
                if (foreign >= MAX_FOREIGN && mine.state != Pending.QUEUED) {
                    LockSupport.unpark(head.owner);
                    return;
                }
                if (!combining.compareAndSet(false, true)) {
                    return; // another writer took the role and will write it
                }
            }
        }

        private static void writeOne(Http2StreamWriter connection, Pending p) {
            try {
                // cut() reads the frame's data only when it splits it; then only the parts are used
                Http2FrameData[] parts = p.flowControl.cut(p.frame);
                if (parts.length == 1) {
                    // fits the window: Helidon's own write will find the window it needs, as every DATA
                    // write on this connection that could spend it goes through here, one at a time
                    connection.writeData(parts[0], p.flowControl);
                    p.rest = null;
                } else if (parts.length == 2) {
                    connection.writeData(parts[0], p.flowControl);
                    p.rest = parts[1];
                } else {
                    p.rest = p.frame; // no window at all: the owner waits for an update
                }
                p.state = Pending.DONE;
            } catch (RuntimeException | Error e) {
                p.failure = e;
                p.state = Pending.FAILED;
            }
            if (p.owner != Thread.currentThread()) {
                LockSupport.unpark(p.owner);
            }
        }
    }
}
