package dev.etcetera.grpc;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The outbound half of every gRPC call on Helidon 4.5's HTTP/2 server: who writes a response, when
 * the call's HTTP/2 stream is given back, and that a cancelled call stays silent. Installed on every
 * service by {@link ClientPortServer}; services stay plain grpc-java.
 *
 * <p>Three facts about Helidon 4.5.0 shape it (sources: {@code helidon-webserver-http2} and
 * {@code helidon-webserver-grpc} 4.5.0):
 * <ol>
 *   <li>A stream is released (its slot in the connection's {@code maxConcurrentStreams} count, its map
 *       entry and its handler thread) only when the handler thread sees the gRPC handler CLOSED after
 *       it delivered a frame ({@code Http2ServerStream.handle}, loop over {@code inboundData.take()}).
 *       A call closed later from another thread, which is how the member completes every write, leaves
 *       the thread parked in {@code take()} for good: after 8192 such calls on one connection
 *       {@code Http2Connection.activateStream} throws REFUSED_STREAM as a connection error and the
 *       client sees {@code Abrupt GOAWAY ... REFUSED_STREAM}. So {@code onHalfClose} returns only once
 *       the call is closed or cancelled, and the handler thread, parked here instead, then sees CLOSED.
 *       (Helidon's main branch later added {@code SubProtocolHandler.onStreamClosed} for this.)</li>
 *   <li>{@code sendMessage} blocks while the HTTP/2 window is exhausted ({@code isReady} is always
 *       true) and a socket write blocks while the client does not read. A write must therefore never
 *       run on a member thread (the apply thread completes puts): writes from a platform thread are
 *       queued and run, in order, on the call's handler thread parked in {@code onHalfClose} or on a
 *       virtual thread. Writes from a virtual thread (the watch sender, Helidon's handler thread) run
 *       at once, so such a writer feels flow control as back-pressure.</li>
 *   <li>After the client reset a stream, any frame the server still sends on it makes grpc-java answer
 *       RST_STREAM(STREAM_CLOSED), and Helidon treats an RST_STREAM for a stream it already forgot as
 *       a connection error ({@code Http2Connection.stream}: "Stream N was never created and has lower
 *       ID than last", GOAWAY PROTOCOL_ERROR), failing every call on the connection. So once the call
 *       is cancelled nothing more is written (as grpc-java's own server does). A write already under
 *       way when the reset arrives cannot be withdrawn, nor can DATA frames already charged and queued
 *       on the connection ({@link DataWrites}; they leave within the connection writer's current
 *       batches); that race remains, but is narrow.</li>
 * </ol>
 *
 * <p>Threads: the wrapped call's write methods may be called from any thread but, as grpc-java
 * requires, not concurrently for one call; {@code onCancel} arrives on Helidon's connection thread.
 */
final class CallOutbound implements ServerInterceptor {
    private static final Logger LOG = Logger.getLogger(CallOutbound.class.getName());

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        Writer<Q, R> writer = new Writer<>(call);
        ServerCall.Listener<Q> listener = next.startCall(writer, headers);
        writer.listener = listener;
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onHalfClose() {
                super.onHalfClose();
                writer.writeUntilFinished();
            }

            @Override
            public void onCancel() {
                if (writer.cancel()) {
                    super.onCancel();
                }
            }
        };
    }

    /** The call as services see it: serialises writes onto threads that may block on the transport. */
    private static final class Writer<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        // --- guarded by lock
        private final ArrayDeque<Runnable> pending = new ArrayDeque<>();
        /** Some thread is running writes (an inline writer, a virtual drainer or the half-close waiter). */
        private boolean busy;
        /** The handler thread is parked in {@link #writeUntilFinished} and runs queued writes. */
        private boolean halfCloseWaiting;
        /** Closed, cancelled, or the transport failed: nothing more is written. */
        private boolean finished;
        /** onCancel was delivered (by Helidon or by us after a failed queued write): deliver it once. */
        private boolean cancelDelivered;
        // ---
        volatile ServerCall.Listener<Q> listener;

        Writer(ServerCall<Q, R> call) {
            super(call);
        }

        @Override
        public void sendHeaders(Metadata headers) {
            submit(() -> super.sendHeaders(headers), false);
        }

        @Override
        public void sendMessage(R message) {
            submit(() -> super.sendMessage(message), false);
        }

        @Override
        public void close(Status status, Metadata trailers) {
            submit(() -> super.close(status, trailers), true);
        }

        @Override
        public boolean isCancelled() {
            lock.lock();
            try {
                if (cancelDelivered) {
                    return true;
                }
            } finally {
                lock.unlock();
            }
            return super.isCancelled();
        }

        private void submit(Runnable write, boolean closes) {
            Runnable op = closes ? () -> {
                try {
                    write.run();
                } finally {
                    finish();
                }
            } : write;
            boolean inline = false;
            boolean startDrainer = false;
            lock.lock();
            try {
                if (finished || super.isCancelled()) {
                    return; // a cancelled call is silent; see the class comment, point 3
                }
                if (!busy && pending.isEmpty() && Thread.currentThread().isVirtual()) {
                    busy = true;
                    inline = true;
                } else {
                    pending.add(op);
                    if (!busy) {
                        if (halfCloseWaiting) {
                            changed.signalAll();
                        } else {
                            busy = true;
                            startDrainer = true;
                        }
                    }
                }
            } finally {
                lock.unlock();
            }
            if (inline) {
                try {
                    op.run(); // failures reach the writer, which decides how to end the call
                } finally {
                    afterInline();
                }
            } else if (startDrainer) {
                Thread.ofVirtual().name("etcetera-grpc-write").start(this::drain);
            }
        }

        private void afterInline() {
            boolean startDrainer = false;
            lock.lock();
            try {
                if (pending.isEmpty() || finished) {
                    busy = false;
                    changed.signalAll();
                } else if (halfCloseWaiting) {
                    busy = false;
                    changed.signalAll();
                } else {
                    startDrainer = true; // keep busy: the drainer takes over
                }
            } finally {
                lock.unlock();
            }
            if (startDrainer) {
                Thread.ofVirtual().name("etcetera-grpc-write").start(this::drain);
            }
        }

        /** Runs queued writes until none is left; the caller has set {@code busy}. */
        private void drain() {
            while (true) {
                Runnable op;
                lock.lock();
                try {
                    op = finished ? null : pending.poll();
                    if (op == null) {
                        pending.clear();
                        busy = false;
                        changed.signalAll();
                        return;
                    }
                } finally {
                    lock.unlock();
                }
                runQueued(op);
            }
        }

        /**
         * A queued write failed (transport broken, or the flow-control wait timed out): nobody is there
         * to see the exception, so end the call as a broken transport would in grpc-java: best-effort
         * close with UNAVAILABLE, and onCancel to the service so that it lets go of the call.
         */
        private void runQueued(Runnable op) {
            try {
                op.run();
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "gRPC response could not be written; ending the call", e);
                boolean deliver;
                lock.lock();
                try {
                    deliver = !cancelDelivered;
                    cancelDelivered = true;
                    finished = true;
                    pending.clear();
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
                try {
                    super.close(Status.UNAVAILABLE.withDescription("response could not be written: " + e), new Metadata());
                } catch (RuntimeException ignored) {
                    // the transport is gone
                }
                ServerCall.Listener<Q> l = listener;
                if (deliver && l != null) {
                    l.onCancel();
                }
            }
        }

        private void finish() {
            lock.lock();
            try {
                finished = true;
                pending.clear();
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** Helidon's connection thread: the client reset the stream. True if onCancel is to be delivered. */
        boolean cancel() {
            lock.lock();
            try {
                finished = true;
                pending.clear();
                changed.signalAll();
                boolean deliver = !cancelDelivered;
                cancelDelivered = true;
                return deliver;
            } finally {
                lock.unlock();
            }
        }

        /**
         * The handler thread, after the service saw the half-close: run queued writes here until the
         * call is closed or cancelled, so that the thread returns to Helidon with the stream CLOSED.
         * Waits without a bound (but returns if interrupted, as when the server stops): a call that the
         * member never completes keeps its stream and this virtual thread until the client cancels it,
         * as it would keep them without this wait.
         */
        void writeUntilFinished() {
            lock.lock();
            try {
                halfCloseWaiting = true;
                while (!finished) {
                    if (!busy && !pending.isEmpty()) {
                        busy = true;
                        Runnable op = pending.poll();
                        lock.unlock();
                        try {
                            runQueued(op);
                        } finally {
                            lock.lock();
                            busy = false;
                        }
                    } else {
                        try {
                            changed.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt(); // the server is stopping: give the thread back
                            return;
                        }
                    }
                }
            } finally {
                halfCloseWaiting = false;
                lock.unlock();
            }
        }
    }
}
